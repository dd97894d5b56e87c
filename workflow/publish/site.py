"""The output directory: where files may be written and removed, and committing a run's decisions to it.

`commit` removes what was withdrawn or deleted, fixes the language links of the pages that stay,
re-indexes, writes the feeds and sitemap and then the manifest, in the order that survives being killed.
Only files the manifest lists are ever removed, and each removal is logged in its `removed` list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from markupsafe import escape

from workflow import feeds
from workflow.errors import InputError
from workflow.project import Project, check_locale, check_slug
from workflow.publish.editions import edition_alternates, page_href, render_index
from workflow.publish.interface import fallback_note, feed_title, hreflang, long_date
from workflow.publish.manifest import (
    FEED_NAME,
    INDEX_STEM,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    NO_SITE,
    SITEMAP_NAME,
    is_edition,
    manifest_entry,
    sha256,
)
from workflow.publish.report import Edition, FileResult, PublishReport, Removal, StaleEdition
from workflow.publish.withdrawals import remove_withdrawn_temps
from workflow.storage import atomic_write, check_replaceable, read_file, remove_stale_temps


def target_path(out_dir: Path, locale: str, name: str) -> Path:
    """`out_dir/locale/name` (name: `<slug>.md`, `<slug>.html`, feed.xml), refusing anything that would land outside `out_dir`."""
    check_locale(locale)
    stem, dot, suffix = name.rpartition(".")
    check_slug(stem if dot and suffix in ("md", "html", "xml") else name)
    path = out_dir / locale / name
    root = out_dir.resolve()
    if not path.resolve().is_relative_to(root):
        raise InputError(f"refusing to write {locale}/{name}: it resolves outside the output directory {root}", path)
    return path


def clean_temps(project: Project, out: Path, locales) -> None:
    """A killed run's temp files, only where publish and withdraw write: --out may hold other tools' files (a git checkout)."""
    for directory in (out, *(out / locale for locale in locales)):
        remove_stale_temps(directory, depth=0)
    remove_withdrawn_temps(project)


def output_dir(project: Project, out_dir: Path | None) -> Path:
    """`--out`, or the project's public directory; InputError if it is a file."""
    out = Path(out_dir) if out_dir is not None else project.public_dir
    if out.exists() and not out.is_dir():
        raise InputError("the output directory is a file", out)
    return out


