"""What the checks know about each target language, in one place: quote style, script, number words, months.

Number symbols and month names come from Babel's CLDR data; what CLDR does not carry (quote marks,
spelled-out one to ten, the case forms of a month a declension adds) is the small table below.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from os.path import commonprefix

from babel import Locale, numbers
from babel.core import get_global


@dataclass(frozen=True)
class Language:
    """Facts about one locale that the checks use."""

    code: str
    script: str  # ISO 15924, e.g. "Cyrl"
    decimal: str  # Babel's decimal symbol
    group: str  # Babel's group symbol (NBSP for kk and ru)
    quotes: tuple[str, str] | None  # outer quote marks, e.g. ("«", "»"); None: no preferred style known
    inner_quotes: tuple[str, str] | None
    months: tuple[tuple[str, ...], ...]  # per month (0 = January): lowercase stems a case form starts with
    month_words: tuple[tuple[str, ...], ...]  # per month: lowercase whole words (abbreviations, short names)
    number_words: tuple[tuple[str, ...], ...]  # per value 1..10 (index 0 = one): lowercase stems
    dictionary: str | None  # hunspell dictionary name, e.g. "ru_RU"

    def month_of(self, word: str) -> int | None:
        """The month (1-12) a word names in any case form, or None."""
        w = word.lower().rstrip(".")
        exact, (stems, values) = _month_index(self.code)
        if w in exact:
            return exact[w]
        found = stems.match(w) if stems else None
        return values[found.lastgroup] if found else None

    def number_word(self, word: str) -> int | None:
        """The value 1..10 a spelled-out number word has in any case form (at most 4 letters of ending), or None."""
        w = word.lower()
        pattern, values = _number_index(self.code)
        found = pattern.match(w) if pattern else None
        return values[found.lastgroup] if found and len(w) - found.end() <= 4 else None


def _alternation(groups: dict[int, tuple[str, ...]]) -> tuple[re.Pattern | None, dict[str, int]]:
    """One regex matching any stem (longest first, so the longest wins) and the value of each named group."""
    stems = sorted(((s, n) for n, found in groups.items() for s in found), key=lambda item: -len(item[0]))
    values = {f"g{i}": n for i, (_, n) in enumerate(stems)}
    if not stems:
        return None, values
    return re.compile("|".join(f"(?P<g{i}>{re.escape(s)})" for i, (s, _) in enumerate(stems))), values


# Per-word lookups are the checks' inner loop (every word of every translation): one regex per language.
@functools.cache
def _month_index(code: str) -> tuple[dict[str, int], tuple[re.Pattern | None, dict[str, int]]]:
    lang = language(code)
    exact = {w: i + 1 for i, words in enumerate(lang.month_words) for w in words}
    return exact, _alternation({i + 1: s for i, s in enumerate(lang.months)})


@functools.cache
def _number_index(code: str) -> tuple[re.Pattern | None, dict[str, int]]:
    lang = language(code)
    return _alternation({i + 1: s for i, s in enumerate(lang.number_words)})


# Per language: (outer quotes, inner quotes, number-word stems for 1..10, extra month forms, hunspell name).
# Russian stems are cut so every case form starts with one (два/двух/двум, пять/пяти); Kazakh words take
# suffixes after the whole word (екеуі, бесінші).
_TABLE: dict[str, tuple] = {
    "ru": (
        ("«", "»"),
        ("„", "“"),
        (("один", "одна", "одно", "одного", "одной", "одному", "одним", "одном", "одну"), ("два", "две", "двух", "двум", "двумя"),
         ("три", "трёх", "трех", "трём", "трем", "тремя"), ("четыр",), ("пят",), ("шест",), ("сем",), ("восем", "восьм"),
         ("девят",), ("десят",)),
        {5: ("мае", "маю", "маем")},
        "ru_RU",
    ),
    "kk": (
        ("«", "»"),
        ("„", "“"),
        (("бір",), ("екі", "екеу"), ("үш",), ("төрт",), ("бес",), ("алты",), ("жеті",), ("сегіз",), ("тоғыз",), ("он",)),
        {},
        "kk_KZ",
    ),
    "en": (
        ("“", "”"),
        ("‘", "’"),
        (("one",), ("two",), ("three",), ("four",), ("five",), ("six",), ("seven",), ("eight",), ("nine",), ("ten",)),
        {9: ("sept",)},
        "en_US",
    ),
}


@functools.cache
def language(code: str) -> Language:
    """The facts for `code` (a Babel locale code); unknown languages get Babel's data and no quote style."""
    base = code.split("_")[0]
    loc = Locale.parse(code)
    script = get_global("likely_subtags").get(base, "").split("_")[1:2]
    quotes, inner, words, extra, dic = _TABLE.get(base, (None, None, (), {}, None))
    months, month_words = [], []
    for m in range(1, 13):
        names = {loc.months[ctx][width][m].lower().rstrip(".") for ctx in ("format", "stand-alone") for width in ("wide", "abbreviated")}
        wide = [loc.months[ctx]["wide"][m].lower() for ctx in ("format", "stand-alone")]
        # Short names and abbreviations are whole words only: "май" or "қаң" as a prefix would match майор, қаңқа.
        stems = {n for n in wide if len(n) >= 5}
        if len(commonprefix(wide)) >= 4:
            stems.add(commonprefix(wide))
        months.append(tuple(sorted(stems)))
        month_words.append(tuple(sorted(names | set(extra.get(m, ())))))
    return Language(
        code=code,
        script=script[0] if script else "Latn",
        decimal=numbers.get_decimal_symbol(loc),
        group=numbers.get_group_symbol(loc),
        quotes=quotes,
        inner_quotes=inner,
        months=tuple(months),
        month_words=tuple(month_words),
        number_words=tuple(words),
        dictionary=dic,
    )


def dictionary_dirs() -> tuple[str, ...]:
    """Where hunspell dictionaries are looked for: $DICPATH (hunspell's own variable), else the system's."""
    if "DICPATH" in os.environ:
        return tuple(p for p in os.environ["DICPATH"].split(os.pathsep) if p)
    return ("/usr/share/hunspell", "/usr/share/myspell/dicts", "/usr/share/myspell")
