"""The term list: names that must come out of translation in one agreed spelling.

Terms live in a CSV a spreadsheet opens (and travel to CAT tools as TBX). Before machine translation
each term in a sentence is masked as an ASCII placeholder; after it the placeholder is restored to
the target form, inflected for the case the context asks for, and near-miss spellings are repaired.
Checks accept any case form of a canonical name (Russian declension, Kazakh case suffixes).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pymorphy3
from petrovich.enums import Case, Gender
from petrovich.main import Petrovich

from workflow.errors import InputError
from workflow.storage import TEMP_SUFFIX, atomic_write, project_lock, read_file

COLUMNS = ("english", "kk", "ru", "kind", "gender", "note", "variants", "avoid_kk", "avoid_ru")
KINDS = ("person", "place", "organisation", "other")
_KIND_ALIASES = {"organization": "organisation", "org": "organisation"}
_GENDERS = {"m": "m", "f": "f", "male": "m", "female": "f", "masculine": "m", "feminine": "f"}
TARGET_LOCALES = ("kk", "ru")
LIST_SEPARATOR = ";"  # inside the variants and avoid_* cells; "/" and "," occur in names themselves

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- the term list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One glossary row: the English name and its agreed Kazakh and Russian forms."""

    english: str
    kk: str
    ru: str
    kind: str = "other"  # person, place, organisation, other
    gender: str = ""  # "m" or "f" for persons: Russian surnames decline by it
    note: str = ""
    variants: tuple[str, ...] = ()  # other English spellings that mean this term
    avoid: dict[str, tuple[str, ...]] = field(default_factory=dict)  # locale -> renderings to flag

    def __hash__(self) -> int:
        return hash((self.english, self.kk, self.ru))

    def target(self, locale: str) -> str | None:
        """The canonical form for `locale`, or None if the glossary has no column for it."""
        return {"kk": self.kk, "ru": self.ru}.get(locale)


@dataclass(frozen=True)
class TermMatch:
    """A term found in English text; `part` is "surname" when a person is named by surname alone."""

    term: Term
    start: int
    end: int
    surface: str
    part: str = "full"
    possessive: bool = False  # "Russia’s": the span includes the ’s

    @property
    def english(self) -> str:
        return self.term.english if self.part == "full" else _last_word(self.term.english)


@dataclass(frozen=True)
class TermFlag:
    """A term of the source not rendered canonically; `found` is what was written instead ("" if nothing)."""

    term: Term
    expected: str
    found: str
    message: str


@dataclass(frozen=True)
class Glossary:
    """The project's terms, with an index built once for matching."""

    path: Path | None
    terms: tuple[Term, ...] = ()
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(self.terms))
        object.__setattr__(self, "_index", _build_index(self.terms))

    def get(self, english: str) -> Term | None:
        key = _fold(english)
        return next((t for t in self.terms if _fold(t.english) == key), None)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _last_word(text: str) -> str:
    return text.split()[-1]


def shown_path(path: Path) -> str:
    """A glossary path as messages show it: relative to the project holding it (the dir with workflow.toml)."""
    path = Path(path)
    resolved = Path(os.path.abspath(path))  # as named: a message about a link names the link
    for parent in resolved.parents:
        if (parent / "workflow.toml").is_file():
            return resolved.relative_to(parent).as_posix()
    return str(path)


def load_glossary(path: Path, shown: str | None = None) -> Glossary:
    """Read and validate a glossary CSV (or TBX, by extension); a missing file is an empty glossary."""
    path = Path(path)
    shown = shown or shown_path(path)
    try:
        data = read_file(path)
    except FileNotFoundError:
        return Glossary(path, ())
    if path.suffix.lower() == ".tbx":
        return Glossary(path, parse_tbx(data, shown))
    return Glossary(path, parse_csv(_decode(data, shown), shown))


def _decode(data: bytes, shown: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the glossary as UTF-8 CSV", shown, line) from None
    return text.removeprefix("\ufeff")  # spreadsheets save UTF-8 CSV with a BOM


def save_glossary(glossary: Glossary, path: Path | None = None) -> bool:
    """Write the glossary as CSV atomically; False if the file already had these bytes. Hold the project lock."""
    target = Path(path or glossary.path)
    # A save killed before its rename leaves `.terms.csv.XXXX.tmp` beside the file; only this file's temps
    # are ours to remove, as the glossary may sit in a folder with other files.
    for stale in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
        stale.unlink(missing_ok=True)
    return atomic_write(target, to_csv(glossary.terms))


def update_glossary(project, change: Callable[[Glossary, str], Glossary], *, wait: bool = False) -> Glossary:
    """Apply `change(glossary, shown_path)` to the project's glossary under the project lock and save it atomically."""
    shown = project.relative(project.glossary_path)
    with project_lock(project.root, wait):
        updated = change(load_glossary(project.glossary_path, shown), shown)
        save_glossary(updated, project.glossary_path)
    return updated


def add_term(glossary: Glossary, term: Term, shown: str = "glossary") -> Glossary:
    """A glossary with `term` appended; InputError if its English form or a variant is already a term."""
    terms = glossary.terms + (term,)
    _validate(terms, shown, [None] * len(terms))
    return Glossary(glossary.path, terms)


def remove_term(glossary: Glossary, english: str, shown: str = "glossary") -> Glossary:
    """A glossary without the term whose English form is `english`; InputError if there is none."""
    term = glossary.get(english)
    if term is None:
        raise InputError(f"no term {english!r} in the glossary", shown)
    return Glossary(glossary.path, tuple(t for t in glossary.terms if t is not term))


def merge_terms(glossary: Glossary, imported: tuple[Term, ...], shown: str = "glossary") -> tuple[Glossary, int, int]:
    """Imported terms replace those with the same English form and the rest are appended: (glossary, added, updated)."""
    by_key = {_fold(t.english): t for t in imported}
    updated = sum(1 for t in glossary.terms if _fold(t.english) in by_key)
    kept = [by_key.pop(_fold(t.english), t) for t in glossary.terms]
    terms = tuple(kept) + tuple(by_key.values())
    _validate(terms, shown, [None] * len(terms))
    return Glossary(glossary.path, terms), len(by_key), updated


# --- CSV -----------------------------------------------------------------------------------------


def _escape_cell(value: str) -> str:
    # Cells that already start with apostrophes before a formula character get one more, so import,
    # which removes exactly one, gives back what was written.
    if value.startswith(_FORMULA_START) or (value.startswith("'") and value.lstrip("'").startswith(_FORMULA_START)):
        return "'" + value
    return value


def _unescape_cell(value: str) -> str:
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_START):
        return value[1:]
    return value