def commit(
    project: Project,
    out: Path,
    old: dict[str, dict[str, Any]],
    files: dict[str, dict[str, Any]],
    log: list[dict[str, Any]],
    outputs: dict[str, str],
    removals: list[Removal],
    locales: tuple[str, ...],
    now: dt.datetime,
    dry_run: bool,
    editions: list[Edition],
    stale: list[StaleEdition],
    relink_all: bool = False,
) -> PublishReport:
    """Remove, re-index and write: everything a run decided, in the order that survives being killed."""
    removed_paths = []
    for r in removals:
        removed_paths.append(removable(out, r.file))
        entry = files.pop(r.file)
        log = [*log, {**dataclasses.asdict(r), "removed": now.isoformat(), "published": entry.get("published"), "sha256": entry.get("sha256")}]
    # A takedown fixes the story's language links in every locale; a publish run only in the locales it was given.
    relinked = unlink_removed_editions(project, out, files, outputs, removals, now, None if relink_all else locales)
    touched = tuple(dict.fromkeys([*locales, *(r.locale for r in removals), *relinked]))
    listings = {}
    for locale in touched:
        listed = [
            {"slug": e["slug"], "title": e["title"], "date": e["date"]}
            for name, e in files.items()
            if name.startswith(f"{locale}/") and name.endswith(".html") and is_edition(name)
        ]
        # Once a locale has an index it keeps one, even empty: a withdrawn story must leave it too.
        if listed or f"{locale}/{INDEX_STEM}.html" in old:
            listings[locale] = listed
    # Each index links the other locales' indexes: those that exist after this run.
    indexed = {n.partition("/")[0] for n in files if n.endswith(f"/{INDEX_STEM}.html")} | set(listings)
    index_alternates = tuple(a for a in edition_alternates(project, INDEX_STEM, indexed) if not a.original)
    for locale, listed in listings.items():
        name = f"{locale}/{INDEX_STEM}.html"
        target_path(out, locale, f"{INDEX_STEM}.html")
        content = render_index(project, locale, listed, alternates=index_alternates, feed=project.site_url is not None)
        outputs[name] = content
        fresh = {"locale": locale, "articles": sorted(e["slug"] for e in listed), "sha256": sha256(content.encode("utf-8"))}
        files[name] = manifest_entry(old.get(name), fresh, now)
    if project.site_url is not None:
        feeds_and_sitemap(project, out, old, files, log, outputs, listings, now)
    # Without a site address there are no feeds or sitemap: ones an earlier run made would go on listing
    # stories since withdrawn, so they go, logged like any removal.
    dropped = [] if project.site_url is not None else [n for n in files if n == SITEMAP_NAME or n.endswith(f"/{FEED_NAME}")]
    dropped_paths = []
    for name in dropped:
        entry = files.pop(name)
        path = out / name
        if not path.parent.resolve().is_relative_to(out.resolve()) or (path.is_dir() and not path.is_symlink()):
            raise InputError(f"refusing to remove {name}: it is not a file inside the output directory {out.resolve()}", path)
        dropped_paths.append(path)
        locale = name.partition("/")[0] if "/" in name else ""
        log = [*log, {"file": name, "slug": "", "locale": locale, "why": NO_SITE, "note": "", "removed": now.isoformat(),
                      "published": entry.get("published"), "sha256": entry.get("sha256")}]

    manifest_path = out / MANIFEST_NAME
    manifest: dict[str, Any] = {"format": MANIFEST_FORMAT, "files": dict(sorted(files.items()))}
    if log:
        manifest["removed"] = log
    if files or log or manifest_path.exists():
        outputs[MANIFEST_NAME] = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    for name in outputs if not dry_run else ():
        check_replaceable(out / name)  # before the first write: a refusal leaves the site as it was
    results = []
    # Files go first, the manifest last: a run killed in between leaves them listed, so the next run
    # removes them again; the other way round would leave an unlisted file that nothing ever removes.
    for r, path in zip(removals, removed_paths):
        if dry_run:
            results.append(FileResult(r.file, "would remove"))
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            pass  # already gone (removed by hand, or by a killed run): the manifest still has to say so
        except OSError as exc:
            raise InputError(f"cannot remove this published file: {exc.strerror}", path) from None
        results.append(FileResult(r.file, "removed"))
    for name, path in zip(dropped, dropped_paths):
        if dry_run:
            results.append(FileResult(name, "would remove"))
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise InputError(f"cannot remove this published file: {exc.strerror}", path) from None
        results.append(FileResult(name, "removed"))
    for name, content in outputs.items():
        path = out / name
        if dry_run:
            try:
                same = read_file(path) == content.encode("utf-8")
            except FileNotFoundError:
                same = False
            results.append(FileResult(name, "unchanged" if same else "would write"))
        else:
            results.append(FileResult(name, "written" if atomic_write(path, content) else "unchanged"))
    # Pages in a locale without interface words of its own say so once, whatever number of them the run rendered.
    shown_in = dict.fromkeys(name.partition("/")[0] for name in outputs if "/" in name and name.endswith(".html"))
    notes = tuple(note for locale in shown_in if (note := fallback_note(locale)))
    return PublishReport(out, dry_run, tuple(editions), tuple(results), tuple(removals), tuple(stale), notes=notes)


_EMPTY_SWITCHER = re.compile(r'<nav class="languages"[^>]*>\n<span>[^<\n]*</span>\n</nav>\n')


def without_alternates(html: str, hrefs: set[str]) -> str:
    """A published page with its head links and switcher entries to `hrefs` taken out, as if rendered without them."""
    quoted = {f'href="{escape(h)}"' for h in hrefs}
    kept = [
        line
        for line in html.split("\n")
        if not (("hreflang=" in line) and any(q in line for q in quoted))
    ]
    # The template leaves out a switcher with no language in it.
    return _EMPTY_SWITCHER.sub("", "\n".join(kept))


