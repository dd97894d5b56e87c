"""`workflow translate`: articles → glossary → real argos package → PO catalogs, end to end."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import SAMPLE_SLUG, tree_digest
from workflow import articles, catalog as catalogs, run, translate
from workflow.project import load_project

NOW = dt.datetime(2026, 11, 18, tzinfo=dt.UTC)


def workflow(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workflow", *args, "--project", str(project)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )


def catalog(project: Path, locale: str) -> polib.POFile:
    return polib.pofile(str(project / "locales" / locale / "LC_MESSAGES" / f"{SAMPLE_SLUG}.po"))


def test_the_sample_article_is_translated_into_every_locale_as_fuzzy_drafts(project_dir, installed_models):
    result = workflow(project_dir, "translate", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["sent_to_model"] == 2 * 29
    assert {r["locale"] for r in report["results"]} == {"kk", "ru"}
    for locale in ("kk", "ru"):
        entries = [e for e in catalog(project_dir, locale) if not e.obsolete]
        assert len(entries) == 29
        assert all(e.fuzzy and e.msgstr.strip() for e in entries)
        assert report["models"][locale].startswith(f"translate-en_{locale} ")
        assert all(f"machine: {report['models'][locale]}" in e.tcomment for e in entries)
    # The copy model returns its input, so what differs is exactly what the glossary restored.
    first_ru = catalog(project_dir, "ru")[1].msgstr
    first_kk = catalog(project_dir, "kk")[1].msgstr
    assert "Жазылбек Ажыгалиев" in first_ru and "Azhygaliyev" not in first_ru
    assert "Жазылбек Ажығалиев" in first_kk


def test_a_rerun_with_nothing_changed_sends_nothing_and_rewrites_nothing(project_dir, installed_models):
    assert workflow(project_dir, "translate", "--quiet").returncode == 0
    before = {p: p.stat().st_mtime_ns for p in (project_dir / "locales").rglob("*.po*")}
    again = workflow(project_dir, "translate", "--json")
    assert json.loads(again.stdout)["sent_to_model"] == 0
    assert {p: p.stat().st_mtime_ns for p in (project_dir / "locales").rglob("*.po*")} == before


def test_only_new_sentences_reach_the_model_after_an_edit(project_dir, installed_models, sample_path):
    assert workflow(project_dir, "translate", "--quiet").returncode == 0
    text = sample_path.read_text(encoding="utf-8")
    text = text.replace("## Context and Reaction", "A new paragraph opens here. It has two sentences.\n\n## Context and Reaction")
    text = text.replace("for five years.", "for ten years.", 1)  # edited: keeps its old translation, fuzzy
    sample_path.write_text(text, encoding="utf-8")
    result = workflow(project_dir, "translate", "--locale", "ru", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sent_to_model"] == 2
    ru = catalog(project_dir, "ru")
    edited = ru.find("After refusing to sign a contract, the man was deported to Kazakhstan and banned from entering Russia for ten years.")
    assert edited.fuzzy and edited.previous_msgid.endswith("for five years.")


def test_a_missing_model_stops_the_run_before_anything_is_written(project_dir, models_dir):
    before = tree_digest(project_dir)
    result = workflow(project_dir, "translate")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: no en→kk model installed")
    assert result.stderr.count("\n") == 1
    assert tree_digest(project_dir) == before


def test_an_unknown_slug_is_refused_before_any_work(project_dir, installed_models):
    before = tree_digest(project_dir)
    result = workflow(project_dir, "translate", "no-such-article")
    assert result.returncode == 1
    assert result.stderr == f"Error: articles: no article with slug 'no-such-article' (articles: {SAMPLE_SLUG})\n"
    assert tree_digest(project_dir) == before


@pytest.mark.parametrize("slug", ["../etc", "/abs"])
def test_slugs_that_escape_are_refused(project_dir, installed_models, slug):
    result = workflow(project_dir, "translate", slug)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: invalid slug {slug!r}")


# --- what a re-run looks at ------------------------------------------------------------------------------


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the article files parsed from now on."""
    names: list[str] = []
    real = articles.read_article

    def counting(path, project=None):
        names.append(Path(path).name)
        return real(path, project)

    monkeypatch.setattr(articles, "read_article", counting)
    return names


