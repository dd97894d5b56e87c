"""The PO file format: entries and catalogs as frozen values, read strictly and rendered the way polib writes.

What the workflow's own comment lines mean (`# machine:`, `#. kind:`, ...) is defined here too, so
that every reader of a catalog (review, merge, memory, exchange) agrees on them. Merging is catalog.py's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import polib
from babel.messages.plurals import get_plural

from workflow.errors import InputError
from workflow.languages import display_name
from workflow.storage import decode_utf8, read_file

MACHINE_PREFIX = "machine: "
# A draft a model offers for an entry that holds a translator's text: a comment beside it, never over it.
OFFERED_PREFIX = "machine draft"
# "# machine: translate-en_ru 1.9 sha1:0a1b2c3d": the hash of the draft as the model wrote it, so an
# untouched draft (replaceable) can be told from one a translator edited or accepted (human work).
DRAFT_HASH = re.compile(r"\s+sha1:([0-9a-f]{8})$")
# Translation-memory provenance: "tm: <origin>" (exact), "tm 92%: <origin>" (fuzzy draft or hint).
TM_COMMENT = re.compile(r"^tm(?: \d{1,2}%)?: ")
KIND_PREFIX = "kind: "
GLOSSARY_PREFIX = "glossary: "
CONFIDENCE_PREFIX = "confidence: "  # the model's own score for its draft, 0-1 (review orders the queue by it)
FUZZY = "fuzzy"
WRAP_WIDTH = 78
DATE_FORMAT = "%Y-%m-%d %H:%M%z"
TEMPLATE_REVISION = "YEAR-MO-DA HO:MI+ZONE"
# Header fields this module owns, in the order written; any other field a translator's tool added is kept.
_DATE_FIELDS = ("POT-Creation-Date", "PO-Revision-Date")


@dataclass(frozen=True)
class CatalogEntry:
    """One PO entry, without polib: what review and merge need to know."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    fuzzy: bool = False
    obsolete: bool = False
    previous_msgid: str | None = None
    references: tuple[str, ...] = ()  # "articles/x.md:12"
    extracted: tuple[str, ...] = ()  # `#.` lines: kind and glossary hints, rewritten from the article each run
    comments: tuple[str, ...] = ()  # `#` translator comment lines, never rewritten except our `machine:` line
    flags: tuple[str, ...] = ()  # flags other than fuzzy, kept as found
    line: int | None = None  # where the entry starts in the file it was read from
    # Plural entries are never ours (segments are sentences): a translator's, kept as found, obsolete.
    msgid_plural: str | None = None
    msgstr_plural: tuple[str, ...] = ()  # msgstr[0], msgstr[1], ...

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def confidence(self) -> float | None:
        """The model's score for this draft (`#. confidence: 0.83`), if a model wrote it."""
        for line in self.extracted:
            if line.startswith(CONFIDENCE_PREFIX):
                try:
                    return float(line[len(CONFIDENCE_PREFIX) :])
                except ValueError:
                    return None
        return None

    @property
    def provenance(self) -> str | None:
        """The model package named by the `# machine:` comment, if a model wrote this translation."""
        for comment in self.comments:
            if comment.startswith(MACHINE_PREFIX):
                return DRAFT_HASH.sub("", comment[len(MACHINE_PREFIX) :].strip()) or None
        return None

    @property
    def machine_draft(self) -> bool:
        """A fuzzy translation still exactly as a model wrote it: the only kind a new draft may replace."""
        if not (self.msgstr and self.fuzzy):
            return False
        for comment in self.comments:
            # The first provenance line: a model's (`machine:`) or the translation memory's (`tm:`).
            if comment.startswith(MACHINE_PREFIX) or TM_COMMENT.match(comment):
                m = DRAFT_HASH.search(comment.strip())
                return m is not None and m.group(1) == draft_hash(self.msgstr)
        return False


@dataclass(frozen=True)
class Catalog:
    """A parsed PO or POT file."""

    path: Path
    header: tuple[tuple[str, str], ...]
    header_comment: str
    entries: tuple[CatalogEntry, ...]  # active entries, file order
    obsolete: tuple[CatalogEntry, ...] = ()

    def field(self, name: str) -> str | None:
        return next((v for k, v in self.header if k == name), None)


def draft_hash(msgstr: str) -> str:
    """The short hash the `# machine:` comment carries of the draft it came with."""
    return hashlib.sha1(msgstr.encode("utf-8")).hexdigest()[:8]


