"""Translation memory: every reviewed entry of every catalog, per locale, plus imported TMX files.

Nothing to keep in sync: the memory is rebuilt from the PO files, incrementally (a cache kept in
translate's run state holds each catalog's reviewed pairs under the sha of its bytes). Exact
lookups are a dict; fuzzy ones (rapidfuzz's normalized Indel similarity, as Translate Toolkit and
Weblate score) compare only against units that share the query's rarest words and have a length
that could reach the threshold, never against everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from workflow import catalog as catalog_mod
from workflow.errors import InputError
from workflow.project import Project, check_locale
from workflow.storage import atomic_write, check_inside, decode_utf8, read_file, read_named

IMPORTED_DIR = "memory"  # under the locales directory: imported TMX files, kept as reviewed work
OFFER, DRAFT = 75, 90  # default thresholds: offered as a hint at OFFER, becomes the draft at DRAFT
_RARE_KEYS = 4  # a fuzzy lookup reads the postings of this many of the query's rarest word pairs
_CANDIDATES = 32  # ... and compares the text with the units sharing most of them
Reader = Callable[[Path], catalog_mod.Catalog]  # parses a catalog file (run.py passes its own, which tests count)
_WORD = re.compile(r"\w+")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # XML 1.0 allows DEL and C1 controls


@dataclass(frozen=True)
class TMUnit:
    """A reviewed pair: English source, its translation, and where it came from (a slug, or tmx:<file>)."""

    source: str
    target: str
    origin: str


@dataclass(frozen=True)
class Match:
    """The best memory unit for a sentence: score 100 is an exact match."""

    unit: TMUnit
    score: int

    @property
    def exact(self) -> bool:
        return self.score == 100


@dataclass
class Memory:
    """The units of one locale with their exact and fuzzy indexes."""

    locale: str
    units: list[TMUnit] = field(default_factory=list)
    _exact: dict[str, int] = field(default_factory=dict, repr=False)
    _sources: list[str] = field(default_factory=list, repr=False)
    _postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list), repr=False)
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def add(self, unit: TMUnit) -> None:
        # The first unit for a source wins: catalogs come in slug order, imported files after them.
        if unit.source in self._exact or not unit.source.strip() or not unit.target.strip():
            return
        index = len(self.units)
        self.units.append(unit)
        self._sources.append(unit.source)
        self._exact[unit.source] = index
        for key in _keys(unit.source):
            self._postings[key].append(index)

    def freeze(self) -> Memory:
        """Turn every posting list into an array now, so that lookups do not (done by load_memory)."""
        for key in self._postings:
            self._array(key)
        return self

    def _array(self, key: str) -> np.ndarray:
        # Postings grow as lists while units are added, and are read as arrays (bincount is C speed).
        found = self._arrays.get(key)
        if found is None or len(found) != len(self._postings[key]):
            found = self._arrays[key] = np.asarray(self._postings[key], dtype=np.int64)
        return found

    def __len__(self) -> int:
        return len(self.units)

    def lookup(self, text: str, threshold: int = OFFER) -> Match | None:
        """The best unit at or above `threshold` for `text`, exact first; None if there is none."""
        if (index := self._exact.get(text)) is not None:
            return Match(self.units[index], 100)
        keys = _keys(text)
        if not keys:
            return None
        # News repeats its templates: common word pairs are in thousands of units, names and numbers in
        # few. The units that share most of the rarest pairs are the ones worth comparing.
        postings = [self._array(k) for k in keys if k in self._postings]
        if not postings:
            return None
        rare = sorted(postings, key=len)[:_RARE_KEYS]
        ids, shared = np.unique(np.concatenate(rare), return_counts=True)
        if len(ids) > _CANDIDATES:
            ids = ids[np.argpartition(shared, -_CANDIDATES)[-_CANDIDATES:]]
        candidates = ids.tolist()
        # rapidfuzz rejects a pair whose lengths alone cannot reach the cutoff before comparing it.
        ids = sorted(candidates)
        best = process.extractOne(text, [self._sources[i] for i in ids], scorer=fuzz.ratio, score_cutoff=threshold)
        if best is None:
            return None
        _, score, position = best
        # Rounded down, so that 99.6 is never shown as an exact 100.
        return Match(self.units[ids[position]], min(int(score), 99))


def _keys(text: str) -> set[str]:
    """Index keys of a text: its lowercase word pairs (single words for a one-word text)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 2:
        return set(words)
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