def test_a_rerun_does_not_even_parse_an_unchanged_article(project_dir, installed_models, parsed):
    project = load_project(project_dir)
    first = run.translate_articles(project, now=NOW)
    assert parsed == [f"{SAMPLE_SLUG}.md"]
    parsed.clear()
    again = run.translate_articles(project, now=NOW)
    assert parsed == []
    assert again.sent_to_model == 0 and again.segments == first.segments == 29
    assert [(r.locale, r.skipped) for r in again.results] == [("kk", True), ("ru", True)]


def _touch_article(root: Path) -> None:
    path = root / "articles" / f"{SAMPLE_SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def _accept_one(root: Path) -> None:
    po = catalog(root, "ru")
    po[1].flags.remove("fuzzy")
    po.save()


def _edit_glossary(root: Path) -> None:
    path = root / "glossary" / "terms.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # any byte counts


def _break_state(root: Path) -> None:
    (root / "locales" / run.STATE_NAME).write_text('{"sample/kk": "from an older version"}', encoding="utf-8")


@pytest.mark.parametrize("change", [_touch_article, _accept_one, _edit_glossary, _break_state])
def test_an_article_is_read_again_when_its_file_a_catalog_the_glossary_or_the_state_changed(
    project_dir, installed_models, parsed, change
):
    project = load_project(project_dir)
    run.translate_articles(project, now=NOW)
    accepted = catalog(project_dir, "ru")[1].msgstr
    change(project_dir)
    parsed.clear()
    again = run.translate_articles(project, now=NOW)
    assert parsed == [f"{SAMPLE_SLUG}.md"]
    assert again.sent_to_model == 0  # nothing new to translate: the catalogs were merged, not redone
    assert catalog(project_dir, "ru")[1].msgstr == accepted


def _counting_reader(names: list[str]):
    """A catalog reader that records the path of every catalog file it parses."""

    def read(path):
        names.append(Path(path).relative_to(path.parents[2]).as_posix())
        return catalogs.read_catalog(path)

    return read


def _accept_one_and_add_a_sentence(root: Path) -> None:
    # A changed catalog the memory must also learn from (a new sentence asks it for a draft).
    _accept_one(root)
    path = root / "articles" / f"{SAMPLE_SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe river rose again on Sunday.\n", encoding="utf-8")


@pytest.mark.parametrize(
    "change, merged",
    [
        (_touch_article, ("kk", "ru")),
        (_accept_one, ("ru",)),
        (_edit_glossary, ("kk", "ru")),
        (_break_state, ("kk", "ru")),
        (_accept_one_and_add_a_sentence, ("kk", "ru")),
    ],
    ids=["article", "catalog", "glossary", "state", "catalog-and-article"],
)
def test_each_catalog_a_run_merges_is_parsed_once(project_dir, installed_models, change, merged):
    """Planning, the translation memory and writing share one read of the catalog: a changed one is parsed once."""
    project = load_project(project_dir)
    names: list[str] = []
    run.translate_articles(project, now=NOW, read=_counting_reader(names))
    assert names == []  # no catalog yet: nothing to parse
    before = {loc: catalog(project_dir, loc) for loc in ("kk", "ru")}
    change(project_dir)
    again = run.translate_articles(project, now=NOW, read=_counting_reader(names))
    assert sorted(names) == [f"{loc}/LC_MESSAGES/{SAMPLE_SLUG}.po" for loc in merged]
    assert [(r.locale, r.skipped) for r in again.results] == [(loc, loc not in merged) for loc in ("kk", "ru")]
    assert {loc: catalog(project_dir, loc)[1].msgstr for loc in before} == {loc: before[loc][1].msgstr for loc in before}


