"""`workflow models ...`: list, install (safely), build; on real packages built offline by tests/modelkit.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import modelkit
from tests.conftest import REPO, tree_digest
from workflow.cli import app
from workflow.errors import InputError
from workflow.articles import read_article
from workflow.translate import build_package, find_package, install_file, install_package, list_packages, load_engine

runner = CliRunner()
TOP = "translate-en_kk-1_0"


def workflow(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess: exit code and the exact `Error: ...` line."""
    return subprocess.run(
        [sys.executable, "-m", "workflow", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def rewrite(source: Path, dest: Path, edit) -> Path:
    """Copy the zip at `source` to `dest`, passing each (name, bytes) through `edit` (None drops it)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            kept = edit(info.filename, zin.read(info))
            if kept is not None:
                zout.writestr(kept[0], kept[1])
    return dest


# --- list and install ------------------------------------------------------------------------------


def test_install_a_file_then_list_shows_code_languages_version_and_path(models_dir, copy_package):
    result = runner.invoke(app, ["models", "install", str(copy_package["kk"]), "--models-dir", str(models_dir)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Installed translate-en_kk 1.0 (en→kk) in {models_dir}\n"
    listed = runner.invoke(app, ["models", "list", "--json", "--models-dir", str(models_dir)])
    assert json.loads(listed.output) == [
        {
            "code": "translate-en_kk",
            "from_code": "en",
            "to_code": "kk",
            "version": "1.0",
            "name": TOP,
            "path": (models_dir / TOP).as_posix(),
            "in_use": True,
        }
    ]
    table = runner.invoke(app, ["models", "list", "--models-dir", str(models_dir)])
    assert "translate-en_kk" in table.output and "1.0" in table.output


def test_models_dir_option_chooses_where_packages_are_installed_and_listed(models_dir, copy_package, tmp_path):
    other = tmp_path / "elsewhere"
    assert runner.invoke(app, ["models", "install", str(copy_package["ru"]), "--models-dir", str(other)]).exit_code == 0
    assert (other / "translate-en_ru-1_0" / "metadata.json").is_file()
    assert json.loads(runner.invoke(app, ["models", "list", "--json", "--models-dir", str(other)]).output)[0]["to_code"] == "ru"


def test_list_with_nothing_installed_says_how_to_install(models_dir):
    result = runner.invoke(app, ["models", "list", "--models-dir", str(models_dir)])
    assert result.output == (
        f"No model packages in {models_dir}; install one with `workflow models install FILE.argosmodel`.\n"
    )
    assert json.loads(runner.invoke(app, ["models", "list", "--json"]).output) == []


def test_reinstalling_a_package_replaces_it_in_place(models_dir, copy_package):
    install_file(copy_package["kk"])
    (models_dir / TOP / "stale-file").write_text("from the old install")
    install_file(copy_package["kk"])
    assert [p.name for p in list_packages()] == [TOP]
    assert not (models_dir / TOP / "stale-file").exists()
    assert sorted(p.name for p in models_dir.iterdir()) == [TOP]


@pytest.fixture(scope="session")
def newer_kk_package(tmp_path_factory) -> Path:
    """A second version (1.1) of the en→kk copy package, to install beside 1.0."""
    return modelkit.build_package(tmp_path_factory.mktemp("newer"), modelkit.PackageSpec(to_code="kk", kind="copy", version="1.1"))


def test_with_two_versions_installed_the_list_marks_the_one_translate_uses(models_dir, copy_package, newer_kk_package):
    install_file(newer_kk_package)
    install_file(copy_package["kk"])  # installed last, but older: translate still takes 1.1
    install_file(copy_package["ru"])
    listed = json.loads(runner.invoke(app, ["models", "list", "--json", "--models-dir", str(models_dir)]).output)
    assert [(p["name"], p["in_use"]) for p in listed] == [
        ("translate-en_kk-1_0", False),
        ("translate-en_kk-1_1", True),
        ("translate-en_ru-1_0", True),
    ]
    assert find_package("en", "kk").name == "translate-en_kk-1_1"
    table = runner.invoke(app, ["models", "list", "--models-dir", str(models_dir)]).output
    rows = {line.split("│")[1].strip() + " " + line.split("│")[4].strip(): line.split("│")[5].strip() for line in table.splitlines() if line.startswith("│")}
    assert rows == {"translate-en_kk 1.0": "", "translate-en_kk 1.1": "yes", "translate-en_ru 1.0": "yes"}


def test_models_remove_uninstalls_by_code_or_by_name_when_two_versions_are_installed(models_dir, copy_package, newer_kk_package):
    install_file(copy_package["kk"])
    install_file(newer_kk_package)
    before = tree_digest(models_dir)
    ambiguous = runner.invoke(app, ["models", "remove", "translate-en_kk", "--models-dir", str(models_dir)])
    assert ambiguous.exit_code == 1 and tree_digest(models_dir) == before
    assert "2 versions of translate-en_kk are installed (translate-en_kk-1_0, translate-en_kk-1_1)" in str(ambiguous.exception)
    newer = runner.invoke(app, ["models", "remove", "translate-en_kk-1_1", "--models-dir", str(models_dir)])
    assert newer.exit_code == 0, newer.output
    assert newer.output == f"Removed translate-en_kk-1_1 (translate-en_kk 1.1) from {models_dir}; en→kk now uses translate-en_kk-1_0.\n"
    assert find_package("en", "kk").version == "1.0"
    last = runner.invoke(app, ["models", "remove", "translate-en_kk", "--models-dir", str(models_dir)])
    assert last.output == f"Removed translate-en_kk-1_0 (translate-en_kk 1.0) from {models_dir}; no en→kk model is left.\n"
    assert sorted(p.name for p in models_dir.iterdir()) == []
    unknown = runner.invoke(app, ["models", "remove", "translate-en_kk", "--models-dir", str(models_dir)])
    assert unknown.exit_code == 1 and "no installed package 'translate-en_kk' (installed: none); nothing removed" in str(unknown.exception)


def test_models_remove_of_a_linked_package_removes_the_link_not_its_target(models_dir, copy_package, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    runner.invoke(app, ["models", "install", str(copy_package["kk"]), "--models-dir", str(elsewhere)])
    (models_dir / TOP).symlink_to(elsewhere / TOP)
    target = tree_digest(elsewhere)
    result = runner.invoke(app, ["models", "remove", TOP, "--models-dir", str(models_dir)])
    assert result.exit_code == 0, result.output
    assert list(models_dir.iterdir()) == [] and tree_digest(elsewhere) == target


def test_reinstalling_the_same_version_says_so(models_dir, copy_package):
    args = ["models", "install", str(copy_package["kk"]), "--models-dir", str(models_dir)]
    assert runner.invoke(app, args).output == f"Installed translate-en_kk 1.0 (en→kk) in {models_dir}\n"
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert again.output == (
        f"Reinstalled translate-en_kk 1.0 (en→kk) in {models_dir}: this version was already installed; "
        "its files were replaced with the package's\n"
    )


def test_installed_package_is_also_seen_by_argostranslate_itself(installed_models):
    from argostranslate import package as argos_package

    found = {(p.from_code, p.to_code, p.package_version) for p in argos_package.get_installed_packages()}
    assert found == {("en", "kk", "1.0"), ("en", "ru", "1.0")}


def test_installing_a_package_code_offline_is_a_one_line_model_error_exit_2(models_dir):
    # Port 9 (discard) refuses at once: the same path as having no network, without waiting.
    result = workflow("models", "install", "translate-en_ru", env={"ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/"})
    assert result.returncode == 2
    assert result.stderr == (
        "Error: cannot reach the argostranslate package index to fetch translate-en_ru; "
        "offline, install from a file instead: workflow models install PATH.argosmodel\n"
    )
    assert list(models_dir.iterdir()) == []


def test_install_source_that_is_neither_file_nor_code_is_an_input_error(models_dir):
    with pytest.raises(InputError) as info:
        install_package("missing.argosmodel")
    assert str(info.value) == "missing.argosmodel: no such file; pass a .argosmodel file or a package code such as translate-en_ru"


# --- bad packages: a clear error, and the models dir byte-identical --------------------------------


def not_a_zip(src: Path, dest: Path) -> Path:
    dest.write_bytes(b"PK\x03\x04 this is not really a zip")
    return dest


def truncated(src: Path, dest: Path) -> Path:
    dest.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    return dest


def bad_checksum(src: Path, dest: Path) -> Path:
    rewrite(src, dest, lambda name, data: (name, data))  # stored, so the bytes are findable
    raw = dest.read_bytes()
    needle = b'"from_code": "en"'
    assert raw.count(needle) == 1
    dest.write_bytes(raw.replace(needle, b'"from_code": "xx"'))
    return dest


def without_metadata(src: Path, dest: Path) -> Path:
    return rewrite(src, dest, lambda name, data: None if name.endswith("metadata.json") else (name, data))


def metadata_not_json(src: Path, dest: Path) -> Path:
    return rewrite(src, dest, lambda name, data: (name, b"{nope") if name.endswith("metadata.json") else (name, data))


def metadata_without_languages(src: Path, dest: Path) -> Path:
    return rewrite(
        src, dest, lambda name, data: (name, b'{"package_version": "1"}') if name.endswith("metadata.json") else (name, data)
    )


def zip_slip(src: Path, dest: Path) -> Path:
    rewrite(src, dest, lambda name, data: (name, data))
    with zipfile.ZipFile(dest, "a") as zf:
        zf.writestr(f"{TOP}/../../escaped.txt", b"outside")
    return dest


def absolute_member(src: Path, dest: Path) -> Path:
    rewrite(src, dest, lambda name, data: (name, data))
    with zipfile.ZipFile(dest, "a") as zf:
        info = zipfile.ZipInfo("x")
        info.filename = "/tmp/escaped.txt"  # ZipInfo() strips a leading slash; an attacker's tool would not
        zf.writestr(info, b"outside")
    return dest


def symlink_member(src: Path, dest: Path) -> Path:
    rewrite(src, dest, lambda name, data: (name, data))
    with zipfile.ZipFile(dest, "a") as zf:
        info = zipfile.ZipInfo(f"{TOP}/link")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    return dest


def two_top_dirs(src: Path, dest: Path) -> Path:
    rewrite(src, dest, lambda name, data: (name, data))
    with zipfile.ZipFile(dest, "a") as zf:
        zf.writestr("other/readme.txt", b"hi")
    return dest


def unloadable_model(src: Path, dest: Path) -> Path:
    return rewrite(
        src, dest, lambda name, data: (name, data[:1000]) if name.endswith("model/model.bin") else (name, data)
    )


def no_tokenizer(src: Path, dest: Path) -> Path:
    return rewrite(src, dest, lambda name, data: None if name.endswith("sentencepiece.model") else (name, data))


BAD_PACKAGES = [
    (not_a_zip, "not a model package: not a zip archive; nothing installed"),
    (truncated, "not a model package: not a zip archive; nothing installed"),
    (bad_checksum, f"corrupt archive: member '{TOP}/metadata.json' fails its checksum; nothing installed"),
    (without_metadata, f"not a model package: no {TOP}/metadata.json; nothing installed"),
    (metadata_not_json, f"{TOP}/metadata.json is not valid JSON; nothing installed"),
    (metadata_without_languages, f"{TOP}/metadata.json has no from_code and to_code"),
    (
        zip_slip,
        f"unsafe member path '{TOP}/../../escaped.txt' would escape the packages directory; nothing installed",
    ),
    (absolute_member, "unsafe member path '/tmp/escaped.txt' would escape the packages directory; nothing installed"),
    (symlink_member, f"member '{TOP}/link' is a symbolic link; nothing installed"),
    (two_top_dirs, "a package holds exactly one top-level directory, found 2; nothing installed"),
    (
        unloadable_model,
        "CTranslate2 cannot load the model (Variable 'decoder/embeddings/weight' has an invalid payload size); "
        "nothing installed",
    ),
    (no_tokenizer, f"not a model package: no {TOP}/sentencepiece.model or bpe.model; nothing installed"),
]


@pytest.mark.parametrize("make, message", BAD_PACKAGES, ids=[m.__name__ for m, _ in BAD_PACKAGES])
def test_a_bad_package_is_refused_with_a_clear_error_and_nothing_changes(installed_models, copy_package, tmp_path, make, message):
    bad = make(copy_package["kk"], tmp_path / "bad.argosmodel")
    before = tree_digest(installed_models)
    names_before = sorted(p.name for p in installed_models.iterdir())
    with pytest.raises(InputError) as info:
        install_file(bad)
    assert str(info.value) == f"{bad}: {message}"
    assert tree_digest(installed_models) == before
    assert sorted(p.name for p in installed_models.iterdir()) == names_before  # no staging dir left
    assert not (installed_models.parent / "escaped.txt").exists()
    assert not Path("/tmp/escaped.txt").exists()


@pytest.mark.parametrize("make", [not_a_zip, unloadable_model], ids=["checked-before-extracting", "refused-after-load-test"])
def test_a_refused_install_into_a_new_models_dir_leaves_no_dir_behind(models_dir, copy_package, tmp_path, make):
    bad = make(copy_package["kk"], tmp_path / "bad.argosmodel")
    fresh = tmp_path / "new-models"
    result = runner.invoke(app, ["models", "install", str(bad), "--models-dir", str(fresh)])
    assert result.exit_code == 1
    assert not fresh.exists()


def test_cli_prints_the_bad_package_error_on_one_line_and_exits_1(installed_models, copy_package, tmp_path):
    bad = zip_slip(copy_package["kk"], tmp_path / "slip.argosmodel")
    before = tree_digest(installed_models)
    result = workflow("models", "install", str(bad))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {bad}: unsafe member path '{TOP}/../../escaped.txt' would escape the packages directory; "
        "nothing installed\n"
    )
    assert tree_digest(installed_models) == before


# --- build ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nllb_like_parts(tmp_path_factory) -> tuple[Path, Path]:
    """A copy model whose vocabulary has NLLB-style language tokens, as a converter would leave it."""
    spec = modelkit.PackageSpec(kind="copy", extra_symbols=("eng_Latn", "kaz_Cyrl", "rus_Cyrl"))
    return modelkit.build_parts(tmp_path_factory.mktemp("nllb-like"), spec)


def test_built_package_installs_with_argostranslate_and_translates_without_the_prefix(
    models_dir, nllb_like_parts, tmp_path, sample_path
):
    model_dir, sp_model = nllb_like_parts
    output = tmp_path / "en_kk.argosmodel"
    result = runner.invoke(
        app,
        [
            "models", "build", "--model", str(model_dir), "--sp-model", str(sp_model), "--from", "en", "--to", "kk",
            "--source-prefix", "eng_Latn", "--target-prefix", "kaz_Cyrl", "--version", "2.1", "-o", str(output),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {output}; install it with: workflow models install {output}\n"

    from argostranslate import package as argos_package

    argos_package.install_from_path(output)
    (installed,) = argos_package.get_installed_packages()
    assert (installed.from_code, installed.to_code, installed.target_prefix) == ("en", "kk", "kaz_Cyrl")

    pkg = find_package("en", "kk")
    assert (pkg.version, pkg.source_prefix, pkg.target_prefix) == ("2.1", "eng_Latn", "kaz_Cyrl")
    texts = [s.text for s in read_article(sample_path).segments] + ["Language codes kaz_Cyrl stay text."]
    out = load_engine(pkg, beam_size=2, batch_size=16).translate(texts)
    assert out == texts  # the copy shifts by the one-token prefixes on both sides, which are dropped
    assert load_engine(pkg).provenance == "translate-en_kk 2.1"


def test_built_package_also_installs_through_workflow_models_install(models_dir, nllb_like_parts, tmp_path):
    model_dir, sp_model = nllb_like_parts
    output = build_package(
        model_dir, sp_model, "en", "ru", tmp_path / "ru.argosmodel", source_prefix="eng_Latn", target_prefix="rus_Cyrl"
    )
    with zipfile.ZipFile(output) as zf:
        names = zf.namelist()
        metadata = json.loads(zf.read("translate-en_ru-1_0/metadata.json"))
    assert "translate-en_ru-1_0/sentencepiece.model" in names and "translate-en_ru-1_0/model/model.bin" in names
    assert metadata["target_prefix"] == "rus_Cyrl" and metadata["source_prefix"] == "eng_Latn"
    pkg = install_package(output)
    assert load_engine(pkg).translate(["Привет, ZXQ1!"]) == ["Привет, ZXQ1!"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"target_prefix": "kaz_cyrl"}, "{model}: token 'kaz_cyrl' is not in the model's target vocabulary"),
        ({"source_prefix": ">>kaz<<"}, "{model}: token '>>kaz<<' is not in the model's source vocabulary"),
        ({"to_code": "Kazakh"}, "language code 'Kazakh' must be 2-3 lowercase letters (ISO 639), e.g. kk"),
        ({"name": "../escape"}, "package name '../escape' may hold only letters, digits, '.', '_' and '-'"),
    ],
)
def test_build_refuses_bad_arguments_and_writes_nothing(nllb_like_parts, tmp_path, change, message):
    model_dir, sp_model = nllb_like_parts
    args = {"to_code": "kk", **change}
    to_code = args.pop("to_code")
    with pytest.raises(InputError) as info:
        build_package(model_dir, sp_model, "en", to_code, tmp_path / "out.argosmodel", **args)
    assert str(info.value) == message.format(model=model_dir)
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_a_directory_ctranslate2_cannot_load(nllb_like_parts, tmp_path):
    model_dir, sp_model = nllb_like_parts
    broken = tmp_path / "broken"
    broken.mkdir()
    for file in model_dir.iterdir():
        (broken / file.name).write_bytes(file.read_bytes()[:1000] if file.name == "model.bin" else file.read_bytes())
    with pytest.raises(InputError) as info:
        build_package(broken, sp_model, "en", "kk", tmp_path / "out.argosmodel")
    assert str(info.value) == (
        f"{broken}: CTranslate2 cannot load the model (Variable 'decoder/embeddings/weight' has an invalid payload size)"
    )
    assert not (tmp_path / "out.argosmodel").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="not a CTranslate2 model directory: no model.bin"):
        build_package(empty, sp_model, "en", "kk", tmp_path / "out.argosmodel")
