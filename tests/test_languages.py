"""The language registry: one module per language (workflow/languages/<code>.py), Babel for the rest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workflow.languages import display_name, language, model_hint, module_of

WORKFLOW = Path(__file__).resolve().parent.parent / "workflow"

# --- Kyrgyz case suffixes: last sound, and vowel harmony with rounding ---------------------------------


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("Москва", ("Москванын", "Москвага", "Москваны", "Москвада", "Москвадан")),
        ("Бишкек", ("Бишкектин", "Бишкекке", "Бишкекти", "Бишкекте", "Бишкектен")),
        ("Ош", ("Оштун", "Ошко", "Ошту", "Ошто", "Оштон")),
        ("Кыргызстан", ("Кыргызстандын", "Кыргызстанга", "Кыргызстанды", "Кыргызстанда", "Кыргызстандан")),
        ("Өзгөн", ("Өзгөндүн", "Өзгөнгө", "Өзгөндү", "Өзгөндө", "Өзгөндөн")),
        ("Үрүмчү", ("Үрүмчүнүн", "Үрүмчүгө", "Үрүмчүнү", "Үрүмчүдө", "Үрүмчүдөн")),
        ("Ажыгалиев", ("Ажыгалиевдин", "Ажыгалиевге", "Ажыгалиевди", "Ажыгалиевде", "Ажыгалиевден")),
        ("Азаттык радиосу", ("Азаттык радиосунун", "Азаттык радиосуна", "Азаттык радиосун", "Азаттык радиосунда", "Азаттык радиосунан")),
        ("Meduza", ("Meduza-нын", "Meduza-га", "Meduza-ны", "Meduza-да", "Meduza-дан")),
    ],
    ids=["vowel", "voiceless", "rounded-back", "voiced", "rounded-front", "rounded-front-vowel", "russian-surname",
         "possessive-compound", "latin"],
)
def test_kyrgyz_case_suffixes_follow_last_sound_and_vowel_harmony(stem, expected):
    forms = language("ky").forms().cases(stem, "place", "")
    assert tuple(forms[c] for c in ("gen", "dat", "acc", "loc", "abl")) == expected


@pytest.mark.parametrize(
    ("suffix", "cue", "case"),
    [("га", "", "dat"), ("-ке", "", "dat"), ("нун", "", "gen"), ("дөн", "", "abl"), ("", "to", "dat"), ("", "in", "loc"),
     ("", "from", "abl"), ("", "of", "gen"), ("", "with", "nom"), ("", "", "nom")],
)
def test_kyrgyz_restored_names_take_their_case_from_a_glued_suffix_or_the_english_cue(suffix, cue, case):
    forms = language("ky").forms()
    cases = forms.cases("Бишкек", "place", "")
    assert forms.restore_case(cue, False, "", suffix, cases)[0] == case


# --- the registry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "inflects"), [("kk", True), ("ru", True), ("ky", True), ("uz", False), ("tg", False), ("kk_KZ", True)])
def test_a_language_recognises_inflected_forms_only_with_a_module(code, inflects):
    assert language(code).inflects is inflects


def test_a_language_without_a_module_has_one_form_per_name():
    forms = language("uz").forms()
    assert forms.cases("Ажыгалиев", "person", "m") == {"nom": "Ажыгалиев"}
    assert forms.restore_case("to", False, "", "га", {"nom": "Ажыгалиев"}) == ("nom", "га")


@pytest.mark.parametrize(
    ("code", "module"),
    [("../x", None), ("os", None), ("_suffixes", None), ("kk.ru", None), ("", None), ("en-x-../../etc", "workflow.languages.en"),
     ("ky_KG", "workflow.languages.ky")],
)
def test_only_a_plain_language_subtag_names_a_module(code, module):
    found = module_of(code)
    assert (found.__name__ if found else None) == module


def test_each_run_gets_its_own_inflection_object():
    # Analysers and caches live in the object a run makes, not in the module: two runs share nothing.
    first, second = language("ru").forms(), language("ru").forms()
    assert first is not second
    assert first.cases("Москва", "place", "") == second.cases("Москва", "place", "")


@pytest.mark.parametrize(
    ("code", "in_locale", "name"),
    [("ky", "en", "Kyrgyz"), ("ky", "ky", "кыргызча"), ("uz", "en", "Uzbek"), ("kk", "ru", "казахский")],
)
def test_the_display_name_is_babels(code, in_locale, name):
    assert display_name(code, in_locale) == name


def test_a_code_babel_has_no_name_for_is_its_own_name():
    assert display_name("zz") == "zz"


def test_the_model_hint_comes_from_the_languages_module():
    assert "Getting a Kazakh model" in model_hint("kk")
    assert model_hint("uz") == "" and model_hint("de") == ""


def test_checks_facts_come_from_the_module_or_babel():
    assert language("ky").quotes == ("«", "»") and language("ky").number_word("бешинчи") == 5
    assert language("uz").quotes is None and language("uz").script == "Latn"


# --- no code outside a language's own module names a language -----------------------------------------

_LANGUAGE_CODES = ("kk", "ru", "ky")
_NAMING = re.compile(
    r"""(["'])(?:%(codes)s)(?:[_-][A-Za-z]{2})?\1"""  # "kk", 'ru', "kk_KZ"
    r"""|\.(?:%(codes)s)\b(?!\w)"""  # term.kk
    r"""|\bavoid_(?:%(codes)s)\b"""  # avoid_ru
    r"""|--(?:avoid-)?(?:%(codes)s)\b"""  # --kk, --avoid-ru
    % {"codes": "|".join(_LANGUAGE_CODES)}
)


def _offending_lines() -> list[str]:
    found = []
    for path in sorted(WORKFLOW.rglob("*.py")):
        relative = path.relative_to(WORKFLOW).as_posix()
        if (path.parent.name == "languages" and path.stem in _LANGUAGE_CODES):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _NAMING.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_code_outside_a_languages_own_module_names_it():
    assert _offending_lines() == []


def test_the_grep_would_see_a_language_named_in_code(tmp_path):
    assert _NAMING.search('if locale == "kk":') and _NAMING.search("term.ru") and _NAMING.search("cells['avoid_ky']")
    assert _NAMING.search('"--avoid-kk"') and _NAMING.search('"kk_KZ"')
    assert not _NAMING.search("kkal = 1") and not _NAMING.search('"run"') and not _NAMING.search("self.rules")


# --- attack2 (issue 18): a locale's own script subtag decides its script ------------------------------


@pytest.mark.parametrize(
    ("code", "script"),
    [("sr_Latn", "Latn"), ("sr", "Cyrl"), ("uz_Cyrl", "Cyrl"), ("az_Cyrl", "Cyrl"), ("zh_Hant_TW", "Hant"), ("kk", "Cyrl")],
    ids=["sr-latin", "sr-default", "uz-cyrillic", "az-cyrillic", "zh-traditional", "kk-default"],
)
def test_a_locale_that_names_its_script_is_written_in_that_script(code, script):
    assert language(code).script == script