def test_each_template_is_written_once_per_run_not_once_per_locale(project_dir, installed_models, monkeypatch):
    calls: list[str] = []
    real = catalogs.write_template

    def counting(project, article, now):
        calls.append(article.slug)
        return real(project, article, now)

    monkeypatch.setattr(catalogs, "write_template", counting)
    report = run.translate_articles(load_project(project_dir), now=NOW)
    assert calls == [SAMPLE_SLUG]
    assert len(report.results) == 2
    assert (project_dir / "locales" / "templates" / f"{SAMPLE_SLUG}.pot").is_file()


def test_a_rerun_whose_edits_all_merge_as_fuzzy_loads_no_model(project_dir, installed_models, sample_path, monkeypatch):
    project = load_project(project_dir)
    run.translate_articles(project, now=NOW)
    sample_path.write_text(sample_path.read_text(encoding="utf-8").replace("for five years.", "for ten years.", 1), encoding="utf-8")
    loaded: list[str] = []
    real = translate.load_engine

    def counting(package, *args, **kwargs):
        loaded.append(package.code)
        return real(package, *args, **kwargs)

    monkeypatch.setattr(translate, "load_engine", counting)
    report = run.translate_articles(project, now=NOW)
    assert report.sent_to_model == 0 and loaded == []
    assert [r.written for r in report.results] == [True, True]  # the edit is merged, fuzzy, in both catalogs
    assert report.models == {"kk": "translate-en_kk 1.0", "ru": "translate-en_ru 1.0"}


# --- one bad article or catalog stops only itself ------------------------------------------------------------

BAD_ARTICLES = Path(__file__).resolve().parent / "data" / "bad" / "articles"
FLOOD = Path(__file__).resolve().parent / "data" / "catalog" / "flood-waters-rise.md"


def po_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root / "locales").as_posix() for p in (root / "locales").rglob("*.po"))


def with_bad_articles_among_good_ones(root: Path) -> None:
    """Good articles before and after an empty one (the run streams in file order) and one without a slug."""
    shutil.copy(FLOOD, root / "articles" / "flood-waters-rise.md")
    shutil.copy(BAD_ARTICLES / "no-body.md", root / "articles" / "h-no-body.md")
    shutil.copy(BAD_ARTICLES / "no-slug.md", root / "articles" / "no-slug.md")


def test_good_articles_are_translated_and_each_bad_one_is_reported_on_one_line(project_dir, installed_models):
    with_bad_articles_among_good_ones(project_dir)

    result = workflow(project_dir, "translate", "--quiet")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: articles/h-no-body.md:6: the article has no body text after its front matter",
        "Error: articles/no-slug.md:2: front matter lacks 'slug'",
    ]
    assert po_files(project_dir) == [
        f"{loc}/LC_MESSAGES/{slug}.po" for loc in ("kk", "ru") for slug in ("flood-waters-rise", SAMPLE_SLUG)
    ]
    # The good ones are done: a second run has nothing to send, and still reports the bad ones.
    again = workflow(project_dir, "translate", "--json")
    assert again.returncode == 1 and json.loads(again.stdout)["sent_to_model"] == 0
    assert json.loads(again.stdout)["errors"] == [line.removeprefix("Error: ") for line in result.stderr.splitlines()]


def test_an_article_named_on_the_command_line_is_translated_despite_a_bad_one(project_dir, installed_models):
    with_bad_articles_among_good_ones(project_dir)

    result = workflow(project_dir, "translate", "flood-waters-rise", "--locale", "ru", "--quiet")

    assert result.returncode == 1
    assert result.stderr == "Error: articles/no-slug.md:2: front matter lacks 'slug'\n"
    assert po_files(project_dir) == ["ru/LC_MESSAGES/flood-waters-rise.po"]


