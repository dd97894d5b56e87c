"""The edition's own words (headings, links, counts) in the edition's language, from the tool's gettext catalogs.

The words live in `workflow/locale/messages.pot` and one `workflow/locale/<lang>/LC_MESSAGES/messages.po`
per language, compiled with Babel when first needed (no .mo is shipped). Pages render through Jinja2's
i18n extension. A locale with no catalog gets the English words the templates are written in, and
`fallback_note` says so. Dates and language names come from Babel's CLDR data.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from dataclasses import dataclass
from importlib import resources

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined

from workflow.languages import display_name

DOMAIN = "messages"
# The language the templates' and this package's msgids are written in: it needs no catalog.
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Interface:
    """The interface words of one locale: its compiled catalog, or English where it has none."""

    locale: str
    translations: gettext.NullTranslations
    catalog: str | None  # "workflow/locale/<lang>/LC_MESSAGES/messages.po" it came from; None: English words

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)


def _catalog_candidates(locale: str) -> tuple[str, ...]:
    # A regional locale (xx_YY) uses its language's words when it has none of its own, as gettext's lookup does.
    language = locale.split("_")[0]
    return tuple(dict.fromkeys((locale, language)))


# Compiled once per process: the catalogs are read-only package data, the same for every project and
# run (no project setting or path reaches this function), so a per-run cache would only compile them again.
@functools.cache
def interface(locale: str) -> Interface:
    """The interface words for `locale`: its own catalog, its language's, or English."""
    root = resources.files("workflow") / "locale"
    for code in _catalog_candidates(locale):
        po = root / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=code, domain=DOMAIN)
            compiled = io.BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            return Interface(locale, Translations(compiled, domain=DOMAIN), f"workflow/locale/{code}/LC_MESSAGES/{DOMAIN}.po")
    return Interface(locale, gettext.NullTranslations(), None)


def words_language(locale: str) -> str | None:
    """SOURCE_LANGUAGE when the pages of `locale` carry English words for want of a catalog (they mark them so); else None."""
    if interface(locale).catalog is not None or locale.split("_")[0] == SOURCE_LANGUAGE:
        return None
    return SOURCE_LANGUAGE


def fallback_note(locale: str) -> str | None:
    """What to tell the editor once per run when the `locale` pages carry English interface words; None if they don't."""
    if words_language(locale) is None:
        return None
    return f"{locale}: the edition's interface words are in English: no workflow/locale/{locale.split('_')[0]} catalog"


def count_text(locale: str, n: int) -> str:
    """'3 статьи': a number of articles in the plural form the locale's catalog picks, with the locale's digits."""
    words = interface(locale).ngettext("%(number)s article", "%(number)s articles", n)
    return words % {"number": format_decimal(n, locale=locale)}


def language_name(locale: str, in_locale: str | None = None) -> str:
    """The language's name as speakers of `in_locale` (default: itself) write it, capitalised for a heading."""
    name = display_name(locale, in_locale or locale)
    return name[:1].upper() + name[1:]


def source_language_name(source: str, locale: str) -> str:
    """'английский': the original's language as a running word of the edition's language."""
    return display_name(source, locale)


def long_date(date: dt.date, locale: str) -> str:
    """'24 ноября 2026 г.': the locale's long date format."""
    return format_date(date, format="long", locale=locale)


def hreflang(locale: str) -> str:
    return locale.replace("_", "-")


def feed_title(locale: str) -> str:
    """The title of the locale's Atom feed: its index heading and its language."""
    heading = interface(locale).gettext("Articles")
    return f"{heading} · {language_name(locale)}"


# Once per process, like `interface`: built only from package data (the templates and the interface
# catalogs), nothing a project, its configuration or a run can change; callers only get and render templates.
@functools.cache
def environment(locale: str) -> Environment:
    """The Jinja2 environment the pages of `locale` render in, its `_()`/`{% trans %}` bound to the locale's words."""
    env = Environment(
        loader=PackageLoader("workflow", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(interface(locale).translations, newstyle=True)
    return env