# --- building from the project --------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _valid_pairs(pairs) -> bool:
    # The cache is a file anyone can edit: trusted only when it has the shape this module writes.
    return isinstance(pairs, list) and all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(t, str) for t in p) for p in pairs
    )


def _reviewed_pairs(cat: catalog_mod.Catalog) -> list[list[str]]:
    return [[e.msgid, e.msgstr] for e in cat.entries if e.msgstr and not e.fuzzy]


def _sources(project: Project, locale: str) -> list[tuple[Path, str]]:
    """(file, origin) of every memory source of `locale`: its catalogs in slug order, then imported TMX files."""
    catalogs = [(p, p.stem) for p in sorted((project.locales_dir / locale / "LC_MESSAGES").glob("*.po"))]
    imported = [(p, f"tmx:{p.name}") for p in sorted((project.locales_dir / IMPORTED_DIR).glob("*.tmx"))]
    for path, _ in catalogs + imported:
        # A symlink must not make the memory read (and a run then draft from) text from outside the project.
        check_inside(path, project.root)
    return [(p, origin) for p, origin in catalogs + imported if p.is_file()]


def check_sources(project: Project, locales: tuple[str, ...]) -> None:
    """Refuse, before a run writes anything, a memory source that resolves outside the project."""
    for locale in locales:
        _sources(project, locale)


def _pairs(project: Project, locale: str, cached: dict, read: Reader, known: Mapping[str, catalog_mod.Catalog]) -> dict[str, dict]:
    """Cache entries ({sha, pairs}) of every source of `locale`; only files whose sha changed are parsed."""
    files = {}
    for path, _ in _sources(project, locale):
        data = read_file(path, root=project.root)
        sha = _sha(data)
        # Relative as named, not where a link leads: the same key as the last run's whatever links changed.
        key = f"{locale}:{project.relative(path)}"
        entry = cached.get(key)
        if isinstance(entry, dict) and entry.get("sha") == sha and _valid_pairs(entry.get("pairs")):
            files[key] = entry
        else:
            try:
                if path.suffix == ".po":
                    pairs = _reviewed_pairs(known[sha] if sha in known else read(path))
                else:
                    pairs = [[u.source, u.target] for u in parse_tmx(data, path, locale)]
            except InputError:
                continue  # a broken file serves nothing until it is fixed; the run reports its own catalogs
            files[key] = {"sha": sha, "pairs": pairs}
    return files


def load_memory(
    project: Project, locale: str, cache: dict | None = None, read: Reader = catalog_mod.read_catalog, known: Mapping[str, catalog_mod.Catalog] | None = None
) -> Memory:
    """The memory of `locale`: reviewed entries of every catalog (slug order), then imported TMX files.

    `cache` (what `cache_entries` returned, kept by run.py in its run state) saves parsing the files
    whose sha it holds; without it every catalog is read. A broken file serves nothing until fixed.
    `known`: catalogs the caller already parsed, by the sha256 of their file's bytes; `read` parses the rest.
    """
    check_locale(locale)
    files = _pairs(project, locale, cache or {}, read, known or {})
    memory = Memory(locale)
    for path, origin in _sources(project, locale):
        for source, target in files.get(f"{locale}:{project.relative(path)}", {}).get("pairs", ()):
            memory.add(TMUnit(source, target, origin))
    return memory.freeze()


def cache_entries(
    project: Project, locales: tuple[str, ...], cache: dict, read: Reader = catalog_mod.read_catalog, known: Mapping[str, catalog_mod.Catalog] | None = None
) -> dict:
    """The cache for `locales` as the files are now (other locales' entries kept): {"kk:path": {sha, pairs}}.

    It depends only on the files, so a run killed and re-run records the same cache as one that was not.
    `read` and `known` as for load_memory.
    """
    entries = {k: v for k, v in cache.items() if k.split(":", 1)[0] not in locales}
    for locale in locales:
        entries.update(_pairs(project, locale, cache, read, known or {}))
    return dict(sorted(entries.items()))


# --- TMX 1.4b -------------------------------------------------------------------------------------------


