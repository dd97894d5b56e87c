"""Translation memory: built from reviewed PO entries (cached by sha), exact and fuzzy lookups, TMX 1.4b
export read by Translate Toolkit and import."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polib
import pytest
from translate.storage.tmx import tmxfile

from tests.conftest import tree_digest
from workflow import catalog, memory
from workflow.articles import load_articles
from workflow.errors import InputError
from workflow.project import load_project

NOW = dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.timezone.utc)
BOILERPLATE = "Kazakh security forces and official agencies had not commented on the incident at the time of publication."
BOILERPLATE_RU = "Казахстанские силовые структуры и официальные ведомства на момент публикации не прокомментировали инцидент."


def write_article(root: Path, slug: str, sentences: list[str]) -> None:
    body = "\n\n".join(sentences)
    (root / "articles" / f"{slug}.md").write_text(f"---\ntitle: Story {slug}\ndate: 2026-11-20\nslug: {slug}\n---\n\n{body}\n", encoding="utf-8")


def draft_and_accept(project, slug: str, locale: str, translations: dict[str, str], accept: set[str]) -> Path:
    """Machine drafts for every sentence; the translator accepts those in `accept` with the given text."""
    article = load_articles(project, [slug])[0]
    drafts = {s.id: translations.get(s.text, f"черновик {s.text}") for s in article.segments}
    catalog.write_catalog(project, article, locale, drafts, f"translate-en_{locale} 1.9", now=NOW)
    path = project.po_path(slug, locale)
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid in accept:
            entry.flags.remove("fuzzy")
    po.save()
    return path


@pytest.fixture
def desk(project_dir: Path):
    for old in (project_dir / "articles").glob("*.md"):
        old.unlink()
    write_article(project_dir, "first-story", ["Floods hit the north of the country.", BOILERPLATE])
    write_article(project_dir, "second-story", ["The river rose by two metres overnight.", BOILERPLATE])
    project = load_project(project_dir)
    draft_and_accept(
        project, "first-story", "ru",
        {"Floods hit the north of the country.": "Наводнения обрушились на север страны.", BOILERPLATE: BOILERPLATE_RU},
        accept={"Floods hit the north of the country.", BOILERPLATE},
    )
    draft_and_accept(project, "second-story", "ru", {}, accept=set())
    return project


def test_the_memory_holds_every_reviewed_entry_of_every_catalog_and_no_draft(desk):
    mem = memory.load_memory(desk, "ru")
    assert sorted((u.source, u.target, u.origin) for u in mem.units) == [
        ("Floods hit the north of the country.", "Наводнения обрушились на север страны.", "first-story"),
        (BOILERPLATE, BOILERPLATE_RU, "first-story"),
    ]
    assert len(memory.load_memory(desk, "kk")) == 0


def test_a_catalog_is_read_again_when_its_bytes_change_and_not_before(desk):
    memory.load_memory(desk, "ru")
    state_path = desk.locales_dir / memory.STATE_NAME
    state = json.loads(state_path.read_text(encoding="utf-8"))
    # Plant a pair in the cache under the second catalog's current sha: it is trusted while the bytes match.
    key = next(k for k in state["files"] if k.endswith("second-story.po"))
    state["files"][key]["pairs"] = [["Planted sentence.", "Посаженное предложение."]]
    state_path.write_text(json.dumps(state), encoding="utf-8")
    assert memory.load_memory(desk, "ru").lookup("Planted sentence.").unit.target == "Посаженное предложение."
    draft_and_accept(desk, "second-story", "ru", {}, accept={"The river rose by two metres overnight."})
    mem = memory.load_memory(desk, "ru")
    assert mem.lookup("Planted sentence.") is None
    assert mem.lookup("The river rose by two metres overnight.").unit.origin == "second-story"


def test_a_broken_cache_only_costs_time(desk):
    (desk.locales_dir / memory.STATE_NAME).write_text("{not json", encoding="utf-8")
    assert len(memory.load_memory(desk, "ru")) == 2


SIMILAR = [
    ("exact", BOILERPLATE, 100),
    ("one-word-changed", BOILERPLATE.replace("incident", "attack"), 94),
    ("reworded-end", "Kazakh security forces and official agencies had not commented on the report by Friday.", 79),
    ("unrelated", "The river rose by two metres overnight.", None),
]


@pytest.mark.parametrize("text,score", [c[1:] for c in SIMILAR], ids=[c[0] for c in SIMILAR])
def test_lookup_scores_by_normalized_similarity_and_offers_nothing_below_the_threshold(desk, text, score):
    from rapidfuzz import fuzz

    match = memory.load_memory(desk, "ru").lookup(text)
    if score is None:
        assert match is None
        return
    assert match.unit.target == BOILERPLATE_RU
    expected = 100 if text == BOILERPLATE else min(int(fuzz.ratio(text, BOILERPLATE)), 99)
    assert match.score == expected and abs(match.score - score) <= 1
    assert match.exact == (score == 100)


def test_a_near_repeat_is_found_among_twenty_thousand_units():
    mem = memory.Memory("ru")
    for i in range(20_000):
        mem.add(memory.TMUnit(f"Officials in district {i} reported {i % 97} new cases of measles on Monday.", f"перевод {i}", f"s{i}"))
    mem.add(memory.TMUnit(BOILERPLATE, BOILERPLATE_RU, "boilerplate"))
    match = mem.lookup(BOILERPLATE.replace("Kazakh", "Kyrgyz"))
    assert match.unit.origin == "boilerplate" and 90 <= match.score < 100
    assert mem.lookup("Officials in district 12345 reported 26 new cases of measles on Monday.").exact


def test_an_exported_tmx_is_read_by_translate_toolkit_with_every_unit(desk):
    draft_and_accept(desk, "first-story", "kk", {BOILERPLATE: "Қазақстанның күштік құрылымдары әзірге пікір білдірмеді."}, accept={BOILERPLATE})
    mems = [memory.load_memory(desk, loc) for loc in desk.locales]
    data = memory.to_tmx(mems, "en", NOW).encode("utf-8")
    store = tmxfile.parsestring(data)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    got = sorted((u.source, u.target, u.getlanguageNodes()[1].get(lang)) for u in store.units)
    want = sorted((u.source, u.target, m.locale) for m in mems for u in m.units)
    assert got == want and len(got) == 3


def test_an_imported_tmx_serves_lookups_labelled_with_its_origin(desk, tmp_path):
    store = tmxfile(sourcelanguage="en", targetlanguage="ru")
    store.addtranslation("The minister resigned on Friday.", "en", "Министр ушёл в отставку в пятницу.", "ru")
    store.addtranslation("The minister resigned on Friday.", "en", "Министр пятница күні отставкаға кетті.", "kk")
    source = tmp_path / "Agency Memory.tmx"
    source.write_bytes(bytes(store))
    imported = memory.read_import(desk, source, NOW)
    assert imported.counts == {"kk": 1, "ru": 1}
    assert memory.save_import(desk, imported) == desk.locales_dir / "memory" / "agency-memory.tmx"
    match = memory.load_memory(desk, "ru").lookup("The minister resigned on Friday.")
    assert (match.unit.target, match.unit.origin, match.exact) == ("Министр ушёл в отставку в пятницу.", "tmx:agency-memory.tmx", True)
    # Project catalogs come first: an imported unit never displaces the newsroom's own reviewed work.
    assert memory.load_memory(desk, "ru").lookup(BOILERPLATE).unit.origin == "first-story"


BAD_TMX = [
    ("not-xml", b"<tmx><body><tu>", "not well-formed XML"),
    ("doctype-subset", b'<?xml version="1.0"?>\n<!DOCTYPE tmx [<!ENTITY a "aaaa">]>\n<tmx/>', r"bad.tmx:2: ENTITY declarations and DOCTYPE internal subsets are not accepted"),
    ("not-tmx", b"<xliff/>", "not a TMX file: the root element is <xliff>"),
    ("no-english", b'<tmx version="1.4"><body><tu><tuv xml:lang="ru"><seg>x</seg></tuv></tu></body></tmx>', "<tu> 1 has no en segment"),
    ("control-char", b'<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>a&#x9b;2J</seg></tuv></tu></body></tmx>', "control character"),
    ("no-units", b'<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="de"><seg>b</seg></tuv></tu></body></tmx>', "no units for kk, ru"),
]


@pytest.mark.parametrize("data,message", [c[1:] for c in BAD_TMX], ids=[c[0] for c in BAD_TMX])
def test_a_bad_tmx_is_refused_with_one_line_and_the_project_is_untouched(desk, tmp_path, data, message):
    source = tmp_path / "bad.tmx"
    source.write_bytes(data)
    before = tree_digest(desk.root)
    with pytest.raises(InputError, match=message) as caught:
        memory.read_import(desk, source, NOW)
    assert "\n" not in str(caught.value) and str(source) in str(caught.value)
    assert tree_digest(desk.root) == before


def test_the_cli_exports_the_memory_and_imports_it_into_another_project(desk, tmp_path, project_dir):
    from typer.testing import CliRunner

    from workflow.cli import app

    runner = CliRunner()
    exported = tmp_path / "desk.tmx"
    done = runner.invoke(app, ["memory", "export", "--format", "tmx", "-l", "ru", "-o", str(exported), "--project", str(desk.root)])
    assert done.exit_code == 0, done.output
    assert len(tmxfile.parsefile(str(exported)).units) == 2
    other = tmp_path / "other"
    other.mkdir()
    (other / "workflow.toml").write_bytes((desk.root / "workflow.toml").read_bytes())
    done = runner.invoke(app, ["memory", "import", str(exported), "--project", str(other)])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == f"Imported {exported}: kk 0, ru 2 unit(s), kept as locales/memory/desk.tmx."
    match = memory.load_memory(load_project(other), "ru").lookup(BOILERPLATE)
    assert (match.unit.target, match.unit.origin) == (BOILERPLATE_RU, "tmx:desk.tmx")


def test_the_cli_refuses_an_unknown_format_and_a_missing_file_in_one_line(desk, tmp_path):
    import subprocess
    import sys

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "workflow", "memory", *args, "--project", str(desk.root)], capture_output=True, text=True)

    done = cli("export", "--format", "xlsx")
    assert (done.returncode, done.stderr) == (1, "Error: unknown format 'xlsx' (use tmx)\n")
    before = tree_digest(desk.root)
    done = cli("import", str(tmp_path / "missing.tmx"))
    assert (done.returncode, done.stderr) == (1, f"Error: {tmp_path / 'missing.tmx'}: cannot read: No such file or directory\n")
    assert tree_digest(desk.root) == before