def test_a_broken_catalog_stops_only_its_own_article_and_locale(project_dir, installed_models):
    shutil.copy(FLOOD, project_dir / "articles" / "flood-waters-rise.md")
    assert workflow(project_dir, "translate", "--quiet").returncode == 0
    broken = project_dir / "locales" / "ru" / "LC_MESSAGES" / "flood-waters-rise.po"
    broken.write_text(broken.read_text(encoding="utf-8").replace("#. kind: title\n", "#. kind: title\nnot PO\n", 1), encoding="utf-8")
    before = broken.read_bytes()
    for article in project_dir.glob("articles/*.md"):  # a new sentence everywhere: every catalog has work to do
        article.write_text(article.read_text(encoding="utf-8") + "\nA closing line was added.\n", encoding="utf-8")

    result = workflow(project_dir, "translate", "--quiet")

    assert result.returncode == 1
    assert result.stderr.startswith("Error: locales/ru/LC_MESSAGES/flood-waters-rise.po:")
    assert result.stderr.count("\n") == 1 and "PO syntax error" in result.stderr
    assert broken.read_bytes() == before
    for loc, slug in (("kk", "flood-waters-rise"), ("kk", SAMPLE_SLUG), ("ru", SAMPLE_SLUG)):
        po = polib.pofile(str(project_dir / "locales" / loc / "LC_MESSAGES" / f"{slug}.po"))
        assert po.find("A closing line was added.") is not None, (loc, slug)


# --- a slug renamed in the front matter ----------------------------------------------------------------------

NEW_SLUG = "kazakh-migrant-says-police-tortured-him"


@pytest.mark.parametrize("state", ["kept", "deleted"], ids=["with-run-state", "without-run-state"])
def test_a_renamed_slug_carries_the_reviewed_work_and_leaves_one_catalog_per_locale(
    project_dir, installed_models, sample_path, state
):
    assert workflow(project_dir, "translate", "--quiet").returncode == 0
    reviewed = {}
    for loc in ("kk", "ru"):
        po = catalog(project_dir, loc)
        for i, entry in enumerate(po):
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            if i % 3 == 0:
                entry.msgstr = f"правка {i}"
                entry.tcomment = "checked with the desk"
        po.save()
        reviewed[loc] = {e.msgid: e.msgstr for e in po}
    text = sample_path.read_text(encoding="utf-8")
    sample_path.write_text(text.replace(f"slug: {SAMPLE_SLUG}", f"slug: {NEW_SLUG}"), encoding="utf-8")
    if state == "deleted":
        (project_dir / "locales" / run.STATE_NAME).unlink()

    result = workflow(project_dir, "translate", "--json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sent_to_model"] == 0
    for loc in ("kk", "ru"):
        assert not (project_dir / "locales" / loc / "LC_MESSAGES" / f"{SAMPLE_SLUG}.po").exists()
        po = polib.pofile(str(project_dir / "locales" / loc / "LC_MESSAGES" / f"{NEW_SLUG}.po"))
        assert {e.msgid: e.msgstr for e in po} == reviewed[loc]
        assert not [e for e in po if e.fuzzy or e.obsolete]
        assert po.metadata["Project-Id-Version"] == NEW_SLUG
        assert "checked with the desk" in po[0].tcomment
    assert sorted(p.name for p in (project_dir / "locales" / "templates").iterdir()) == [f"{NEW_SLUG}.pot"]
    rows = json.loads(workflow(project_dir, "review", "--json").stdout)
    assert [(r["slug"], r["locale"], r["reviewed"]) for r in rows] == [(NEW_SLUG, "kk", 29), (NEW_SLUG, "ru", 29)]


def test_retranslate_help_says_what_it_replaces_and_what_it_keeps():
    result = workflow(Path("."), "translate", "--help")
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "A draft still exactly as the model wrote it is replaced" in text
    assert "a translation a translator wrote, edited or accepted is never replaced" in text
    assert "# machine draft (MODEL): ..." in text