def to_tmx(memories: list[Memory], source_locale: str, now: dt.datetime) -> str:
    """TMX 1.4b: one <tu> per unit and locale, its origin as a prop; deterministic for a given clock."""
    root = ET.Element("tmx", {"version": "1.4"})
    ET.SubElement(
        root,
        "header",
        {
            "creationtool": "newsroom-workflow",
            "creationtoolversion": "0.1.0",
            "segtype": "sentence",
            "o-tmf": "PO",
            "adminlang": "en",
            "srclang": source_locale,
            "datatype": "plaintext",
            "creationdate": now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        },
    )
    body = ET.SubElement(root, "body")
    for memory in memories:
        for unit in memory.units:
            tu = ET.SubElement(body, "tu")
            ET.SubElement(tu, "prop", {"type": "x-origin"}).text = unit.origin
            for lang, text in ((source_locale, unit.source), (memory.locale, unit.target)):
                tuv = ET.SubElement(tu, "tuv", {_XML_LANG: lang})
                ET.SubElement(tuv, "seg").text = text
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _lang(code: str | None) -> str:
    return (code or "").replace("-", "_").split("_")[0].lower()


def parse_tmx(data: bytes, path: Path, locale: str | None = None, source_locale: str = "en") -> list[TMUnit]:
    """Units of a TMX file (all target languages, or only `locale`); InputError naming file and line."""
    text = decode_utf8(data, path, "save the TMX file as UTF-8").removeprefix("\ufeff")
    # Translate Toolkit writes <!DOCTYPE tmx SYSTEM "tmx14.dtd">, which is harmless (never fetched); an
    # internal subset or an entity can pull in or blow up data.
    declaration = re.search(r"<!ENTITY|<!DOCTYPE[^>]*\[", text, re.IGNORECASE)
    if declaration:
        line = text.count("\n", 0, declaration.start()) + 1
        raise InputError("ENTITY declarations and DOCTYPE internal subsets are not accepted in TMX (they can pull in or blow up data)", path, line)
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise InputError(f"not well-formed XML: {str(exc).split(': line')[0]}", path, exc.position[0]) from None
    if root.tag != "tmx":
        raise InputError(f"not a TMX file: the root element is <{root.tag}>, not <tmx>", path, 1)
    units = []
    for number, tu in enumerate(root.iter("tu"), start=1):
        origin = next((p.text or "" for p in tu.findall("prop") if p.get("type") == "x-origin"), "")
        segs: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            seg = tuv.find("seg")
            if seg is None:
                continue
            value = " ".join("".join(seg.itertext()).split())
            if _CONTROL.search(value):
                raise InputError(f"<tu> {number}: a segment contains a control character", path)
            segs.setdefault(_lang(tuv.get(_XML_LANG) or tuv.get("lang")), value)
        if source_locale not in segs:
            raise InputError(f"<tu> {number} has no {source_locale} segment", path)
        for lang, value in segs.items():
            if lang != source_locale and (locale is None or lang == locale) and value:
                units.append(TMUnit(segs[source_locale], value, origin or f"tmx:{Path(path).name}"))
    return units


@dataclass(frozen=True)
class Imported:
    """A TMX file read and checked whole, ready to keep as `locales/memory/<name>.tmx`."""

    name: str
    text: str  # the units for the project's locales, as TMX
    counts: dict[str, int]  # units per locale


def read_import(project: Project, path: Path, now: dt.datetime) -> Imported:
    """Read and check a TMX file for import; nothing is written (so a refused file leaves no trace)."""
    data = read_named(path, project.root)
    name = re.sub(r"[^a-z0-9-]+", "-", Path(path).stem.lower()).strip("-") or "imported"
    memories = []
    for locale in project.locales:
        memory = Memory(locale)
        for unit in parse_tmx(data, path, locale, project.source_locale):
            memory.add(TMUnit(unit.source, unit.target, f"tmx:{name}.tmx"))
        memories.append(memory)
    counts = {m.locale: len(m) for m in memories}
    if not any(counts.values()):
        raise InputError(f"no units for {', '.join(project.locales)} with a {project.source_locale} source", path)
    return Imported(name, to_tmx(memories, project.source_locale, now), counts)


def save_import(project: Project, imported: Imported) -> Path:
    """Keep an imported file under the locales directory (call holding the project lock); returns its path."""
    target = project.locales_dir / IMPORTED_DIR / f"{imported.name}.tmx"
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, imported.text)
    return target