def _join(values: tuple[str, ...]) -> str:
    return f"{LIST_SEPARATOR} ".join(values)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(LIST_SEPARATOR) if v.strip())


def term_row(term: Term) -> list[str]:
    """A term as the CSV cells of COLUMNS, before formula escaping."""
    return [
        term.english,
        term.kk,
        term.ru,
        term.kind,
        term.gender,
        term.note,
        _join(term.variants),
        _join(term.avoid.get("kk", ())),
        _join(term.avoid.get("ru", ())),
    ]


def to_csv(terms: tuple[Term, ...]) -> str:
    """The glossary CSV: a header row, then one row a term; formula-like cells get a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for term in terms:
        writer.writerow([_escape_cell(cell) for cell in term_row(term)])
    return buffer.getvalue()


def parse_csv(text: str, shown: str = "glossary.csv") -> tuple[Term, ...]:
    """Parse and validate glossary CSV text; errors name `shown` and the line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    header: list[str] | None = None
    header_line = 1
    width = 0
    terms: list[Term] = []
    lines: list[int | None] = []
    previous_end = 0
    try:
        for row in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in row]
                width = len(header)  # empty columns a spreadsheet saved past the last one used: empty in every row
                while header and not header[-1]:
                    header.pop()
                header_line = line
                _check_header(header, shown, line)
                continue
            if len(row) > width or any(cell.strip() for cell in row[len(header) :]):
                raise InputError(f"{len(row)} cells but the header has {len(header)} columns", shown, line)
            # Only spaces are padding; a tab or line break inside a note is content and survives the round trip.
            cells = {name: _unescape_cell(row[i].strip(" ")) if i < len(row) else "" for i, name in enumerate(header)}
            terms.append(term_from_cells(cells, shown, line))
            lines.append(line)
    except csv.Error as exc:
        # Strict parsing: an unclosed quote must not swallow the rows after it into one cell.
        reason = "a quoted cell starting on this line is never closed" if "end of data" in str(exc) else str(exc)
        raise InputError(f"not valid CSV: {reason}", shown, previous_end + 1) from None
    if header is None:
        raise InputError(f"empty glossary: the first row must name the columns ({', '.join(COLUMNS)})", shown, header_line)
    _validate(tuple(terms), shown, lines)
    return tuple(terms)


def _delimiter(text: str) -> str:
    """The header row's delimiter: Excel saves "CSV" with semicolons (or tabs) where the decimal mark is a comma."""
    # Only the header decides: in a comma file, the variants and avoid_* cells hold ";"-separated lists.
    header = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _check_header(header: list[str], shown: str, line: int) -> None:
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (the header must name: {', '.join(COLUMNS)})", shown, line)
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})", shown, line)
    seen = set()
    for c in header:
        if c in seen:
            raise InputError(f"column {c!r} appears twice in the header", shown, line)
        seen.add(c)


# Controls other than tab and line breaks: XML (so TBX) cannot carry most of them, and on a terminal they are
# escape sequences. A glossary refuses them on the way in rather than writing a TBX its own import rejects.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _check_controls(cells: dict[str, str], shown: str, line: int | None) -> None:
    for column in COLUMNS:
        found = _CONTROL.search(cells.get(column, ""))
        if found:
            char = ord(found.group())
            name = f"\\x{char:02x}" if char < 0x100 else f"U+{char:04X}"
            english = " ".join(cells.get("english", "").split())
            raise InputError(
                f"control character {name} in the {column} cell of {english!r} (TBX and terminals cannot carry it); remove it",
                shown,
                line,
            )


def term_from_cells(cells: dict[str, str], shown: str, line: int | None) -> Term:
    """A validated Term from one row's cells (column name -> text); InputError naming `shown` and `line`."""
    _check_controls(cells, shown, line)
    english = " ".join(cells.get("english", "").split())
    if not english:
        raise InputError("empty English form", shown, line)
    for locale in TARGET_LOCALES:
        if not cells.get(locale, "").strip():
            raise InputError(f"empty {locale} form for {english!r}", shown, line)
    kind_cell = cells.get("kind", "").strip().lower()
    kind = _KIND_ALIASES.get(kind_cell, kind_cell)
    if kind not in KINDS:
        shown_kind = f"unknown kind {kind_cell!r}" if kind_cell else "empty kind"
        raise InputError(f"{shown_kind} for {english!r} (use {', '.join(KINDS[:-1])} or {KINDS[-1]})", shown, line)
    gender_cell = cells.get("gender", "").strip().lower()
    if gender_cell and gender_cell not in _GENDERS:
        raise InputError(f"unknown gender {gender_cell!r} for {english!r} (use m or f)", shown, line)
    gender = _GENDERS.get(gender_cell, "")
    if kind == "person" and not gender:
        raise InputError(f"person {english!r} needs a gender, m or f (Russian surnames decline by it)", shown, line)
    if kind != "person" and gender:
        raise InputError(f"gender is for persons only, but {english!r} is a {kind}", shown, line)
    avoid = {loc: _split(cells.get(f"avoid_{loc}", "")) for loc in TARGET_LOCALES}
    return Term(
        english=english,
        kk=" ".join(cells["kk"].split()),
        ru=" ".join(cells["ru"].split()),
        kind=kind,
        gender=gender,
        note=cells.get("note", "").strip(" "),
        variants=_split(cells.get("variants", "")),
        avoid={loc: forms for loc, forms in avoid.items() if forms},
    )


