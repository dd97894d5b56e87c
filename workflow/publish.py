"""Publish: the gate (only reviewed, unflagged translations pass) and the editions it writes.

Per article and locale the run writes `<out>/<lang>/<slug>.md` (front matter + the article's Markdown
skeleton with the accepted translations) and `<out>/<lang>/<slug>.html`; per locale an `index.html`;
and `<out>/manifest.json` recording where every published file came from. Everything is rendered in
memory first, so a re-run that changes nothing writes nothing (same bytes, same modification time).

Retractions: `withdraw` takes a story down and records it in `<project>/withdrawn.toml`, which every later
publish honours; a full publish also removes the editions of articles that no longer exist. Only files
the manifest lists are ever removed, and each removal is logged in the manifest's `removed` list.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from workflow import articles as articles_mod
from workflow import catalog as catalog_mod
from workflow import document
from workflow.errors import InputError
from workflow.project import Project, check_locale, check_slug, select_locales
from workflow.review import ArticleReview, review_article
from workflow.storage import TEMP_SUFFIX, atomic_write, check_replaceable, project_lock, read_file, remove_stale_temps

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
INDEX_STEM = "index"
FEED_NAME = "feed.xml"  # <out>/<lang>/feed.xml: the locale's Atom feed (with `[site] url` only)
SITEMAP_NAME = "sitemap.xml"  # <out>/sitemap.xml: every edition with its language versions (with `[site] url` only)
# The editor's list of withdrawn stories. It lives in the project, not the output directory: a takedown
# must survive `rm -rf public/` and apply to every `--out` directory too.
WITHDRAWN_NAME = "withdrawn.toml"
ALL_LOCALES = "all"
WITHDRAWN = "withdrawn"  # why a file was removed: the editor withdrew the story
SOURCE_DELETED = "source deleted"  # why a file was removed: its article is gone from articles/
NO_SITE = "no site url"  # why a feed or the sitemap was removed: workflow.toml no longer says where the site is

# Interface strings of the generated pages. `count` is keyed by CLDR plural category (Babel's
# `Locale.plural_form`), the same rules a PO file's Plural-Forms header encodes.
UI: dict[str, dict[str, Any]] = {
    "en": {
        "index_title": "Articles",
        "all_articles": "All articles",
        "original": "Original language",
        "home": "Home",
        "languages": "Read in",
        "original_mark": "original",
        "feed": "Atom feed",
        "count": {"one": "{n} article", "other": "{n} articles"},
    },
    "ru": {
        "index_title": "Статьи",
        "all_articles": "Все статьи",
        "original": "Язык оригинала",
        "home": "Главная",
        "languages": "Читать на",
        "original_mark": "оригинал",
        "feed": "Лента Atom",
        "count": {"one": "{n} статья", "few": "{n} статьи", "many": "{n} статей", "other": "{n} статьи"},
    },
    "kk": {
        "index_title": "Мақалалар",
        "all_articles": "Барлық мақалалар",
        "original": "Түпнұсқа тілі",
        "home": "Басты бет",
        "languages": "Басқа тілде оқу",
        "original_mark": "түпнұсқа",
        "feed": "Atom арнасы",
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
    # What a person needs to act on it; derived from the two above, so not part of its identity.
    text: str = field(default="", compare=False)  # the English sentence
    catalog: str = field(default="", compare=False)  # "locales/ru/LC_MESSAGES/<slug>.po:<line>": where to review it ("" if no PO yet)


@dataclass(frozen=True)
class Edition:
    """One article in one locale: published (its files), blocked (its pending segments) or withdrawn."""

    slug: str
    locale: str
    published: bool  # passed the gate (with dry_run: would be published)
    files: tuple[str, ...] = ()  # paths relative to the output directory
    pending: tuple[PendingSegment, ...] = ()
    withdrawn: bool = False  # listed in withdrawn.toml: not published, whatever its review state
    catalog: str = ""  # the PO file, relative to the project ("" while there is none)


@dataclass(frozen=True)
class Removal:
    """A published file taken out of the output directory, and why."""

    file: str  # relative to the output directory, with '/'
    slug: str
    locale: str
    why: str  # WITHDRAWN or SOURCE_DELETED
    note: str = ""  # the editor's reason, from `workflow withdraw --reason`


@dataclass(frozen=True)
class StaleSentence:
    """A sentence a live edition still shows although the English source no longer has it."""

    text: str  # the English sentence the edition was made from ("" if the catalog no longer holds it)
    translation: str  # the translation the catalog keeps for it: what the live edition shows
    catalog: str  # "locales/ru/LC_MESSAGES/<slug>.po:<line>" ("" if not found)
    key: str  # the sentence's key in the manifest


@dataclass(frozen=True)
class StaleEdition:
    """A blocked article whose live edition shows sentences its corrected source has dropped."""

    slug: str
    locale: str
    files: tuple[str, ...]  # the live files, relative to the output directory
    published: str  # when the live edition was published (ISO time)
    # Empty: the edition was published before the manifest recorded sentences, and its source changed since.
    sentences: tuple[StaleSentence, ...]


@dataclass(frozen=True)
class FileResult:
    """One output file and what the run did to it."""

    path: str  # relative to the output directory, with '/'
    action: str  # "written", "unchanged", "removed", or with --dry-run "would write", "would remove"


@dataclass(frozen=True)
class PublishReport:
    """What a publish run did (or, with dry_run, would do)."""

    out_dir: Path
    dry_run: bool
    editions: tuple[Edition, ...]
    files: tuple[FileResult, ...]
    removed: tuple[Removal, ...] = ()
    stale: tuple[StaleEdition, ...] = ()
    # "path:line: message" of each bad article or catalog; the other editions were still published.
    errors: tuple[InputError, ...] = ()

    @property
    def blocked(self) -> tuple[Edition, ...]:
        return tuple(e for e in self.editions if not e.published and not e.withdrawn)

    @property
    def withdrawn(self) -> tuple[Edition, ...]:
        return tuple(e for e in self.editions if e.withdrawn)

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


# Keys the edition's front matter writes itself; a site key of the same name is not repeated.
_EDITION_KEYS = {"title", "summary", "lang", "date", "source_slug", "authors"}


@dataclass(frozen=True)
class Rendered:
    """One article's edition in one locale, rendered in memory."""

    title: str
    summary: str | None
    markdown: str
    html: str


