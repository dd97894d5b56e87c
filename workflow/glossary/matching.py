"""Finding a glossary's terms in English text: whole words, longest match first, possessives included, and
names that are also everyday words ("May") only where the article names the person."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow.glossary.terms import TOKEN, Glossary, Term, fold, last_word, tokens_of

_APOSTROPHES = ("'", "’")

# Names that are also everyday English words. Alone (a variant or a person's surname), such a word names the
# person only in a text that names them in full (`named`), and a month or weekday never where it is a date:
# "in May" is not Theresa May. Capitalisation alone cannot tell: sentences start with "May" too.
_MONTHS = frozenset("january february march april may june july august september october november december".split())
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
COMMON_WORDS = _MONTHS | _WEEKDAYS | frozenset(
    "will rice brown bush cook rose young little long hill park green white black king bird grant hope page bill "
    "mark church hall wood lane rich best strong wise love may even gay bright moon snow frost stone well"
    .split()
)
# Words before a month or weekday that make it a date ("in May", "last Friday", "mid-May").
_DATE_BEFORE = frozenset(
    "in on since until till by from of during before after last next early late mid this that every each "
    "through throughout between".split()
)
_DATE_AFTER = frozenset("morning afternoon evening night".split())
_LISTED = frozenset("and or to through".split())


@dataclass(frozen=True)
class TermMatch:
    """A term found in English text; `part` is "surname" when a person is named by surname alone."""

    term: Term
    start: int
    end: int
    surface: str
    part: str = "full"
    possessive: bool = False  # "Russia’s": the span includes the ’s

    @property
    def english(self) -> str:
        return self.term.english if self.part == "full" else last_word(self.term.english)


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]  # casefolded
    capitals: tuple[bool, ...]  # a capitalised glossary word only matches a capitalised text word
    term: Term
    part: str
    common: bool = False  # a variant or surname that is also an everyday word (COMMON_WORDS)


def build_index(terms: tuple[Term, ...]) -> dict:
    """A token trie (nested dicts; key None holds the entries ending there): matching walks it once per text token."""
    root: dict = {}
    full: set[tuple[str, ...]] = set()
    surnames: list[tuple[str, Term]] = []

    def entry(form: str, term: Term, part: str) -> _Entry:
        raw = tokens_of(form)
        folded = tuple(t.casefold() for t in raw)
        common = form != term.english and len(folded) == 1 and folded[0] in COMMON_WORDS
        return _Entry(folded, tuple(t[:1].isupper() for t in raw), term, part, common)

    def insert(e: _Entry) -> None:
        node = root
        for token in e.tokens:
            node = node.setdefault(token, {})
        node.setdefault(None, []).append(e)

    for term in terms:
        for form in (term.english, *term.variants):
            # A person's variant that is their surname ("May" of Theresa May) names them by surname.
            is_surname = term.kind == "person" and form != term.english and fold(form) == fold(last_word(term.english))
            e = entry(form, term, "surname" if is_surname else "full")
            if not e.tokens:
                continue
            full.add(e.tokens)
            insert(e)
            if term.kind == "person" and len(form.split()) > 1:
                surnames.append((last_word(form), term))
    taken: set[tuple[str, ...]] = set()
    for form, term in surnames:
        e = entry(form, term, "surname")
        # A surname that is also a term, or shared by two persons, names nobody in particular.
        if e.tokens in full or e.tokens in taken:
            continue
        taken.add(e.tokens)
        insert(e)
    return root


def _fits(e: _Entry, spans: list[tuple[int, int, str]], i: int) -> bool:
    return all(not cap or spans[i + j][2][:1].isupper() for j, cap in enumerate(e.capitals))


def _is_number(token: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:st|nd|rd|th)?", token, re.IGNORECASE))


def _is_date(folded: list[str], i: int) -> bool:
    """Whether the month or weekday at token `i` is used as a date: "in May", "May 5", "7 May", "Friday night"."""
    if folded[i] not in _MONTHS and folded[i] not in _WEEKDAYS:
        return False
    before = [t for t in folded[max(0, i - 3) : i] if t not in ("-", "the")]
    after = folded[i + 1] if i + 1 < len(folded) else ""
    if after and (_is_number(after) or after in _DATE_AFTER):
        return True
    if not before:
        return False
    if before[-1] in _DATE_BEFORE or _is_number(before[-1]):
        return True
    # "April and May", "Monday to Friday"
    return before[-1] in _LISTED and len(before) > 1 and (before[-2] in _MONTHS or before[-2] in _WEEKDAYS)


def named_terms(glossary: Glossary, texts) -> frozenset[Term]:
    """Terms an article names unambiguously (in full, or by a surname that is not an everyday word)."""
    return frozenset(m.term for text in texts for m in find_terms(glossary, text))


def find_terms(glossary: Glossary, text: str, named: frozenset[Term] | None = None) -> list[TermMatch]:
    """Glossary terms in English text: whole words, longest match first, possessives included.

    A variant or surname that is an everyday word ("May") matches only once `text` or the article (`named`)
    has named its term unambiguously, and a month or weekday never where it is a date.
    Linear in the text whatever the glossary's size: each position walks the token trie only as deep as the
    longest term starting with its words.
    """
    root = glossary.memo("index", lambda: build_index(glossary.terms))
    if not root:
        return []
    spans = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
    folded = [s[2].casefold() for s in spans]
    count = len(spans)
    out: list[TermMatch] = []
    seen: set[Term] = set(named or ())
    i = 0
    while i < count:
        hit = None
        node = root
        j = i
        while j < count:
            node = node.get(folded[j])
            if node is None:
                break
            j += 1
            for candidate in node.get(None, ()):
                if not _fits(candidate, spans, i):
                    continue
                if candidate.common and (candidate.term not in seen or _is_date(folded, i)):
                    continue
                hit = candidate
                break
        if hit is None:
            i += 1
            continue
        last = i + len(hit.tokens) - 1
        end = spans[last][1]
        possessive = (
            last + 2 < count
            and spans[last + 1][2] in _APOSTROPHES
            and spans[last + 1][0] == end
            and folded[last + 2] == "s"
            and spans[last + 2][0] == end + 1
        )
        if possessive:
            end = spans[last + 2][1]
            last += 2
        out.append(TermMatch(hit.term, spans[i][0], end, text[spans[i][0] : end], hit.part, possessive))
        seen.add(hit.term)
        i = last + 1
    return out


def target_text(term: Term, locale: str, part: str) -> str | None:
    """The form of `term` in `locale` for a full match or a surname alone; None without a form in `locale`."""
    form = term.target(locale)
    if form is None:
        return None
    return last_word(form) if part == "surname" else form


def hints(glossary: Glossary, text: str, locale: str, named: frozenset[Term] | None = None) -> list[str]:
    """One "English → target" line per distinct term in `text`, for PO extracted comments."""
    out: list[str] = []
    for match in find_terms(glossary, text, named):
        target = target_text(match.term, locale, match.part)
        if target is None:
            continue
        line = f"{match.english} → {target}"
        if line not in out:
            out.append(line)
    return out


def distinct(matches: list[TermMatch]) -> list[TermMatch]:
    """Each term (and part) once, in order of first match."""
    seen: set[tuple[str, str]] = set()
    out = []
    for m in matches:
        key = (m.term.english, m.part)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out
