"""Publish: the gate (only reviewed, unflagged translations pass) and the editions it writes.

Per article and locale the run writes `<out>/<lang>/<slug>.md` (front matter + the article's Markdown
skeleton with the accepted translations) and `<out>/<lang>/<slug>.html`; per locale an `index.html`;
and `<out>/manifest.json` recording where every published file came from. Everything is rendered in
memory first, so a re-run that changes nothing writes nothing (same bytes, same modification time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from workflow import articles as articles_mod
from workflow.errors import InputError
from workflow.project import Project, check_locale, check_slug, select_locales
from workflow.review import ArticleReview, review_article
from workflow.storage import atomic_write, project_lock, remove_stale_temps

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
INDEX_STEM = "index"

# Interface strings of the generated pages. `count` is keyed by CLDR plural category (Babel's
# `Locale.plural_form`), the same rules a PO file's Plural-Forms header encodes.
UI: dict[str, dict[str, Any]] = {
    "en": {
        "index_title": "Articles",
        "all_articles": "All articles",
        "original": "Original language",
        "count": {"one": "{n} article", "other": "{n} articles"},
    },
    "ru": {
        "index_title": "Статьи",
        "all_articles": "Все статьи",
        "original": "Язык оригинала",
        "count": {"one": "{n} статья", "few": "{n} статьи", "many": "{n} статей", "other": "{n} статьи"},
    },
    "kk": {
        "index_title": "Мақалалар",
        "all_articles": "Барлық мақалалар",
        "original": "Түпнұсқа тілі",
        "count": {"one": "{n} мақала", "other": "{n} мақала"},
    },
}


# --- report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingSegment:
    """A segment that keeps its article from being published, and why."""

    reference: str  # "articles/<slug>.md:<line>", as in the PO file
    segment: str  # segment id
    reason: str


@dataclass(frozen=True)
class Edition:
    """One article in one locale: published (its files) or blocked (its pending segments)."""

    slug: str
    locale: str
    published: bool  # passed the gate (with dry_run: would be published)
    files: tuple[str, ...] = ()  # paths relative to the output directory
    pending: tuple[PendingSegment, ...] = ()


@dataclass(frozen=True)
class FileResult:
    """One output file and what the run did to it."""

    path: str  # relative to the output directory, with '/'
    action: str  # "written", "unchanged", or with --dry-run "would write"


@dataclass(frozen=True)
class PublishReport:
    """What a publish run did (or, with dry_run, would do)."""

    out_dir: Path
    dry_run: bool
    editions: tuple[Edition, ...]
    files: tuple[FileResult, ...]
    # "path:line: message" of each bad article or catalog; the other editions were still published.
    errors: tuple[str, ...] = ()

    @property
    def blocked(self) -> tuple[Edition, ...]:
        return tuple(e for e in self.editions if not e.published)

    @property
    def changed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.action != "unchanged")


# --- localization ------------------------------------------------------------------------------


def ui_strings(locale: str) -> dict[str, Any]:
    """The page strings for a locale, English for locales without their own."""
    return UI.get(locale) or UI.get(locale.split("_")[0]) or UI["en"]


def count_text(locale: str, n: int) -> str:
    """'3 статьи': a number of articles in the plural form the locale's rules pick."""
    forms = ui_strings(locale)["count"]
    category = Locale.parse(locale).plural_form(n)
    return forms.get(category, forms["other"]).format(n=format_decimal(n, locale=locale))


def language_name(locale: str, in_locale: str | None = None) -> str:
    """The language's name as speakers of `in_locale` (default: itself) write it, capitalised for a heading."""
    name = Locale.parse(locale).get_display_name(in_locale or locale) or locale
    return name[:1].upper() + name[1:]


def long_date(date: dt.date, locale: str) -> str:
    """'24 ноября 2026 г.': the locale's long date format."""
    return format_date(date, format="long", locale=locale)


# --- rendering ---------------------------------------------------------------------------------

