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
    cache = memory.cache_entries(desk, ("kk", "ru"), {})
    assert memory.cache_entries(desk, ("kk", "ru"), cache) == cache
    # Plant a pair in the cache under the second catalog's current sha: it is trusted while the bytes match.
    key = next(k for k in cache if k.endswith("second-story.po"))
    cache[key]["pairs"] = [["Planted sentence.", "Посаженное предложение."]]
    assert memory.load_memory(desk, "ru", cache).lookup("Planted sentence.").unit.target == "Посаженное предложение."
    draft_and_accept(desk, "second-story", "ru", {}, accept={"The river rose by two metres overnight."})
    mem = memory.load_memory(desk, "ru", cache)
    assert mem.lookup("Planted sentence.") is None
    assert mem.lookup("The river rose by two metres overnight.").unit.origin == "second-story"


def test_a_translate_run_keeps_the_memory_cache_in_its_run_state(desk, installed_models):
    from workflow import run

    run.translate_articles(desk, now=NOW)
    state = json.loads((desk.locales_dir / run.STATE_NAME).read_text(encoding="utf-8"))
    assert state["memory"] == memory.cache_entries(desk, desk.locales, {})
    assert [len(v["pairs"]) for k, v in state["memory"].items() if k.startswith("ru:")] == [2, 0]


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


# --- the memory in a translate run (issue 16's done-when) ------------------------------------------------

CITIES = ["Almaty", "Astana", "Shymkent", "Karaganda", "Aktobe", "Taraz", "Pavlodar", "Oskemen"]
BOILERPLATES = [
    BOILERPLATE,
    "The ministry did not respond to a request for comment.",
    "Radio Azattyk could not independently verify the report.",
    "Such cases are reported regularly in the region.",
]


def news_corpus(root: Path, count: int) -> None:
    """`count` articles with news-like repetition: boilerplate repeated word for word, datelines that differ
    in one name, and sentences of their own."""
    for old in (root / "articles").glob("*.md"):
        old.unlink()
    import random

    rng = random.Random(16)
    words = "bridge harvest school budget river election market railway hospital museum winter festival".split()
    for i in range(count):
        city = CITIES[i % len(CITIES)]
        sentences = [
            BOILERPLATES[i % len(BOILERPLATES)],  # word for word
            f"Officials said the roads in the district would reopen after storm number {i}.",  # one number differs
            f"Residents of {city} reported problem {i} to the council.",  # number and city differ
            " ".join(rng.sample(words, 6)).capitalize() + ".",  # its own
        ]
        write_article(root, f"story-{i:03d}", sentences)


def accept_everything(project, slugs) -> None:
    for slug in slugs:
        for loc in project.locales:
            po = polib.pofile(str(project.po_path(slug, loc)))
            for entry in po:
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
            po.save()


def test_after_50_of_200_articles_are_reviewed_the_memory_serves_every_repeat_and_the_model_gets_the_rest(
    project_dir, installed_models
):
    from rapidfuzz import fuzz

    from workflow import run
    from workflow.articles import load_articles

    news_corpus(project_dir, 200)
    project = load_project(project_dir)
    first = [f"story-{i:03d}" for i in range(50)]
    run.translate_articles(project, first, now=NOW)
    accept_everything(project, first)

    articles = load_articles(project)
    reviewed = {s.text for a in articles if a.slug in first for s in a.segments}
    rest = [a for a in articles if a.slug not in first]
    exact = sum(s.text in reviewed for a in rest for s in a.segments)
    assert exact == 150  # each boilerplate sentence was reviewed in the first 50

    report = run.translate_articles(project, now=NOW)
    new_segments = sum(len(a.segments) for a in rest) * len(project.locales)
    assert report.sent_to_model == new_segments - report.from_memory
    tm_exact, tm_fuzzy, hints = 0, 0, 0
    for loc in project.locales:
        for a in rest:
            for entry in polib.pofile(str(project.po_path(a.slug, loc))):
                comments = entry.tcomment.splitlines()
                tm = [c for c in comments if c.startswith("tm")]
                if entry.msgid in reviewed:
                    assert tm and tm[0].startswith("tm: story-0") and entry.fuzzy and not any(c.startswith("machine:") for c in comments)
                    tm_exact += 1
                elif tm and not any(c.startswith("machine:") for c in comments):
                    score = int(tm[0].split("%")[0].removeprefix("tm "))
                    assert score >= 90 and entry.previous_msgid in reviewed
                    assert score == min(int(fuzz.ratio(entry.msgid, entry.previous_msgid)), 99)
                    tm_fuzzy += 1
                elif tm:  # a weaker match beside the machine draft, for the translator to compare
                    score = int(tm[0].split("%")[0].removeprefix("tm "))
                    assert 75 <= score < 90 and entry.previous_msgid is None
                    hints += 1
    assert tm_exact == exact * len(project.locales)
    assert report.from_memory == tm_exact + tm_fuzzy
    assert tm_fuzzy > 0 and hints > 0  # the corpus has both kinds of near repeat


