"""The glossary CSV a spreadsheet opens: reading and validating it (comma, semicolon or tab, a BOM, formula
cells neutralised), writing it back byte for byte, and changing it under the project lock."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from pathlib import Path

from babel import localedata

from workflow.errors import InputError
from workflow.glossary.terms import AVOID_PREFIX, Glossary, Term, columns, join_list, term_from_cells, validate
from workflow.storage import TEMP_SUFFIX, atomic_write, decode_utf8, project_lock, read_file

_FIXED = ("english", "kind", "gender", "note", "variants")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def load_glossary(path: Path, locales: tuple[str, ...] | None = None) -> Glossary:
    """Read and validate a glossary CSV (or TBX, by extension); a missing file is an empty glossary.

    `locales` (the project's target locales) name the columns a missing or empty file should have.
    """
    from workflow.glossary.tbx import parse_tbx

    path = Path(path)
    try:
        data = read_file(path)
    except FileNotFoundError:
        return Glossary(path, (), tuple(locales or ()))
    if path.suffix.lower() == ".tbx":
        terms = parse_tbx(data, path, locales)
        return Glossary(path, terms, tuple(locales) if locales else ())
    text = decode_utf8(data, path, "save the glossary as UTF-8 CSV").removeprefix("\ufeff")  # spreadsheets save UTF-8 CSV with a BOM
    terms, found = read_csv(text, path, locales)
    return Glossary(path, terms, found)


def project_glossary(project) -> Glossary:
    """The project's glossary, read for its target locales: TBX forms for sr_Latn or pt_BR are keyed by those locales."""
    return load_glossary(project.glossary_path, project.locales)


def save_glossary(glossary: Glossary, path: Path | None = None) -> bool:
    """Write the glossary atomically, as TBX for a .tbx file and CSV otherwise; False if the file already had these bytes. Hold the project lock."""
    from workflow.glossary.tbx import to_tbx

    target = Path(path or glossary.path)
    # A save killed before its rename leaves `.terms.csv.XXXX.tmp` beside the file; only this file's temps
    # are ours to remove, as the glossary may sit in a folder with other files.
    for stale in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
        stale.unlink(missing_ok=True)
    # `paths.glossary` may name a TBX file: CSV bytes in it would be a glossary no command can read.
    text = to_tbx(glossary.terms, glossary.locales) if target.suffix.lower() == ".tbx" else to_csv(glossary.terms, glossary.locales)
    return atomic_write(target, text)


def update_glossary(project, change: Callable[[Glossary], Glossary], *, wait: bool = False) -> Glossary:
    """Apply `change(glossary)` to the project's glossary under the project lock and save it atomically."""
    with project_lock(project.root, wait):
        updated = change(project_glossary(project))
        save_glossary(updated, project.glossary_path)
    return updated


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


def term_row(term: Term, locales: tuple[str, ...]) -> list[str]:
    """A term as the CSV cells of `columns(locales)`, before formula escaping."""
    return [
        term.english,
        *(term.targets.get(loc, "") for loc in locales),
        term.kind,
        term.gender,
        term.note,
        join_list(term.variants),
        *(join_list(term.avoid.get(loc, ())) for loc in locales),
    ]


def to_csv(terms: tuple[Term, ...], locales: tuple[str, ...] | None = None) -> str:
    """The glossary CSV (columns for `locales`, default the terms'); formula-like cells get a leading apostrophe."""
    if locales is None:
        locales = tuple(dict.fromkeys(loc for t in terms for loc in t.targets))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns(locales))
    for term in terms:
        writer.writerow([_escape_cell(cell) for cell in term_row(term, tuple(locales))])
    return buffer.getvalue()


@functools.cache
def _babel_locales() -> dict[str, str]:
    return {code.lower(): code for code in localedata.locale_identifiers()}


def _column_name(cell: str) -> str:
    """A header cell as the column it names: fixed names lowercase, locale codes as Babel spells them (sr_Latn)."""
    name = cell.strip().lower()
    if name in _FIXED:
        return name
    if name.startswith(AVOID_PREFIX):
        return AVOID_PREFIX + _babel_locales().get(name[len(AVOID_PREFIX) :], name[len(AVOID_PREFIX) :])
    return _babel_locales().get(name, name)


def column_locale(code: str) -> str:
    """A locale code spelt as the column reader spells a header cell (KK is kk, sr_latn is sr_Latn)."""
    return _babel_locales().get(code.strip().lower(), code.strip())


def _is_locale_column(name: str) -> bool:
    return name not in _FIXED and not name.startswith(AVOID_PREFIX) and name in _babel_locales().values()


def parse_csv(text: str, path: Path | None = None, locales: tuple[str, ...] | None = None) -> tuple[Term, ...]:
    """Parse and validate glossary CSV text: its locale columns are those the header names; errors name `path` and line.

    `locales` only say which columns an empty file should have.
    """
    return read_csv(text, path, locales)[0]


def read_csv(text: str, path: Path | None = None, locales: tuple[str, ...] | None = None) -> tuple[tuple[Term, ...], tuple[str, ...]]:
    """(terms, the target locale columns the header names, in order) of glossary CSV text."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    header: list[str] | None = None
    found: tuple[str, ...] = ()
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
                header = [_column_name(cell) for cell in row]
                width = len(header)  # empty columns a spreadsheet saved past the last one used: empty in every row
                while header and not header[-1]:
                    header.pop()
                header_line = line
                found = tuple(dict.fromkeys(c for c in header if _is_locale_column(c)))
                _check_header(header, found, path, line)
                continue
            if len(row) > width or any(cell.strip() for cell in row[len(header) :]):
                raise InputError(f"{len(row)} cells but the header has {len(header)} columns", path, line)
            # Only spaces are padding; a tab or line break inside a note is content and survives the round trip.
            cells = {name: _unescape_cell(row[i].strip(" ")) if i < len(row) else "" for i, name in enumerate(header)}
            terms.append(term_from_cells(cells, found, path, line))
            lines.append(line)
    except csv.Error as exc:
        # Strict parsing: an unclosed quote must not swallow the rows after it into one cell.
        reason = "a quoted cell starting on this line is never closed" if "end of data" in str(exc) else str(exc)
        raise InputError(f"not valid CSV: {reason}", path, previous_end + 1) from None
    if header is None:
        wanted = ", ".join(columns(locales or ("LOCALE",)))
        raise InputError(f"empty glossary: the first row must name the columns ({wanted})", path, header_line)
    validate(tuple(terms), path, lines)
    return tuple(terms), found


def _delimiter(text: str) -> str:
    """The header row's delimiter: Excel saves "CSV" with semicolons (or tabs) where the decimal mark is a comma."""
    # Only the header decides: in a comma file, the variants and avoid_* cells hold ";"-separated lists.
    header = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _check_header(header: list[str], locales: tuple[str, ...], path: Path | None, line: int) -> None:
    wanted = columns(locales)
    missing = [c for c in wanted if c not in header]
    if missing:
        raise InputError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (the header must name: {', '.join(wanted)})", path, line)
    unknown = [c for c in header if c not in wanted]
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r} (columns: {', '.join(wanted)})", path, line)
    seen = set()
    for c in header:
        if c in seen:
            raise InputError(f"column {c!r} appears twice in the header", path, line)
        seen.add(c)
