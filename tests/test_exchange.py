"""XLIFF 1.2 exchange with CAT tools: exported, changed with Translate Toolkit's own XLIFF classes (as a
CAT tool would), imported with the same rules as a translator's edit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polib
import pytest
from translate.storage.xliff import xlifffile

from tests.conftest import tree_digest
from workflow import catalog, exchange
from workflow.articles import load_articles
from workflow.errors import InputError
from workflow.glossary import load_glossary
from workflow.project import load_project

NOW = dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(days=1)
STORY = """\
---
title: Floods in Almaty
date: 2026-11-20
slug: floods-in-almaty
---

Heavy rain fell on Almaty for three days.

The river burst its banks on Tuesday.

Schools will reopen on Monday.
"""
RU = {
    "Floods in Almaty": "Наводнения в Алматы",
    "Heavy rain fell on Almaty for three days.": "Три дня над Алматы шёл сильный дождь.",
    "The river burst its banks on Tuesday.": "Во вторник река вышла из берегов.",
    "Schools will reopen on Monday.": "Школы откроются в понедельник.",
}
REVIEWED = ("Floods in Almaty", "Heavy rain fell on Almaty for three days.")


@pytest.fixture
def story(project_dir: Path):
    (project_dir / "articles" / "floods-in-almaty.md").write_text(STORY, encoding="utf-8")
    project = load_project(project_dir)
    article = load_articles(project, ["floods-in-almaty"])[0]
    drafts = {s.id: RU[s.text] for s in article.segments if s.text != "Schools will reopen on Monday."}
    catalog.write_catalog(project, article, "ru", drafts, "translate-en_ru 1.9", now=NOW)
    po = polib.pofile(str(project.po_path(article.slug, "ru")))
    for entry in po:
        if entry.msgid in REVIEWED:
            entry.flags.remove("fuzzy")
    po.save()
    return project, article


def export(project, article, tmp_path: Path) -> Path:
    path = tmp_path / "floods-in-almaty.ru.xlf"
    path.write_text(exchange.to_xliff(project, article, "ru", load_glossary(project.glossary_path)), encoding="utf-8")
    return path


def po_state(project, article) -> dict[str, tuple[str, bool]]:
    return {e.msgid: (e.msgstr, e.fuzzy) for e in polib.pofile(str(project.po_path(article.slug, "ru"))) if not e.obsolete}


def test_translate_toolkit_reads_the_export_with_review_state_provenance_and_hints(story, tmp_path):
    project, article = story
    store = xlifffile.parsefile(str(export(project, article, tmp_path)))
    units = {u.source: u for u in store.units}
    assert list(units) == list(RU)
    assert [(s, units[s].target, units[s].isapproved()) for s in REVIEWED] == [(s, RU[s], True) for s in REVIEWED]
    draft = units["The river burst its banks on Tuesday."]
    assert (draft.target, draft.isapproved(), draft.isfuzzy()) == (RU[draft.source], False, True)
    assert "machine: translate-en_ru 1.9" in draft.getnotes() and "status: machine" in draft.getnotes()
    assert not units["Schools will reopen on Monday."].target
    assert "Almaty → Алматы" in units["Heavy rain fell on Almaty for three days."].getnotes()


def test_an_export_changed_by_translate_toolkit_imports_into_the_expected_po(story, tmp_path):
    project, article = story
    path = export(project, article, tmp_path)
    store = xlifffile.parsefile(str(path))
    units = {u.source: u for u in store.units}
    units["The river burst its banks on Tuesday."].settarget("Во вторник река вышла из берегов и затопила дома.")
    units["The river burst its banks on Tuesday."].markfuzzy(False)  # approved in the CAT tool
    units["Schools will reopen on Monday."].settarget("Школы снова откроются в понедельник.")
    units["Schools will reopen on Monday."].markfuzzy(True)  # translated, left for review
    path.write_bytes(bytes(store))

    imported = exchange.read_xliff(project, path)
    assert exchange.apply_xliff(project, imported, LATER)
    assert po_state(project, article) == {
        "Floods in Almaty": (RU["Floods in Almaty"], False),
        "Heavy rain fell on Almaty for three days.": (RU["Heavy rain fell on Almaty for three days."], False),
        "The river burst its banks on Tuesday.": ("Во вторник река вышла из берегов и затопила дома.", False),
        "Schools will reopen on Monday.": ("Школы снова откроются в понедельник.", True),
    }
    # Importing the same file again changes nothing.
    before = tree_digest(project.root)
    assert not exchange.apply_xliff(project, exchange.read_xliff(project, path), LATER)
    assert tree_digest(project.root) == before


def test_a_translation_reviewed_in_the_po_after_the_export_is_not_overwritten_by_the_older_file(story, tmp_path):
    project, article = story
    path = export(project, article, tmp_path)
    store = xlifffile.parsefile(str(path))
    heavy = next(u for u in store.units if u.source.startswith("Heavy rain"))
    heavy.settarget("Над Алматы три дня лил дождь.")  # the CAT tool's approved change, made from the old text
    path.write_bytes(bytes(store))
    po = polib.pofile(str(project.po_path(article.slug, "ru")))
    po.find(heavy.source).msgstr = "Три дня над Алматы лил сильный дождь."  # meanwhile reviewed in Poedit
    po.save()

    imported = exchange.read_xliff(project, path)
    assert [c.segment for c in imported.changes] == [] and len(imported.kept) == 1
    exchange.apply_xliff(project, imported, LATER)
    assert po_state(project, article)[heavy.source] == ("Три дня над Алматы лил сильный дождь.", False)


def test_an_unapproved_change_never_replaces_reviewed_work(story, tmp_path):
    project, article = story
    path = export(project, article, tmp_path)
    store = xlifffile.parsefile(str(path))
    title = next(u for u in store.units if u.source == "Floods in Almaty")
    title.settarget("Потоп в Алматы")
    title.markfuzzy(True)
    path.write_bytes(bytes(store))
    imported = exchange.read_xliff(project, path)
    assert imported.changes == () and len(imported.kept) == 1


def test_a_file_for_a_different_source_text_is_refused_with_one_line_and_nothing_changes(story, tmp_path):
    project, article = story
    path = export(project, article, tmp_path)
    article.path.write_text(STORY.replace("on Tuesday", "early on Tuesday"), encoding="utf-8")
    catalog.write_catalog(project, load_articles(project, ["floods-in-almaty"])[0], "ru", {}, "translate-en_ru 1.9", now=LATER)
    before = tree_digest(project.root)
    with pytest.raises(InputError) as caught:
        exchange.read_xliff(project, path)
    message = str(caught.value)
    assert message.startswith(f"{path}:") and "\n" not in message
    assert "was made for a different text of articles/floods-in-almaty.md than it has now; export the article again" in message
    assert tree_digest(project.root) == before


BAD = [
    ("not-xliff", b"<tmx/>", "not an XLIFF 1.2 file"),
    ("entity", b'<!DOCTYPE x [<!ENTITY a "b">]><xliff/>', "ENTITY declarations and DOCTYPE internal subsets are not accepted"),
    ("escaping-original", None, "original '../workflow.toml' is not an article of this project"),
    ("other-locale", None, "target-language 'de' is not a target of this project"),
]


@pytest.mark.parametrize("data,message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_xliff_is_refused_with_one_line(story, tmp_path, data, message):
    project, article = story
    path = export(project, article, tmp_path)
    if data is None:
        text = path.read_text(encoding="utf-8")
        text = text.replace('original="articles/floods-in-almaty.md"', 'original="../workflow.toml"') if "original" in message else text.replace('target-language="ru"', 'target-language="de"')
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(data)
    before = tree_digest(project.root)
    with pytest.raises(InputError, match=message) as caught:
        exchange.read_xliff(project, path)
    assert "\n" not in str(caught.value) and tree_digest(project.root) == before


def test_the_cli_exports_and_imports_an_xliff_file(story, tmp_path):
    import subprocess
    import sys

    project, article = story

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "workflow", *args, "--project", str(project.root)], capture_output=True, text=True)

    path = tmp_path / "out.xlf"
    done = cli("export", "--format", "xliff", article.slug, "--locale", "ru", "-o", str(path))
    assert done.returncode == 0, done.stderr
    store = xlifffile.parsefile(str(path))
    unit = next(u for u in store.units if u.source == "Schools will reopen on Monday.")
    unit.settarget("Школы откроются в понедельник.")
    path.write_bytes(bytes(store))
    done = cli("import", str(path))
    assert done.returncode == 0, done.stderr
    po = f"locales/ru/LC_MESSAGES/{article.slug}.po"
    assert done.stdout.strip() == f"Imported {path} into {po}: 1 reviewed, 0 as drafts, 0 kept (newer or reviewed in the catalog)."
    assert po_state(project, article)["Schools will reopen on Monday."] == ("Школы откроются в понедельник.", False)
    done = cli("export", "--format", "docx", article.slug, "--locale", "ru")
    assert (done.returncode, done.stderr) == (1, "Error: unknown format 'docx' (use xliff)\n")


def test_a_target_with_a_terminal_control_character_is_refused(story, tmp_path):
    project, article = story
    path = export(project, article, tmp_path)
    text = path.read_text(encoding="utf-8").replace(RU["Floods in Almaty"], "Наводнения&#x9b;2J в Алматы")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="the target contains a control character"):
        exchange.read_xliff(project, path)