def _fold(text: str) -> str:
    # A translation is one segment's worth of text; a line break in it must not open a new block.
    return document.visible_line(text)


def _front_value(value: Any) -> str:
    # JSON is valid YAML flow syntax; dates and the like go in as their ISO text.
    return json.dumps(value, ensure_ascii=False, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))


def render_body(article: articles_mod.Article, translations: dict[str, str]) -> tuple[str, str]:
    """The body as Markdown and as HTML, both from the article's one tree with `translations` substituted as text."""
    tree = article.tree
    assert tree is not None
    segments = [s for s in article.body_segments if s.id in translations]
    markdown = {s.id: document.markdown_of(translations[s.id], *document.source_text(tree, s.start, s.end)) for s in segments}
    html = document.render_html(tree, [(s.start, s.end, translations[s.id]) for s in segments])
    return articles_mod.body_skeleton(article, markdown), html


def _yaml_scalar(value: str) -> str:
    # A JSON string is a valid double-quoted YAML scalar, whatever quotes or colons it holds.
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Alternate:
    """Another language version of a page: a `<link rel="alternate" hreflang>` and an entry of the language switcher."""

    locale: str
    href: str
    original: bool = False  # the English original, not an edition

    @property
    def hreflang(self) -> str:
        return self.locale.replace("_", "-")


def hreflang(locale: str) -> str:
    return locale.replace("_", "-")


def page_href(project: Project, locale: str, name: str) -> str:
    """Where a published page is: absolute under `[site] url`, else relative to a page in another locale's folder."""
    return f"{project.site_url}{locale}/{name}" if project.site_url else f"../{locale}/{name}"


def edition_alternates(project: Project, slug: str, locales: list[str] | set[str] | tuple[str, ...]) -> tuple[Alternate, ...]:
    """Every language version of a story: the editions in `locales` (project order first) and the original, if configured."""
    order = {code: n for n, code in enumerate(project.locales)}
    ordered = sorted(set(locales), key=lambda c: (order.get(c, len(order)), c))
    found = [Alternate(code, page_href(project, code, f"{check_slug(slug)}.html")) for code in ordered]
    if project.original_url:
        found.append(Alternate(project.source_locale, project.original_url.replace("{slug}", slug), original=True))
    return tuple(found)


def localized_byline(glossary: Any, authors: tuple[str, ...] | list[str], locale: str) -> tuple[str, ...]:
    """Each author as the glossary spells it in `locale` (persons and organisations); others as written."""
    terms = getattr(glossary, "terms", ()) or ()
    forms: dict[str, str] = {}
    for term in terms:
        if term.kind in ("person", "organisation"):
            target = term.target(locale)
            if target:
                for name in (term.english, *term.variants):
                    forms.setdefault(name.casefold(), target)
    return tuple(forms.get(a.strip().casefold(), a) for a in authors)


def _page_context(locale: str, alternates: tuple[Alternate, ...] = (), home_href: str = "index.html", feed_href: str | None = None) -> dict[str, Any]:
    return {
        "lang": hreflang(locale),
        "direction": Locale.parse(locale).text_direction,
        "ui": ui_strings(locale),
        "language_name": language_name(locale),
        "home_href": home_href,
        "feed_href": feed_href,
        # The head lists every version (itself too, as hreflang asks); the switcher only the others.
        "alternates": [{"hreflang": a.hreflang, "href": a.href} for a in alternates],
        "switcher": [
            {
                "hreflang": a.hreflang,
                "href": a.href,
                "name": language_name(a.locale),
                "original": a.original,
            }
            for a in alternates
            if a.locale != locale or a.original
        ],
    }