def test_a_renamed_slug_translated_one_locale_at_a_time_keeps_the_other_locale_until_its_turn(
    project_dir, installed_models, sample_path
):
    assert workflow(project_dir, "translate", "--quiet").returncode == 0
    po = catalog(project_dir, "kk")
    po[1].flags.remove("fuzzy")
    po.save()
    accepted = po[1].msgstr
    text = sample_path.read_text(encoding="utf-8")
    sample_path.write_text(text.replace(f"slug: {SAMPLE_SLUG}", f"slug: {NEW_SLUG}"), encoding="utf-8")

    assert workflow(project_dir, "translate", "--locale", "ru", "--quiet").returncode == 0
    assert po_files(project_dir) == [f"kk/LC_MESSAGES/{SAMPLE_SLUG}.po", f"ru/LC_MESSAGES/{NEW_SLUG}.po"]
    assert (project_dir / "locales" / "templates" / f"{SAMPLE_SLUG}.pot").is_file()  # kk still needs it

    assert workflow(project_dir, "translate", "--quiet").returncode == 0
    assert po_files(project_dir) == [f"kk/LC_MESSAGES/{NEW_SLUG}.po", f"ru/LC_MESSAGES/{NEW_SLUG}.po"]
    assert not (project_dir / "locales" / "templates" / f"{SAMPLE_SLUG}.pot").exists()
    kk = polib.pofile(str(project_dir / "locales" / "kk" / "LC_MESSAGES" / f"{NEW_SLUG}.po"))
    assert kk[1].msgstr == accepted and not kk[1].fuzzy


def test_each_draft_keeps_the_models_confidence_and_a_copy_model_is_surer_than_a_random_one(
    project_dir, models_dir, copy_package, tiny_package
):
    def confidences(package: Path) -> list[float]:
        translate.install_package(package)
        assert workflow(project_dir, "translate", "--locale", "ru", "--retranslate", "--quiet").returncode == 0
        entries = [e for e in catalog(project_dir, "ru") if not e.obsolete]
        lines = [[c for c in e.comment.splitlines() if c.startswith("confidence: ")] for e in entries]
        assert all(len(found) == 1 for found in lines)
        return [float(found[0].removeprefix("confidence: ")) for found in lines]

    copy = confidences(copy_package["ru"])
    for path in models_dir.iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    tiny = confidences(tiny_package["ru"])
    assert all(0 < c <= 1 for c in copy + tiny)
    assert min(copy) > max(tiny)


# --- a translator saves while the model runs (attack2, issue 18: plan once) ---------------------------


def _translator_accepts(root: Path, index: int, text: str):
    """A progress callback that, the first time the model reports, saves the ru PO as Poedit would."""
    saved: list[str] = []

    def progress(done, total, sent):
        if saved:
            return
        po = catalog(root, "ru")
        entry = [e for e in po if not e.obsolete][index]
        entry.msgstr = text
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        po.save()
        saved.append(entry.msgid)

    return progress, saved


@pytest.mark.parametrize("retranslate", [False, True], ids=["new-sentence", "retranslate"])
def test_a_translation_saved_while_the_model_runs_is_kept(project_dir, installed_models, sample_path, retranslate):
    """The PO is planned before inference and written after it: a translator's save in between is their work."""
    project = load_project(project_dir)
    run.translate_articles(project, None, ["ru"], now=NOW)
    sample_path.write_text(sample_path.read_text(encoding="utf-8") + "\nA brand new sentence arrived today.\n", encoding="utf-8")
    progress, saved = _translator_accepts(project_dir, 3, "Перевод, сохранённый переводчиком.")
    run.translate_articles(project, None, ["ru"], now=NOW, progress=progress, retranslate=retranslate)
    assert saved, "the model never reported progress: the race was not run"
    kept = {e.msgid: (e.msgstr, e.fuzzy) for e in catalog(project_dir, "ru") if not e.obsolete}
    assert kept[saved[0]] == ("Перевод, сохранённый переводчиком.", False)


def test_a_catalog_saved_broken_while_the_model_runs_is_reported_and_left_as_saved(project_dir, installed_models, sample_path):
    project = load_project(project_dir)
    run.translate_articles(project, None, ["ru"], now=NOW)
    sample_path.write_text(sample_path.read_text(encoding="utf-8") + "\nA brand new sentence arrived today.\n", encoding="utf-8")
    po_path = project.po_path(SAMPLE_SLUG, "ru")
    broken = 'msgid "half a save\n'

    def progress(done, total, sent):
        po_path.write_text(broken, encoding="utf-8")

    report = run.translate_articles(project, None, ["ru"], now=NOW, progress=progress)
    assert [e.path for e in report.errors] == [po_path]
    assert po_path.read_text(encoding="utf-8") == broken


