"""The editions: one article in one locale rendered as Markdown (front matter + the article's skeleton) and
HTML, and each locale's index page, all in memory; nothing here writes a file.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from markupsafe import Markup

from workflow import articles as articles_mod
from workflow import document, substitution
from workflow.project import Project, check_slug
from workflow.publish.interface import environment, hreflang, language_name, long_date, source_language_name, words_language
from workflow.publish.manifest import FEED_NAME


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
    spans = [(s.start, s.end, translations[s.id]) for s in segments]
    markdown = dict(zip((s.id for s in segments), substitution.markdown_pieces(tree, spans)))
    html = substitution.render_html(tree, spans)
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
        "language_name": language_name(locale),
        # English words on a page in another language say so (WCAG 3.1.2), so screen readers pronounce them as English.
        "words_lang": words_language(locale),
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
    html = environment(locale).get_template("article.html").render(
        **_page_context(locale, alternates),
        title=title,
        summary=summary,
        authors=authors,
        date_iso=article.date.isoformat(),
        date_text=long_date(article.date, locale),
        # Rendered from the source's tree: what a translator typed is in it only as text.
        body=Markup(body_html),
        meta=dict(article.extra),
        # In the words' language: 'Original language: English', not half English, half the edition's language.
        source_language=source_language_name(project.source_locale, words_language(locale) or locale),
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
    return environment(locale).get_template("index.html").render(
        **context, items=items, count=len(items), number=format_decimal(len(items), locale=locale)
    )

