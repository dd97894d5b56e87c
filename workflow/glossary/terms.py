"""The term model: a glossary row (an English name, its form per target locale, kind, gender, avoided
renderings), its validation, and adding, removing and merging terms."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from workflow.document import one_line
from workflow.errors import InputError

KINDS = ("person", "place", "organisation", "other")
_KIND_ALIASES = {"organization": "organisation", "org": "organisation"}
_GENDERS = {"m": "m", "f": "f", "male": "m", "female": "f", "masculine": "m", "feminine": "f"}
LIST_SEPARATOR = ";"  # inside the variants and avoid_* cells; "/" and "," occur in names themselves
AVOID_PREFIX = "avoid_"
# Words and single punctuation marks: names are matched as token sequences, so whole words only.
TOKEN = re.compile(r"\w+|[^\w\s]")
# Controls other than tab and line breaks: XML (so TBX) cannot carry most of them, and on a terminal they are
# escape sequences. A glossary refuses them on the way in rather than writing a TBX its own import rejects.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def columns(locales: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The glossary's columns for these target locales: english, a form per locale, kind, gender, note, variants, avoided forms."""
    return ("english", *locales, "kind", "gender", "note", "variants", *(AVOID_PREFIX + loc for loc in locales))


@dataclass(frozen=True)
class Term:
    """One glossary row: the English name and its agreed form in each target locale."""

    english: str
    targets: dict[str, str]  # locale -> canonical form, in the glossary's column order
    kind: str = "other"  # person, place, organisation, other
    gender: str = ""  # "m" or "f" for persons: surnames decline by it in some languages
    note: str = ""
    variants: tuple[str, ...] = ()  # other English spellings that mean this term
    avoid: dict[str, tuple[str, ...]] = field(default_factory=dict)  # locale -> renderings to flag

    def __hash__(self) -> int:
        return hash((self.english, tuple(self.targets.items())))

    def target(self, locale: str) -> str | None:
        """The canonical form for `locale` (from its language's column if it has none), or None if no column serves it."""
        column = column_for(locale, self.targets)
        return self.targets.get(column) or None if column else None

    def avoided(self, locale: str) -> tuple[str, ...]:
        """The renderings to flag in `locale`, from the column its form comes from."""
        return self.avoid.get(column_for(locale, self.targets) or locale, ())


@dataclass(frozen=True)
class Glossary:
    """The project's terms and its target locale columns; what matching and inflection derive is kept with it."""

    path: Path | None
    terms: tuple[Term, ...] = ()
    locales: tuple[str, ...] = ()  # the target locale columns, in file order (default: the terms')
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(self.terms))
        found = dict.fromkeys(loc for t in self.terms for loc in t.targets)
        object.__setattr__(self, "locales", tuple(dict.fromkeys((*self.locales, *found))))
        from workflow.glossary.matching import build_index  # built once, here: matching then walks it per text

        self._memo["index"] = build_index(self.terms)

    def get(self, english: str) -> Term | None:
        key = fold(english)
        return next((t for t in self.terms if fold(t.english) == key), None)

    def memo(self, key, make: Callable):
        """What `make()` derives from this glossary, computed once: a glossary lives for one run, so its caches do."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]


def column_for(locale: str, locales: Collection[str]) -> str | None:
    """The column that serves `locale`: its own, else its language's (kk for kk_KZ) when written in the same script.

    Glossary maintainers expect a language's column to serve its regional locales, as TBX import and the interface
    words do; never across scripts: a Cyrillic sr column is no form for sr_Latn.
    """
    if locale in locales:
        return locale
    from workflow.languages import language

    parts = locale.split("_")
    for n in range(len(parts) - 1, 0, -1):
        broader = "_".join(parts[:n])
        if broader in locales:
            try:
                same = language(broader).script == language(locale).script
            except (ValueError, LookupError):  # a code Babel cannot place serves only itself
                return None
            return broader if same else None
    return None


def fold(text: str) -> str:
    """An English form as terms compare: spaces collapsed, case folded."""
    return one_line(text).casefold()


def last_word(text: str) -> str:
    return text.split()[-1]


def tokens_of(text: str) -> list[str]:
    return TOKEN.findall(text)


def join_list(values: tuple[str, ...]) -> str:
    return f"{LIST_SEPARATOR} ".join(values)


def split_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(LIST_SEPARATOR) if v.strip())


def _check_controls(cells: dict[str, str], path: Path | None, line: int | None) -> None:
    for column, value in cells.items():
        found = _CONTROL.search(value or "")
        if found:
            char = ord(found.group())
            name = f"\\x{char:02x}" if char < 0x100 else f"U+{char:04X}"
            english = " ".join(cells.get("english", "").split())
            raise InputError(
                f"control character {name} in the {column} cell of {english!r} (TBX and terminals cannot carry it); remove it",
                path,
                line,
            )


def term_from_cells(cells: dict[str, str], locales: tuple[str, ...], path: Path | None = None, line: int | None = None) -> Term:
    """A validated Term from one row's cells (column name -> text) with a form for each of `locales`."""
    _check_controls({c: cells.get(c, "") for c in (*columns(locales), *cells)}, path, line)
    english = " ".join(cells.get("english", "").split())
    if not english:
        raise InputError("empty English form", path, line)
    for locale in locales:
        if not cells.get(locale, "").strip():
            raise InputError(f"empty {locale} form for {english!r}", path, line)
    kind_cell = cells.get("kind", "").strip().lower()
    kind = _KIND_ALIASES.get(kind_cell, kind_cell)
    if kind not in KINDS:
        shown_kind = f"unknown kind {kind_cell!r}" if kind_cell else "empty kind"
        raise InputError(f"{shown_kind} for {english!r} (use {', '.join(KINDS[:-1])} or {KINDS[-1]})", path, line)
    gender_cell = cells.get("gender", "").strip().lower()
    if gender_cell and gender_cell not in _GENDERS:
        raise InputError(f"unknown gender {gender_cell!r} for {english!r} (use m or f)", path, line)
    gender = _GENDERS.get(gender_cell, "")
    if kind == "person" and not gender:
        raise InputError(f"person {english!r} needs a gender, m or f (Russian surnames decline by it)", path, line)
    if kind != "person" and gender:
        raise InputError(f"gender is for persons only, but {english!r} is a {kind}", path, line)
    avoid = {loc: split_list(cells.get(AVOID_PREFIX + loc, "")) for loc in locales}
    return Term(
        english=english,
        targets={loc: " ".join(cells[loc].split()) for loc in locales},
        kind=kind,
        gender=gender,
        note=cells.get("note", "").strip(" "),
        variants=split_list(cells.get("variants", "")),
        avoid={loc: forms for loc, forms in avoid.items() if forms},
    )