def render_edition(
    project: Project,
    article: articles_mod.Article,
    locale: str,
    translations: dict[str, str],
    *,
    alternates: tuple[Alternate, ...] = (),
    byline: tuple[str, ...] | None = None,
) -> Rendered:
    """The Markdown and HTML edition of `article` with `translations` ({segment id: text}) in place.

    `alternates`: the story's language versions for the head and the switcher; `byline`: the authors as
    the edition's language writes them (default: as the article does).
    """
    authors = tuple(article.authors) if byline is None else byline
    replacements = {seg_id: _fold(text) for seg_id, text in translations.items()}
    title = replacements["title"]
    summary_parts = [replacements[s.id] for s in article.segments if s.kind == articles_mod.SUMMARY]
    summary = " ".join(summary_parts) if summary_parts else None
    body, body_html = render_body(article, translations)
    front = [
        "---",
        f"title: {_yaml_scalar(title)}",
        *([f"summary: {_yaml_scalar(summary)}"] if summary else []),
        f"lang: {_yaml_scalar(locale)}",
        f"date: {article.date.isoformat()}",
        f"source_slug: {_yaml_scalar(article.slug)}",
        *(["authors:", *(f"  - {_yaml_scalar(a)}" for a in authors)] if authors else []),
        *(f"{key}: {_front_value(value)}" for key, value in article.extra if key not in _EDITION_KEYS),
        "---",
        "",
    ]
    markdown = "\n".join(front) + body
    if not markdown.endswith("\n"):
        markdown += "\n"
    html = _ENV.get_template("article.html").render(
        **_page_context(locale, alternates),
        title=title,
        summary=summary,
        authors=authors,
        date_iso=article.date.isoformat(),
        date_text=long_date(article.date, locale),
        # Rendered from the source's tree: what a translator typed is in it only as text.
        body=Markup(body_html),
        meta=dict(article.extra),
        source_language=Locale.parse(project.source_locale).get_display_name(locale) or project.source_locale,
    )
    return Rendered(title, summary, markdown, html)


def render_index(
    project: Project, locale: str, entries: list[dict[str, Any]], *, alternates: tuple[Alternate, ...] = (), feed: bool = False
) -> str:
    """The locale's index page: its published articles, newest first; its home link leads to the site root.

    `alternates`: the other locales' index pages; `feed`: link the locale's Atom feed.
    """
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
    home = project.site_url or "../"  # the site's root, never the index itself
    context = _page_context(locale, alternates, home_href=home, feed_href=FEED_NAME if feed else None)
    return _ENV.get_template("index.html").render(**context, items=items, count_text=count_text(locale, len(items)))


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
            where = "" if not review.exists else f"{review.po_path}:{entry.line}" if entry.line else review.po_path
            pending.append(PendingSegment(entry.reference, entry.segment.id, reason, entry.segment.text, where))
        else:
            accepted[entry.segment.id] = entry.msgstr
    return accepted, pending, review


# --- manifest ----------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """The file entries of an existing manifest ({} if there is none); InputError if it is damaged."""
    return _load_manifest(path)[0]


_REMOVAL_KEYS = ("file", "slug", "locale", "why", "removed")


