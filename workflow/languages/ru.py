"""Russian: quote style and number words for the checks, and names declined by case (petrovich for
persons by gender, pymorphy3 for other names), with the case a restored name takes from its preposition."""

from __future__ import annotations

import functools
import re

import pymorphy3
from petrovich.enums import Case, Gender
from petrovich.main import Petrovich

from workflow.languages import WORD, en, same_case

QUOTES = ("«", "»")
INNER_QUOTES = ("„", "“")
# Stems cut so every case form starts with one (два/двух/двум, пять/пяти).
NUMBER_WORDS = (
    ("один", "одна", "одно", "одного", "одной", "одному", "одним", "одном", "одну"), ("два", "две", "двух", "двум", "двумя"),
    ("три", "трёх", "трех", "трём", "трем", "тремя"), ("четыр",), ("пят",), ("шест",), ("сем",), ("восем", "восьм"),
    ("девят",), ("десят",),
)
MONTH_FORMS = {5: ("мае", "маю", "маем")}
DICTIONARY = "ru_RU"

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_PETROVICH_CASE = {"gent": Case.GENITIVE, "datv": Case.DATIVE, "accs": Case.ACCUSATIVE, "ablt": Case.INSTRUMENTAL, "loct": Case.PREPOSITIONAL}
_PETROVICH_GENDER = {"m": Gender.MALE, "f": Gender.FEMALE}
_PREPOSITION_CASE = {
    **dict.fromkeys("из от до для без у около после против среди вокруг кроме возле мимо вдоль напротив из-за из-под".split(), "gent"),
    **dict.fromkeys("к ко по благодаря согласно".split(), "datv"),
    **dict.fromkeys("о об обо при".split(), "loct"),
    **dict.fromkeys("между над под перед за".split(), "ablt"),
    **dict.fromkeys("через про сквозь".split(), "accs"),
}
# Foreign names ending in -а after a vowel (Маруа, Моруа, Гарсиа) do not decline in Russian.
_INDECLINABLE = re.compile(r"[аеёиоуыэюя]а$", re.IGNORECASE)


class Forms:
    """Russian declension for one run: the analysers load once and the forms of each name are computed once."""

    inflects = True

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], dict[str, str]] = {}

    # Loaded on first use: a run whose articles name no term in Russian never loads the dictionaries.
    @functools.cached_property
    def _morph(self) -> pymorphy3.MorphAnalyzer:
        return pymorphy3.MorphAnalyzer()

    @functools.cached_property
    def _names(self) -> Petrovich:
        return Petrovich()

    def cases(self, phrase: str, kind: str, gender: str) -> dict[str, str]:
        """The name in each case: petrovich for persons (by gender), pymorphy3 for other names."""
        key = (phrase, kind, gender)
        if key not in self._cache:
            forms = {"nomn": phrase}
            for case in CASES[1:]:
                forms[case] = self._person(phrase, case, gender) if kind == "person" else self._phrase(phrase, case)
            self._cache[key] = forms
        return self._cache[key]

    def more_last_words(self, cases: dict[str, str]) -> tuple[str, ...]:
        return ()

    def is_word(self, word: str) -> bool:
        # A real Russian word is the model's choice, not a misspelt name.
        return self._morph.word_is_known(word)

    def restore_case(self, cue: str, possessive: bool, before: str, suffix: str, cases: dict[str, str]) -> tuple[str, str]:
        """(case, leftover suffix): from a glued ending, the preposition before the name, or the English cue."""
        if suffix:
            nominative = WORD.findall(cases["nomn"])[-1].casefold()
            for case, phrase in cases.items():
                last = WORD.findall(phrase)[-1].casefold()
                common = 0
                while common < min(len(last), len(nominative)) and last[common] == nominative[common]:
                    common += 1
                if case != "nomn" and last[common:] == suffix.casefold().lstrip("-"):
                    return case, ""
        m = re.search(r"([^\W\d_]+(?:-[^\W\d_]+)?)[\s«\"]*$", before)
        preposition = m.group(1).lower() if m else ""
        if preposition in ("в", "во", "на"):
            return ("accs" if cue in en.DIRECTION else "loct"), suffix
        if preposition in ("с", "со"):
            return ("gent" if cue in en.SOURCE else "ablt"), suffix
        if preposition in _PREPOSITION_CASE:
            return _PREPOSITION_CASE[preposition], suffix
        if possessive or cue in en.OF:
            return "gent", suffix
        return "nomn", suffix

    def _person(self, phrase: str, case: str, gender: str) -> str:
        words = WORD.findall(phrase)
        last = len(words) - 1
        position = iter(range(len(words)))

        def inflect(word: str) -> str:
            i = next(position)
            if _INDECLINABLE.search(word):
                return word
            how = self._names.lastname if i == last else self._names.firstname
            try:
                return how(word, _PETROVICH_CASE[case], _PETROVICH_GENDER.get(gender, Gender.ANDRGN))
            except Exception:  # petrovich raises on shapes it has no rule for; the name then stays as written
                return word

        return WORD.sub(lambda m: inflect(m.group()), phrase)

    def _parse(self, word: str):
        if not self._morph.word_is_known(word.lower()):
            return None
        parses = [p for p in self._morph.parse(word) if p.tag.case == "nomn" or "Fixd" in p.tag]
        if not parses:
            return None
        parses.sort(key=lambda p: ("Geox" not in p.tag and "Orgn" not in p.tag and "Name" not in p.tag, -p.score))
        return parses[0]

    def _phrase(self, phrase: str, case: str) -> str:
        words = WORD.findall(phrase)
        parses = [self._parse(w) for w in words]
        # "Радио Азаттык": a name in apposition to an indeclinable head never declines.
        if len(words) > 1 and parses[0] is not None and "Fixd" in parses[0].tag:
            return phrase
        inanimate = any(p is not None and p.tag.POS == "NOUN" and p.tag.animacy == "inan" for p in parses)
        position = iter(parses)

        def inflect(word: str) -> str:
            parsed = next(position)
            if parsed is None or "Fixd" in parsed.tag:
                return word
            wanted = {case}
            if parsed.tag.POS == "ADJF":
                # An adjective keeps the gender and number of its noun; masculine inanimate accusative is the nominative.
                wanted |= {g for g in (parsed.tag.gender, parsed.tag.number) if g}
                if case == "accs" and inanimate and parsed.tag.gender == "masc":
                    wanted.add("inan")
            form = parsed.inflect(wanted) or parsed.inflect({case})
            return same_case(word, form.word) if form else word

        return WORD.sub(lambda m: inflect(m.group()), phrase)