def _validate(terms: tuple[Term, ...], shown: str, lines: list[int | None]) -> None:
    """Every English form and variant names one term only."""
    seen: dict[str, int | None] = {}
    for term, line in zip(terms, lines):
        for form in (term.english, *term.variants):
            key = _fold(form)
            if not _tokens_of(form):
                raise InputError(f"{form!r} has no letters or digits to match", shown, line)
            if key in seen:
                where = f" (also on line {seen[key]})" if seen[key] else ""
                raise InputError(f"duplicate term {form!r}{where}", shown, line)
            seen[key] = line


# --- TBX -----------------------------------------------------------------------------------------

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PREFERRED, _ADMITTED, _DEPRECATED = "preferredTerm-admn-sts", "admittedTerm-admn-sts", "deprecatedTerm-admn-sts"
_TBX_GENDER = {"m": "masculine", "f": "feminine"}


def to_tbx(terms: tuple[Term, ...]) -> str:
    """TBX-Basic (`martif`, termEntry/langSet/tig) as OmegaT, memoQ and Weblate read it."""
    root = ET.Element("martif", {"type": "TBX-Basic", _XML_LANG: "en"})
    header = ET.SubElement(root, "martifHeader")
    file_desc = ET.SubElement(header, "fileDesc")
    ET.SubElement(ET.SubElement(file_desc, "sourceDesc"), "p").text = "newsroom-workflow glossary"
    ET.SubElement(ET.SubElement(header, "encodingDesc"), "p", {"type": "XCSURI"}).text = "TBXBasicXCSV02.xcs"
    body = ET.SubElement(ET.SubElement(root, "text"), "body")
    for number, term in enumerate(terms, start=1):
        entry = ET.SubElement(body, "termEntry", {"id": f"t{number}"})
        ET.SubElement(entry, "descrip", {"type": "x-kind"}).text = term.kind
        if term.note:
            ET.SubElement(entry, "note").text = term.note
        for locale, main, others in (
            ("en", term.english, [(v, _ADMITTED) for v in term.variants]),
            ("kk", term.kk, [(v, _DEPRECATED) for v in term.avoid.get("kk", ())]),
            ("ru", term.ru, [(v, _DEPRECATED) for v in term.avoid.get("ru", ())]),
        ):
            lang_set = ET.SubElement(entry, "langSet", {_XML_LANG: locale})
            for text, status in [(main, _PREFERRED), *others]:
                tig = ET.SubElement(lang_set, "tig")
                ET.SubElement(tig, "term").text = text
                ET.SubElement(tig, "termNote", {"type": "administrativeStatus"}).text = status
                if status == _PREFERRED and term.gender:
                    ET.SubElement(tig, "termNote", {"type": "grammaticalGender"}).text = _TBX_GENDER[term.gender]
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def _decode_xml(data: bytes, shown: str) -> str:
    """TBX text decoded as XML is: by its byte order mark, else its declared encoding, else UTF-8."""
    encoding = next((codec for bom, codec in _BOMS if data.startswith(bom)), None)
    if encoding is None and data.startswith((b"<\x00?\x00", b"\x00<\x00?")):
        encoding = "utf-16-le" if data[0] == 0x3C else "utf-16-be"  # UTF-16 without a BOM, as XML allows
    label = encoding.upper().removesuffix("-SIG") if encoding else "UTF-8"
    if encoding is None:
        declared = _XML_ENCODING.match(data)
        encoding = declared.group(1).decode("ascii", "replace") if declared else "utf-8"
        label = encoding if declared else "UTF-8"
        try:
            codec = codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r} in the XML declaration; save the TBX file as UTF-8", shown, 1) from None
        # A file re-saved as UTF-8 under its old declaration decodes without error, as mojibake. Real
        # single-byte text is (almost) never valid UTF-8, so non-ASCII bytes that are mean the declaration lies.
        if not codec.name.startswith("utf") and not data.isascii() and _is_utf8(data):
            raise InputError(
                f'the XML declaration says {encoding} but the file is UTF-8 text; change it to encoding="UTF-8" '
                f"(or save the file as {encoding})",
                shown,
                1,
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, "replace").count("\n") + 1
        raise InputError(
            f"not {label} text (byte 0x{data[exc.start]:02x}); save the TBX file as UTF-8 or declare its encoding in <?xml ... encoding=...?>",
            shown,
            line,
        ) from None
    # ElementTree reads a str as the text it is, whatever encoding the declaration names.
    return text.removeprefix("\ufeff")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_tbx(data: bytes, shown: str = "glossary.tbx") -> tuple[Term, ...]:
    """Read TBX 2 (`martif`: termEntry/langSet/tig|ntig) or TBX 3 (`tbx`: conceptEntry/langSec/termSec) terms."""
    text = _decode_xml(data, shown)
    declaration = re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE)
    if declaration:
        line = text.count("\n", 0, declaration.start()) + 1
        raise InputError("DOCTYPE and ENTITY declarations are not accepted in TBX (they can pull in or blow up data)", shown, line)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(f"not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc}".split(": line")[0], shown, exc.position[0]) from None
    if _local(root.tag) not in ("martif", "tbx"):
        raise InputError(f"not a TBX file: the root element is <{_local(root.tag)}>, not <martif> or <tbx>", shown, 1)
    terms = []
    entries = [e for e in root.iter() if _local(e.tag) in ("termEntry", "conceptEntry")]
    for number, entry in enumerate(entries, start=1):
        where = f"{_local(entry.tag)} {entry.get('id') or number}"
        cells: dict[str, str] = {c: "" for c in COLUMNS}
        variants: list[str] = []
        avoid: dict[str, list[str]] = {"kk": [], "ru": []}
        for element in entry:
            name = _local(element.tag)
            if name == "descrip" and element.get("type") == "x-kind":
                cells["kind"] = (element.text or "").strip()
            elif name == "note":
                cells["note"] = (element.text or "").strip()
        for lang_set in (e for e in entry if _local(e.tag) in ("langSet", "langSec")):
            locale = (lang_set.get(_XML_LANG) or lang_set.get("lang") or "").split("-")[0].split("_")[0].lower()
            for tig in (e for e in lang_set if _local(e.tag) in ("tig", "ntig", "termSec")):
                term_el = next((e for e in tig.iter() if _local(e.tag) == "term"), None)
                value = " ".join("".join(term_el.itertext()).split()) if term_el is not None else ""
                notes = {n.get("type"): (n.text or "").strip() for n in tig.iter() if _local(n.tag) == "termNote"}
                status = notes.get("administrativeStatus", _PREFERRED)
                gender = {"masculine": "m", "feminine": "f"}.get(notes.get("grammaticalGender", ""))
                if gender and not cells["gender"]:
                    cells["gender"] = gender
                if not value:
                    continue
                if status == _PREFERRED and locale in ("en", "kk", "ru") and not cells["english" if locale == "en" else locale]:
                    cells["english" if locale == "en" else locale] = value
                elif locale == "en":
                    variants.append(value)
                elif locale in avoid and status == _DEPRECATED:
                    avoid[locale].append(value)
        cells["variants"] = _join(tuple(variants))
        for locale in avoid:
            cells[f"avoid_{locale}"] = _join(tuple(avoid[locale]))
        if not cells["kind"]:
            cells["kind"] = "person" if cells["gender"] else "other"
        try:
            terms.append(term_from_cells(cells, shown, None))
        except InputError as exc:
            raise InputError(f"{where}: {exc.message}", shown) from None
    _validate(tuple(terms), shown, [None] * len(terms))
    return tuple(terms)


