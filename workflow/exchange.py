"""XLIFF 1.2 exchange with CAT tools (OmegaT, memoQ, Trados): one article in one locale per file.

Export marks reviewed entries final and approved, drafts needs-review, and carries provenance and
glossary hints as notes. Import merges like a translator's edit in a PO editor: a unit approved in
the CAT tool (approved="yes", or state final/signed-off) becomes reviewed; any other target becomes a
fuzzy draft, and never replaces reviewed work; a translation reviewed in the PO after the export is
never overwritten by the older one in the file. A file made for another version of the article's
text is refused whole, with one line.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from workflow import catalog as catalog_mod
from workflow.articles import Article, read_article
from workflow.errors import InputError
from workflow.project import Project, check_locale
from workflow.review import REVIEWED, UNTRANSLATED, review_article
from workflow.storage import decode_utf8, read_named

NS = "urn:oasis:names:tc:xliff:document:1.2"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_FINAL_STATES = {"final", "signed-off"}
# XLIFF 1.0 XML allows DEL and the C1 controls (ESC's 8-bit form \x9b starts a terminal sequence): text only.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TOOL = "newsroom-workflow"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _base(text: str) -> str:
    # What the PO held at export: import tells a translation reviewed since then from the one exported.
    return "base:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def to_xliff(project: Project, article: Article, locale: str, glossary=None) -> str:
    """The article's catalog in `locale` as XLIFF 1.2 (InputError if the catalog is missing or stale)."""
    review = review_article(project, article, locale, glossary)
    if not review.exists:
        raise InputError(f"no catalog yet: run `workflow translate {article.slug} --locale {locale}` first", review.po_path)
    ET.register_namespace("", NS)
    root = ET.Element(_q("xliff"), {"version": "1.2"})
    file_ = ET.SubElement(
        root,
        _q("file"),
        {
            "original": project.relative(article.path),
            "source-language": project.source_locale,
            "target-language": locale,
            "datatype": "plaintext",
            "tool-id": TOOL,
        },
    )
    header = ET.SubElement(file_, _q("header"))
    ET.SubElement(header, _q("tool"), {"tool-id": TOOL, "tool-name": TOOL})
    body = ET.SubElement(file_, _q("body"))
    for e in review.entries:
        attrs = {"id": e.segment.id, "extradata": _base(e.msgstr)}
        if e.status == REVIEWED:
            attrs["approved"] = "yes"
        unit = ET.SubElement(body, _q("trans-unit"), attrs)
        ET.SubElement(unit, _q("source"), {_XML_SPACE: "preserve"}).text = e.msgid
        if e.status != UNTRANSLATED:
            state = "final" if e.status == REVIEWED else "needs-review-translation"
            ET.SubElement(unit, _q("target"), {"state": state, _XML_SPACE: "preserve"}).text = e.msgstr
        notes = [("workflow", f"status: {e.status}")]
        if e.provenance:
            notes.append(("workflow", f"machine: {e.provenance}"))
        if e.previous_msgid:
            notes.append(("workflow", f"previous source: {e.previous_msgid}"))
        notes += [("glossary", h) for h in _hints(glossary, e.msgid, locale)]
        notes += [("checks", flag) for flag in (*e.flags, *e.warnings)]
        for origin, text in notes:
            ET.SubElement(unit, _q("note"), {"from": origin}).text = text
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _hints(glossary, text: str, locale: str) -> list[str]:
    if glossary is None:
        return []
    from workflow.glossary import hints

    return list(hints(glossary, text, locale))


@dataclass(frozen=True)
class Change:
    """What importing one unit does to its PO entry."""

    segment: str  # segment id
    msgstr: str
    reviewed: bool  # lands accepted (True) or as a fuzzy draft (False)


@dataclass(frozen=True)
class XliffImport:
    """An XLIFF file read and checked against its article and catalog; nothing written yet."""

    article: Article
    locale: str
    changes: tuple[Change, ...]
    kept: tuple[str, ...]  # segment ids whose newer reviewed translation in the PO the file's would overwrite


