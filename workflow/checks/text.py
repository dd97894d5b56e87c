"""Checks of what a translation must carry over unchanged or keep in balance: links, code, addresses,
quotes, brackets, final punctuation, length, and no English left behind in a Cyrillic translation."""

from __future__ import annotations

import re

from workflow.checks.base import EMAIL, ERROR, URL, WARNING, Unit, check, prose
from workflow.languages import language

_LATIN_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z'’-]*")
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_WORDS = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_DOUBLED = re.compile(r"(?<![\w-])([^\W\d_]+)\s+\1(?![\w-])", re.IGNORECASE)
_CLOSERS = "\"'”’»“)]"


def _protected_of_kind(unit: Unit, prefixes: str) -> list[str]:
    return [p for p in unit.protected if p.startswith(tuple(prefixes))]


@check(ERROR)
def links(unit: Unit) -> list[str]:
    """link target {missing} missing from the translation"""
    return [p for p in _protected_of_kind(unit, "(<") if p not in unit.translation]


@check(ERROR)
def inline_code(unit: Unit) -> list[str]:
    """inline code {missing} missing from the translation"""
    return [p for p in _protected_of_kind(unit, "`") if p not in unit.translation]


@check(ERROR)
def addresses(unit: Unit) -> list[str]:
    """web or e-mail address {missing} changed or missing in the translation"""
    source = unit.source
    for part in unit.protected:  # links already checks these
        source = source.replace(part, " ")
    found = [m.group(0) for m in URL.finditer(source)] + [m.group(0) for m in EMAIL.finditer(source)]
    return [a for a in dict.fromkeys(found) if a not in unit.translation]


def _english_quotes_used(text: str, locale: str) -> bool:
    # “ closes „…“ in kk and ru but opens “…” in English: without a „ it is English style.
    lang = language(locale)
    return lang.inner_quotes is None or lang.inner_quotes[0] not in text


def _open_quotes(text: str, pairs: list[tuple[str, str]]) -> int:
    return sum(text.count(a) - text.count(b) for a, b in pairs) + text.count('"') % 2


@check(ERROR)
def quotes(unit: Unit) -> list[str]:
    """quotation marks do not balance as in the source: {missing}"""
    # A quotation may open in one sentence and close in a later one: the translation must leave open
    # (or close) as many as its source does.
    text = prose(unit.translation, unit.protected)
    lang = language(unit.locale)
    pairs = [q for q in (lang.quotes, lang.inner_quotes) if q and q[0] != q[1]]
    if _english_quotes_used(text, unit.locale):
        pairs = [q for q in pairs if q != lang.inner_quotes] + [("“", "”")]
    pairs = list(dict.fromkeys(pairs))
    want = _open_quotes(prose(unit.source, unit.protected), [("“", "”"), ("«", "»")])
    have = _open_quotes(text, pairs)
    if want == have:
        return []
    counts = ", ".join(f"{text.count(a)} {a} {text.count(b)} {b}" for a, b in pairs if a in text or b in text) or "none"
    return [f"{counts} in the translation, {want:+d} left open in the source" if want else counts]


@check(WARNING)
def quote_style(unit: Unit) -> list[str]:
    """quotation marks not in this language's style: {missing}"""
    lang = language(unit.locale)
    if lang.quotes is None:
        return []
    text = prose(unit.translation, unit.protected)
    allowed = set("".join(lang.quotes) + "".join(lang.inner_quotes or ()))
    if _english_quotes_used(text, unit.locale):
        allowed -= {"“"}
    wrong = [q for q in '"“”„«»' if q in text and q not in allowed]
    if not wrong:
        return []
    inner = f" and {lang.inner_quotes[0]}…{lang.inner_quotes[1]} inside" if lang.inner_quotes else ""
    return [f"{''.join(wrong)} (use {lang.quotes[0]}…{lang.quotes[1]}{inner})"]


def _unbalanced(text: str) -> list[str]:
    stack, bad = [], []
    pairs = {")": "(", "]": "[", "}": "{"}
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if stack and stack[-1] == pairs[ch]:
                stack.pop()
            else:
                bad.append(ch)
    return bad + stack


@check(ERROR)
def brackets(unit: Unit) -> list[str]:
    """unbalanced brackets: {missing}"""
    if _unbalanced(unit.source):  # "1)" list numbering in the source: nothing to compare with
        return []
    return _unbalanced(unit.translation)


@check(WARNING)
def doubled_words(unit: Unit) -> list[str]:
    """word repeated: {missing}"""
    source = {m.group(0).lower() for m in _DOUBLED.finditer(unit.source)}
    return [m.group(0) for m in _DOUBLED.finditer(unit.translation) if m.group(0).lower() not in source]


@check(WARNING)
def doubled_spaces(unit: Unit) -> list[str]:
    """{missing} doubled space(s) in the translation"""
    n = len(re.findall(r"\S {2,}\S", unit.translation)) - len(re.findall(r"\S {2,}\S", unit.source))
    return [str(n)] if n > 0 else []


def _final(text: str) -> str:
    text = text.rstrip().rstrip(_CLOSERS + "»").rstrip()
    return text[-1:] if text else ""


@check(WARNING)
def punctuation(unit: Unit) -> list[str]:
    """the source ends with {missing} but the translation does not"""
    src, dst = _final(unit.source), _final(unit.translation)
    if src in "?!" and src and dst != src:
        return [src]
    if src in ".…" and src and dst not in ".…!?":
        return [src]
    return []


@check(WARNING)
def length(unit: Unit) -> list[str]:
    """the translation is {missing} the length of the source"""
    if len(unit.source) < 20 or not unit.translation:
        return []
    ratio = len(unit.translation) / len(unit.source)
    return [f"{ratio:.1f}×"] if not 0.5 <= ratio <= 2.5 else []


@check(ERROR)
def untranslated(unit: Unit) -> list[str]:
    """English left untranslated: {missing}"""
    if language(unit.locale).script == "Latn":
        return []
    # Glossary forms kept in Latin (The Urals Weekly), and words of the source's code and link targets.
    kept = {w.lower() for form in (*unit.keep, *unit.protected) for w in _WORDS.findall(form)}
    source_words = set(_WORDS.findall(prose(unit.source, unit.protected)))
    left = []
    for w in _LATIN_WORD.findall(prose(unit.translation, unit.protected)):
        if w.lower() in kept or _ROMAN.match(w):
            continue
        # A name the source keeps (BBC, iPhone) may stay in Latin; lowercase English words may not.
        if w in source_words and any(c.isupper() for c in w):
            continue
        left.append(w)
    return left