TBX_ASTANA = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><text><body>
<termEntry id="t1"><descrip type="x-kind">place</descrip>
<langSet xml:lang="en"><tig><term>Astana</term></tig></langSet>
<langSet xml:lang="{tag}"><tig><term>Astanagrad</term></tig></langSet>
</termEntry></body></text></martif>
"""


@pytest.mark.parametrize(
    ("locale", "tag"),
    [("sr_Latn", "sr-Latn"), ("sr_Latn", "sr_Latn"), ("pt_BR", "pt-BR")],
    ids=["script-hyphen", "script-underscore", "region"],
)
def test_a_tbx_glossary_form_for_a_regional_or_script_locale_reaches_the_translation(
    tmp_path, models_dir, locale, tag
):
    """`glossary list` shows the form under the project's locale; translate must restore that same form."""
    from tests import modelkit

    translate.install_file(modelkit.build_package(tmp_path / "pkg", modelkit.PackageSpec(to_code=locale, kind="copy")))
    root = tmp_path / "project"
    for folder in ("articles", "glossary", "locales"):
        (root / folder).mkdir(parents=True)
    (root / "workflow.toml").write_text(
        f'[workflow]\nsource_locale = "en"\ntarget_locales = ["{locale}"]\n\n[paths]\nglossary = "glossary/terms.tbx"\n',
        encoding="utf-8",
    )
    (root / "glossary" / "terms.tbx").write_text(TBX_ASTANA.format(tag=tag), encoding="utf-8")
    (root / "articles" / "astana-news.md").write_text(
        "---\ntitle: News\ndate: 2026-11-24\nslug: astana-news\n---\n\nThe president visited Astana on Monday.\n", encoding="utf-8"
    )
    run.translate_articles(load_project(root), now=NOW)
    po = polib.pofile(str(root / "locales" / locale / "LC_MESSAGES" / "astana-news.po"))
    assert po.find("The president visited Astana on Monday.").msgstr == "The president visited Astanagrad on Monday."


@pytest.mark.parametrize(("locale", "column"), [("pt_BR", "pt"), ("kk_KZ", "kk")], ids=["pt_BR-under-pt", "kk_KZ-under-kk"])
def test_a_glossary_column_of_the_language_is_not_silently_ignored_for_a_regional_target(tmp_path, models_dir, locale, column):
    """A CSV column `pt` and a target `pt_BR`: the term is restored (as TBX import and the interface words fall back), or the run says why not."""
    from tests import modelkit

    translate.install_file(modelkit.build_package(tmp_path / "pkg", modelkit.PackageSpec(to_code=locale, kind="copy")))
    root = tmp_path / "project"
    for folder in ("articles", "glossary", "locales"):
        (root / folder).mkdir(parents=True)
    (root / "workflow.toml").write_text(f'[workflow]\nsource_locale = "en"\ntarget_locales = ["{locale}"]\n', encoding="utf-8")
    (root / "glossary" / "terms.csv").write_text(
        f"english,{column},kind,gender,note,variants,avoid_{column}\nAstana,Astanagrad,place,,,,\n", encoding="utf-8"
    )
    (root / "articles" / "astana-news.md").write_text(
        "---\ntitle: News\ndate: 2026-11-24\nslug: astana-news\n---\n\nThe president visited Astana on Monday.\n", encoding="utf-8"
    )
    report = run.translate_articles(load_project(root), now=NOW)
    po = polib.pofile(str(root / "locales" / locale / "LC_MESSAGES" / "astana-news.po"))
    restored = po.find("The president visited Astana on Monday.").msgstr == "The president visited Astanagrad on Monday."
    assert restored or any(column in str(e) for e in report.errors)
