"""A term's forms in a translation: every case form its language's module makes, found word by word, and
the avoided renderings and near-miss spellings of it, with the canonical form each should be."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.glossary.matching import target_text
from workflow.glossary.terms import Glossary, Term
from workflow.languages import WORD, language, same_case


@dataclass(frozen=True)
class Target:
    """A term's form in one locale: its case forms and the words accepted at each word position."""

    canonical: str
    cases: dict[str, str]  # case -> phrase; the first is the canonical form
    slots: tuple[frozenset[str], ...]  # accepted casefolded words per word position
    case_of_last: dict[str, str]  # casefolded last word -> its case


class LocaleForms:
    """The forms of a glossary's terms in one locale, computed once each: made per glossary, so per run."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.language = language(locale)
        self.inflection = self.language.forms()
        self._targets: dict[tuple, Target] = {}

    def target(self, term: Term, part: str) -> Target | None:
        """The term's target in this locale (its surname alone for `part` "surname"), or None without a form."""
        canonical = target_text(term, self.locale, part)
        if canonical is None:
            return None
        return self.target_for(canonical, term.kind, term.gender)

    def target_for(self, canonical: str, kind: str, gender: str) -> Target:
        key = (canonical, kind, gender)
        if key not in self._targets:
            self._targets[key] = self._make(canonical, kind, gender)
        return self._targets[key]

    def _make(self, canonical: str, kind: str, gender: str) -> Target:
        cases = self.inflection.cases(canonical, kind, gender)
        base = [w.casefold() for w in WORD.findall(canonical)]
        slots = [{w} for w in base]
        case_of_last: dict[str, str] = {}
        for case, phrase in cases.items():
            words = [w.casefold() for w in WORD.findall(phrase)]
            if len(words) != len(base):
                continue
            for i, w in enumerate(words):
                slots[i].add(w)
            case_of_last.setdefault(words[-1], case)
        if base:
            slots[-1].update(w.casefold() for w in self.inflection.more_last_words(cases))
        return Target(canonical, cases, tuple(frozenset(s) for s in slots), case_of_last)


def forms_of(glossary: Glossary, locale: str) -> LocaleForms:
    """The glossary's forms in `locale` (one object per glossary and locale)."""
    return glossary.memo(("forms", locale), lambda: LocaleForms(locale))


def words(text: str) -> list:
    return list(WORD.finditer(text))


def occurrences(target: Target, found: list) -> list[tuple[int, int]]:
    """Word-index windows where every word is an accepted form of the target's word at that position."""
    size = len(target.slots)
    if not size:
        return []
    folded = [w.group().casefold() for w in found]
    return [
        (i, i + size)
        for i in range(len(found) - size + 1)
        if all(folded[i + j] in target.slots[j] for j in range(size))
    ]


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _near_miss(word: str, accepted: frozenset[str], canonical_word: str, forms: LocaleForms) -> str | None:
    """The accepted form a misspelt `word` most likely meant, or None if it is not a near miss."""
    folded = word.casefold()
    if folded in accepted or len(folded) < 5 or folded[:1] != canonical_word.casefold()[:1]:
        return None
    if canonical_word[:1].isupper() and not word[:1].isupper():
        return None
    if forms.inflection.is_word(folded):
        return None  # a real word of the language is the model's choice, not a misspelt name
    if not forms.inflection.inflects and any(folded.startswith(a) for a in accepted):
        return None  # the form with an ending the model glued on: unknown to us, but not a misspelling to undo
    limit = 1 if len(folded) < 8 else 2
    best = None
    for form in sorted(accepted):
        d = _distance(folded, form, limit)
        if d > limit:
            continue
        # Among equally close forms keep the one ending as the model's word does: its case ending is the model's.
        shared = 0
        while shared < min(len(form), len(folded)) and form[-1 - shared] == folded[-1 - shared]:
            shared += 1
        rank = (d, -shared, abs(len(form) - len(folded)))
        if best is None or rank < best[0]:
            best = (rank, form)
    return best[1] if best else None


@dataclass(frozen=True)
class Problem:
    """A wrong rendering of a term in a translation and the canonical form that replaces it."""

    start: int
    end: int
    found: str
    replacement: str


def problems(forms: LocaleForms, target: Target, term: Term, part: str, text: str) -> list[Problem]:
    """Avoided renderings and near-miss spellings of the target in `text`, with their canonical replacement."""
    found = words(text)
    out: list[Problem] = []
    taken: set[int] = set()
    for avoided in term.avoided(forms.locale) if part == "full" else ():
        wrong = forms.target_for(avoided, term.kind, term.gender)
        for a, b in occurrences(wrong, found):
            case = wrong.case_of_last.get(found[b - 1].group().casefold(), next(iter(wrong.cases)))
            start, end = found[a].start(), found[b - 1].end()
            out.append(Problem(start, end, text[start:end], target.cases.get(case, target.canonical)))
            taken.update(range(a, b))
    canonical_words = WORD.findall(target.canonical)
    for i, w in enumerate(found):
        if i in taken:
            continue
        for position, accepted in enumerate(target.slots):
            meant = _near_miss(w.group(), accepted, canonical_words[position], forms)
            if meant is not None:
                out.append(Problem(w.start(), w.end(), w.group(), same_case(canonical_words[position], meant)))
                break
    return out
