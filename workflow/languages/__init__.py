"""What the workflow knows about each target language, found by its code: one module per language.

`language(code)` gives a frozen `Language`: Babel's data for the locale (script, number symbols, month
names) with the facts of `workflow/languages/<code>.py` (quote marks, number words, the hunspell
dictionary, how names inflect). A language without a module gets Babel's data and the generic behaviour:
names match only in their exact form.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from dataclasses import dataclass, field
from os.path import commonprefix
from types import ModuleType

from babel import Locale, UnknownLocaleError, numbers
from babel.core import get_global

# A target-side word: letters, hyphenated parts kept together (Касым-Жомарт, Meduza-ға).
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
NOMINATIVE = "nom"


def same_case(model: str, word: str) -> str:
    """`word` with the capitalisation of `model`."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


class ExactForms:
    """Inflection for a language without a module: every name has one form, the one the glossary writes."""

    inflects = False

    def cases(self, phrase: str, kind: str, gender: str) -> dict[str, str]:
        """Each case of the name (the first is the form the glossary writes): here only that one."""
        return {NOMINATIVE: phrase}

    def more_last_words(self, cases: dict[str, str]) -> tuple[str, ...]:
        """Further forms of the last word that are valid but never restored (Kazakh Қазақстандағы)."""
        return ()

    def restore_case(self, cue: str, possessive: bool, before: str, suffix: str, cases: dict[str, str]) -> tuple[str, str]:
        """(case, leftover suffix) a restored name takes from the model's glued suffix, the text before it, the English cue."""
        return next(iter(cases)), suffix

    def is_word(self, word: str) -> bool:
        """Whether a lowercase word is a real word of the language (then it is not a misspelt name)."""
        return False


@dataclass(frozen=True)
class Language:
    """One locale's facts and behaviour, from Babel and the language's module."""

    code: str
    script: str  # ISO 15924, e.g. "Cyrl"
    decimal: str  # Babel's decimal symbol
    group: str  # Babel's group symbol
    quotes: tuple[str, str] | None  # outer quote marks; None: no preferred style known
    inner_quotes: tuple[str, str] | None
    months: tuple[tuple[str, ...], ...]  # per month (0 = January): lowercase stems a case form starts with
    month_words: tuple[tuple[str, ...], ...]  # per month: lowercase whole words (abbreviations, short names)
    number_words: tuple[tuple[str, ...], ...]  # per value 1..10 (index 0 = one): lowercase stems
    dictionary: str | None  # hunspell dictionary name
    model_hint: str = ""  # where a translation model for this language comes from, when not from argos's index
    module: ModuleType | None = field(default=None, repr=False, compare=False)

    @property
    def inflects(self) -> bool:
        """Whether the language's module recognises inflected forms of names."""
        return self.module is not None and hasattr(self.module, "Forms")

    def forms(self):
        """A new inflection object (analysers and caches live in it, one per run): the module's, or exact forms."""
        make = getattr(self.module, "Forms", ExactForms)
        return make()

    def month_of(self, word: str) -> int | None:
        """The month (1-12) a word names in any case form, or None."""
        w = word.lower().rstrip(".")
        exact, (stems, values) = self._month_index
        if w in exact:
            return exact[w]
        found = stems.match(w) if stems else None
        return values[found.lastgroup] if found else None

    def number_word(self, word: str) -> int | None:
        """The value 1..10 a spelled-out number word has in any case form (at most 4 letters of ending), or None."""
        w = word.lower()
        pattern, values = self._number_index
        found = pattern.match(w) if pattern else None
        return values[found.lastgroup] if found and len(w) - found.end() <= 4 else None

    # Per-word lookups are the checks' inner loop (every word of every translation): one regex per language.
    @functools.cached_property
    def _month_index(self) -> tuple[dict[str, int], tuple[re.Pattern | None, dict[str, int]]]:
        exact = {w: i + 1 for i, words in enumerate(self.month_words) for w in words}
        return exact, _alternation({i + 1: s for i, s in enumerate(self.months)})

    @functools.cached_property
    def _number_index(self) -> tuple[re.Pattern | None, dict[str, int]]:
        return _alternation({i + 1: s for i, s in enumerate(self.number_words)})


def _alternation(groups: dict[int, tuple[str, ...]]) -> tuple[re.Pattern | None, dict[str, int]]:
    """One regex matching any stem (longest first, so the longest wins) and the value of each named group."""
    stems = sorted(((s, n) for n, found in groups.items() for s in found), key=lambda item: -len(item[0]))
    values = {f"g{i}": n for i, (_, n) in enumerate(stems)}
    if not stems:
        return None, values
    return re.compile("|".join(f"(?P<g{i}>{re.escape(s)})" for i, (s, _) in enumerate(stems))), values


def module_of(code: str) -> ModuleType | None:
    """The module `workflow/languages/<language>.py` for a locale code, or None if the language has none."""
    base = code.replace("-", "_").split("_")[0].lower()
    # Only a plain language subtag names a module: a code can never import anything else.
    if not re.fullmatch(r"[a-z]{2,3}", base) or importlib.util.find_spec(f"{__name__}.{base}") is None:
        return None
    return importlib.import_module(f"{__name__}.{base}")


def model_hint(code: str) -> str:
    """Where a translation model for `code` comes from when argos's index has none ("" if it has)."""
    return getattr(module_of(code), "MODEL_HINT", "")


@functools.cache
def language(code: str) -> Language:
    """The facts for `code` (a Babel locale code); languages without a module get Babel's data and exact forms."""
    module = module_of(code)
    base = code.split("_")[0]
    loc = Locale.parse(code)
    # The code's own script first (sr_Latn is Latin though Serbian is Cyrillic), then the likely script of the full code, then of the language.
    likely = get_global("likely_subtags")
    script = [loc.script] if loc.script else (likely.get(code) or likely.get(base, "")).split("_")[1:2]
    extra = getattr(module, "MONTH_FORMS", {})
    months, month_words = [], []
    for m in range(1, 13):
        names = {loc.months[ctx][width][m].lower().rstrip(".") for ctx in ("format", "stand-alone") for width in ("wide", "abbreviated")}
        wide = [loc.months[ctx]["wide"][m].lower() for ctx in ("format", "stand-alone")]
        # Short names and abbreviations are whole words only: a short month name as a prefix would match other words.
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
        quotes=getattr(module, "QUOTES", None),
        inner_quotes=getattr(module, "INNER_QUOTES", None),
        months=tuple(months),
        month_words=tuple(month_words),
        number_words=tuple(getattr(module, "NUMBER_WORDS", ())),
        dictionary=getattr(module, "DICTIONARY", None),
        model_hint=model_hint(code),
        module=module,
    )


def display_name(code: str, in_locale: str = "en") -> str:
    """The language's name as speakers of `in_locale` write it (Babel); the code itself where Babel has no name."""
    try:
        return Locale.parse(code).get_display_name(in_locale) or code
    except (ValueError, LookupError, UnknownLocaleError):  # Babel has codes without display data; the code still names the language
        return code