def _line_of(text: str, needle: str) -> int | None:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def read_xliff(project: Project, path: Path) -> XliffImport:
    """Read and check an XLIFF 1.2 file for import: every unit must match its article's current text."""
    data = read_named(path, project.root)
    text = decode_utf8(data, path, "save the XLIFF file as UTF-8").removeprefix("\ufeff")
    declaration = re.search(r"<!ENTITY|<!DOCTYPE[^>]*\[", text, re.IGNORECASE)
    if declaration:
        raise InputError(
            "ENTITY declarations and DOCTYPE internal subsets are not accepted in XLIFF (they can pull in or blow up data)",
            path, text.count("\n", 0, declaration.start()) + 1,
        )
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise InputError(f"not well-formed XML: {str(exc).split(': line')[0]}", path, exc.position[0]) from None
    if root.tag != _q("xliff") or root.get("version") != "1.2":
        raise InputError("not an XLIFF 1.2 file (root <xliff version=\"1.2\"> in the 1.2 namespace expected)", path, 1)
    files = root.findall(_q("file"))
    if len(files) != 1:
        raise InputError(f"expected one <file> (one article in one locale), found {len(files)}", path, 1)
    file_ = files[0]
    locale = check_locale(file_.get("target-language") or "", path, _line_of(text, "target-language"))
    if locale not in project.locales:
        raise InputError(f"target-language {locale!r} is not a target of this project ({', '.join(project.locales)})", path, _line_of(text, "target-language"))
    original = file_.get("original") or ""
    source_path = (project.root / original).resolve()
    if not original or not source_path.is_relative_to(project.articles_dir.resolve()) or source_path.suffix != ".md":
        raise InputError(f"original {original!r} is not an article of this project", path, _line_of(text, "original="))
    if not source_path.is_file():
        raise InputError(f"original {original!r}: no such article (was it renamed?)", path, _line_of(text, "original="))
    article = read_article(source_path, project)
    review = review_article(project, article, locale)
    if not review.exists:
        raise InputError(f"no catalog for {article.slug} in {locale}: run `workflow translate` first", path)
    entries = {e.segment.id: e for e in review.entries}
    changes, kept = [], []
    for unit in file_.iter(_q("trans-unit")):
        unit_id = unit.get("id") or ""
        line = _line_of(text, f'id="{unit_id}"')
        source_el = unit.find(_q("source"))
        source = "".join(source_el.itertext()) if source_el is not None else ""
        entry = entries.get(unit_id)
        if entry is None or entry.msgid != source:
            raise InputError(
                f"trans-unit {unit_id!r} was made for a different text of {original} than it has now; export the article again",
                path, line,
            )
        target_el = unit.find(_q("target"))
        target = " ".join("".join(target_el.itertext()).split()) if target_el is not None else ""
        if _CONTROL.search(target):
            raise InputError(f"trans-unit {unit_id!r}: the target contains a control character", path, line)
        if not target:
            continue
        final = unit.get("approved") == "yes" or (target_el.get("state") or "") in _FINAL_STATES
        reviewed_now = entry.status == REVIEWED
        if target == entry.msgstr:
            if final and not reviewed_now:
                changes.append(Change(unit_id, target, True))
            continue
        if reviewed_now and (unit.get("extradata") != _base(entry.msgstr) or not final):
            # Reviewed in the PO since the export, or changed in the CAT tool without approval: the PO's stays.
            kept.append(unit_id)
            continue
        changes.append(Change(unit_id, target, final))
    return XliffImport(article, locale, tuple(changes), tuple(kept))


def apply_xliff(project: Project, imported: XliffImport, now) -> bool:
    """Write the import's changes into the PO (call holding the project lock); False if nothing changed."""
    keys = {seg.id: (ctxt, seg.text) for seg, ctxt in catalog_mod.segment_keys(imported.article)}
    edits = {keys[c.segment]: (c.msgstr, c.reviewed) for c in imported.changes}
    return catalog_mod.apply_edits(project, imported.article, imported.locale, edits, now=now)
