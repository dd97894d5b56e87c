"""Carrying terms through machine translation: each term (and each protected span) becomes an ASCII
placeholder before the model, and after it the placeholder is restored to the term's form in the case its
context asks for, then avoided renderings and near-miss spellings are repaired."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workflow.glossary.forms import Problem, forms_of, problems
from workflow.glossary.matching import TermMatch, distinct, find_terms
from workflow.glossary.terms import Glossary, Term

PLACEHOLDER_PREFIX = "ZXQ"
# Tolerant of what a SentencePiece model does to an unknown token: spaces inside it, changed case, a case
# suffix glued on (ZXQ3ға, ZXQ3-ға, ZXQ3е).
_PLACEHOLDER = re.compile(r"(?<![^\W\d_])z\s?x\s?q\s?(\d{1,4})(?!\d)(-?[^\W\d_]+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Slot:
    """One masked span: a term (restored to its target form) or a protected span (restored verbatim)."""

    token: str
    original: str
    term: Term | None = None
    part: str = "full"
    possessive: bool = False
    cue: str = ""  # the English word before the term ("to", "in", "of"...), a hint for its case


@dataclass(frozen=True)
class Prepared:
    """What goes to the model (`model_input`) and what `finish` needs to undo the masking."""

    locale: str
    source: str
    model_input: str
    slots: tuple[Slot, ...]
    matches: tuple[TermMatch, ...]
    glossary: Glossary | None = field(default=None, repr=False, compare=False)


def _cue(text: str, start: int) -> str:
    # Articles say nothing about case: "of the Soviet Union" is cued by "of".
    before_term = re.sub(r"(?:\b(?:the|a|an)\s+)+$", "", text[:start], flags=re.IGNORECASE)
    m = re.search(r"(\w+)\s+(\w+)\s+$", before_term) or re.search(r"()(\w+)\s+$", before_term)
    if not m:
        return ""
    before, word = m.group(1).lower(), m.group(2).lower()
    # "according to X" is X's words: a genitive (Маруа Ескендірованың айтуынша, по словам ...ой).
    return "of" if (before, word) == ("according", "to") else word


def prepare(
    glossary: Glossary, text: str, locale: str, protected: tuple[str, ...] | list[str] = (), named: frozenset[Term] | None = None
) -> Prepared:
    """Mask each glossary term (when `locale` has forms) and each protected span of `text` as an ASCII placeholder."""
    spans: list[tuple[int, int, Term | None, TermMatch | None]] = []
    for part in dict.fromkeys(p for p in protected if p):
        start = text.find(part)
        while start != -1:
            spans.append((start, start + len(part), None, None))
            start = text.find(part, start + len(part))
    # Article text that the restorer would take for a placeholder ("ZXQ1", "zxq 2") is masked too and comes
    # back verbatim: otherwise a literal ZXQ1 would be restored as the first term.
    spans.extend((m.start(), m.end(), None, None) for m in _PLACEHOLDER.finditer(text))
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int, Term | None, TermMatch | None]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    matches = find_terms(glossary, text, named)
    for match in matches:
        if match.term.target(locale) is None:
            continue
        if any(match.start < b and a < match.end for a, b, _, _ in kept):
            continue  # a name inside a link target or code stays verbatim
        kept.append((match.start, match.end, match.term, match))
    kept.sort(key=lambda s: s[0])
    slots: list[Slot] = []
    pieces: list[str] = []
    position = 0
    for number, (start, end, term, match) in enumerate(kept, start=1):
        token = f"{PLACEHOLDER_PREFIX}{number}"
        pieces.append(text[position:start])
        pieces.append(token)
        position = end
        if match is None:
            slots.append(Slot(token, text[start:end]))
        else:
            slots.append(Slot(token, text[start:end], term, match.part, match.possessive, _cue(text, start)))
    pieces.append(text[position:])
    return Prepared(locale, text, "".join(pieces), tuple(slots), tuple(matches), glossary)


def finish(prepared: Prepared, model_output: str) -> str:
    """Restore placeholders in the model's output (names inflected for their context), then repair near-miss terms.

    A placeholder the model dropped is not reinvented: the check then flags the term as missing.
    """
    by_number = {slot.token[len(PLACEHOLDER_PREFIX) :]: slot for slot in prepared.slots}
    forms = forms_of(prepared.glossary if prepared.glossary is not None else Glossary(None), prepared.locale)

    def restore(m: re.Match) -> str:
        slot = by_number.get(str(int(m.group(1))))
        suffix = m.group(2) or ""
        if slot is None:
            return m.group(0)
        if slot.term is None:
            return slot.original + suffix
        target = forms.target(slot.term, slot.part)
        if target is None:
            return slot.original + suffix
        case, rest = forms.inflection.restore_case(slot.cue, slot.possessive, model_output[: m.start()], suffix, target.cases)
        return target.cases.get(case, target.canonical) + rest

    restored = _PLACEHOLDER.sub(restore, model_output)
    return repair(prepared, restored)


def repair(prepared: Prepared, text: str) -> str:
    """Rewrite avoided renderings and near-miss spellings of the source's terms to their canonical form."""
    found: list[Problem] = []
    forms = forms_of(prepared.glossary if prepared.glossary is not None else Glossary(None), prepared.locale)
    for match in distinct(list(prepared.matches)):
        target = forms.target(match.term, match.part)
        if target is not None:
            found.extend(problems(forms, target, match.term, match.part, text))
    found.sort(key=lambda p: (p.start, -p.end))
    out: list[str] = []
    position = 0
    for p in found:
        if p.start < position:
            continue
        out.append(text[position : p.start])
        out.append(p.replacement)
        position = p.end
    out.append(text[position:])
    return "".join(out)
