"""The term list: names that must come out of translation in one agreed spelling per target language.

Terms live in a CSV a spreadsheet opens (and travel to CAT tools as TBX), a column per target locale.
Before machine translation each term in a sentence is masked as an ASCII placeholder; after it the
placeholder is restored to the target form, inflected as the language's module says, and near-miss
spellings are repaired. Checks accept any case form the language's module knows.

One job a file: `terms` (the model), `files` (CSV), `tbx`, `matching` (English), `forms` (target forms),
`masking` (through the model), `checks` (flagging wrong renderings). This module only gathers their names.
"""

from workflow.glossary.checks import (
    FLAG_PREFIX,
    OVERRIDE_PREFIX,
    CatalogCheck,
    CatalogFlag,
    TermFlag,
    check_catalogs,
    check_translation,
    entry_flags,
    locale_notes,
    overridden_names,
    split_overridden,
)
from workflow.glossary.files import column_locale, load_glossary, parse_csv, project_glossary, read_csv, save_glossary, to_csv, update_glossary
from workflow.glossary.forms import forms_of
from workflow.glossary.masking import PLACEHOLDER_PREFIX, Prepared, Slot, finish, prepare, repair
from workflow.glossary.matching import COMMON_WORDS, TermMatch, find_terms, hints, named_terms
from workflow.glossary.tbx import parse_tbx, to_tbx
from workflow.glossary.terms import (
    KINDS,
    LIST_SEPARATOR,
    Glossary,
    Term,
    add_term,
    columns,
    fold,
    merge_terms,
    remove_term,
    term_from_cells,
)

__all__ = [
    "COMMON_WORDS", "FLAG_PREFIX", "KINDS", "LIST_SEPARATOR", "OVERRIDE_PREFIX", "PLACEHOLDER_PREFIX",
    "CatalogCheck", "CatalogFlag", "Glossary", "Prepared", "Slot", "Term", "TermFlag", "TermMatch",
    "add_term", "check_catalogs", "column_locale", "check_translation", "columns", "entry_flags", "find_terms", "finish", "fold",
    "forms_of", "hints", "load_glossary", "locale_notes", "merge_terms", "named_terms", "overridden_names",
    "parse_csv", "parse_tbx", "prepare", "project_glossary", "read_csv", "remove_term", "repair", "save_glossary", "split_overridden",
    "term_from_cells", "to_csv", "to_tbx", "update_glossary",
]
