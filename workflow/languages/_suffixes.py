"""Languages that mark a name's case with a suffix on its last word, chosen by its last sound and vowel
harmony (Kazakh, Kyrgyz): the forms of a name, and the case a restored name takes from a suffix the model
glued to it or from the English word before it. Each language's module gives its own suffix table."""

from __future__ import annotations

from workflow.languages import WORD, en

_LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")


class SuffixForms:
    """Case forms by suffix for one run; a language's module subclasses it with its suffixes."""

    inflects = True
    CASES: tuple[str, ...] = ("nom", "gen", "dat", "acc", "loc", "abl")
    # -ғы/-гі after a locative ending makes the adjective "in X": a valid form, never a restored one.
    ATTRIBUTIVE: dict[str, str] = {}

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, str]] = {}

    def suffix(self, case: str, word: str, possessive: bool) -> str:
        """The suffix of `case` after `word` (`possessive`: the word ends in a 3rd-person possessive)."""
        raise NotImplementedError

    def suffixes(self, case: str) -> frozenset[str]:
        """Every variant of the suffix of `case`, in any harmony and voicing."""
        raise NotImplementedError

    def possessive(self, word: str) -> bool:
        """Whether the last word of a compound name ends in the 3rd-person possessive (a pronominal н joins)."""
        return False

    def cases(self, phrase: str, kind: str, gender: str) -> dict[str, str]:
        """The name with each case suffix on its last word; Latin-script names take it after a hyphen (Meduza-ға)."""
        if phrase in self._cache:
            return self._cache[phrase]
        words = list(WORD.finditer(phrase))
        if not words:
            return {case: phrase for case in self.CASES}
        last = words[-1]
        word = last.group()
        latin = word[-1].lower() in _LATIN
        possessive = len(words) > 1 and not latin and self.possessive(word)
        forms = {self.CASES[0]: phrase}
        for case in self.CASES[1:]:
            suffix = self.suffix(case, word, possessive)
            glued = f"{word}-{suffix}" if latin else word + suffix
            forms[case] = phrase[: last.start()] + glued + phrase[last.end() :]
        self._cache[phrase] = forms
        return forms

    def more_last_words(self, cases: dict[str, str]) -> tuple[str, ...]:
        if "loc" not in cases:
            return ()
        tail = WORD.findall(cases["loc"])[-1]
        for ending, attributive in self.ATTRIBUTIVE.items():
            if tail.endswith(ending):
                return (tail + attributive,)
        return ()

    def is_word(self, word: str) -> bool:
        return False

    def suffix_case(self, suffix: str) -> str | None:
        """Which case a suffix the model glued to a placeholder asks for, or None."""
        suffix = suffix.lower().lstrip("-")
        return next((case for case in self.CASES[1:] if suffix in self.suffixes(case)), None)

    def restore_case(self, cue: str, possessive: bool, before: str, suffix: str, cases: dict[str, str]) -> tuple[str, str]:
        if suffix:
            case = self.suffix_case(suffix)
            if case is not None:
                return case, ""
        wanted = "nom"
        if possessive or cue in en.OF:
            wanted = "gen"
        elif cue in en.DIRECTION:
            wanted = "dat"
        elif cue in en.PLACE:
            wanted = "loc"
        elif cue in en.SOURCE:
            wanted = "abl"
        elif cue in en.WITH:
            wanted = "ins"
        return (wanted if wanted in cases else self.CASES[0]), suffix