def _load_manifest(path: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    try:
        raw = read_file(path, root=path.parent)
    except FileNotFoundError:
        return {}, []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the publish manifest ({exc}); delete it to republish everything", path) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
        raise InputError("the publish manifest has no 'files' table; delete it to republish everything", path)
    for name, entry in files.items():
        locale, _, base = name.partition("/")
        if name == SITEMAP_NAME or (base == FEED_NAME and _names_ok(locale, "feed")):
            continue
        stem, _, suffix = base.rpartition(".")
        if "/" in base or suffix not in ("md", "html") or not _names_ok(locale, stem):
            raise InputError(f"unexpected entry {name!r} in the publish manifest", path)
        if base != "index.html" and not _edition_entry_ok(entry):
            raise InputError(f"entry {name!r} lacks its slug, title or date; delete the manifest to republish everything", path)
        if base != "index.html" and (entry["slug"], entry["locale"]) != (stem, locale):
            # Withdrawal removes the files listed under a slug: a name must be that slug's own file.
            raise InputError(
                f"entry {name!r} is not the file of its slug {entry['slug']!r} in {entry['locale']!r}; "
                "delete the manifest to republish everything",
                path,
            )
    removed = data.get("removed", [])
    if not isinstance(removed, list) or not all(
        isinstance(r, dict) and all(isinstance(r.get(k), str) for k in _REMOVAL_KEYS) for r in removed
    ):
        raise InputError(
            "the publish manifest's 'removed' log is not a list of removals (file, slug, locale, why, removed); "
            "restore it from a backup or delete the key",
            path,
        )
    return files, removed


def is_edition(name: str) -> bool:
    """True for a story's page (`<lang>/<slug>.md` or `.html`); False for an index, a feed or the sitemap."""
    locale, _, base = name.partition("/")
    return bool(base) and base not in (f"{INDEX_STEM}.html", FEED_NAME)


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
    # `sentences` follows from the source's sha; a manifest written before it existed keeps its times.
    def facts(entry: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in entry.items() if k not in ("published", "sentences")}

    if old is not None and facts(old) == facts(fresh):
        return {**fresh, "published": old.get("published")}
    return {**fresh, "published": now.isoformat()}


def sentence_key(text: str) -> str:
    """A sentence's key in the manifest: enough to tell which sentences a live edition was made from."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


# --- withdrawals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Withdrawal:
    """One story in withdrawn.toml: which of its editions must stay down."""

    slug: str
    locales: tuple[str, ...] | None  # None: every locale, also ones added to the project later
    withdrawn: dt.datetime | None
    note: str = ""

    def covers(self, locale: str) -> bool:
        return self.locales is None or locale in self.locales


_WITHDRAWN_HEADER = """\
# Stories taken down with `workflow withdraw`. `workflow publish` removes any edition of them it finds
# and does not publish them again until `workflow withdraw --undo SLUG` lifts the withdrawal.
# Keep this file under version control. locales = "all" also covers locales added to the project later.
"""


def withdrawn_path(project: Project) -> Path:
    return project.root / WITHDRAWN_NAME


def _remove_withdrawn_temps(project: Project) -> None:
    # Only atomic_write's own temp names for this one file: the project root holds the user's files (and .git).
    for tmp in project.root.glob(f".{WITHDRAWN_NAME}.*{TEMP_SUFFIX}"):
        if tmp.is_file() and not tmp.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def read_withdrawals(project: Project) -> dict[str, Withdrawal]:
    """The stories in withdrawn.toml by slug ({} if there is no such file); InputError naming the line if it is bad."""
    path = withdrawn_path(project)
    shown = WITHDRAWN_NAME  # always at the root; not resolved, so a link is named as the user sees it
    try:
        raw = read_file(path, root=project.root)
    except FileNotFoundError:
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", shown) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"^(.*) \(at line (\d+), column \d+\)$", str(exc))
        message, line = (found.group(1), int(found.group(2))) if found else (str(exc), None)
        raise InputError(f"not valid TOML: {message}", shown, line) from None
    lines = text.splitlines()
    result = {}
    for slug, table in data.items():
        header = _table_line(lines, slug)
        check_slug(slug, shown, header)
        if not isinstance(table, dict):
            raise InputError(f"{slug!r} must be a table ([{slug}]) with locales, withdrawn and note", shown, header)
        locales = table.get("locales", ALL_LOCALES)
        where = _key_line(lines, header, "locales")
        if locales == ALL_LOCALES:
            codes = None
        elif isinstance(locales, list) and locales and all(isinstance(c, str) for c in locales):
            codes = tuple(check_locale(c, shown, where) for c in locales)
        else:
            raise InputError(f'locales must be "{ALL_LOCALES}" or a list of locale codes', shown, where)
        when = table.get("withdrawn")
        if when is not None and not isinstance(when, dt.datetime):
            raise InputError("withdrawn must be a date and time, e.g. 2026-11-18T09:30:00Z", shown, _key_line(lines, header, "withdrawn"))
        note = table.get("note", "")
        if not isinstance(note, str):
            raise InputError("note must be text in quotes", shown, _key_line(lines, header, "note"))
        result[slug] = Withdrawal(slug, codes, when, note)
    return result


def _table_line(lines: list[str], slug: str) -> int | None:
    headers = {f"[{slug}]", f'["{slug}"]', f"['{slug}']"}
    exact = [n for n, line in enumerate(lines, start=1) if line.split("#")[0].strip() in headers]
    loose = [n for n, line in enumerate(lines, start=1) if line.lstrip().startswith("[") and slug in line]
    return (exact or loose or [None])[0]


def _key_line(lines: list[str], header: int | None, key: str) -> int | None:
    for number in range(header or 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if number > (header or 0) and stripped.startswith("["):
            break
        if stripped.startswith(key) and stripped[len(key) :].lstrip().startswith("="):
            return number
    return header


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string, except that TOML also wants DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def render_withdrawals(withdrawals: dict[str, Withdrawal]) -> str:
    """withdrawn.toml's text: a comment saying what it is, then one table per story, sorted by slug."""
    parts = [_WITHDRAWN_HEADER]
    for slug in sorted(withdrawals):
        w = withdrawals[slug]
        locales = _toml_string(ALL_LOCALES) if w.locales is None else "[" + ", ".join(_toml_string(c) for c in w.locales) + "]"
        parts.append(f"\n[{slug}]\nlocales = {locales}\n")
        if w.withdrawn is not None:
            parts.append(f"withdrawn = {w.withdrawn.isoformat()}\n")
        parts.append(f"note = {_toml_string(w.note)}\n")
    return "".join(parts)


# --- the run -----------------------------------------------------------------------------------


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
    """Publish every ready article in each locale; blocked ones are listed with their pending segments.

    Withdrawn stories are not published and any edition of them still out is removed; a run over every
    article (no `slugs`) also removes the editions, in the selected locales, of articles that are gone.
    """
    selected = select_locales(project, locales)
    if not slugs and not project.articles_dir.is_dir():
        # Every edition's source would look deleted: a moved directory or a wrong path must not empty the site.
        raise InputError(
            "the articles directory does not exist; publishing every article would take down every published story "
            "(restore it or fix paths.articles in workflow.toml; `workflow withdraw SLUG` takes a story down)",
            project.relative(project.articles_dir),
        )
    loaded, bad = articles_mod.scan_articles(project, slugs)
    errors = list(bad)
    withdrawals = read_withdrawals(project)
    out = _output_dir(project, out_dir)
    from workflow.glossary import load_glossary

    def current_glossary() -> Any:
        return glossary if glossary is not None else load_glossary(project.glossary_path, project.relative(project.glossary_path))

    terms = current_glossary()
    if errors and not loaded:  # nothing good to publish: touch nothing
        return PublishReport(out, dry_run, (), (), errors=tuple(errors))
    if dry_run:
        return _run(project, loaded, selected, out, now, dry_run, terms, withdrawals, full=not slugs, errors=errors)
    with project_lock(project.root, wait=wait):
        _clean_temps(project, out, selected)
        # Read again under the lock: a takedown or glossary change made while this run waited for it must hold.
        withdrawals, terms = read_withdrawals(project), current_glossary()
        return _run(project, loaded, selected, out, now, dry_run, terms, withdrawals, full=not slugs, errors=errors)


def _clean_temps(project: Project, out: Path, locales) -> None:
    """A killed run's temp files, only where publish and withdraw write: --out may hold other tools' files (a git checkout)."""
    for directory in (out, *(out / locale for locale in locales)):
        remove_stale_temps(directory, depth=0)
    _remove_withdrawn_temps(project)


def _output_dir(project: Project, out_dir: Path | None) -> Path:
    out = Path(out_dir) if out_dir is not None else project.public_dir
    if out.exists() and not out.is_dir():
        raise InputError("the output directory is a file", out)
    return out


def _run(
    project: Project,
    loaded: list[articles_mod.Article],
    selected: tuple[str, ...],
    out: Path,
    now: dt.datetime,
    dry_run: bool,
    glossary: Any,
    withdrawals: dict[str, Withdrawal],
    full: bool,
    errors: list[InputError] | None = None,
) -> PublishReport:
    errors = [] if errors is None else errors
    manifest_path = out / MANIFEST_NAME
    old, log = _load_manifest(manifest_path)
    files: dict[str, dict[str, Any]] = dict(old)
    outputs: dict[str, str] = {}  # relative path -> content, in write order
    editions: list[Edition] = []
    ready: list[tuple[int, str, articles_mod.Article, dict[str, str], ArticleReview]] = []
    stale: list[StaleEdition] = []
    for article in loaded:
        if article.slug == INDEX_STEM:
            raise InputError(
                f"slug {INDEX_STEM!r} is taken by each locale's {INDEX_STEM}.html page; give the article another slug",
                project.relative(article.path),
            )
    for locale in selected:
        for article in loaded:
            withdrawal = withdrawals.get(article.slug)
            if withdrawal is not None and withdrawal.covers(locale):
                editions.append(Edition(article.slug, locale, False, withdrawn=True))
                continue
            try:
                accepted, pending, review = gate(project, article, locale, glossary)
            except InputError as exc:  # a broken or stale catalog stops only its own edition
                errors.append(exc)
                continue
            if pending:
                editions.append(
                    Edition(article.slug, locale, False, pending=tuple(pending), catalog=review.po_path if review.exists else "")
                )
                shown = _stale_edition(project, article, locale, old)
                if shown is not None:
                    stale.append(shown)
                continue
            # Rendered once every edition's fate is known: each page links the story's other live editions.
            ready.append((len(editions), locale, article, accepted, review))
            editions.append(None)  # type: ignore[arg-type]  # filled in below, keeping the report in run order

    removals = []
    for name, entry in old.items():
        if not is_edition(name):
            continue
        withdrawal = withdrawals.get(entry["slug"])
        # A takedown is enforced by every run, whatever it was asked to publish.
        if withdrawal is not None and withdrawal.covers(entry["locale"]):
            removals.append(Removal(name, entry["slug"], entry["locale"], WITHDRAWN, withdrawal.note))
        elif full and entry["locale"] in selected and _source_gone(project, entry, loaded):
            removals.append(Removal(name, entry["slug"], entry["locale"], SOURCE_DELETED))
    # The story's editions that are live after this run: the ones rendered now and those already out that stay.
    gone = {r.file for r in removals}
    live: dict[str, set[str]] = {}
    for name, entry in old.items():
        if is_edition(name) and name.endswith(".html") and name not in gone:
            live.setdefault(entry["slug"], set()).add(entry["locale"])
    for _, locale, article, _, _ in ready:
        live.setdefault(article.slug, set()).add(locale)
    for slot, locale, article, accepted, review in ready:
        rendered = render_edition(
            project,
            article,
            locale,
            accepted,
            alternates=edition_alternates(project, article.slug, live[article.slug]),
            byline=localized_byline(glossary, article.authors, locale),
        )
        po_bytes = read_file(project.po_path(article.slug, locale))
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
            "authors": list(localized_byline(glossary, article.authors, locale)),
        }
        # What a reviewer overrode with `# glossary-ok: TERM` goes on record with the edition it let through.
        overrides = [
            f"{e.reference}: {o.removeprefix('glossary: ')}" for e in review.entries for o in e.overridden if o.startswith("glossary: ")
        ]
        if overrides:
            facts["glossary_overrides"] = overrides
        # ... and so does what a `# qa-ok: CHECK` comment accepted, with the messages it let through.
        qa_accepted = [
            {"entry": f"{review.po_path}:{e.line}", "source": e.reference, "accepted": qa}
            for e in review.entries
            if (qa := [o for o in e.overridden if not o.startswith("glossary: ")])
        ]
        if qa_accepted:
            facts["qa_overrides"] = qa_accepted
        # The Markdown entry also records which sentences the edition shows (article order), so a
        # later correction can say what a live edition still carries.
        keys = " ".join(dict.fromkeys(sentence_key(s.text) for s in article.segments))
        names = []
        for suffix, content in ((".md", rendered.markdown), (".html", rendered.html)):
            name = f"{locale}/{article.slug}{suffix}"
            target_path(out, locale, f"{article.slug}{suffix}")
            outputs[name] = content
            fresh = {**facts, "sha256": _sha256(content.encode("utf-8")), **({"sentences": keys} if suffix == ".md" else {})}
            files[name] = _entry(old.get(name), fresh, now)
            names.append(name)
        editions[slot] = Edition(article.slug, locale, True, files=tuple(names), catalog=review.po_path)

    report = _commit(project, out, old, files, log, outputs, removals, selected, now, dry_run, editions, stale)
    return dataclasses.replace(report, errors=tuple(errors))


