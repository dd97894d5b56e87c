"""Kyrgyz: quote style and number words for the checks, and a name's case suffixes chosen by its last sound
and vowel harmony, which in Kyrgyz also follows rounding (Москвага, Ошко, сууга, Бишкекке, Өзгөнгө)."""

from __future__ import annotations

from workflow.languages._suffixes import SuffixForms

QUOTES = ("«", "»")
INNER_QUOTES = ("„", "“")
NUMBER_WORDS = (("бир",), ("эки",), ("үч",), ("төрт",), ("беш",), ("алты",), ("жети",), ("сегиз",), ("тогуз",), ("он",))
DICTIONARY = "ky_KG"
MODEL_HINT = "workflow models install PATH.argosmodel (argos's index has no Kyrgyz model; see README 'Getting a Kazakh model')"

_VOICELESS = set("чтпкшсцщхфtpkscfhqx")
_VOWELS = set("аеёиоөуүыэюяaeiouy")
# The last vowel decides the suffix vowel: (low, high). я, ё, ю and э are the vowels they spell after a glide.
_HARMONY = {
    **dict.fromkeys("аыяa", ("а", "ы")),
    **dict.fromkeys("оёo", ("о", "у")),
    **dict.fromkeys("уюu", ("а", "у")),  # a low vowel after у is not rounded: сууга, радиосуна
    **dict.fromkeys("еиэeiy", ("е", "и")),
    **dict.fromkeys("өү", ("ө", "ү")),
}
# case: (consonant after a vowel, after a voiced consonant, after a voiceless one), vowel height, final consonant
_SUFFIXES = {
    "gen": (("н", "д", "т"), "high", "н"),
    "acc": (("н", "д", "т"), "high", ""),
    "dat": (("г", "г", "к"), "low", ""),
    "loc": (("д", "д", "т"), "low", ""),
    "abl": (("д", "д", "т"), "low", "н"),
}
# After the 3rd-person possessive of a compound name (Азаттык радиосу, Советтер Союзу) a pronominal н joins.
_POSSESSIVE = {"gen": ("н", "high", "н"), "acc": ("н", None, ""), "dat": ("н", "low", ""), "loc": ("нд", "low", ""), "abl": ("н", "low", "н")}


def _vowels(word: str) -> tuple[str, str]:
    for letter in reversed(word.lower()):
        if letter in _HARMONY:
            return _HARMONY[letter]
    return ("а", "ы")


def _sound(letter: str) -> int:
    letter = letter.lower()
    return 0 if letter in _VOWELS else 2 if letter in _VOICELESS else 1


class Forms(SuffixForms):
    """Kyrgyz case forms for one run: six cases (with is the postposition менен, not a case)."""

    CASES = ("nom", "gen", "dat", "acc", "loc", "abl")
    ATTRIBUTIVE = {"да": "гы", "де": "ги", "до": "гу", "дө": "гү", "та": "гы", "те": "ги", "то": "гу", "тө": "гү"}

    def possessive(self, word: str) -> bool:
        return word[-1].lower() in "ыиуү" and _sound(word[-2]) != 0

    def suffix(self, case: str, word: str, possessive: bool) -> str:
        low, high = _vowels(word)
        if possessive:
            start, height, end = _POSSESSIVE[case]
        else:
            starts, height, end = _SUFFIXES[case]
            start = starts[_sound(word[-1])]
        vowel = "" if height is None else (high if height == "high" else low)
        return start + vowel + end

    def suffixes(self, case: str) -> frozenset[str]:
        starts, height, end = _SUFFIXES[case]
        p_start, p_height, p_end = _POSSESSIVE[case]
        out = set()
        for low, high in set(_HARMONY.values()):
            out.update(start + (high if height == "high" else low) + end for start in starts)
            out.add(p_start + ("" if p_height is None else high if p_height == "high" else low) + p_end)
        return frozenset(out)


# Month names ending in ь drop it before a case suffix (январь → январда, январга): CLDR has only the
# nominative, so the case forms are made here, by the same suffixes as names.
_SOFT_MONTHS = {1: "январь", 2: "февраль", 4: "апрель", 6: "июнь", 7: "июль", 9: "сентябрь", 10: "октябрь", 11: "ноябрь", 12: "декабрь"}
MONTH_FORMS = {month: tuple(Forms().cases(name[:-1], "other", "").values())[1:] for month, name in _SOFT_MONTHS.items()}