# --- matching English ----------------------------------------------------------------------------

# Words and single punctuation marks: names are matched as token sequences, so whole words only.
_TOKEN = re.compile(r"\w+|[^\w\s]")
_APOSTROPHES = ("'", "’")


def _tokens_of(text: str) -> list[str]:
    return _TOKEN.findall(text)


# Names that are also everyday English words. Alone (a variant or a person's surname), such a word names the
# person only in a text that names them in full (`named`), and a month or weekday never where it is a date:
# "in May" is not Theresa May. Capitalisation alone cannot tell: sentences start with "May" too.
_MONTHS = frozenset("january february march april may june july august september october november december".split())
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
COMMON_WORDS = _MONTHS | _WEEKDAYS | frozenset(
    "will rice brown bush cook rose young little long hill park green white black king bird grant hope page bill "
    "mark church hall wood lane rich best strong wise love may even gay bright moon snow frost stone well"
    .split()
)
# Words before a month or weekday that make it a date ("in May", "last Friday", "mid-May").
_DATE_BEFORE = frozenset(
    "in on since until till by from of during before after last next early late mid this that every each "
    "through throughout between".split()
)
_DATE_AFTER = frozenset("morning afternoon evening night".split())
_LISTED = frozenset("and or to through".split())


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]  # casefolded
    capitals: tuple[bool, ...]  # a capitalised glossary word only matches a capitalised text word
    term: Term
    part: str
    common: bool = False  # a variant or surname that is also an everyday word (COMMON_WORDS)


def _build_index(terms: tuple[Term, ...]) -> dict:
    """A token trie (nested dicts; key None holds the entries ending there): matching walks it once per text token."""
    root: dict = {}
    full: set[tuple[str, ...]] = set()
    surnames: list[tuple[str, Term]] = []

    def entry(form: str, term: Term, part: str) -> _Entry:
        raw = _tokens_of(form)
        folded = tuple(t.casefold() for t in raw)
        common = form != term.english and len(folded) == 1 and folded[0] in COMMON_WORDS
        return _Entry(folded, tuple(t[:1].isupper() for t in raw), term, part, common)

    def insert(e: _Entry) -> None:
        node = root
        for token in e.tokens:
            node = node.setdefault(token, {})
        node.setdefault(None, []).append(e)

    for term in terms:
        for form in (term.english, *term.variants):
            # A person's variant that is their surname ("May" of Theresa May) names them by surname.
            is_surname = term.kind == "person" and form != term.english and _fold(form) == _fold(_last_word(term.english))
            e = entry(form, term, "surname" if is_surname else "full")
            if not e.tokens:
                continue
            full.add(e.tokens)
            insert(e)
            if term.kind == "person" and len(form.split()) > 1:
                surnames.append((_last_word(form), term))
    taken: set[tuple[str, ...]] = set()
    for form, term in surnames:
        e = entry(form, term, "surname")
        # A surname that is also a term, or shared by two persons, names nobody in particular.
        if e.tokens in full or e.tokens in taken:
            continue
        taken.add(e.tokens)
        insert(e)
    return root