def _source_gone(project: Project, entry: dict[str, Any], loaded: list[articles_mod.Article]) -> bool:
    """True when the edition's article no longer exists: its file is gone, or now declares another slug.

    A source file that exists but was not loaded (one that failed to parse, say) is not taken for deleted.
    """
    if any(a.slug == entry["slug"] for a in loaded):
        return False
    source = entry.get("source")
    if not isinstance(source, str):
        return True
    path = project.root / source
    if not path.resolve().is_relative_to(project.articles_dir.resolve()):
        return True  # not an article path at all: nothing there can be this edition's source
    return not path.exists() or any(a.path.resolve() == path.resolve() for a in loaded)


def _stale_edition(project: Project, article: articles_mod.Article, locale: str, old: dict[str, dict[str, Any]]) -> StaleEdition | None:
    """The live edition of a blocked article, if it shows sentences the source no longer has."""
    names = [n for n in (f"{locale}/{article.slug}.md", f"{locale}/{article.slug}.html") if n in old]
    if not names:
        return None
    live = old[names[0]]
    current = {sentence_key(s.text) for s in article.segments}
    if "sentences" not in live:
        if live.get("source_sha256") == _sha256(article.source.encode("utf-8")):
            return None
        return StaleEdition(article.slug, locale, tuple(names), str(live.get("published")), ())
    gone = [k for k in str(live["sentences"]).split() if k not in current]
    if not gone:
        return None
    # The catalog still holds what the live edition shows: an edited sentence's entry keeps the old
    # English as its previous msgid, a removed one's is obsolete.
    found: dict[str, tuple[str, str, str]] = {}
    cat = catalog_mod.load_catalog(project, article.slug, locale)
    if cat is not None:
        where = lambda e: project.reference(cat.path, e.line)  # noqa: E731
        for e in cat.obsolete:
            found.setdefault(sentence_key(e.msgid), (e.msgid, e.msgstr, where(e)))
        for e in cat.entries:
            if e.previous_msgid is not None:
                found.setdefault(sentence_key(e.previous_msgid), (e.previous_msgid, e.msgstr, where(e)))
    sentences = tuple(StaleSentence(*found.get(k, ("", "", "")), key=k) for k in gone)
    return StaleEdition(article.slug, locale, tuple(names), str(live.get("published")), sentences)