def unlink_removed_editions(
    project: Project,
    out: Path,
    files: dict[str, dict[str, Any]],
    outputs: dict[str, str],
    removals: list[Removal],
    now: dt.datetime,
    locales: tuple[str, ...] | None,
) -> list[str]:
    """The story's editions that stay live stop linking to the ones this run removes (no dead language links).

    Returns the locales of the pages it changed: their feeds must follow.
    """
    changed = []
    gone: dict[str, set[str]] = {}
    for r in removals:
        if r.file.endswith(".html"):
            gone.setdefault(r.slug, set()).add(page_href(project, r.locale, f"{r.slug}.html"))
    for name, entry in list(files.items()):
        if not (name.endswith(".html") and is_edition(name) and entry.get("slug") in gone) or name in outputs:
            continue  # pages rendered by this run already link only the editions that stay
        locale, _, base = name.partition("/")
        if locales is not None and locale not in locales:
            continue
        try:
            path = target_path(out, locale, base)
            page = read_file(path, root=out).decode("utf-8")
            # A page someone made read-only is left as it is: a takedown must never fail over another page's link.
            check_replaceable(path)
        except (OSError, UnicodeDecodeError):  # StorageError (a link out, a FIFO, read-only) is an OSError too
            continue  # not there (or not ours to change) to fix: the next publish of this edition renders it afresh
        fixed = without_alternates(page, gone[entry["slug"]])
        sha = sha256(fixed.encode("utf-8"))
        if fixed != page:
            outputs[name] = fixed
        # A run killed after fixing the page but before the manifest: the page is right, its entry is not yet.
        if sha != entry.get("sha256"):
            fresh = {k: v for k, v in entry.items() if k != "published"}
            files[name] = manifest_entry(entry, {**fresh, "sha256": sha}, now)
            changed.append(locale)
    return changed


def feeds_and_sitemap(
    project: Project,
    out: Path,
    old: dict[str, dict[str, Any]],
    files: dict[str, dict[str, Any]],
    log: list[dict[str, Any]],
    outputs: dict[str, str],
    listings: dict[str, list[dict[str, Any]]],
    now: dt.datetime,
) -> None:
    """The Atom feed of each locale re-indexed by this run, and sitemap.xml over every live edition."""

    def when(value: Any) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(str(value))
        except ValueError:
            return feeds.EPOCH

    site = project.site_url or ""
    host = site.split("//", 1)[-1].split("/", 1)[0]
    for locale in listings:
        entries = []
        slugs = []
        for name, e in files.items():
            if name.startswith(f"{locale}/") and name.endswith(".html") and is_edition(name):
                date = dt.date.fromisoformat(e["date"])
                slugs.append(e["slug"])
                authors = tuple(a for a in e.get("authors", []) if isinstance(a, str))
                entries.append(
                    feeds.FeedEntry(
                        url=page_href(project, locale, f"{e['slug']}.html"),
                        title=e["title"],
                        published=dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc),
                        updated=when(e.get("published")),
                        summary=" · ".join([long_date(date, locale), *authors]),
                        authors=authors,
                    )
                )
        # An emptied feed still says when it last changed: the last removal in its locale.
        removed = [when(r.get("removed")) for r in log if r.get("locale") == locale]
        content = feeds.atom_feed(
            feed_url=page_href(project, locale, FEED_NAME),
            home_url=page_href(project, locale, f"{INDEX_STEM}.html"),
            title=feed_title(locale),
            language=hreflang(locale),
            author=host,
            entries=entries,
            emptied=max(removed, default=None),
        )
        name = f"{locale}/{FEED_NAME}"
        target_path(out, locale, FEED_NAME)
        outputs[name] = content
        fresh = {"locale": locale, "articles": sorted(slugs), "sha256": sha256(content.encode("utf-8"))}
        files[name] = manifest_entry(old.get(name), fresh, now)

    by_slug: dict[str, dict[str, dict[str, Any]]] = {}
    for name, e in files.items():
        if name.endswith(".html") and is_edition(name):
            by_slug.setdefault(e["slug"], {})[e["locale"]] = e
    pages = []
    for slug, editions in by_slug.items():
        versions = edition_alternates(project, slug, editions)
        pairs = tuple((a.hreflang, a.href) for a in versions)
        for locale, e in editions.items():
            lastmod = when(e.get("published")).date()
            pages.append(feeds.SitemapPage(page_href(project, locale, f"{slug}.html"), lastmod, pairs))
    content = feeds.sitemap(pages)
    outputs[SITEMAP_NAME] = content
    fresh = {"pages": len(pages), "sha256": sha256(content.encode("utf-8"))}
    files[SITEMAP_NAME] = manifest_entry(old.get(SITEMAP_NAME), fresh, now)


def removable(out: Path, name: str) -> Path:
    """`out/name` if removing it cannot touch anything outside `out`; InputError otherwise."""
    locale, _, base = name.partition("/")
    path = out / check_locale(locale) / base
    root = out.resolve()
    # Unlinking removes the last component itself (a symlink, not its target), so its directory must be ours.
    if not path.parent.resolve().is_relative_to(root):
        raise InputError(f"refusing to remove {name}: it resolves outside the output directory {root}", path)
    if path.is_dir() and not path.is_symlink():
        raise InputError(f"refusing to remove {name}: it is a directory, not a published file", path)
    return path