def test_accept_exact_lands_exact_repeats_reviewed_and_the_summary_counts_them(project_dir, installed_models):
    import subprocess
    import sys

    news_corpus(project_dir, 12)
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[memory]\naccept_exact = true\n", encoding="utf-8")
    project = load_project(project_dir)
    first = [f"story-{i:03d}" for i in range(4)]
    from workflow import run

    run.translate_articles(project, first, now=NOW)
    accept_everything(project, first)
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "translate", "--quiet", "--project", str(project_dir)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    import re

    served, sent = map(int, re.search(r"(\d+) served from memory, (\d+) sent to the model", done.stdout).groups())
    assert served + sent == 8 * 5 * 2  # 8 later articles of 5 segments (title too), 2 locales
    # Each later article repeats one boilerplate sentence reviewed in the first four: those land reviewed.
    landed = [
        e for i in range(4, 12) for loc in ("kk", "ru")
        for e in polib.pofile(str(project.po_path(f"story-{i:03d}", loc))) if not e.fuzzy
    ]
    assert len(landed) == 16 and all(e.msgid in BOILERPLATES and e.tcomment.startswith("tm: story-00") for e in landed)


def test_a_memory_draft_is_queued_as_such_with_its_provenance(project_dir, installed_models):
    from typer.testing import CliRunner

    from workflow import run
    from workflow.cli import app

    news_corpus(project_dir, 8)
    project = load_project(project_dir)
    run.translate_articles(project, ["story-000", "story-001", "story-002", "story-003"], now=NOW)
    accept_everything(project, ["story-000", "story-001", "story-002", "story-003"])
    run.translate_articles(project, now=NOW)
    done = CliRunner().invoke(app, ["review", "queue", "story-004", "-l", "ru", "--json", "--project", str(project_dir)])
    rows = {r["source"]: r for r in json.loads(done.stdout)}
    row = rows[BOILERPLATES[0]]
    assert (row["status"], row["reason"], row["memory"]) == ("machine", "translation-memory draft awaiting review", "tm: story-000")


def test_a_cache_of_the_wrong_shape_is_ignored_and_a_symlink_out_of_the_project_is_refused(desk, tmp_path):
    cache = memory.cache_entries(desk, ("ru",), {})
    for entry in cache.values():
        entry["pairs"] = [[1]]  # the run state is a file anyone can edit
    assert len(memory.load_memory(desk, "ru", cache)) == 2
    outside = tmp_path / "elsewhere.tmx"
    outside.write_text('<tmx version="1.4"><body/></tmx>', encoding="utf-8")
    (desk.locales_dir / "memory").mkdir()
    (desk.locales_dir / "memory" / "linked.tmx").symlink_to(outside)
    with pytest.raises(InputError, match="resolves through a symbolic link to .*, outside the project; refused") as caught:
        memory.load_memory(desk, "ru")
    assert caught.value.path == desk.locales_dir / "memory" / "linked.tmx"


def test_a_run_refuses_a_memory_file_linked_from_outside_before_writing_anything(project_dir, installed_models, tmp_path):
    from workflow import run

    news_corpus(project_dir, 2)
    project = load_project(project_dir)
    outside = tmp_path / "elsewhere.tmx"
    outside.write_text('<tmx version="1.4"><body/></tmx>', encoding="utf-8")
    (project.locales_dir / "memory").mkdir()
    (project.locales_dir / "memory" / "linked.tmx").symlink_to(outside)
    before = tree_digest(project_dir)
    with pytest.raises(InputError, match="resolves through a symbolic link to .*, outside the project; refused"):
        run.translate_articles(project, now=NOW)
    after = {k: v for k, v in tree_digest(project_dir).items() if k != ".workflow.lock"}
    assert after == {k: v for k, v in before.items() if k != ".workflow.lock"}