def _fits(e: _Entry, spans: list[tuple[int, int, str]], i: int) -> bool:
    return all(not cap or spans[i + j][2][:1].isupper() for j, cap in enumerate(e.capitals))


def _is_number(token: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:st|nd|rd|th)?", token, re.IGNORECASE))


def _is_date(folded: list[str], i: int) -> bool:
    """Whether the month or weekday at token `i` is used as a date: "in May", "May 5", "7 May", "Friday night"."""
    if folded[i] not in _MONTHS and folded[i] not in _WEEKDAYS:
        return False
    before = [t for t in folded[max(0, i - 3) : i] if t not in ("-", "the")]
    after = folded[i + 1] if i + 1 < len(folded) else ""
    if after and (_is_number(after) or after in _DATE_AFTER):
        return True
    if not before:
        return False
    if before[-1] in _DATE_BEFORE or _is_number(before[-1]):
        return True
    # "April and May", "Monday to Friday"
    return before[-1] in _LISTED and len(before) > 1 and (before[-2] in _MONTHS or before[-2] in _WEEKDAYS)


def named_terms(glossary: Glossary, texts) -> frozenset[Term]:
    """Terms an article names unambiguously (in full, or by a surname that is not an everyday word)."""
    return frozenset(m.term for text in texts for m in find_terms(glossary, text))


def find_terms(glossary: Glossary, text: str, named: frozenset[Term] | None = None) -> list[TermMatch]:
    """Glossary terms in English text: whole words, longest match first, possessives included.

    A variant or surname that is an everyday word ("May") matches only once `text` or the article (`named`)
    has named its term unambiguously, and a month or weekday never where it is a date.
    Linear in the text whatever the glossary's size: each position walks the token trie only as deep as the
    longest term starting with its words.
    """
    root = glossary._index
    if not root:
        return []
    spans = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    folded = [s[2].casefold() for s in spans]
    count = len(spans)
    out: list[TermMatch] = []
    seen: set[Term] = set(named or ())
    i = 0
    while i < count:
        hit = None
        node = root
        j = i
        while j < count:
            node = node.get(folded[j])
            if node is None:
                break
            j += 1
            for candidate in node.get(None, ()):
                if not _fits(candidate, spans, i):
                    continue
                if candidate.common and (candidate.term not in seen or _is_date(folded, i)):
                    continue
                hit = candidate
                break
        if hit is None:
            i += 1
            continue
        last = i + len(hit.tokens) - 1
        end = spans[last][1]
        possessive = (
            last + 2 < count
            and spans[last + 1][2] in _APOSTROPHES
            and spans[last + 1][0] == end
            and folded[last + 2] == "s"
            and spans[last + 2][0] == end + 1
        )
        if possessive:
            end = spans[last + 2][1]
            last += 2
        out.append(TermMatch(hit.term, spans[i][0], end, text[spans[i][0] : end], hit.part, possessive))
        seen.add(hit.term)
        i = last + 1
    return out


def hints(glossary: Glossary, text: str, locale: str, named: frozenset[Term] | None = None) -> list[str]:
    """One "English → target" line per distinct term in `text`, for PO extracted comments."""
    out: list[str] = []
    for match in find_terms(glossary, text, named):
        target = _target_text(match.term, locale, match.part)
        if target is None:
            continue
        line = f"{match.english} → {target}"
        if line not in out:
            out.append(line)
    return out


def _target_text(term: Term, locale: str, part: str) -> str | None:
    form = term.target(locale)
    if form is None:
        return None
    return _last_word(form) if part == "surname" else form


# --- target forms: Russian and Kazakh inflection -------------------------------------------------

RU_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
KK_CASES = ("nom", "gen", "dat", "acc", "loc", "abl", "ins")
_PETROVICH_CASE = {"gent": Case.GENITIVE, "datv": Case.DATIVE, "accs": Case.ACCUSATIVE, "ablt": Case.INSTRUMENTAL, "loct": Case.PREPOSITIONAL}
_PETROVICH_GENDER = {"m": Gender.MALE, "f": Gender.FEMALE}
# A target-side word: letters, hyphenated parts kept together (Касым-Жомарт, Meduza-ға).
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

_morph: pymorphy3.MorphAnalyzer | None = None
_petrovich: Petrovich | None = None


def _analyzer() -> pymorphy3.MorphAnalyzer:
    global _morph
    if _morph is None:
        _morph = pymorphy3.MorphAnalyzer()
    return _morph


def _names() -> Petrovich:
    global _petrovich
    if _petrovich is None:
        _petrovich = Petrovich()
    return _petrovich


