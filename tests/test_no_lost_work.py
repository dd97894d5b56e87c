"""No lost work: whatever a translator accepted survives every later edit, run and glossary change.

A hypothesis test drives many cycles of newsroom life on one project: the editor changes, inserts,
deletes and moves sentences and paragraphs; `translate_articles` runs (in-process, copy model), now
and then with `--retranslate`; a simulated translator accepts, edits or leaves entries in the PO
files with polib, as Poedit would, and sometimes types a translation without accepting it yet (work
in progress, still fuzzy); the glossary maintainer adds or removes terms. After every run each
accepted translation must still be in its catalog: active and reviewed if its sentence is unchanged,
fuzzy with the sentence it was made for as `#| msgid` if the sentence was edited, obsolete (`#~`) if
it was removed. Work in progress is never lost either: its text is still in some entry of the file.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from workflow import articles, catalog, run, translate
from workflow.project import load_project

EXAMPLES = 20
CYCLES = 10
NOW = dt.datetime(2026, 11, 18, tzinfo=dt.timezone.utc)
SLUG = "city-council-news"
LOCALES = ("kk", "ru")

SUBJECTS = ("council", "river", "market", "school", "bridge", "station", "budget", "clinic", "library", "harbour")
VERBS = ("reported", "approved", "rejected", "discussed", "reviewed", "delayed")
PLACES = ("Almaty", "Astana", "Taraz", "Shymkent", "Aktau")
# Terms the glossary maintainer adds and removes; Almaty is already in the project's glossary.
TERMS = {
    "Astana": ("Астана", "Астана"),
    "Taraz": ("Тараз", "Тараз"),
    "Shymkent": ("Шымкент", "Шымкент"),
    "Aktau": ("Ақтау", "Актау"),
}


@dataclass(frozen=True)
class Sentence:
    """A sentence made of parts, so an edit can change one word and keep the rest (a fuzzy match)."""

    number: int  # unique per sentence: no two sentences of the article are ever the same text
    subject: str
    verb: str
    place: str

    @property
    def text(self) -> str:
        return f"The {self.subject} in {self.place} {self.verb} plan {self.number} on Monday."


@dataclass
class Accepted:
    """A translation a translator accepted: the sentence it was made for, where it lives now, its text."""

    locale: str
    source: str
    current: str
    translation: str


class Newsroom:
    """One project and everything that happened to it; `check` is the invariant."""

    def __init__(self, root: Path):
        self.root = root
        self.paragraphs: list[list[Sentence]] = [[self.new_sentence(0, 0)], [self.new_sentence(1, 1)]]
        self.accepted: list[Accepted] = []
        self.in_progress: set[tuple[str, str]] = set()  # (locale, text) typed but left fuzzy
        self.counter = 2
        self.edits = 0
        self.terms: set[str] = set()
        self.write_article()
        self.write_glossary()

    # --- the editor ---

    def new_sentence(self, number: int, seed: int) -> Sentence:
        return Sentence(number, SUBJECTS[seed % len(SUBJECTS)], VERBS[seed % len(VERBS)], PLACES[seed % len(PLACES)])

    def write_article(self) -> None:
        body = "\n\n".join(" ".join(s.text for s in p) for p in self.paragraphs if p)
        text = f"---\ntitle: City council news\ndate: 2026-11-18\nslug: {SLUG}\n---\n\n{body}\n"
        (self.root / "articles" / f"{SLUG}.md").write_text(text, encoding="utf-8")

    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p]

    def edit(self, op: str, a: int, b: int, word: int) -> None:
        paras = [p for p in self.paragraphs if p]
        self.paragraphs = paras
        flat = [(i, j) for i, p in enumerate(paras) for j in range(len(p))]
        i, j = flat[a % len(flat)]
        if op == "change":
            s = paras[i][j]
            field = ("subject", "verb", "place")[word % 3]
            pool = {"subject": SUBJECTS, "verb": VERBS, "place": PLACES}[field]
            paras[i][j] = Sentence(**{**s.__dict__, field: pool[(pool.index(getattr(s, field)) + 1 + b) % len(pool)]})
        elif op == "insert":
            paras[i].insert(j, self.new_sentence(self.counter, b + word))
            self.counter += 1
        elif op == "delete" and len(flat) > 1:
            del paras[i][j]
        elif op == "move":
            s = paras[i].pop(j)
            k = b % len(paras)
            paras[k].insert(word % (len(paras[k]) + 1), s)
        elif op == "new_paragraph":
            paras.insert(b % (len(paras) + 1), [self.new_sentence(self.counter, word)])
            self.counter += 1
        elif op == "delete_paragraph" and len(paras) > 1 and len(flat) > len(paras[i]):
            del paras[i]
        elif op == "move_paragraph":
            p = paras.pop(i)
            paras.insert(b % (len(paras) + 1), p)
        self.paragraphs = [p for p in paras if p]
        self.write_article()

    # --- the glossary maintainer ---

    def toggle_term(self, english: str) -> None:
        self.terms ^= {english}
        self.write_glossary()

    def write_glossary(self) -> None:
        path = self.root / "glossary" / "terms.csv"
        base = (REPO / "glossary" / "terms.csv").read_text(encoding="utf-8")
        rows = "".join(f"{e},{TERMS[e][0]},{TERMS[e][1]},place,,,,,\n" for e in sorted(self.terms))
        path.write_text(base + rows, encoding="utf-8")

    # --- the translator (Poedit) ---

    def po(self, locale: str) -> polib.POFile:
        return polib.pofile(str(self.root / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po"), wrapwidth=catalog.WRAP_WIDTH)

    def review(self, locale: str, actions: list[int]) -> None:
        """Apply actions (0 leave, 1 accept as is, 2 edit and accept, 3 edit and leave fuzzy) to the entries."""
        po = self.po(locale)
        changed = False
        for entry, action in zip([e for e in po if not e.obsolete], actions):
            if action == 0 or (action == 1 and (not entry.msgstr or "fuzzy" not in entry.flags)):
                continue
            # The translator's new text replaces their own earlier work in progress on this entry.
            self.in_progress.discard((locale, entry.msgstr))
            if action == 3:
                self.edits += 1
                entry.msgstr = f"черновик {self.edits} ({locale})"
                if "fuzzy" not in entry.flags:
                    entry.flags.append("fuzzy")
                self.accepted = [r for r in self.accepted if not (r.locale == locale and r.current == entry.msgid)]
                self.in_progress.add((locale, entry.msgstr))
                changed = True
                continue
            if action == 2:
                self.edits += 1
                entry.msgstr = f"перевод {self.edits} ({locale})"
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            # The translator's new decision replaces whatever was accepted for this entry before.
            self.accepted = [r for r in self.accepted if not (r.locale == locale and r.current == entry.msgid)]
            self.accepted.append(Accepted(locale, entry.msgid, entry.msgid, entry.msgstr))
            changed = True
        if changed:
            po.save()

    # --- the invariant ---

    def check(self) -> None:
        article_texts = {s.text for s in self.sentences()}
        for locale in LOCALES:
            po = self.po(locale)
            active = [e for e in po if not e.obsolete]
            obsolete = [e for e in po if e.obsolete]
            texts = {e.msgstr for e in po}
            for lost in sorted(t for loc, t in self.in_progress if loc == locale and t not in texts):
                raise AssertionError(f"{locale}: lost the work in progress {lost!r}")
            for r in (r for r in self.accepted if r.locale == locale):
                if r.current == r.source and r.source in article_texts | {"City council news"}:
                    entry = next((e for e in active if e.msgid == r.source), None)
                    assert entry is not None, f"{locale}: accepted entry for {r.source!r} vanished"
                    assert entry.msgstr == r.translation, f"{locale}: accepted translation of {r.source!r} was changed"
                    assert "fuzzy" not in entry.flags, f"{locale}: accepted entry {r.source!r} was un-reviewed"
                    continue
                moved = [
                    e
                    for e in active
                    if e.msgstr == r.translation
                    and "fuzzy" in e.flags
                    and e.previous_msgid in (r.source, r.current)
                ]
                gone = [e for e in obsolete if e.msgstr == r.translation and e.msgid in (r.source, r.current)]
                assert moved or gone, (
                    f"{locale}: lost the translation {r.translation!r} accepted for {r.source!r} "
                    f"(last seen at {r.current!r})"
                )
                if moved:
                    assert moved[0].msgid in article_texts, f"{locale}: fuzzy entry {moved[0].msgid!r} is not in the article"
                r.current = (moved or gone)[0].msgid


EDITS = st.tuples(
    st.sampled_from(("change", "change", "insert", "delete", "move", "new_paragraph", "delete_paragraph", "move_paragraph")),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
)
REVIEW = st.lists(st.sampled_from((0, 0, 1, 1, 2, 3)), min_size=60, max_size=60)


@pytest.fixture
def cached_engines(installed_models, monkeypatch):
    """Load each copy model once for all examples: the property is about catalogs, not model loading."""
    loaded: dict[str, translate.Engine] = {}
    original = translate.load_engine

    def load_engine(package, *args, **kwargs):
        if package.code not in loaded:
            loaded[package.code] = original(package, *args, **kwargs)
        return loaded[package.code]

    monkeypatch.setattr(translate, "load_engine", load_engine)
    return loaded


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_accepted_translation_is_ever_lost(project_dir: Path, cached_engines, data):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(project_dir, root)
        for old in (root / "articles").iterdir():
            old.unlink()
        room = Newsroom(root)
        project = load_project(root)
        run.translate_articles(project, now=NOW)
        for cycle in range(CYCLES):
            for edit in data.draw(st.lists(EDITS, min_size=1, max_size=4), label=f"edits {cycle}"):
                room.edit(*edit)
            if data.draw(st.booleans(), label=f"glossary {cycle}"):
                room.toggle_term(data.draw(st.sampled_from(sorted(TERMS)), label=f"term {cycle}"))
            retranslate = data.draw(st.booleans(), label=f"retranslate {cycle}")
            run.translate_articles(project, now=NOW, retranslate=retranslate)
            room.check()
            for locale in LOCALES:
                room.review(locale, data.draw(REVIEW, label=f"review {locale} {cycle}"))
        run.translate_articles(project, now=NOW, retranslate=True)
        room.check()
        # Every catalog still reads cleanly and matches the article: review would refuse a broken one.
        article = articles.read_article(root / "articles" / f"{SLUG}.md", project)
        for locale in LOCALES:
            catalog.read_catalog(project.po_path(SLUG, locale))
            assert {e.msgid for e in catalog.read_catalog(project.po_path(SLUG, locale)).entries} == {s.text for s in article.segments}
