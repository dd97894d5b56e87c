"""The translation engine on real argostranslate packages built offline by tests/modelkit.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import modelkit
from tests.conftest import REPO
from workflow.articles import read_article
from workflow.errors import InputError, ModelError
from workflow.translate import (
    decoding_limit,
    find_package,
    install_file,
    list_packages,
    load_engine,
)

# Text a copy model must carry through tokenizer, CTranslate2 and detokenizer untouched: glossary
# placeholders, Cyrillic (Kazakh letters too), typographic quotes, characters the tokenizer never saw.
TRICKY = [
    "Officials met ZXQ1 and ZXQ2 in ZXQ3.",
    "Қазақстан азаматы «Азаттық» радиосына хабарласты.",
    "Он сказал: «Мы продолжим» — и ушёл.",
    "“Quoted,” she said, 'single' and \"double\".",
    "Tabs\tand  double  spaces stay.",
    "漢字 and emoji 🙂 fall back to bytes.",
    "x",
]


def sample_texts(sample_path: Path) -> list[str]:
    return [s.text for s in read_article(sample_path).segments]


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_copy_model_returns_every_sample_segment_and_tricky_text_unchanged(installed_models, sample_path, locale):
    texts = sample_texts(sample_path) + TRICKY
    engine = load_engine(find_package("en", locale), beam_size=2, batch_size=8)
    assert engine.translate(texts) == texts


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_random_model_translates_every_sample_segment_into_some_text(models_dir, tiny_package, sample_path, locale):
    install_file(tiny_package[locale])
    texts = sample_texts(sample_path)
    out = load_engine(find_package("en", locale), beam_size=2, batch_size=16).translate(texts)
    assert len(out) == len(texts)
    assert all(isinstance(t, str) and t.strip() for t in out)
    assert out != texts  # random weights: gibberish, but produced by the real path


def test_results_do_not_depend_on_batch_size_or_input_order(models_dir, tiny_package, sample_path):
    install_file(tiny_package["ru"])
    pkg = find_package("en", "ru")
    texts = sample_texts(sample_path)[:12]  # random outputs run to their limits: keep the suite quick
    one = load_engine(pkg, beam_size=2, batch_size=1).translate(texts)
    many = load_engine(pkg, beam_size=2, batch_size=64)
    assert many.translate(texts) == one
    reordered = texts[::2] + texts[1::2]
    by_text = dict(zip(reordered, many.translate(reordered)))
    assert [by_text[t] for t in texts] == one
    assert many.translate(texts) == one  # and again: no state carried between calls


@pytest.mark.parametrize(
    "batch_size, workers, expected",
    [
        (1, 2, [1, 2, 3, 4, 5, 6, 7]),
        (3, 1, [3, 6, 7]),
        (64, 1, [7]),
        (64, 2, [4, 7]),  # fewer texts than a batch: split so both workers have one
    ],
)
def test_progress_is_called_after_each_batch_with_the_running_count(installed_models, batch_size, workers, expected):
    texts = ["One.", "Two words.", "Three words here.", "A", "BB", "Some longer sentence for sorting.", "Z"]
    seen: list[int] = []
    engine = load_engine(find_package("en", "kk"), beam_size=1, batch_size=batch_size, inter_threads=workers)
    assert engine.translate(texts, progress=seen.append) == texts
    assert seen == expected


def test_empty_texts_pass_through_without_the_model_and_progress_still_completes(installed_models):
    seen: list[int] = []
    engine = load_engine(find_package("en", "kk"))
    assert engine.translate(["", "  ", "Hi."], progress=seen.append) == ["", "  ", "Hi."]
    assert seen == [3]
    seen.clear()
    assert engine.translate(["", ""], progress=seen.append) == ["", ""]
    assert seen == [2]


class RecordingTranslator:
    """Wraps a CTranslate2 Translator and keeps every call and every returned hypothesis."""

    def __init__(self, inner):
        self.inner = inner
        self.calls: list[dict] = []

    def translate_batch(self, source, **kwargs):
        self.calls.append({"source": source, **kwargs})
        return self.inner.translate_batch(source, **kwargs)


def test_each_output_is_what_its_text_alone_gives_under_its_own_decoding_limit(models_dir, tiny_package):
    # Random weights rarely emit </s>, so these outputs run into their limits: the worst case.
    install_file(tiny_package["kk"])
    engine = load_engine(find_package("en", "kk"), beam_size=3, batch_size=4)
    engine.translator = recorder = RecordingTranslator(engine.translator)
    texts = ["A", "Kazakh citizen worked in Russia.", "He was deported to Kazakhstan for five years.", "Hi"]
    out = engine.translate(texts)
    assert {call["beam_size"] for call in recorder.calls} == {3}
    first = recorder.calls[0]
    assert first["max_decoding_length"] == max(decoding_limit(len(s)) for s in first["source"])
    for text, got in zip(texts, out):
        tokens = engine.source_sp.encode(text, out_type=str)
        alone = recorder.inner.translate_batch([tokens], beam_size=3, max_decoding_length=decoding_limit(len(tokens)))
        hypothesis = alone[0].hypotheses[0]
        assert len(hypothesis) <= decoding_limit(len(tokens))
        assert got == engine._detokenize(hypothesis)


@pytest.mark.parametrize("length, limit", [(0, 16), (3, 16), (4, 18), (20, 50), (200, 410)])
def test_decoding_limit_is_twice_the_input_plus_ten_with_a_floor_of_sixteen(length, limit):
    assert decoding_limit(length) == limit


def test_thread_layout_defaults_to_two_single_threaded_workers_and_is_configurable(installed_models):
    pkg = find_package("en", "kk")
    assert load_engine(pkg).translator.num_translators == 2
    assert load_engine(pkg, inter_threads=1, intra_threads=2).translator.num_translators == 1


def test_provenance_names_package_code_and_version(installed_models):
    assert load_engine(find_package("en", "ru")).provenance == "translate-en_ru 1.0"


@pytest.mark.parametrize(
    "pair, message",
    [
        (
            ("en", "kk"),
            "no en→kk model installed; install one with: workflow models install PATH.argosmodel "
            "(see README 'Getting a Kazakh model')",
        ),
        (
            ("en", "ru"),
            "no en→ru model installed; install one with: workflow models install translate-en_ru (online) "
            "or workflow models install PATH.argosmodel",
        ),
    ],
)
def test_a_missing_pair_is_a_model_error_naming_the_pair_and_the_install_command(models_dir, pair, message):
    with pytest.raises(ModelError) as info:
        find_package(*pair)
    assert str(info.value) == message
    assert info.value.exit_code == 2


def test_find_package_picks_the_newest_version_of_a_pair(models_dir, tmp_path):
    for version in ("1.9", "1.10", "1.2"):
        spec = modelkit.PackageSpec(to_code="kk", kind="copy", version=version)
        install_file(modelkit.build_package(tmp_path / version, spec))
    assert [p.version for p in list_packages()] == ["1.2", "1.9", "1.10"]
    assert find_package("en", "kk").version == "1.10"


@pytest.mark.parametrize("beam_size, batch_size", [(0, 8), (2, 0)])
def test_beam_and_batch_size_must_be_positive(installed_models, beam_size, batch_size):
    with pytest.raises(InputError, match="must be at least 1"):
        load_engine(find_package("en", "kk"), beam_size=beam_size, batch_size=batch_size)


def run_python(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, cwd=REPO, check=True
    )
    return result.stdout.strip()


def test_importing_the_module_does_not_import_argostranslate():
    assert run_python("import sys, workflow.translate; print('argostranslate' in sys.modules)", {}) == "False"


def test_two_models_dirs_are_used_in_one_process_without_changing_argostranslates_settings(tmp_path, copy_package):
    """The packages directory is an argument: nothing process-wide is repointed to use one."""
    one, two = tmp_path / "one", tmp_path / "two"
    code = (
        "import json, os; from pathlib import Path; from workflow import translate as t\n"
        "import argostranslate.settings as s\n"
        "before = (str(s.package_data_dir), [str(p) for p in s.package_dirs], os.environ.get('ARGOS_PACKAGES_DIR'))\n"
        f"t.install_file(Path({str(copy_package['ru'])!r}), Path({str(one)!r}))\n"
        f"t.install_file(Path({str(copy_package['kk'])!r}), Path({str(two)!r}))\n"
        f"seen = [[p.to_code for p in t.list_packages(Path(d))] for d in ({str(one)!r}, {str(two)!r})]\n"
        f"found = t.find_package('en', 'kk', Path({str(two)!r})).path.parent.name\n"
        "after = (str(s.package_data_dir), [str(p) for p in s.package_dirs], os.environ.get('ARGOS_PACKAGES_DIR'))\n"
        "print(json.dumps([seen, found, before == after, str(t.models_dir())]))\n"
    )
    default = tmp_path / "default"
    seen, found, unchanged, in_use = json.loads(run_python(code, {"ARGOS_PACKAGES_DIR": str(default)}))
    assert seen == [["ru"], ["kk"]]
    assert found == "two" and unchanged
    assert in_use == str(default)  # without a directory named: ARGOS_PACKAGES_DIR, as argostranslate reads it
    with pytest.raises(ModelError):
        find_package("en", "ru", two)