# --- reading -----------------------------------------------------------------------------------------

_POLIB_LINE = re.compile(r"\(line (\d+)\)(?::\s*(.*))?")


def read_catalog(path: Path) -> Catalog:
    """Parse a PO/POT file strictly: syntax, UTF-8 bytes and charset, duplicate entries raise InputError."""
    path = Path(path)
    try:
        data = read_file(path)
    except FileNotFoundError:
        raise InputError("no such catalog file", path) from None
    text = decode_utf8(data, path, "catalogs must be saved as UTF-8").removeprefix("\ufeff")
    _check_lines(text, path)
    hidden, restore = _hide_line_like(text)
    try:
        po = polib.pofile(hidden, wrapwidth=WRAP_WIDTH, encoding="utf-8")
    except (OSError, ValueError) as exc:
        message = str(exc)
        m = _POLIB_LINE.search(message)
        detail = (m.group(2) or "").strip() if m else ""
        raise InputError(
            f"PO syntax error{': ' + detail if detail else ''}; fix the file in a PO editor or restore it",
            path,
            int(m.group(1)) if m else None,
        ) from None
    charset_line = _line_of(text, '"Content-Type:')
    content_type = po.metadata.get("Content-Type", "")
    charset = re.search(r"charset=([\w.-]+)", content_type)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise InputError(
            f"charset is {charset.group(1)}, not UTF-8; set 'Content-Type: text/plain; charset=UTF-8' and save as UTF-8",
            path,
            charset_line,
        )
    active: list[CatalogEntry] = []
    obsolete: list[CatalogEntry] = []
    seen: dict[tuple[bool, str | None, str], int | None] = {}
    for raw in po:
        entry = _from_polib(raw, restore)
        where = (entry.obsolete, entry.msgctxt, entry.msgid)
        if where in seen:
            raise InputError(
                f"duplicate entry for msgid {_short(entry.msgid)!r} (first at line {seen[where]}); keep only one",
                path,
                entry.line,
            )
        seen[where] = entry.line
        (obsolete if entry.obsolete else active).append(entry)
    return Catalog(
        path=path,
        header=tuple((restore(k), restore(v)) for k, v in po.metadata.items()),
        header_comment=restore(po.header),
        entries=tuple(active),
        obsolete=tuple(obsolete),
    )


_KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)(?:\s+|(?=\"))(.*)$")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


# A PO file breaks lines only at "\n" (GNU gettext), but str.splitlines(), which polib uses, also breaks at
# these: a sentence holding one would be cut in two mid-string and the file we wrote would not read back.
_LINE_LIKE = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _lines(text: str) -> list[str]:
    """The file's lines as gettext counts them (a final "\r" of CRLF files is left for strip())."""
    return text.split("\n")


def _hide_line_like(text: str):
    """`text` with every line-like character swapped for a private-use one absent from it, and the undo."""
    present = [c for c in _LINE_LIKE if c in text]
    if not present:
        return text, lambda s: s
    spare = (chr(cp) for cp in range(0xE000, 0xF900) if chr(cp) not in text)
    there = {c: next(spare) for c in present}
    back = str.maketrans({v: k for k, v in there.items()})
    return text.translate(str.maketrans(there)), lambda s: s.translate(back) if s else s


def _check_lines(text: str, path: Path) -> None:
    """Reject lines polib would silently accept but GNU msgfmt refuses: every string must be quoted."""
    for number, raw in enumerate(_lines(text), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            line = line[2:].strip()
            if line.startswith(("|", "#")):
                continue
        elif line.startswith("#"):
            continue
        if not line:
            continue
        m = _KEYWORD.match(line)
        if not m and not line.startswith('"'):
            word = line.split()[0]
            raise InputError(f"PO syntax error: unknown keyword {_short(word, 20)!r}; fix the file in a PO editor or restore it", path, number)
        value = m.group(2).strip() if m else line
        if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
            raise InputError("PO syntax error: text must be in double quotes; fix the file in a PO editor or restore it", path, number)
        if not _QUOTED.fullmatch(value):
            raise InputError("PO syntax error: unescaped double quote found; fix the file in a PO editor or restore it", path, number)


def _from_polib(raw: polib.POEntry, restore=lambda s: s) -> CatalogEntry:
    flags = tuple(f for f in raw.flags if f != FUZZY)
    return CatalogEntry(
        msgid=restore(raw.msgid),
        msgstr=restore(raw.msgstr),
        msgctxt=restore(raw.msgctxt),
        fuzzy=FUZZY in raw.flags,
        obsolete=bool(raw.obsolete),
        previous_msgid=restore(raw.previous_msgid),
        references=tuple(restore(f"{f}:{n}" if n else f) for f, n in raw.occurrences),
        extracted=tuple(restore(raw.comment).split("\n")) if raw.comment else (),
        comments=tuple(restore(raw.tcomment).split("\n")) if raw.tcomment else (),
        flags=flags,
        line=raw.linenum,
        msgid_plural=restore(raw.msgid_plural) or None,
        msgstr_plural=tuple(restore(raw.msgstr_plural[i]) for i in sorted(raw.msgstr_plural)),
    )


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(_lines(text), start=1):
        if line.startswith(needle):
            return number
    return None


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- rendering -----------------------------------------------------------------------------------------


def render_catalog(catalog: Catalog) -> str:
    """The file text polib writes for `catalog` (header, active entries, then obsolete ones)."""
    po = polib.POFile(wrapwidth=WRAP_WIDTH, encoding="utf-8")
    po.header = catalog.header_comment
    po.metadata = dict(catalog.header)
    for entry in (*catalog.entries, *catalog.obsolete):
        po.append(_to_polib(entry))
    return str(po)


def _to_polib(entry: CatalogEntry) -> polib.POEntry:
    occurrences = []
    for ref in entry.references:
        name, _, number = ref.rpartition(":")
        occurrences.append((name, number) if name and number.isdigit() else (ref, ""))
    plural = dict(enumerate(entry.msgstr_plural)) if entry.msgid_plural else {}
    return polib.POEntry(
        msgid=entry.msgid,
        msgstr=entry.msgstr,
        msgid_plural=entry.msgid_plural or "",
        msgstr_plural=plural,
        msgctxt=entry.msgctxt,
        obsolete=entry.obsolete,
        # polib cannot read `#~|` back, so an obsolete entry's previous msgid would not survive a round trip.
        previous_msgid=None if entry.obsolete else entry.previous_msgid,
        occurrences=[] if entry.obsolete else occurrences,
        comment="" if entry.obsolete else "\n".join(entry.extracted),
        tcomment="\n".join(entry.comments),
        flags=([FUZZY] if entry.fuzzy else []) + list(entry.flags),
    )


def body_text(catalog: Catalog) -> str:
    """The entries alone, as written: equal bodies mean nothing a translator or model did has changed."""
    return render_catalog(replace(catalog, header=(), header_comment=""))


# --- headers ---------------------------------------------------------------------------------------------


def stamp(now: dt.datetime) -> str:
    """`now` as PO headers write dates (UTC when naive)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.strftime(DATE_FORMAT)


def plural_forms(locale: str) -> str:
    """The Plural-Forms header for `locale`, from Babel's locale data."""
    return get_plural(locale).plural_forms


def po_header(old: Catalog | None, slug: str, locale: str, pot_date: str, revision: str) -> tuple[tuple[str, str], ...]:
    """A catalog's header: the fields the workflow owns, then any other a translator's tool added to `old`."""
    previous = dict(old.header) if old else {}
    ours = {
        "Project-Id-Version": slug,
        "POT-Creation-Date": pot_date,
        "PO-Revision-Date": revision,
        "Last-Translator": previous.get("Last-Translator") or "machine translation, not yet reviewed",
        "Language-Team": previous.get("Language-Team") or f"{display_name(locale)} <{locale}@li.org>",
        "Language": locale,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(locale),
    }
    extra = [(k, v) for k, v in previous.items() if k not in ours]
    return (*ours.items(), *extra)


def pot_header(slug: str, created: str) -> tuple[tuple[str, str], ...]:
    """A template's header, as xgettext writes one."""
    return (
        ("Project-Id-Version", slug),
        ("POT-Creation-Date", created),
        ("PO-Revision-Date", TEMPLATE_REVISION),
        ("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"),
        ("Language-Team", "LANGUAGE <LL@li.org>"),
        ("Language", ""),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    )


def undated(header: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The header without its dates: equal undated headers mean nothing but the clock changed."""
    return tuple((k, v) for k, v in header if k not in _DATE_FIELDS)
