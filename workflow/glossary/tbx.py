"""TBX, the terminology exchange format CAT tools read: writing TBX-Basic with one langSet per target
locale, and reading TBX 2 and 3 in whatever encoding the file declares, refusing DOCTYPE and entities."""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from workflow.errors import InputError
from workflow.glossary.files import column_locale
from workflow.glossary.terms import AVOID_PREFIX, Term, join_list, term_from_cells, validate
from workflow.storage import decode_utf8

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PREFERRED, _ADMITTED, _DEPRECATED = "preferredTerm-admn-sts", "admittedTerm-admn-sts", "deprecatedTerm-admn-sts"
_TBX_GENDER = {"m": "masculine", "f": "feminine"}
SOURCE_LANG = "en"


def to_tbx(terms: tuple[Term, ...], locales: tuple[str, ...] | None = None) -> str:
    """TBX-Basic (`martif`, termEntry/langSet/tig) as OmegaT, memoQ and Weblate read it; a langSet per locale."""
    if locales is None:
        locales = tuple(dict.fromkeys(loc for t in terms for loc in t.targets))
    root = ET.Element("martif", {"type": "TBX-Basic", _XML_LANG: SOURCE_LANG})
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
        sets = [(SOURCE_LANG, term.english, [(v, _ADMITTED) for v in term.variants])]
        sets += [(loc, term.targets[loc], [(v, _DEPRECATED) for v in term.avoid.get(loc, ())]) for loc in locales if term.targets.get(loc)]
        for locale, main, others in sets:
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


def _decode_xml(data: bytes, path: Path | None) -> str:
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
            raise InputError(f"unknown encoding {encoding!r} in the XML declaration; save the TBX file as UTF-8", path, 1) from None
        # A file re-saved as UTF-8 under its old declaration decodes without error, as mojibake. Real
        # single-byte text is (almost) never valid UTF-8, so non-ASCII bytes that are mean the declaration lies.
        if not codec.name.startswith("utf") and not data.isascii() and _is_utf8(data):
            raise InputError(
                f'the XML declaration says {encoding} but the file is UTF-8 text; change it to encoding="UTF-8" '
                f"(or save the file as {encoding})",
                path,
                1,
            )
    advice = "save the TBX file as UTF-8 or declare its encoding in <?xml ... encoding=...?>"
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        return decode_utf8(data, path, advice).removeprefix("\ufeff")
    # Other encodings (UTF-16/32, a declared legacy one) count lines in their own code units, which the
    # UTF-8 decoder's byte count of b"\n" would get wrong.
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, "replace").count("\n") + 1
        raise InputError(
            f"not {label} text (byte 0x{data[exc.start]:02x}); {advice}",
            path,
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


def _locale_of(lang: str, locales: tuple[str, ...] | None) -> str:
    """The target locale a TBX language tag (kk-KZ, ru) stands for: one of `locales` if given."""
    tag = lang.replace("-", "_")
    base = tag.split("_")[0].lower()
    if not re.fullmatch(r"[a-z]{2,3}", base):
        return ""  # not a language tag: nothing to read it as
    if locales is None:
        return base
    exact = next((loc for loc in locales if loc.lower() == tag.lower()), None)
    # Another locale of the language stands in only in the same script: an sr-Cyrl form is no sr_Latn form.
    return exact or next((loc for loc in locales if loc.split("_")[0].lower() == base and _same_script(tag, loc)), "")


def _same_script(tag: str, locale: str) -> bool:
    from workflow.languages import language

    try:
        return language(column_locale(tag)).script == language(locale).script
    except (ValueError, LookupError):  # a tag Babel cannot place (kk_XX): its language decides, as before
        return True


def parse_tbx(data: bytes, path: Path | None = None, locales: tuple[str, ...] | None = None) -> tuple[Term, ...]:
    """Read TBX 2 (`martif`: termEntry/langSet/tig|ntig) or TBX 3 (`tbx`: conceptEntry/langSec/termSec) terms.

    With `locales` only those languages are read and each needs a form; without, every language the file has.
    """
    text = _decode_xml(data, path)
    declaration = re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE)
    if declaration:
        line = text.count("\n", 0, declaration.start()) + 1
        raise InputError("DOCTYPE and ENTITY declarations are not accepted in TBX (they can pull in or blow up data)", path, line)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(f"not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc}".split(": line")[0], path, exc.position[0]) from None
    if _local(root.tag) not in ("martif", "tbx"):
        raise InputError(f"not a TBX file: the root element is <{_local(root.tag)}>, not <martif> or <tbx>", path, 1)
    entries = [e for e in root.iter() if _local(e.tag) in ("termEntry", "conceptEntry")]
    rows = [(_where(number, entry), _cells(entry, locales)) for number, entry in enumerate(entries, start=1)]
    found = tuple(locales) if locales is not None else tuple(dict.fromkeys(loc for _, (cells, _) in rows for loc in cells["_targets"]))
    terms = []
    for where, (cells, avoid) in rows:
        for locale in found:
            cells[AVOID_PREFIX + locale] = join_list(tuple(avoid.get(locale, ())))
        cells.update(cells.pop("_targets"))
        try:
            terms.append(term_from_cells(cells, found, path, None))
        except InputError as exc:
            raise InputError(f"{where}: {exc.message}", path) from None
    validate(tuple(terms), path, [None] * len(terms))
    return tuple(terms)


def _where(number: int, entry: ET.Element) -> str:
    return f"{_local(entry.tag)} {entry.get('id') or number}"


def _cells(entry: ET.Element, locales: tuple[str, ...] | None) -> tuple[dict, dict[str, list[str]]]:
    """One entry's cells (targets under "_targets") and its deprecated forms per locale."""
    cells: dict = {"english": "", "kind": "", "gender": "", "note": "", "_targets": {}}
    variants: list[str] = []
    avoid: dict[str, list[str]] = {}
    for element in entry:
        name = _local(element.tag)
        if name == "descrip" and element.get("type") == "x-kind":
            cells["kind"] = (element.text or "").strip()
        elif name == "note":
            cells["note"] = (element.text or "").strip()
    for lang_set in (e for e in entry if _local(e.tag) in ("langSet", "langSec")):
        lang = lang_set.get(_XML_LANG) or lang_set.get("lang") or ""
        source = lang.replace("-", "_").split("_")[0].lower() == SOURCE_LANG
        locale = "" if source else _locale_of(lang, locales)
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
            if source:
                if status == _PREFERRED and not cells["english"]:
                    cells["english"] = value
                else:
                    variants.append(value)
            elif not locale:
                continue  # a language the project does not translate into
            elif status == _PREFERRED and not cells["_targets"].get(locale):
                cells["_targets"][locale] = value
            elif status == _DEPRECATED:
                avoid.setdefault(locale, []).append(value)
    cells["variants"] = join_list(tuple(variants))
    if not cells["kind"]:
        cells["kind"] = "person" if cells["gender"] else "other"
    return cells, avoid