def validate(terms: tuple[Term, ...], path: Path | None, lines: list[int | None], locales: tuple[str, ...] | None = None) -> None:
    """Every English form and variant names one term only, and every term has a form for each locale column."""
    seen: dict[str, int | None] = {}
    for term, line in zip(terms, lines):
        if locales is not None:
            extra = [loc for loc in term.targets if loc not in locales]
            if extra:
                raise InputError(
                    f"{term.english!r} has a {extra[0]} form but the glossary has no {extra[0]} column "
                    f"(columns: {', '.join(columns(locales))}); add the columns {extra[0]} and {AVOID_PREFIX}{extra[0]} "
                    f"with a form for every term first",
                    path,
                    line,
                )
            missing = [loc for loc in locales if not term.target(loc)]
            if missing:
                raise InputError(f"empty {missing[0]} form for {term.english!r}", path, line)
        for form in (term.english, *term.variants):
            key = fold(form)
            if not tokens_of(form):
                raise InputError(f"{form!r} has no letters or digits to match", path, line)
            if key in seen:
                where = f" (also on line {seen[key]})" if seen[key] else ""
                raise InputError(f"duplicate term {form!r}{where}", path, line)
            seen[key] = line


def _locales_after(glossary: Glossary, new: tuple[Term, ...]) -> tuple[str, ...]:
    # A glossary without terms takes the locales of its first terms; one with terms keeps its columns.
    if glossary.terms:
        return glossary.locales
    return tuple(dict.fromkeys((*glossary.locales, *(loc for t in new for loc in t.targets))))


def add_term(glossary: Glossary, term: Term) -> Glossary:
    """A glossary with `term` appended; InputError if its English form or a variant is already a term."""
    terms = glossary.terms + (term,)
    locales = _locales_after(glossary, (term,))
    validate(terms, glossary.path, [None] * len(terms), locales)
    return Glossary(glossary.path, terms, locales)


def remove_term(glossary: Glossary, english: str) -> Glossary:
    """A glossary without the term whose English form is `english`; InputError if there is none."""
    term = glossary.get(english)
    if term is None:
        raise InputError(f"no term {english!r} in the glossary", glossary.path)
    return Glossary(glossary.path, tuple(t for t in glossary.terms if t is not term), glossary.locales)


def merge_terms(glossary: Glossary, imported: tuple[Term, ...]) -> tuple[Glossary, int, int]:
    """Imported terms replace those with the same English form and the rest are appended: (glossary, added, updated)."""
    by_key = {fold(t.english): t for t in imported}
    updated = sum(1 for t in glossary.terms if fold(t.english) in by_key)
    kept = [by_key.pop(fold(t.english), t) for t in glossary.terms]
    terms = tuple(kept) + tuple(by_key.values())
    locales = _locales_after(glossary, imported)
    validate(terms, glossary.path, [None] * len(terms), locales)
    return Glossary(glossary.path, terms, locales), len(by_key), updated
