"""Numbers and dates: the facts news translations most often get wrong, compared by value, not spelling."""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

from babel import numbers as babel_numbers

from workflow.checks.base import ERROR, WARNING, Unit, check, prose
from workflow.languages import Language, language

_ENGLISH_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d])(\s?%)?")
# A run of digits with the separators any locale uses between groups or before decimals.
_RUN = re.compile(r"(?<![\d])\d+(?:(?:[.,\u00a0\u202f ]|\u2009)\d+)*")
_SPACES = " \u00a0\u202f\u2009"
_ORDINAL = r"(?:st|nd|rd|th)?"
_WORD = re.compile(r"[^\W\d_]+\.?")


def _english_months() -> str:
    en = language("en")
    words = sorted({w for group in en.month_words for w in group}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


_MONTHS = _english_months()
_DATE_MD = re.compile(rf"\b({_MONTHS})\b\.?(?:\s+(\d{{1,2}}){_ORDINAL}\b)?", re.IGNORECASE)
_DATE_DM = re.compile(rf"\b(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTHS})\b", re.IGNORECASE)


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return None


def source_dates(text: str) -> list[tuple[str, int, int | None, tuple[int, int] | None]]:
    """English dates in `text`: (as written, month, day or None, span of the day's digits)."""
    found, taken = [], []
    for m in _DATE_DM.finditer(text):
        found.append((m.group(0), language("en").month_of(m.group(2)), int(m.group(1)), m.span(1)))
        taken.append(m.span())
    for m in _DATE_MD.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        # "May" is also a verb: a bare "may" with no day is not a date.
        if m.group(2) is None and m.group(1).lower() == "may":
            continue
        day = int(m.group(2)) if m.group(2) else None
        found.append((m.group(0).rstrip("."), language("en").month_of(m.group(1)), day, m.span(2) if day else None))
    return found


def source_numbers(text: str) -> list[tuple[str, Decimal]]:
    """Numbers written in digits in English text (as written, value), except the days of dates."""
    days = [span for *_, span in source_dates(text) if span]
    out = []
    for m in _ENGLISH_NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in days):
            continue
        value = _dec(m.group(1).replace(",", "") + (m.group(2) or ""))
        if value is not None:
            out.append((m.group(0), value))
    return out


# Three checks read the same translation's numbers: parsed once.
def target_values(text: str, lang: Language) -> tuple[frozenset[Decimal], frozenset[Decimal]]:
    """Values of the numbers in a translation: written the locale's way, and read any way at all."""
    return _target_values(text, lang.code)


# Pure (text and locale code in, values out: no settings, no files) and bounded, so sharing it
# between checks, articles and projects in one process cannot leak one's state into another's.
@functools.lru_cache(maxsize=1024)
def _target_values(text: str, code: str) -> tuple[frozenset[Decimal], frozenset[Decimal]]:
    lang = language(code)
    strict, loose = set(), set()
    groups = {lang.group, *_SPACES} if lang.group in _SPACES else {lang.group}
    g = "[" + re.escape("".join(groups)) + "]"
    d = re.escape(lang.decimal)
    local = re.compile(rf"^(?:\d{{1,3}}(?:{g}\d{{3}})+|\d+)(?:{d}\d+)?$")
    for m in _RUN.finditer(text):
        run = m.group(0).strip(_SPACES)
        if local.match(run):
            norm = "".join(ch for ch in run if ch not in groups).replace(lang.decimal, ".")
            if (v := _dec(norm)) is not None:
                strict.add(v)
        for piece in re.split(f"[{_SPACES}]", run):
            for part in re.findall(r"\d+", piece):
                loose.add(Decimal(part).normalize())
            if re.fullmatch(r"\d+[.,]\d+", piece):
                loose.add(_dec(piece.replace(",", ".")))
                loose.add(_dec(piece.replace(",", "").replace(".", "")))
            if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", piece):
                loose.add(_dec(piece.replace(",", "")))
    for w in _WORD.findall(text):
        if (n := lang.number_word(w)) is not None:
            strict.add(Decimal(n))
    loose |= strict
    return frozenset(strict), frozenset(loose)


def _shown(value: Decimal, written: str, lang: Language) -> str:
    percent = written.rstrip().endswith("%")
    if percent:
        return babel_numbers.format_percent(value / 100, locale=lang.code, decimal_quantization=False)
    return babel_numbers.format_decimal(value, locale=lang.code, decimal_quantization=False)


@check(ERROR)
def numbers(unit: Unit) -> list[str]:
    """number {missing} of the source is missing from the translation"""
    lang = language(unit.locale)
    _, loose = target_values(prose(unit.translation, unit.protected), lang)
    src = prose(unit.source, unit.protected)
    return [f"{w} ({_shown(v, w, lang)})" for w, v in source_numbers(src) if v not in loose]


@check(WARNING)
def number_format(unit: Unit) -> list[str]:
    """number written the English way: {missing}"""
    lang = language(unit.locale)
    strict, loose = target_values(prose(unit.translation, unit.protected), lang)
    src = prose(unit.source, unit.protected)
    return [
        f"{w} (write {_shown(v, w, lang)})" for w, v in source_numbers(src) if v in loose and v not in strict
    ]


@check(ERROR)
def dates(unit: Unit) -> list[str]:
    """date {missing} of the source is not in the translation"""
    lang = language(unit.locale)
    text = prose(unit.translation, unit.protected)
    months = {lang.month_of(w) for w in _WORD.findall(text)} - {None}
    _, values = target_values(text, lang)
    missing = []
    for written, month, day, _ in source_dates(prose(unit.source, unit.protected)):
        has_day = day is None or Decimal(day) in values
        if month in months and has_day:
            continue
        wrong = sorted(months - {month})
        if wrong and has_day:
            names = ", ".join(lang.month_words[m - 1][-1] for m in wrong)
            missing.append(f"{written} (the translation names {names})")
        else:
            missing.append(written)
    return missing
