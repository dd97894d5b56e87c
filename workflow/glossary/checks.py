"""Flagging wrong renderings: a term of the source missing, misspelt or avoided in a translation, the
reviewer's `# glossary-ok:` override, and the glossary check over a project's catalogs that review, the
publish gate and `workflow glossary check` share."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.glossary.forms import forms_of, occurrences, problems, words
from workflow.glossary.matching import distinct, find_terms, named_terms
from workflow.glossary.terms import LIST_SEPARATOR, Glossary, Term, column_for, fold

# A translator comment `# glossary-ok: Theresa May` on one PO entry: the reviewer checked that entry's rendering of
# that term (a quote, a nickname, a name left out on purpose) and its flag stops blocking; publish records it.
OVERRIDE_PREFIX = "glossary-ok:"
FLAG_PREFIX = "glossary: "  # how a glossary flag reads among an entry's check messages


@dataclass(frozen=True)
class TermFlag:
    """A term of the source not rendered canonically; `found` is what was written instead ("" if nothing)."""

    term: Term
    expected: str
    found: str
    message: str


def check_translation(
    glossary: Glossary, source: str, translation: str, locale: str, named: frozenset[Term] | None = None
) -> list[TermFlag]:
    """Flag each term of `source` whose canonical form (in any case form) is missing from `translation`, misspelt or avoided."""
    flags: list[TermFlag] = []
    found = words(translation)
    forms = forms_of(glossary, locale)
    for match in distinct(find_terms(glossary, source, named)):
        target = forms.target(match.term, match.part)
        if target is None:
            continue
        wrong = problems(forms, target, match.term, match.part, translation)
        label = f"{match.english} → {target.canonical}"
        if wrong:
            flags.append(TermFlag(match.term, target.canonical, wrong[0].found, f"{label}: found {wrong[0].found!r}"))
        elif not occurrences(target, found):
            flags.append(TermFlag(match.term, target.canonical, "", f"{label}: not found in the translation"))
    return flags


def overridden_names(comments) -> frozenset[str]:
    """The terms (folded English forms) that `# glossary-ok: NAME` translator comment lines vouch for."""
    names = set()
    for line in comments:
        line = line.strip()
        if line.casefold().startswith(OVERRIDE_PREFIX):
            names.update(fold(n) for n in line[len(OVERRIDE_PREFIX) :].split(LIST_SEPARATOR) if n.strip())
    return frozenset(names)


def split_overridden(flags: list[TermFlag], comments) -> tuple[list[TermFlag], list[TermFlag]]:
    """(flags that stand, flags a `# glossary-ok:` comment overrides); the comment names the term or a variant."""
    names = overridden_names(comments)
    stand, overridden = [], []
    for flag in flags:
        forms = {fold(flag.term.english), *(fold(v) for v in flag.term.variants)}
        (overridden if forms & names else stand).append(flag)
    return stand, overridden


def entry_flags(glossary, source: str, translation: str, locale: str, comments=(), named=None) -> tuple[list[str], list[str]]:
    """(glossary flags that block one PO entry, flags its `# glossary-ok:` comment overrides), as check messages."""
    if glossary is None or not translation:
        return [], []
    stand, overridden = split_overridden(check_translation(glossary, source, translation, locale, named), comments)
    return [FLAG_PREFIX + f.message for f in stand], [FLAG_PREFIX + f.message for f in overridden]


def locale_notes(glossary: Glossary, locales) -> list[str]:
    """One line per locale the glossary cannot check fully: no column for it, or no module to recognise inflected forms."""
    from workflow.languages import language

    notes = []
    for locale in locales:
        if column_for(locale, glossary.locales) is None:
            notes.append(f"{locale}: the glossary has no {locale} column; terms are not checked in {locale}")
        elif not language(locale).inflects:
            example = next((t.target(locale) for t in glossary.terms if t.target(locale)), None)
            only = f"; only the exact form {example} counts" if example else "; only a term's exact form counts"
            notes.append(f"{locale}: inflected forms are not recognised (no language module){only}")
    return notes


@dataclass(frozen=True)
class CatalogFlag:
    """A glossary flag on one translated PO entry."""

    po: str  # the catalog, relative to the project
    line: int | None
    reference: str
    locale: str
    status: str
    flag: TermFlag
    msgstr: str
    overridden: bool  # a `# glossary-ok:` comment accepts it


@dataclass(frozen=True)
class CatalogCheck:
    """The glossary check of a project's catalogs: the flags, how many translated entries it read, notes per locale."""

    flags: tuple[CatalogFlag, ...]
    checked: int
    notes: tuple[str, ...]


def check_catalogs(project, glossary: Glossary, articles, locales) -> CatalogCheck:
    """Check every translated entry (reviewed ones too) of `articles` in `locales` against the glossary; read-only."""
    from workflow.review import review_article

    flags: list[CatalogFlag] = []
    checked = 0
    for article in articles:
        named = named_terms(glossary, (s.text for s in article.segments))
        for locale in locales:
            # With the glossary, review knows which flags a `# glossary-ok:` comment overrides.
            review = review_article(project, article, locale, glossary)
            for entry in review.entries:
                if not entry.msgstr:
                    continue
                checked += 1
                for flag in check_translation(glossary, entry.segment.text, entry.msgstr, locale, named):
                    flags.append(
                        CatalogFlag(
                            review.po_path, entry.line, entry.reference, locale, entry.status, flag, entry.msgstr,
                            FLAG_PREFIX + flag.message in entry.overridden,
                        )
                    )
    return CatalogCheck(tuple(flags), checked, tuple(locale_notes(glossary, locales)))
