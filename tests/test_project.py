"""workflow.toml: languages and paths, validated with Babel's locale data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from workflow.errors import InputError
from workflow.project import check_locale, check_slug, load_project, select_locales


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workflow", *args], cwd=cwd, capture_output=True, text=True)


def test_the_shipped_config_targets_kazakh_and_russian(project_dir):
    project = load_project(project_dir)
    assert project.source_locale == "en"
    assert project.locales == ("kk", "ru")
    assert project.po_path("a-b", "kk") == project_dir / "locales/kk/LC_MESSAGES/a-b.po"
    assert project.pot_path("a-b") == project_dir / "locales/templates/a-b.pot"


@pytest.mark.parametrize(
    "code, message",
    [
        ("kz", "unknown locale 'kz'; did you mean"),
        ("xx", "unknown locale 'xx'"),
        ("../../etc", "unknown locale '../../etc'"),
        ("/etc", "unknown locale '/etc'"),
        ("ru/../../x", "unknown locale 'ru/../../x'"),
    ],
)
def test_unknown_or_path_like_locales_are_rejected_naming_the_valid_ones(code, message):
    with pytest.raises(InputError) as caught:
        check_locale(code)
    assert str(caught.value).startswith(message)
    assert "`workflow locales` lists them" in str(caught.value)


def test_known_locales_pass():
    for code in ("kk", "ru", "en", "kk_KZ", "sr_Latn"):
        assert check_locale(code) == code


@pytest.mark.parametrize("slug", ["../x", "/abs", "a/b", "UPPER", "a--b", "", "a_b", "-a"])
def test_slugs_that_could_name_another_place_are_rejected(slug):
    with pytest.raises(InputError, match="invalid slug"):
        check_slug(slug)


def test_config_with_an_unknown_target_locale_names_file_and_line(project_dir):
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text().replace('["kk", "ru"]', '["kk", "kz"]'))
    result = run_cli("translate", "--project", str(project_dir), cwd=project_dir)
    assert result.returncode == 1
    line = next(i for i, l in enumerate(config.read_text().splitlines(), 1) if "target_locales" in l)
    assert result.stderr.startswith(f"Error: workflow.toml:{line}: unknown locale 'kz'; did you mean")
    assert result.stderr.count("\n") == 1


def test_config_paths_may_not_leave_the_project(project_dir):
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text().replace('public = "public"', 'public = "../../outside"'))
    with pytest.raises(InputError, match=r"paths.public must stay inside the project"):
        load_project(project_dir)


def test_broken_toml_is_reported_with_its_line(project_dir):
    (project_dir / "workflow.toml").write_text('[workflow]\nsource_locale = "en\n')
    with pytest.raises(InputError) as caught:
        load_project(project_dir)
    assert str(caught.value).startswith(f"{project_dir}/workflow.toml:2: not valid TOML")


def test_a_directory_without_config_says_how_to_start(tmp_path):
    with pytest.raises(InputError, match="no workflow.toml here: run `workflow init`"):
        load_project(tmp_path)


def test_init_creates_a_project_once(tmp_path):
    first = run_cli("init", "--project", str(tmp_path), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert load_project(tmp_path).locales == ("kk", "ru")
    again = run_cli("init", "--project", str(tmp_path), cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr == "Error: workflow.toml: already exists; nothing changed\n"


def test_selecting_a_locale_the_project_does_not_target_is_an_error(project_dir):
    project = load_project(project_dir)
    assert select_locales(project, None) == ("kk", "ru")
    assert select_locales(project, ["ru"]) == ("ru",)
    with pytest.raises(InputError, match="locale 'de' is not a target of this project"):
        select_locales(project, ["de"])


def test_locales_command_lists_babel_codes_as_json(tmp_path):
    import json

    result = run_cli("locales", "--json", cwd=tmp_path)
    codes = {row["code"]: row["name"] for row in json.loads(result.stdout)}
    assert codes["kk"] == "Kazakh" and codes["ru"] == "Russian"


@pytest.mark.parametrize(
    "addition, message, needle",
    [
        pytest.param('backend = "cloud"', "translate.backend must be one of 'local', 'libretranslate', 'ray' (got 'cloud')", "backend", id="backend"),
        pytest.param('device = "tpu"', "translate.device must be one of 'auto', 'cpu', 'cuda' (got 'tpu')", "device", id="device"),
        pytest.param("[translate.libretranslat]", "unknown table [translate.libretranslat] (backends: local, libretranslate, ray)", "[translate.libretranslat]", id="table-typo"),
    ],
)
def test_an_unknown_backend_device_or_backend_table_names_file_and_line(project_dir, addition, message, needle):
    config = project_dir / "workflow.toml"
    text = config.read_text()
    if addition.startswith("["):  # a table of its own, after [translate]
        config.write_text(f"{text}\n{addition}\nurls = []\n")
    else:
        config.write_text(text.replace("[translate]\n", f"[translate]\n{addition}\n"))
    line = next(i for i, l in enumerate(config.read_text().splitlines(), 1) if needle in l)
    with pytest.raises(InputError) as caught:
        load_project(project_dir)
    assert str(caught.value) == f"{project_dir}/workflow.toml:{line}: {message}"


def test_the_backend_and_device_default_to_the_local_engine_on_the_best_device(project_dir):
    project = load_project(project_dir)
    assert (project.backend, project.device) == ("local", "auto")


@pytest.mark.parametrize(
    "table,message",
    [
        ("[memory]\noffer = 40\n", "memory.offer must be a whole number from 50 to 99"),
        ("[memory]\ndraft = 100\n", "memory.draft must be a whole number from 50 to 99"),
        ("[memory]\noffer = 95\ndraft = 90\n", "memory.draft must not be below memory.offer"),
        ('[memory]\naccept_exact = "yes"\n', "memory.accept_exact must be true or false"),
        ("[memory]\nacept_exact = true\n", "unknown key memory.acept_exact (known: accept_exact, draft, offer)"),
    ],
    ids=["offer-too-low", "draft-too-high", "draft-below-offer", "accept-not-bool", "typo"],
)
def test_memory_settings_are_checked_with_file_and_line(project_dir, table, message):
    config = project_dir / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        load_project(project_dir)
    assert str(caught.value).startswith(f"{config}:") and "\n" not in str(caught.value)


def test_memory_settings_default_to_offer_75_draft_90_and_fuzzy_exact_matches(project_dir):
    settings = load_project(project_dir).memory
    assert (settings.offer, settings.draft, settings.accept_exact) == (75, 90, False)


# --- the first hour ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [("review", "--json"), ("glossary", "list", "--json"), ("segment", "kazakh-migrant-refused-war-contract", "--json")],
    ids=["review", "glossary-list", "segment-slug"],
)
def test_commands_run_from_a_subdirectory_find_the_project_above_as_git_does(project_dir, command):
    at_root = run_cli(*command, cwd=project_dir)
    for sub in (project_dir / "articles", project_dir / "locales"):
        inside = run_cli(*command, cwd=sub)
        assert inside.returncode == 0, inside.stderr
        assert inside.stdout == at_root.stdout


def test_project_option_naming_a_directory_inside_the_project_finds_it_too(project_dir):
    assert load_project(project_dir / "articles").root == project_dir
    assert load_project(project_dir / "articles").locales == ("kk", "ru")


def test_init_makes_a_project_that_segments_reviews_and_checks_at_once(tmp_path):
    made = run_cli("init", "--project", "newsroom", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "newsroom"
    assert made.stdout.splitlines()[-1] == (
        "Next: cd newsroom && workflow segment example-city-opens-library   (`workflow --help` lists every command)"
    )
    # The glossary is empty but has a column for each target locale of the config it was made with.
    header = (root / "glossary/terms.csv").read_text(encoding="utf-8").splitlines()
    assert len(header) == 1 and {"english", *(load_project(root).locales)} <= set(header[0].split(","))
    # The config's pointer leads somewhere that exists: the program's own help.
    pointer = (root / "workflow.toml").read_text(encoding="utf-8").splitlines()[0]
    assert "`workflow --help`" in pointer and "README" not in pointer
    assert run_cli("--help", cwd=root).returncode == 0
    segmented = run_cli("segment", "example-city-opens-library", "--json", cwd=root)
    assert segmented.returncode == 0, segmented.stderr
    assert '"kind": "title"' in segmented.stdout
    review = run_cli("review", "--json", cwd=root / "articles")
    assert review.returncode == 0 and '"untranslated": 5' in review.stdout
    check = run_cli("glossary", "check", cwd=root)
    assert check.returncode == 0
    assert check.stdout == "Nothing to check yet: no translated segments in the catalogs (run `workflow translate` first).\n"


def test_init_inside_an_existing_project_refuses_instead_of_nesting_one(project_dir):
    from tests.conftest import tree_digest

    before = tree_digest(project_dir)
    nested = run_cli("init", cwd=project_dir / "articles")
    assert nested.returncode == 1
    assert nested.stderr == f"Error: .: already inside the project at {project_dir}; nothing changed\n"
    assert tree_digest(project_dir) == before


def test_init_keeps_an_article_or_glossary_already_in_the_directory(tmp_path):
    (tmp_path / "glossary").mkdir()
    (tmp_path / "glossary/terms.csv").write_text("english,kk,ru,kind,gender,note,variants,avoid_kk,avoid_ru\nAstana,Астана,Астана,place,,,,,\n")
    assert run_cli("init", cwd=tmp_path).returncode == 0
    assert "Astana" in (tmp_path / "glossary/terms.csv").read_text()


def test_a_config_without_target_locales_is_refused_naming_the_file(project_dir):
    # No built-in default languages: which languages a newsroom translates into is its own choice.
    config = project_dir / "workflow.toml"
    config.write_text(re.sub(r"(?m)^target_locales = .*\n", "", config.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_project(project_dir)
    assert (caught.value.path, caught.value.line) == (config, 2)
    assert caught.value.message.startswith("no target_locales in [workflow]: name the languages to translate into")


def test_the_starter_config_names_its_target_locales_and_init_writes_their_glossary_columns(tmp_path):
    from workflow.project import starter_locales

    done = subprocess.run([sys.executable, "-m", "workflow", "init", "--project", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    locales = load_project(tmp_path).locales
    assert tuple(locales) == starter_locales() and locales
    header = (tmp_path / "glossary" / "terms.csv").read_text(encoding="utf-8")
    assert header == ",".join(["english", *locales, "kind", "gender", "note", "variants", *(f"avoid_{l}" for l in locales)]) + "\n"