_ENV = Environment(
    loader=PackageLoader("workflow", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
# html=False: raw HTML typed into a translation is shown as text, never passed through.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Rendered:
    """One article's edition in one locale, rendered in memory."""

    title: str
    summary: str | None
    markdown: str
    html: str


def _fold(text: str) -> str:
    # A translation is one segment's worth of text; a line break in it must not open a new block.
    return " ".join(text.split())


def _yaml_scalar(value: str) -> str:
    # A JSON string is a valid double-quoted YAML scalar, whatever quotes or colons it holds.
    return json.dumps(value, ensure_ascii=False)


def _page_context(locale: str) -> dict[str, Any]:
    return {
        "lang": locale.replace("_", "-"),
        "direction": Locale.parse(locale).text_direction,
        "ui": ui_strings(locale),
        "language_name": language_name(locale),
    }


def render_edition(project: Project, article: articles_mod.Article, locale: str, translations: dict[str, str]) -> Rendered:
    """The Markdown and HTML edition of `article` with `translations` ({segment id: text}) in place."""
    replacements = {seg_id: _fold(text) for seg_id, text in translations.items()}
    title = replacements["title"]
    summary_parts = [replacements[s.id] for s in article.segments if s.kind == articles_mod.SUMMARY]
    summary = " ".join(summary_parts) if summary_parts else None
    body = articles_mod.body_skeleton(article, replacements)
    front = [
        "---",
        f"title: {_yaml_scalar(title)}",
        *([f"summary: {_yaml_scalar(summary)}"] if summary else []),
        f"lang: {_yaml_scalar(locale)}",
        f"date: {article.date.isoformat()}",
        f"source_slug: {_yaml_scalar(article.slug)}",
        *(["authors:", *(f"  - {_yaml_scalar(a)}" for a in article.authors)] if article.authors else []),
        "---",
        "",
    ]
    markdown = "\n".join(front) + body
    if not markdown.endswith("\n"):
        markdown += "\n"
    html = _ENV.get_template("article.html").render(
        **_page_context(locale),
        title=title,
        summary=summary,
        authors=article.authors,
        date_iso=article.date.isoformat(),
        date_text=long_date(article.date, locale),
        # Only markdown-it's output is trusted markup; it escapes whatever the translator typed.
        body=Markup(_MARKDOWN.render(body)),
        source_language=Locale.parse(project.source_locale).get_display_name(locale) or project.source_locale,
    )
    return Rendered(title, summary, markdown, html)


def render_index(project: Project, locale: str, entries: list[dict[str, Any]]) -> str:
    """The locale's index page: its published articles, newest first."""
    ordered = sorted(entries, key=lambda e: (e["date"], e["slug"]), reverse=True)
    items = [
        {
            "href": f"{check_slug(e['slug'])}.html",
            "title": e["title"],
            "date_iso": e["date"],
            "date_text": long_date(dt.date.fromisoformat(e["date"]), locale),
        }
        for e in ordered
    ]
    return _ENV.get_template("index.html").render(
        **_page_context(locale), items=items, count_text=count_text(locale, len(items))
    )


# --- gate --------------------------------------------------------------------------------------


def gate(project: Project, article: articles_mod.Article, locale: str, glossary: Any = None) -> tuple[dict[str, str], list[PendingSegment], ArticleReview]:
    """Accepted translations by segment id, the segments still pending (empty: publishable), and the review."""
    review = review_article(project, article, locale, glossary)
    accepted: dict[str, str] = {}
    pending: list[PendingSegment] = []
    for entry in review.entries:
        if entry.pending or not entry.msgstr.strip():
            reason = entry.reason if entry.msgstr.strip() else "untranslated"
            if not review.exists:
                reason += " (no catalog yet: run `workflow translate`)"
            if entry.flags:
                reason += ": " + "; ".join(entry.flags)
            pending.append(PendingSegment(entry.reference, entry.segment.id, reason))
        else:
            accepted[entry.segment.id] = entry.msgstr
    return accepted, pending, review


# --- manifest ----------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """The file entries of an existing manifest ({} if there is none); InputError if it is damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the publish manifest ({exc}); delete it to republish everything", path) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
        raise InputError("the publish manifest has no 'files' table; delete it to republish everything", path)
    for name, entry in files.items():
        locale, _, base = name.partition("/")
        stem, _, suffix = base.rpartition(".")
        if "/" in base or suffix not in ("md", "html") or not _names_ok(locale, stem):
            raise InputError(f"unexpected entry {name!r} in the publish manifest", path)
        if base != "index.html" and not _edition_entry_ok(entry):
            raise InputError(f"entry {name!r} lacks its slug, title or date; delete the manifest to republish everything", path)
    return files


def _names_ok(locale: str, stem: str) -> bool:
    try:
        check_locale(locale)
        check_slug(stem)
    except InputError:
        return False
    return True


def _edition_entry_ok(entry: dict[str, Any]) -> bool:
    if not all(isinstance(entry.get(k), str) for k in ("slug", "title", "date")):
        return False
    try:
        dt.date.fromisoformat(entry["date"])
    except ValueError:
        return False
    return isinstance(entry.get("locale"), str) and _names_ok(entry["locale"], entry["slug"])


def _entry(old: dict[str, Any] | None, fresh: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    # An entry whose facts did not change keeps its publish time, so the manifest stays byte-identical.
    if old is not None and {k: v for k, v in old.items() if k != "published"} == fresh:
        return {**fresh, "published": old.get("published")}
    return {**fresh, "published": now.isoformat()}


# --- the run -----------------------------------------------------------------------------------


def target_path(out_dir: Path, locale: str, name: str) -> Path:
    """`out_dir/locale/name` (name: `<slug>.md`, `<slug>.html`), refusing anything that would land outside `out_dir`."""
    check_locale(locale)
    stem, dot, suffix = name.rpartition(".")
    check_slug(stem if dot and suffix in ("md", "html") else name)
    path = out_dir / locale / name
    root = out_dir.resolve()
    if not path.resolve().is_relative_to(root):
        raise InputError(f"refusing to write {locale}/{name}: it resolves outside the output directory {root}", path)
    return path


def publish(
    project: Project,
    slugs: list[str] | None = None,
    locales: list[str] | None = None,
    *,
    now: dt.datetime,
    out_dir: Path | None = None,
    dry_run: bool = False,
    glossary: Any = None,
    wait: bool = False,
) -> PublishReport:
    """Publish every ready article in each locale; blocked ones are listed with their pending segments."""
    selected = select_locales(project, locales)
    loaded, bad = articles_mod.scan_articles(project, slugs)
    errors = [str(e) for e in bad]
    out = Path(out_dir) if out_dir is not None else project.public_dir
    if out.exists() and not out.is_dir():
        raise InputError("the output directory is a file", out)
    if glossary is None:
        from workflow.glossary import load_glossary

        glossary = load_glossary(project.glossary_path, project.relative(project.glossary_path))
    if errors and not loaded:  # nothing good to publish: touch nothing
        return PublishReport(out, dry_run, (), (), errors=tuple(errors))
    if dry_run:
        return _run(project, loaded, selected, out, now, dry_run, glossary, errors)
    with project_lock(project.root, wait=wait):
        remove_stale_temps(out)
        return _run(project, loaded, selected, out, now, dry_run, glossary, errors)


def _run(
    project: Project,
    loaded: list[articles_mod.Article],
    selected: tuple[str, ...],
    out: Path,
    now: dt.datetime,
    dry_run: bool,
    glossary: Any,
    errors: list[str],
) -> PublishReport:
    manifest_path = out / MANIFEST_NAME
    old = read_manifest(manifest_path)
    files: dict[str, dict[str, Any]] = dict(old)
    outputs: dict[str, str] = {}  # relative path -> content, in write order
    editions: list[Edition] = []
    for article in loaded:
        if article.slug == INDEX_STEM:
            raise InputError(
                f"slug {INDEX_STEM!r} is taken by each locale's {INDEX_STEM}.html page; give the article another slug",
                project.relative(article.path),
            )
    for locale in selected:
        for article in loaded:
            try:
                accepted, pending, review = gate(project, article, locale, glossary)
            except InputError as exc:  # a broken or stale catalog stops only its own edition
                errors.append(str(exc))
                continue
            if pending:
                editions.append(Edition(article.slug, locale, False, pending=tuple(pending)))
                continue
            rendered = render_edition(project, article, locale, accepted)
            po_bytes = project.po_path(article.slug, locale).read_bytes()
            models = sorted({e.provenance for e in review.entries if e.provenance})
            facts = {
                "slug": article.slug,
                "locale": locale,
                "title": rendered.title,
                "date": article.date.isoformat(),
                "source": project.relative(article.path),
                "source_sha256": _sha256(article.source.encode("utf-8")),
                "catalog": project.relative(project.po_path(article.slug, locale)),
                "catalog_sha256": _sha256(po_bytes),
                "segments": len(article.segments),
                "models": models,
            }
            names = []
            for suffix, content in ((".md", rendered.markdown), (".html", rendered.html)):
                name = f"{locale}/{article.slug}{suffix}"
                target_path(out, locale, f"{article.slug}{suffix}")
                outputs[name] = content
                files[name] = _entry(old.get(name), {**facts, "sha256": _sha256(content.encode("utf-8"))}, now)
                names.append(name)
            editions.append(Edition(article.slug, locale, True, files=tuple(names)))

    for locale in selected:
        listed = [
            {"slug": e["slug"], "title": e["title"], "date": e["date"]}
            for name, e in files.items()
            if name.startswith(f"{locale}/") and name.endswith(".html") and name != f"{locale}/index.html"
        ]
        if not listed:
            continue
        name = f"{locale}/index.html"
        target_path(out, locale, "index.html")
        content = render_index(project, locale, listed)
        outputs[name] = content
        fresh = {"locale": locale, "articles": sorted(e["slug"] for e in listed), "sha256": _sha256(content.encode("utf-8"))}
        files[name] = _entry(old.get(name), fresh, now)

    manifest = {"format": MANIFEST_FORMAT, "files": dict(sorted(files.items()))}
    if files or manifest_path.exists():
        outputs[MANIFEST_NAME] = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    results = []
    for name, content in outputs.items():
        path = out / name
        if dry_run:
            try:
                same = path.read_bytes() == content.encode("utf-8")
            except FileNotFoundError:
                same = False
            results.append(FileResult(name, "unchanged" if same else "would write"))
        else:
            results.append(FileResult(name, "written" if atomic_write(path, content) else "unchanged"))
    return PublishReport(out, dry_run, tuple(editions), tuple(results), errors=tuple(errors))