def _commit(
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
        removed_paths.append(_removable(out, r.file))
        entry = files.pop(r.file)
        log = [*log, {**dataclasses.asdict(r), "removed": now.isoformat(), "published": entry.get("published"), "sha256": entry.get("sha256")}]
    # A takedown fixes the story's language links in every locale; a publish run only in the locales it was given.
    relinked = _unlink_removed_editions(project, out, files, outputs, removals, now, None if relink_all else locales)
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
        fresh = {"locale": locale, "articles": sorted(e["slug"] for e in listed), "sha256": _sha256(content.encode("utf-8"))}
        files[name] = _entry(old.get(name), fresh, now)
    if project.site_url is not None:
        _feeds_and_sitemap(project, out, old, files, log, outputs, listings, now)
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
    return PublishReport(out, dry_run, tuple(editions), tuple(results), tuple(removals), tuple(stale))


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


def _unlink_removed_editions(
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
        sha = _sha256(fixed.encode("utf-8"))
        if fixed != page:
            outputs[name] = fixed
        # A run killed after fixing the page but before the manifest: the page is right, its entry is not yet.
        if sha != entry.get("sha256"):
            fresh = {k: v for k, v in entry.items() if k != "published"}
            files[name] = _entry(entry, {**fresh, "sha256": sha}, now)
            changed.append(locale)
    return changed


def _feeds_and_sitemap(
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
    from workflow import feeds

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
            title=f"{ui_strings(locale)['index_title']} · {language_name(locale)}",
            language=hreflang(locale),
            author=host,
            entries=entries,
            emptied=max(removed, default=None),
        )
        name = f"{locale}/{FEED_NAME}"
        target_path(out, locale, FEED_NAME)
        outputs[name] = content
        fresh = {"locale": locale, "articles": sorted(slugs), "sha256": _sha256(content.encode("utf-8"))}
        files[name] = _entry(old.get(name), fresh, now)

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
    fresh = {"pages": len(pages), "sha256": _sha256(content.encode("utf-8"))}
    files[SITEMAP_NAME] = _entry(old.get(SITEMAP_NAME), fresh, now)


def _removable(out: Path, name: str) -> Path:
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


# --- withdraw ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawReport:
    """What `withdraw` (or its undo) did, or with dry_run would do."""

    slug: str
    locales: tuple[str, ...] | None  # None: every locale
    undo: bool
    dry_run: bool
    out_dir: Path
    record: str  # the withdrawal list, relative to the project
    removed: tuple[Removal, ...] = ()
    files: tuple[FileResult, ...] = ()


def withdraw(
    project: Project,
    slug: str,
    locales: list[str] | None = None,
    *,
    now: dt.datetime,
    out_dir: Path | None = None,
    note: str = "",
    dry_run: bool = False,
    wait: bool = False,
) -> WithdrawReport:
    """Take a story down: record it in withdrawn.toml, remove its published editions, re-index, log the removals."""
    _check_story_slug(slug)
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        # Undecodable bytes from the shell arrive as lone surrogates: refused before anything is written.
        raise InputError("the reason (--reason) is not UTF-8 text; type it again in a UTF-8 terminal") from None
    codes = tuple(dict.fromkeys(check_locale(c) for c in locales)) if locales else None
    out = _output_dir(project, out_dir)
    record = WITHDRAWN_NAME
    if dry_run:
        return _withdraw(project, slug, codes, out, now, note, record, dry_run=True)
    with project_lock(project.root, wait=wait):
        _clean_temps(project, out, project.locales)
        return _withdraw(project, slug, codes, out, now, note, record, dry_run=False)


def _withdraw(project, slug, codes, out, now, note, record, dry_run) -> WithdrawReport:
    withdrawals = read_withdrawals(project)
    old, log = _load_manifest(out / MANIFEST_NAME)
    live = {name: e for name, e in old.items() if e.get("slug") == slug and is_edition(name)}
    if not live and slug not in withdrawals and not _is_article(project, slug):
        published = sorted({e["slug"] for n, e in old.items() if is_edition(n)})
        raise InputError(
            f"no published edition and no article with slug {slug!r}; nothing withdrawn "
            f"(published: {', '.join(published) or 'none'})",
            project.relative(out / MANIFEST_NAME),
        )
    before = withdrawals.get(slug)
    if before is None or before.locales is None or codes is None:
        merged = None if codes is None or (before is not None and before.locales is None) else codes
    else:
        merged = tuple(sorted({*before.locales, *codes}))
    if before is not None and merged == before.locales and note in ("", before.note):
        withdrawal = before  # nothing new: keep the record (and its time) as it is
    else:
        withdrawal = Withdrawal(slug, merged, now, note or (before.note if before else ""))
    removals = [Removal(name, slug, e["locale"], WITHDRAWN, withdrawal.note) for name, e in live.items() if withdrawal.covers(e["locale"])]
    for r in removals:
        _removable(out, r.file)  # refuse before recording anything, so a refusal leaves the project as it was
    if not dry_run:
        # The decision first: if the run dies now, the next publish finishes the takedown.
        atomic_write(withdrawn_path(project), render_withdrawals({**withdrawals, slug: withdrawal}))
    report = _commit(project, out, old, dict(old), log, {}, removals, (), now, dry_run, [], [], relink_all=True)
    return WithdrawReport(slug, codes, False, dry_run, out, record, report.removed, report.files)


def undo_withdrawal(
    project: Project, slug: str, locales: list[str] | None = None, *, dry_run: bool = False, wait: bool = False
) -> WithdrawReport:
    """Lift a withdrawal (in every locale, or only `locales`): the next `publish` may publish the story again."""
    check_slug(slug)
    codes = tuple(dict.fromkeys(check_locale(c) for c in locales)) if locales else None
    path = withdrawn_path(project)
    record = WITHDRAWN_NAME
    with contextlib.nullcontext() if dry_run else project_lock(project.root, wait=wait):
        if not dry_run:
            _remove_withdrawn_temps(project)
        withdrawals = read_withdrawals(project)
        before = withdrawals.get(slug)
        if before is None or (codes is not None and not any(before.covers(c) for c in codes)):
            where = f" in {', '.join(codes)}" if codes else ""
            raise InputError(f"{slug!r} is not withdrawn{where}; nothing to undo", record)
        remaining = dict(withdrawals)
        if codes is None:
            del remaining[slug]
        else:
            # Lifting one locale of an "all" withdrawal narrows it to the project's other current locales.
            keep = tuple(c for c in (before.locales or project.locales) if c not in codes)
            if keep:
                remaining[slug] = Withdrawal(slug, keep, before.withdrawn, before.note)
            else:
                del remaining[slug]
        if not dry_run:
            atomic_write(path, render_withdrawals(remaining))
    return WithdrawReport(slug, codes, True, dry_run, project.public_dir, record)


def _check_story_slug(slug: str) -> None:
    check_slug(slug)
    if slug == INDEX_STEM:
        raise InputError(f"invalid slug {slug!r}: it names each locale's {INDEX_STEM}.html page, not a story")


def _is_article(project: Project, slug: str) -> bool:
    # Each file on its own: one broken article must not make a real story look unknown (or vice versa).
    for path in articles_mod.find_articles(project):
        try:
            if articles_mod.read_article(path, project).slug == slug:
                return True
        except InputError:
            continue
    return False


# --- the editors' dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardCell:
    """One article in one locale, as the editors' dashboard shows it."""

    slug: str
    locale: str
    state: str  # "ready" (would publish), "blocked", "withdrawn", "error" (its catalog cannot be read)
    live: bool  # an edition of it is out now (in the manifest)
    review: ArticleReview | None  # None with "error"
    pending: tuple[PendingSegment, ...] = ()
    error: str = ""  # "path:line: message" with "error"


@dataclass(frozen=True)
class DashboardRow:
    slug: str
    title: str
    source: str  # the article file, relative to the project
    cells: tuple[DashboardCell, ...]


@dataclass(frozen=True)
class Dashboard:
    """Every article × locale: review counts, what blocks publishing and why, and where to fix it."""

    generated: dt.datetime
    locales: tuple[str, ...]
    rows: tuple[DashboardRow, ...]

    @property
    def blocked(self) -> tuple[DashboardCell, ...]:
        """Cells that cannot be published now: blocked by pending segments, or by a catalog that cannot be read."""
        return tuple(c for r in self.rows for c in r.cells if c.state in ("blocked", "error"))


def dashboard(
    project: Project,
    articles: list[articles_mod.Article],
    locales: tuple[str, ...],
    *,
    now: dt.datetime,
    glossary: Any = None,
    out_dir: Path | None = None,
) -> Dashboard:
    """The state of `articles` in `locales`, read from the catalogs, the gate, withdrawn.toml and the manifest.

    A catalog the gate cannot read (broken, stale) is a cell in state "error" with its one-line message.
    """
    selected = tuple(locales)
    loaded = articles
    withdrawals = read_withdrawals(project)
    live = {name for name in read_manifest(_output_dir(project, out_dir) / MANIFEST_NAME) if is_edition(name)}
    if glossary is None:
        from workflow.glossary import load_glossary

        glossary = load_glossary(project.glossary_path, project.relative(project.glossary_path))
    rows = []
    for article in loaded:
        cells = []
        for locale in selected:
            is_live = f"{locale}/{article.slug}.html" in live
            try:
                _, pending, review = gate(project, article, locale, glossary)
            except InputError as exc:
                cells.append(DashboardCell(article.slug, locale, "error", is_live, None, error=exc.shown(project.relative(exc.path) if exc.path else None)))
                continue
            withdrawal = withdrawals.get(article.slug)
            if withdrawal is not None and withdrawal.covers(locale):
                state = "withdrawn"
            else:
                state = "blocked" if pending else "ready"
            cells.append(DashboardCell(article.slug, locale, state, is_live, review, tuple(pending)))
        rows.append(DashboardRow(article.slug, article.title, project.relative(article.path), tuple(cells)))
    return Dashboard(now, selected, tuple(rows))


def render_dashboard(project: Project, board: Dashboard, page: Path) -> str:
    """The dashboard as one self-contained HTML page to be written at `page` (PO links are relative to it)."""
    from urllib.parse import quote

    def href(relative: str) -> str:
        return quote(os.path.relpath(project.root / relative, Path(page).parent).replace(os.sep, "/"))

    rows = []
    for row in board.rows:
        cells = []
        for cell in row.cells:
            r = cell.review
            if r is None:
                cells.append({"locale": cell.locale, "state": cell.state, "live": cell.live, "error": cell.error})
                continue
            total = max(r.total, 1)
            # The bar's parts add up to the whole: a flagged entry is counted once, as flagged, whatever its status.
            split = {"reviewed": 0, "flagged": 0, "changed": 0, "machine": 0, "untranslated": 0}
            for entry in r.entries:
                split["flagged" if entry.flags else entry.status] += 1
            parts = list(split.items())
            cells.append(
                {
                    "locale": cell.locale,
                    "state": cell.state,
                    "live": cell.live,
                    "error": "",
                    "percent": f"{r.percent:.0f}",
                    "counts": {name: getattr(r, name) for name in ("reviewed", "machine", "changed", "untranslated", "flagged")},
                    "total": r.total,
                    "bar": [{"name": n, "count": c, "width": f"{100 * c / total:.2f}"} for n, c in parts if c],
                    "po": r.po_path if r.exists else "",
                    "po_href": href(r.po_path) if r.exists else "",
                    "pending": [
                        {"reference": p.reference, "reason": p.reason, "text": p.text, "catalog": p.catalog} for p in cell.pending
                    ],
                }
            )
        rows.append({"slug": row.slug, "title": row.title, "source": row.source, "cells": cells})
    blocked = {}
    for cell in board.blocked:
        blocked.setdefault(cell.slug, []).append(cell.locale)
    return _ENV.get_template("dashboard.html").render(
        generated=board.generated.isoformat(),
        locales=[{"code": c, "name": language_name(c, "en")} for c in board.locales],
        rows=rows,
        blocked=[{"slug": s, "locales": ", ".join(ls)} for s, ls in blocked.items()],
        counts={
            state: sum(c["state"] == state for r in rows for c in r["cells"]) for state in ("ready", "blocked", "withdrawn", "error")
        },
    )