def _same_case(model: str, word: str) -> str:
    """`word` with the capitalisation of `model`."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _replace_words(phrase: str, inflect) -> str:
    return _WORD.sub(lambda m: inflect(m.group()), phrase, count=0)


# Foreign names ending in -а after a vowel (Маруа, Моруа, Гарсиа) do not decline in Russian.
_RU_INDECLINABLE = re.compile(r"[аеёиоуыэюя]а$", re.IGNORECASE)


def _ru_person(phrase: str, case: str, gender: str) -> str:
    words = _WORD.findall(phrase)
    last = len(words) - 1
    position = iter(range(len(words)))

    def inflect(word: str) -> str:
        i = next(position)
        if _RU_INDECLINABLE.search(word):
            return word
        how = _names().lastname if i == last else _names().firstname
        try:
            return how(word, _PETROVICH_CASE[case], _PETROVICH_GENDER.get(gender, Gender.ANDRGN))
        except Exception:  # petrovich raises on shapes it has no rule for; the name then stays as written
            return word

    return _replace_words(phrase, inflect)


def _ru_parse(word: str):
    analyzer = _analyzer()
    if not analyzer.word_is_known(word.lower()):
        return None
    parses = [p for p in analyzer.parse(word) if p.tag.case == "nomn" or "Fixd" in p.tag]
    if not parses:
        return None
    parses.sort(key=lambda p: ("Geox" not in p.tag and "Orgn" not in p.tag and "Name" not in p.tag, -p.score))
    return parses[0]


def _ru_phrase(phrase: str, case: str) -> str:
    words = _WORD.findall(phrase)
    parses = [_ru_parse(w) for w in words]
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
        return _same_case(word, form.word) if form else word

    return _replace_words(phrase, inflect)


@lru_cache(maxsize=8192)
def ru_case_forms(phrase: str, kind: str, gender: str) -> dict[str, str]:
    """The Russian name in each case: petrovich for persons (by gender), pymorphy3 for other names."""
    forms = {"nomn": phrase}
    for case in RU_CASES[1:]:
        forms[case] = _ru_person(phrase, case, gender) if kind == "person" else _ru_phrase(phrase, case)
    return forms


# Kazakh case suffixes by the stem's last sound and vowel harmony: (back, front) for each case.
_KK_VOWELS = set("аәеиоөұүыіэюяё")
_KK_BACK = set("аоұыя")  # ё and у, и, ю are left out: they do not decide harmony at the end of loans
_KK_FRONT = set("әөүіеэ")
_LATIN_BACK, _LATIN_FRONT = set("aou"), set("eiy")
_KK_SUFFIXES = {
    # case: {sound class: (back, front)}; classes: V vowel, N м н ң, Z ж з, L л р й у, T voiceless (and б в г д)
    "gen": {"V": ("ның", "нің"), "N": ("ның", "нің"), "Z": ("дың", "дің"), "L": ("дың", "дің"), "T": ("тың", "тің")},
    "acc": {"V": ("ны", "ні"), "N": ("ды", "ді"), "Z": ("ды", "ді"), "L": ("ды", "ді"), "T": ("ты", "ті")},
    "dat": {"V": ("ға", "ге"), "N": ("ға", "ге"), "Z": ("ға", "ге"), "L": ("ға", "ге"), "T": ("қа", "ке")},
    "loc": {"V": ("да", "де"), "N": ("да", "де"), "Z": ("да", "де"), "L": ("да", "де"), "T": ("та", "те")},
    "abl": {"V": ("дан", "ден"), "N": ("нан", "нен"), "Z": ("дан", "ден"), "L": ("дан", "ден"), "T": ("тан", "тен")},
    "ins": {"V": ("мен", "мен"), "N": ("бен", "бен"), "Z": ("бен", "бен"), "L": ("мен", "мен"), "T": ("пен", "пен")},
}
# After the 3rd-person possessive of a compound name (Кеңес Одағы, Азаттық радиосы) a pronominal н joins.
_KK_IZAFET = {"gen": ("ның", "нің"), "acc": ("н", "н"), "dat": ("на", "не"), "loc": ("нда", "нде"), "abl": ("нан", "нен"), "ins": ("мен", "мен")}
# -ғы/-гі after a locative makes the adjective "in X" (Қазақстандағы): a valid form, never a restored one.
_KK_ATTRIBUTIVE = {"да": "ғы", "де": "гі", "та": "ғы", "те": "гі", "нда": "ғы", "нде": "гі"}


def _kk_class(letter: str) -> str:
    letter = letter.lower()
    if letter in _KK_VOWELS or letter in "aeiouy":
        return "V"
    if letter in "мнңmn":
        return "N"
    if letter in "жзz":
        return "Z"
    if letter in "лрйуlrw":
        return "L"
    return "T"


def _kk_front(word: str) -> bool:
    word = word.lower()
    # Russian-style surname endings (-ев, -ов, -ева) take the harmony of the Kazakh root before them.
    stem = re.sub(r"(ев|ов|ёв)$", "", word) or word
    for letter in reversed(stem):
        if letter in _KK_BACK or letter in _LATIN_BACK:
            return False
        if letter in _KK_FRONT or letter in _LATIN_FRONT:
            return True
    return False


@lru_cache(maxsize=8192)
def kk_case_forms(phrase: str) -> dict[str, str]:
    """The Kazakh name with each case suffix on its last word, chosen by the last sound and vowel harmony."""
    words = list(_WORD.finditer(phrase))
    if not words:
        return {case: phrase for case in KK_CASES}
    last = words[-1]
    word = last.group()
    front = _kk_front(word)
    latin = word[-1].lower() in "abcdefghijklmnopqrstuvwxyz"
    izafet = len(words) > 1 and word[-1] in "ыі" and _kk_class(word[-2]) != "V" and not latin
    forms = {"nom": phrase}
    for case in KK_CASES[1:]:
        pair = _KK_IZAFET[case] if izafet else _KK_SUFFIXES[case][_kk_class(word[-1])]
        suffix = pair[1] if front else pair[0]
        # Latin-script names take the suffix after a hyphen (Meduza-ға).
        glued = f"{word}-{suffix}" if latin else word + suffix
        forms[case] = phrase[: last.start()] + glued + phrase[last.end() :]
    return forms


def _kk_suffix_case(suffix: str) -> str | None:
    """Which case a suffix the model glued to a placeholder asks for, in any harmony or voicing variant."""
    suffix = suffix.lower().lstrip("-")
    for case, table in _KK_SUFFIXES.items():
        if any(suffix in pair for pair in table.values()) or suffix in _KK_IZAFET[case]:
            return case
    return None


@dataclass(frozen=True)
class _Target:
    canonical: str
    cases: dict[str, str]  # case -> phrase
    slots: tuple[frozenset[str], ...]  # accepted casefolded words per word position
    case_of_last: dict[str, str]  # casefolded last word -> its case


@lru_cache(maxsize=8192)
def _target(term: Term, locale: str, part: str) -> _Target | None:
    canonical = _target_text(term, locale, part)
    if canonical is None:
        return None
    return _target_for(canonical, locale, term.kind, term.gender)


@lru_cache(maxsize=8192)
def _target_for(canonical: str, locale: str, kind: str, gender: str) -> _Target:
    if locale == "ru":
        cases = ru_case_forms(canonical, kind, gender)
    else:
        cases = kk_case_forms(canonical)
    base = [w.casefold() for w in _WORD.findall(canonical)]
    slots = [{w} for w in base]
    case_of_last: dict[str, str] = {}
    for case, phrase in cases.items():
        words = [w.casefold() for w in _WORD.findall(phrase)]
        if len(words) != len(base):
            continue
        for i, w in enumerate(words):
            slots[i].add(w)
        case_of_last.setdefault(words[-1], case)
    if locale == "kk" and base:
        loc = cases["loc"]
        tail = _WORD.findall(loc)[-1]
        for ending, attributive in _KK_ATTRIBUTIVE.items():
            if tail.endswith(ending):
                slots[-1].add((tail + attributive).casefold())
                break
    return _Target(canonical, cases, tuple(frozenset(s) for s in slots), case_of_last)


# --- finding target forms in a translation -------------------------------------------------------


def _words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _occurrences(target: _Target, words: list[re.Match]) -> list[tuple[int, int]]:
    """Word-index windows where every word is an accepted form of the target's word at that position."""
    size = len(target.slots)
    if not size:
        return []
    folded = [w.group().casefold() for w in words]
    return [
        (i, i + size)
        for i in range(len(words) - size + 1)
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


def _near_miss(word: str, accepted: frozenset[str], canonical_word: str, locale: str) -> str | None:
    """The accepted form a misspelt `word` most likely meant, or None if it is not a near miss."""
    folded = word.casefold()
    if folded in accepted or len(folded) < 5 or folded[:1] != canonical_word.casefold()[:1]:
        return None
    if canonical_word[:1].isupper() and not word[:1].isupper():
        return None
    if locale == "ru" and _analyzer().word_is_known(folded):
        return None  # a real Russian word is the model's choice, not a misspelt name
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
class _Problem:
    start: int
    end: int
    found: str
    replacement: str


def _problems(target: _Target, term: Term, locale: str, part: str, text: str) -> list[_Problem]:
    """Avoided renderings and near-miss spellings of the target in `text`, with their canonical replacement."""
    words = _words(text)
    out: list[_Problem] = []
    taken: set[int] = set()
    for avoided in term.avoid.get(locale, ()) if part == "full" else ():
        wrong = _target_for(avoided, locale, term.kind, term.gender)
        for a, b in _occurrences(wrong, words):
            case = wrong.case_of_last.get(words[b - 1].group().casefold(), "nomn" if locale == "ru" else "nom")
            start, end = words[a].start(), words[b - 1].end()
            out.append(_Problem(start, end, text[start:end], target.cases.get(case, target.canonical)))
            taken.update(range(a, b))
    canonical_words = _WORD.findall(target.canonical)
    for i, w in enumerate(words):
        if i in taken:
            continue
        for position, accepted in enumerate(target.slots):
            meant = _near_miss(w.group(), accepted, canonical_words[position], locale)
            if meant is not None:
                out.append(_Problem(w.start(), w.end(), w.group(), _same_case(canonical_words[position], meant)))
                break
    return out


def _distinct(matches: list[TermMatch]) -> list[TermMatch]:
    seen: set[tuple[str, str]] = set()
    out = []
    for m in matches:
        key = (m.term.english, m.part)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def check_translation(
    glossary: Glossary, source: str, translation: str, locale: str, named: frozenset[Term] | None = None
) -> list[TermFlag]:
    """Flag each term of `source` whose canonical form (in any case form) is missing from `translation`, misspelt or avoided."""
    flags: list[TermFlag] = []
    words = _words(translation)
    for match in _distinct(find_terms(glossary, source, named)):
        target = _target(match.term, locale, match.part)
        if target is None:
            continue
        problems = _problems(target, match.term, locale, match.part, translation)
        label = f"{match.english} → {target.canonical}"
        if problems:
            found = problems[0].found
            flags.append(TermFlag(match.term, target.canonical, found, f"{label}: found {found!r}"))
        elif not _occurrences(target, words):
            flags.append(TermFlag(match.term, target.canonical, "", f"{label}: not found in the translation"))
    return flags


# --- a reviewer's override --------------------------------------------------------------------------

# A translator comment `# glossary-ok: Theresa May` on one PO entry: the reviewer checked that entry's rendering of
# that term (a quote, a nickname, a name left out on purpose) and its flag stops blocking; publish records it.
OVERRIDE_PREFIX = "glossary-ok:"


def overridden_names(comments) -> frozenset[str]:
    """The terms (folded English forms) that `# glossary-ok: NAME` translator comment lines vouch for."""
    names = set()
    for line in comments:
        line = line.strip()
        if line.casefold().startswith(OVERRIDE_PREFIX):
            names.update(_fold(n) for n in line[len(OVERRIDE_PREFIX) :].split(LIST_SEPARATOR) if n.strip())
    return frozenset(names)


def split_overridden(flags: list[TermFlag], comments) -> tuple[list[TermFlag], list[TermFlag]]:
    """(flags that stand, flags a `# glossary-ok:` comment overrides); the comment names the term or a variant."""
    names = overridden_names(comments)
    stand, overridden = [], []
    for flag in flags:
        forms = {_fold(flag.term.english), *(_fold(v) for v in flag.term.variants)}
        (overridden if forms & names else stand).append(flag)
    return stand, overridden


# --- masking through machine translation ---------------------------------------------------------

PLACEHOLDER_PREFIX = "ZXQ"
# Tolerant of what a SentencePiece model does to an unknown token: spaces inside it, changed case, a case
# suffix glued on (ZXQ3ға, ZXQ3-ға, ZXQ3е).
_PLACEHOLDER = re.compile(r"(?<![^\W\d_])z\s?x\s?q\s?(\d{1,4})(?!\d)(-?[^\W\d_]+)?", re.IGNORECASE)

# English words before a name that say which case the name takes.
_EN_DIRECTION = {"to", "into", "onto", "toward", "towards", "against", "enter", "entering", "entered", "enters"}
_EN_PLACE = {"in", "at", "inside", "within"}
_EN_SOURCE = {"from"}
_EN_WITH = {"with"}
_EN_OF = {"of"}
_RU_PREPOSITION_CASE = {
    **dict.fromkeys("из от до для без у около после против среди вокруг кроме возле мимо вдоль напротив из-за из-под".split(), "gent"),
    **dict.fromkeys("к ко по благодаря согласно".split(), "datv"),
    **dict.fromkeys("о об обо при".split(), "loct"),
    **dict.fromkeys("между над под перед за".split(), "ablt"),
    **dict.fromkeys("через про сквозь".split(), "accs"),
}


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
    # "according to X" is X's words: genitive in both languages (Маруа Ескендірованың айтуынша, по словам ...ой).
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


def _ru_case(slot: Slot, before: str, suffix: str, target: _Target) -> tuple[str, str]:
    """(case, leftover suffix) for a restored Russian name, from a glued ending, the preposition before it, or the English cue."""
    if suffix:
        nominative = _WORD.findall(target.canonical)[-1].casefold()
        for case, phrase in target.cases.items():
            last = _WORD.findall(phrase)[-1].casefold()
            common = 0
            while common < min(len(last), len(nominative)) and last[common] == nominative[common]:
                common += 1
            if case != "nomn" and last[common:] == suffix.casefold().lstrip("-"):
                return case, ""
    m = re.search(r"([^\W\d_]+(?:-[^\W\d_]+)?)[\s«\"]*$", before)
    preposition = m.group(1).lower() if m else ""
    if preposition in ("в", "во", "на"):
        return ("accs" if slot.cue in _EN_DIRECTION else "loct"), suffix
    if preposition in ("с", "со"):
        return ("gent" if slot.cue in _EN_SOURCE else "ablt"), suffix
    if preposition in _RU_PREPOSITION_CASE:
        return _RU_PREPOSITION_CASE[preposition], suffix
    if slot.possessive or slot.cue in _EN_OF:
        return "gent", suffix
    return "nomn", suffix


def _kk_case(slot: Slot, suffix: str) -> tuple[str, str]:
    if suffix:
        case = _kk_suffix_case(suffix)
        if case is not None:
            return case, ""
    if slot.possessive or slot.cue in _EN_OF:
        return "gen", suffix
    if slot.cue in _EN_DIRECTION:
        return "dat", suffix
    if slot.cue in _EN_PLACE:
        return "loc", suffix
    if slot.cue in _EN_SOURCE:
        return "abl", suffix
    if slot.cue in _EN_WITH:
        return "ins", suffix
    return "nom", suffix


def finish(prepared: Prepared, model_output: str) -> str:
    """Restore placeholders in the model's output (names inflected for their context), then repair near-miss terms.

    A placeholder the model dropped is not reinvented: the check then flags the term as missing.
    """
    by_number = {slot.token[len(PLACEHOLDER_PREFIX) :]: slot for slot in prepared.slots}

    def restore(m: re.Match) -> str:
        slot = by_number.get(str(int(m.group(1))))
        suffix = m.group(2) or ""
        if slot is None:
            return m.group(0)
        if slot.term is None:
            return slot.original + suffix
        target = _target(slot.term, prepared.locale, slot.part)
        if target is None:
            return slot.original + suffix
        if prepared.locale == "ru":
            case, rest = _ru_case(slot, model_output[: m.start()], suffix, target)
        else:
            case, rest = _kk_case(slot, suffix)
        return target.cases.get(case, target.canonical) + rest

    restored = _PLACEHOLDER.sub(restore, model_output)
    return repair(prepared, restored)


def repair(prepared: Prepared, text: str) -> str:
    """Rewrite avoided renderings and near-miss spellings of the source's terms to their canonical form."""
    problems: list[_Problem] = []
    for match in _distinct(list(prepared.matches)):
        target = _target(match.term, prepared.locale, match.part)
        if target is not None:
            problems.extend(_problems(target, match.term, prepared.locale, match.part, text))
    problems.sort(key=lambda p: (p.start, -p.end))
    out: list[str] = []
    position = 0
    for p in problems:
        if p.start < position:
            continue
        out.append(text[position : p.start])
        out.append(p.replacement)
        position = p.end
    out.append(text[position:])
    return "".join(out)
