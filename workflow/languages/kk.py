"""Kazakh: quote style and number words for the checks, and a name's case suffixes chosen by its last sound
and (back/front) vowel harmony."""

from __future__ import annotations

import re

from workflow.languages._suffixes import SuffixForms

QUOTES = ("«", "»")
INNER_QUOTES = ("„", "“")
# Kazakh words take suffixes after the whole word (екеуі, бесінші).
NUMBER_WORDS = (("бір",), ("екі", "екеу"), ("үш",), ("төрт",), ("бес",), ("алты",), ("жеті",), ("сегіз",), ("тоғыз",), ("он",))
DICTIONARY = "kk_KZ"
MODEL_HINT = "workflow models install PATH.argosmodel (see README 'Getting a Kazakh model')"

_VOWELS = set("аәеиоөұүыіэюяё")
_BACK = set("аоұыя")  # ё and у, и, ю are left out: they do not decide harmony at the end of loans
_FRONT = set("әөүіеэ")
_LATIN_BACK, _LATIN_FRONT = set("aou"), set("eiy")
_SUFFIXES = {
    # case: {sound class: (back, front)}; classes: V vowel, N м н ң, Z ж з, L л р й у, T voiceless (and б в г д)
    "gen": {"V": ("ның", "нің"), "N": ("ның", "нің"), "Z": ("дың", "дің"), "L": ("дың", "дің"), "T": ("тың", "тің")},
    "acc": {"V": ("ны", "ні"), "N": ("ды", "ді"), "Z": ("ды", "ді"), "L": ("ды", "ді"), "T": ("ты", "ті")},
    "dat": {"V": ("ға", "ге"), "N": ("ға", "ге"), "Z": ("ға", "ге"), "L": ("ға", "ге"), "T": ("қа", "ке")},
    "loc": {"V": ("да", "де"), "N": ("да", "де"), "Z": ("да", "де"), "L": ("да", "де"), "T": ("та", "те")},
    "abl": {"V": ("дан", "ден"), "N": ("нан", "нен"), "Z": ("дан", "ден"), "L": ("дан", "ден"), "T": ("тан", "тен")},
    "ins": {"V": ("мен", "мен"), "N": ("бен", "бен"), "Z": ("бен", "бен"), "L": ("мен", "мен"), "T": ("пен", "пен")},
}
# After the 3rd-person possessive of a compound name (Кеңес Одағы, Азаттық радиосы) a pronominal н joins.
_IZAFET = {"gen": ("ның", "нің"), "acc": ("н", "н"), "dat": ("на", "не"), "loc": ("нда", "нде"), "abl": ("нан", "нен"), "ins": ("мен", "мен")}


def _sound(letter: str) -> str:
    letter = letter.lower()
    if letter in _VOWELS or letter in "aeiouy":
        return "V"
    if letter in "мнңmn":
        return "N"
    if letter in "жзz":
        return "Z"
    if letter in "лрйуlrw":
        return "L"
    return "T"


def _front(word: str) -> bool:
    word = word.lower()
    # Russian-style surname endings (-ев, -ов, -ева) take the harmony of the Kazakh root before them.
    stem = re.sub(r"(ев|ов|ёв)$", "", word) or word
    for letter in reversed(stem):
        if letter in _BACK or letter in _LATIN_BACK:
            return False
        if letter in _FRONT or letter in _LATIN_FRONT:
            return True
    return False


class Forms(SuffixForms):
    """Kazakh case forms for one run."""

    CASES = ("nom", "gen", "dat", "acc", "loc", "abl", "ins")
    ATTRIBUTIVE = {"да": "ғы", "де": "гі", "та": "ғы", "те": "гі", "нда": "ғы", "нде": "гі"}

    def possessive(self, word: str) -> bool:
        return word[-1] in "ыі" and _sound(word[-2]) != "V"

    def suffix(self, case: str, word: str, possessive: bool) -> str:
        pair = _IZAFET[case] if possessive else _SUFFIXES[case][_sound(word[-1])]
        return pair[1] if _front(word) else pair[0]

    def suffixes(self, case: str) -> frozenset[str]:
        return frozenset(s for pair in (*_SUFFIXES[case].values(), _IZAFET[case]) for s in pair)
