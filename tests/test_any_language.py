"""Any target language by configuration, end to end: a project that adds Kyrgyz (a language module) or
Uzbek (none) to Kazakh and Russian translates, is reviewed and publishes every edition."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests import modelkit
from tests.conftest import SAMPLE_SLUG
from tests.test_glossary import KY_FORMS, with_locale
from workflow import glossary as g

UZ_FORMS = {
    "Jazylbek Azhygaliyev": "Jazilbek Ajigaliyev", "Marua Eskendirova": "Marua Eskendirova", "Almaty": "Olmaota",
    "Moscow": "Moskva", "Kazakhstan": "Qozogiston", "Russia": "Rossiya", "Ukraine": "Ukraina",
    "Radio Azattyk": "Azattyk radiosi", "Radio Free Europe/Radio Liberty": "Ozod Yevropa / Ozodlik radiosi",
    "Kassym-Jomart Tokayev": "Qasim-Jomart Toqayev", "Meduza": "Meduza", "Soviet Union": "Sovet Ittifoqi",
    "Central Asia": "Markaziy Osiyo", "The Urals Weekly": "The Urals Weekly",
}


@pytest.fixture(scope="module")
def more_packages(tmp_path_factory) -> dict[str, Path]:
    """Copy-model packages en→ky and en→uz, beside the session's en→kk and en→ru."""
    out = tmp_path_factory.mktemp("more-packages")
    return {to: modelkit.build_package(out, modelkit.PackageSpec(to_code=to, kind="copy")) for to in ("ky", "uz")}


def configure(project_dir: Path, locale: str, forms: dict[str, str], more_packages) -> None:
    """Target kk, ru and `locale`, with a glossary column for it and its copy model installed."""
    from workflow.translate import install_file

    install_file(more_packages[locale])
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('["kk", "ru"]', f'["kk", "ru", "{locale}"]'), encoding="utf-8")
    path = project_dir / "glossary" / "terms.csv"
    g.save_glossary(with_locale(g.load_glossary(path), locale, forms), path)


def run(project_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workflow", *args], cwd=project_dir, capture_output=True, text=True, timeout=600
    )


def accept_all(project_dir: Path, locale: str) -> None:
    """What a translator does in a PO editor: accept every draft; the copy model's English passes on purpose."""
    path = project_dir / "locales" / locale / "LC_MESSAGES" / f"{SAMPLE_SLUG}.po"
    po = polib.pofile(str(path))
    for entry in po:
        entry.tcomment = "\n".join(filter(None, [entry.tcomment, "qa-ok: untranslated, dates"]))
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    po.save()


def translate_review_publish(project_dir: Path, locales: tuple[str, ...]) -> dict[str, str]:
    """translate → blocked with every segment pending in each locale → accepted → published: {locale: page}."""
    done = run(project_dir, "translate", "--quiet")
    assert done.returncode == 0, done.stderr
    blocked = run(project_dir, "publish", "--json")
    assert blocked.returncode == 1
    pending = sorted((e["locale"], len(e["pending"])) for e in json.loads(blocked.stdout)["editions"])
    assert pending == [(loc, 29) for loc in sorted(locales)]
    for loc in locales:
        accept_all(project_dir, loc)
    published = run(project_dir, "publish")
    assert published.returncode == 0, published.stdout + published.stderr
    return {loc: (project_dir / "public" / loc / f"{SAMPLE_SLUG}.html").read_text(encoding="utf-8") for loc in locales}


def test_a_kk_ru_ky_project_translates_reviews_and_publishes_all_three_editions(project_dir, installed_models, more_packages):
    configure(project_dir, "ky", KY_FORMS, more_packages)
    pages = translate_review_publish(project_dir, ("kk", "ru", "ky"))
    for loc, page in pages.items():
        assert f'<html lang="{loc}"' in page
    # Each edition names Kazakhstan in its own language's form, inflected by that language's module.
    assert "Казакстан" in pages["ky"] and "Қазақстан" not in pages["ky"] and "Казахстан" not in pages["ky"]
    assert "Қазақстан" in pages["kk"] and "Казахстан" in pages["ru"]
    assert "Казакстанга" in pages["ky"]  # "deported to Kazakhstan": the Kyrgyz dative
    check = run(project_dir, "glossary", "check")
    assert check.returncode == 0 and "Note:" not in check.stderr, check.stdout + check.stderr


def test_a_locale_without_a_language_module_gets_exact_forms_and_the_note(project_dir, installed_models, more_packages):
    configure(project_dir, "uz", UZ_FORMS, more_packages)
    pages = translate_review_publish(project_dir, ("kk", "ru", "uz"))
    assert '<html lang="uz"' in pages["uz"] and "Qozogiston" in pages["uz"] and "Jazilbek Ajigaliyev" in pages["uz"]
    check = run(project_dir, "glossary", "check", "--locale", "uz")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stderr == (
        "Note: uz: inflected forms are not recognised (no language module); only the exact form Jazilbek Ajigaliyev counts\n"
    )
    # Only the exact form counts: a reviewer's inflected Qozogistonga is flagged, and the edition is blocked.
    path = project_dir / "locales" / "uz" / "LC_MESSAGES" / f"{SAMPLE_SLUG}.po"
    po = polib.pofile(str(path))
    entry = next(e for e in po if "Qozogiston" in e.msgstr)
    entry.msgstr = entry.msgstr.replace("Qozogiston", "Qozogistonga")
    po.save()
    check = run(project_dir, "glossary", "check", "--locale", "uz")
    assert check.returncode == 1
    assert check.stdout.rstrip().endswith("[reviewed] Kazakhstan → Qozogiston: not found in the translation")
    assert run(project_dir, "publish").returncode == 1
