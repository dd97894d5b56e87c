"""The edition's own words (headings, links, counts), dates and language names, in the edition's language.

Also the one Jinja2 environment the pages are rendered with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined

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


def hreflang(locale: str) -> str:
    return locale.replace("_", "-")


def feed_title(locale: str) -> str:
    """The title of the locale's Atom feed: its index heading and its language."""
    return f"{ui_strings(locale)['index_title']} · {language_name(locale)}"


_ENV = Environment(
    loader=PackageLoader("workflow", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def environment(locale: str | None) -> Environment:
    """The Jinja2 environment the pages of `locale` are rendered in."""
    return _ENV
