"""`workflow demo`: the whole flow offline with a clearly labelled demonstration package that never passes for a translation."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from tests.conftest import REPO, SAMPLE_SLUG, tree_digest
from tests.test_publish import NOW, accept, drafts, sample
from workflow import publish, translate
from workflow.cli import app
from workflow.review import DEMO_MARK, review_article

runner = CliRunner()
FIRST = "8028b450e4"  # "Kazakh citizen Jazylbek Azhygaliyev, ..."
ATTRIBUTION = "attribution"  # "– Marua Eskendirova": a name only, so its demo draft is already right


@pytest.fixture(scope="session")
def demo_packages(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("demo-packages")
    return {to: translate.build_demo_package("en", to, out / f"demo-{to}.argosmodel") for to in ("kk", "ru")}


def entries(proj, locale: str) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(proj.po_path(SAMPLE_SLUG, locale))) if not e.obsolete]


def test_workflow_demo_installs_labelled_packages_whose_drafts_are_the_english_with_the_glossarys_names(project_dir, models_dir):
    made = runner.invoke(app, ["demo", "--project", str(project_dir)])
    assert made.exit_code == 0, made.output
    assert made.output.splitlines()[:2] == [
        f"en→kk: installed translate-en_kk-demo in {models_dir}: a demonstration, its drafts are {DEMO_MARK}.",
        f"en→ru: installed translate-en_ru-demo in {models_dir}: a demonstration, its drafts are {DEMO_MARK}.",
    ]
    listed = runner.invoke(app, ["models", "list", "--json"]).output
    assert '"demo": true' in listed
    done = runner.invoke(app, ["translate", "--project", str(project_dir), "--quiet"])
    assert done.exit_code == 0, done.output
    assert f"kk: model translate-en_kk 0.0 {DEMO_MARK}" in done.output
    proj, article = sample(project_dir)
    for loc, name in (("kk", "Жазылбек Ажығалиев"), ("ru", "Жазылбек Ажыгалиев")):
        po = entries(proj, loc)
        assert len(po) == len(article.segments)
        # (the draft's hash follows the provenance: it tells an untouched draft from a translator's text)
        assert all(re.fullmatch(f"machine: translate-en_{loc} 0.0 {re.escape(DEMO_MARK)} sha1:[0-9a-f]{{8}}", e.tcomment.splitlines()[0]) for e in po)
        assert all("fuzzy" in e.flags for e in po)
        first = next(e for e in po if e.msgid.startswith("Kazakh citizen Jazylbek Azhygaliyev"))
        assert name in first.msgstr and "who worked in" in first.msgstr  # English words, names in the edition's form
    again = runner.invoke(app, ["demo", "--project", str(project_dir)])
    assert "en→kk: the demonstration package translate-en_kk-demo is already installed." in again.output


def test_accepting_a_demo_draft_unchanged_does_not_get_it_published(project_dir, models_dir, demo_packages):
    for package in demo_packages.values():
        translate.install_file(package)
    assert runner.invoke(app, ["translate", "--project", str(project_dir), "--quiet"]).exit_code == 0
    proj, article = sample(project_dir)
    accept(proj, article, "ru")  # the translator clears every fuzzy flag without translating anything

    report = publish.publish(proj, locales=["ru"], now=NOW)
    (edition,) = report.blocked
    english = [s for s in article.segments if s.kind != ATTRIBUTION]
    assert len(edition.pending) == len(english)
    # (the English-left check may flag the same entry too; the demo flag is there whatever other checks say)
    assert all(p.reason.startswith("reviewed but flagged: ") for p in edition.pending)
    assert all(f"demo: the demonstration package's draft ({DEMO_MARK})" in p.reason for p in edition.pending)
    assert not proj.public_dir.exists()
    # A sentence that is only a name comes out right from the demo: accepted as it is, it is not flagged.
    review = review_article(proj, article, "ru")
    attribution = next(e for e in review.entries if e.segment.kind == ATTRIBUTION)
    assert (attribution.msgid, attribution.msgstr) == ("Marua Eskendirova", "Маруа Ескендирова")
    assert attribution.status == "reviewed" and attribution.flags == ()

    # A glossary change after the drafts were made does not let an untouched demo draft through.
    agreed = proj.glossary_path.read_text(encoding="utf-8")
    proj.glossary_path.write_text(agreed.replace("Moscow,Мәскеу,Москва", "Moscow,Мәскеу,Москва-град"), encoding="utf-8")
    moscow = next(e for e in review_article(proj, article, "ru").entries if "Moscow" in e.msgid)
    assert any(flag.startswith("demo: ") for flag in moscow.flags)
    proj.glossary_path.write_text(agreed, encoding="utf-8")

    # The translator replaces the drafts with translations: now the edition goes out.
    by_id = {s.id: s.text for s in article.segments}
    real = drafts("ru")
    accept(proj, article, "ru", edits={seg_id: real[seg_id] for seg_id in by_id})
    published = publish.publish(proj, locales=["ru"], now=NOW)
    assert published.blocked == () and (proj.public_dir / "ru" / f"{SAMPLE_SLUG}.html").is_file()


def test_a_real_model_is_preferred_to_the_demo_and_demo_installs_none_beside_it(project_dir, models_dir, demo_packages, copy_package):
    translate.install_file(demo_packages["kk"])
    real = translate.install_file(copy_package["kk"])
    assert translate.find_package("en", "kk") == real
    result = runner.invoke(app, ["demo", "--project", str(project_dir), "--locale", "kk"])
    assert result.output.splitlines()[0] == "en→kk: a real model is installed (translate-en_kk-1_0); no demonstration package needed."
    table = runner.invoke(app, ["models", "list"], env={"COLUMNS": "200"}).output
    assert "0.0 (demo, not a translation)" in table


def test_the_main_job_without_a_real_model_drafts_with_the_demo_and_ends_with_the_command_for_a_real_one(tmp_path):
    """scripts/main-job as the README runs it, on a fresh copy with no model anywhere (setup skipped: the venv exists)."""
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("workflow.toml", "articles", "glossary", "scripts"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, clone / name)
    bin_dir = clone / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "workflow").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m workflow "$@"\n')
    (bin_dir / "workflow").chmod(0o755)
    argos = tmp_path / "argos"
    argos.mkdir()
    env = {**os.environ, "MAIN_JOB_SKIP_SETUP": "1", "ARGOS_PACKAGES_DIR": str(argos), "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    done = subprocess.run(["bash", "scripts/main-job"], cwd=clone, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "== segment" in lines and "== review" in lines
    assert any(SAMPLE_SLUG in line and " kk " in line and "29" in line for line in lines)  # the review table
    assert lines[-1].startswith("Demo drafts for en→kk en→ru (demo, not a translation")
    assert "workflow models install FILE.argosmodel" in lines[-1] and "Getting a Kazakh model" in lines[-1]
    for loc in ("kk", "ru"):
        po = polib.pofile(str(clone / "locales" / loc / "LC_MESSAGES" / f"{SAMPLE_SLUG}.po"))
        assert all(DEMO_MARK in e.tcomment for e in po)
    assert list(argos.iterdir()) == []  # the demo stays in the project's .venv: no other argos program sees it
    assert tree_digest(clone / ".venv" / "demo-models")
