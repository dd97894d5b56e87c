"""Review state, read from the PO files alone: a translator's PO editor is the only place work is accepted.

Each entry is reviewed (translated, not fuzzy), machine (a fuzzy model draft), changed (fuzzy because its
source sentence was edited since) or untranslated. Checks flag translations that dropped something of
the source; each check is a small function whose docstring is the message translators see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from workflow import catalog as catalog_mod
from workflow import checks
from workflow.articles import Article, Segment
from workflow.errors import InputError
from workflow.project import Project

REVIEWED, MACHINE, CHANGED, UNTRANSLATED = "reviewed", "machine", "changed", "untranslated"
# In the `# machine:` comment of every draft a demonstration package (`workflow demo`) wrote.
DEMO_MARK = "demo (not a translation)"
STATUSES = (REVIEWED, MACHINE, CHANGED, UNTRANSLATED)


@dataclass(frozen=True)
class EntryState:
    """One segment's entry in a catalog, with why it is (or is not) pending."""

    segment: Segment = field(repr=False)
    reference: str  # "articles/x.md:12"
    msgctxt: str | None
    msgid: str
    msgstr: str
    previous_msgid: str | None
    status: str  # one of STATUSES
    flags: tuple[str, ...]  # check messages, e.g. "link target (https://x) missing from the translation"
    provenance: str | None  # model package that drafted it, from the `# machine:` comment
    line: int | None = None  # line of the entry in the PO file
    # error-level messages accepted on purpose: glossary flags by `# glossary-ok: TERM`, checks by `# qa-ok: CHECK`
    overridden: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # warning-level check messages: shown to translators, never blocking
    confidence: float | None = None  # the model's score for its draft (`#. confidence:`), 0-1
    memory: str | None = None  # the translation-memory provenance of a draft, e.g. "tm 92%: other-slug"

    @property
    def pending(self) -> bool:
        """Needs a translator: not yet accepted, or accepted but flagged by a check."""
        return self.status != REVIEWED or bool(self.flags)

    @property
    def reason(self) -> str:
        """Why the entry is in the queue, in words."""
        if self.memory and self.status == MACHINE:
            return "translation-memory draft awaiting review"
        reasons = {
            MACHINE: "machine translation awaiting review",
            CHANGED: "source sentence changed since review",
            UNTRANSLATED: "untranslated",
            REVIEWED: "reviewed but flagged",
        }
        return reasons[self.status]


@dataclass(frozen=True)
class ArticleReview:
    """Review counts of one article in one locale; `entries` in article order."""

    slug: str
    locale: str
    po_path: str  # relative to the project
    entries: tuple[EntryState, ...] = field(repr=False)
    reviewed: int
    machine: int
    changed: int
    untranslated: int
    flagged: int
    percent: float  # reviewed share of all entries, 0-100, one decimal
    total: int = 0
    exists: bool = True  # False: no catalog yet (never translated)
    stale: bool = False  # the catalog predates the article's text: counts unknown until `next` is run

    @property
    def state(self) -> str:
        """One word for the table: no catalog, stale, blocked (all reviewed, something flagged), done, in progress."""
        if not self.exists:
            return "no catalog"
        if self.stale:
            return "stale"
        if self.reviewed == self.total and self.flagged:
            return "blocked"
        return "done" if self.complete else "in progress"

    @property
    def next(self) -> str | None:
        """The command that moves this catalog on, if any."""
        if not self.exists or self.stale:
            return f"workflow translate {self.slug} --locale {self.locale}"
        return None if self.complete else f"workflow review queue --locale {self.locale}"

    @property
    def queue(self) -> tuple[EntryState, ...]:
        return tuple(e for e in self.entries if e.pending)

    @property
    def complete(self) -> bool:
        """Every sentence accepted by a translator and nothing flagged: what publishing requires."""
        return self.exists and self.reviewed == self.total and self.flagged == 0


# --- checks ------------------------------------------------------------------------------------------
# The checks themselves live in workflow/checks/; review decides what they mean for the queue and the gate:
# errors flag an entry (and block publishing) unless a `# qa-ok:` comment overrides them; warnings are hints.


CHECKS = checks.CHECKS


def findings(segment: Segment, translation: str, locale: str, keep: tuple[str, ...] = (), comments=()) -> tuple[checks.Finding, ...]:
    """Every check the translation of `segment` fails, those a `# qa-ok:` comment names marked overridden."""
    unit = checks.Unit(segment.text, translation, locale, segment.protected, keep)
    return checks.run_checks(unit, checks.overrides_of(comments))


def run_checks(segment: Segment, translation: str, locale: str, keep: tuple[str, ...] = (), comments=()) -> list[str]:
    """Messages ("check: message") of the errors that flag the entry: not overridden, not warnings."""
    return [str(f) for f in findings(segment, translation, locale, keep, comments) if f.severity == checks.ERROR and not f.overridden]


def _kept_forms(glossary, locale: str) -> tuple[str, ...]:
    """The glossary's forms in `locale`: accepted by the spelling check, and in Latin script by `untranslated`."""
    if glossary is None:
        return ()
    return tuple(t for t in (term.target(locale) for term in glossary.terms) if t)


def _glossary_flags(glossary, source: str, translation: str, locale: str, comments=(), named=None) -> tuple[list[str], list[str]]:
    """(glossary flags that block, flags a `# glossary-ok:` translator comment overrides)."""
    from workflow.glossary import entry_flags

    return entry_flags(glossary, source, translation, locale, comments, named)


def demo_draft(glossary, segment: Segment, locale: str, named=None) -> tuple[str, bool]:
    """What the demonstration package drafts for `segment`, and whether that draft still holds English words.

    The demo model copies its input, so its draft is the glossary's `finish` of the masked sentence itself.
    A sentence that is only names and numbers comes out translated, and may be accepted as it is.
    """
    from workflow.glossary import PLACEHOLDER_PREFIX, Glossary, finish, prepare

    prepared = prepare(glossary if glossary is not None else Glossary(None, ()), segment.text, locale, segment.protected, named)
    unmasked = re.sub(rf"{PLACEHOLDER_PREFIX}\d+", " ", prepared.model_input)
    return finish(prepared, prepared.model_input), re.search(r"[A-Za-z]{2,}", unmasked) is not None


def _demo_flags(project: Project, glossary, segment: Segment, entry: catalog_mod.CatalogEntry, locale: str) -> list[str]:
    """A demonstration draft accepted unchanged is no translation: it must not pass the publish gate."""
    if DEMO_MARK not in (entry.provenance or "") or not entry.msgstr or status_of(entry) != REVIEWED:
        return []  # an unaccepted draft is pending anyway; its `# machine:` comment already says what it is
    if glossary is None:  # which words are names (and so not English left over) is the glossary's to say
        from workflow.glossary import project_glossary

        glossary = project_glossary(project)
    draft, english = demo_draft(glossary, segment, locale)  # as run.py prepares it: without `named`
    # The draft's hash in the `# machine:` comment tells an untouched draft even after the glossary changed.
    recorded = [m.group(1) for c in entry.comments if c.startswith(catalog_mod.MACHINE_PREFIX) for m in [catalog_mod.DRAFT_HASH.search(c.strip())] if m]
    unchanged = entry.msgstr == draft or catalog_mod.draft_hash(entry.msgstr) in recorded
    if not unchanged or not english:
        return []
    return [f"demo: the demonstration package's draft ({DEMO_MARK}) is the English text; replace it with a translation"]


# --- reading state -------------------------------------------------------------------------------------


def status_of(entry: catalog_mod.CatalogEntry) -> str:
    """The review status of a PO entry, from its msgstr and flags."""
    if not entry.msgstr:
        return UNTRANSLATED
    if not entry.fuzzy:
        return REVIEWED
    # A memory draft made for a similar sentence shows that sentence as `#| msgid`: a draft, not an edit.
    from_memory = any(catalog_mod.TM_COMMENT.match(c) for c in entry.comments)
    return CHANGED if entry.previous_msgid is not None and not from_memory else MACHINE


class StaleCatalogError(InputError):
    """The catalog was merged from an older text of the article: `workflow translate` brings it up to date."""


def _stale(slug: str) -> str:
    return f"stale catalog: run `workflow translate {slug}` to merge the article's current text"


def review_article(project: Project, article: Article, locale: str, glossary=None) -> ArticleReview:
    """Review state of `article` in `locale`; InputError if the PO is unreadable or out of date with the article."""
    po_path = project.po_path(article.slug, locale)
    shown = project.relative(po_path)  # the report's and the messages' spelling; errors carry po_path itself
    keyed = catalog_mod.segment_keys(article)
    cat = catalog_mod.load_catalog(project, article.slug, locale)
    entries: list[EntryState] = []
    if cat is None:
        for seg, ctxt in keyed:
            entries.append(
                EntryState(seg, project.reference(article.path, seg.line), ctxt, seg.text, "", None, UNTRANSLATED, (), None)
            )
        return _summary(article.slug, locale, shown, entries, exists=False)
    keep = _kept_forms(glossary, locale)
    by_key = {e.key: e for e in cat.entries}
    wanted = {(ctxt, seg.text) for seg, ctxt in keyed}
    for e in cat.entries:
        if e.key not in wanted:
            raise StaleCatalogError(
                f"msgid {catalog_mod._short(e.msgid)!r} matches no sentence of {project.relative(article.path)}; {_stale(article.slug)}",
                po_path,
                e.line,
            )
    named = None
    if glossary is not None:
        from workflow.glossary import named_terms

        named = named_terms(glossary, (seg.text for seg, _ in keyed))  # "May" alone counts once she is named
    for seg, ctxt in keyed:
        e = by_key.get((ctxt, seg.text))
        if e is None:
            raise StaleCatalogError(
                f"sentence missing from {shown}; {_stale(article.slug)}", article.path, seg.line
            )
        glossary_flags, glossary_overridden = _glossary_flags(glossary, seg.text, e.msgstr, locale, e.comments, named)
        found = findings(seg, e.msgstr, locale, keep, e.comments)
        flags = [str(f) for f in found if f.severity == checks.ERROR and not f.overridden] + glossary_flags
        flags += _demo_flags(project, glossary, seg, e, locale)
        overridden = [str(f) for f in found if f.overridden] + glossary_overridden
        entries.append(
            EntryState(
                segment=seg,
                reference=project.reference(article.path, seg.line),
                msgctxt=e.msgctxt,
                msgid=e.msgid,
                msgstr=e.msgstr,
                previous_msgid=e.previous_msgid,
                status=status_of(e),
                flags=tuple(flags),
                provenance=e.provenance,
                line=e.line,
                overridden=tuple(overridden),
                warnings=tuple(str(f) for f in found if f.severity == checks.WARNING),
                confidence=e.confidence if e.fuzzy else None,
                memory=next((catalog_mod.DRAFT_HASH.sub("", c) for c in e.comments if catalog_mod.TM_COMMENT.match(c)), None)
                if e.fuzzy
                else None,
            )
        )
    return _summary(article.slug, locale, shown, entries, exists=True)


def _summary(slug: str, locale: str, po_path: str, entries: list[EntryState], exists: bool) -> ArticleReview:
    counts = {s: sum(1 for e in entries if e.status == s) for s in STATUSES}
    total = len(entries)
    return ArticleReview(
        slug=slug,
        locale=locale,
        po_path=po_path,
        entries=tuple(entries),
        reviewed=counts[REVIEWED],
        machine=counts[MACHINE],
        changed=counts[CHANGED],
        untranslated=counts[UNTRANSLATED],
        flagged=sum(1 for e in entries if e.flags),
        percent=round(100 * counts[REVIEWED] / total, 1) if total else 100.0,
        total=total,
        exists=exists,
    )


def by_risk(reviews: list[ArticleReview]) -> list[tuple[ArticleReview, EntryState]]:
    """Every pending entry, riskiest first: check errors, then the model's lowest confidence, then article order."""
    queue = [(r, e, n) for r in reviews for n, e in enumerate(r.queue)]
    order = {id(r): i for i, r in enumerate(reviews)}

    def risk(item):
        review, entry, n = item
        confidence = entry.confidence if entry.confidence is not None else 1.0
        return (not entry.flags, confidence, order[id(review)], n)

    return [(r, e) for r, e, _ in sorted(queue, key=risk)]


def review_project(
    project: Project, articles: list[Article], locales: tuple[str, ...], glossary=None
) -> tuple[list[ArticleReview], list[InputError]]:
    """Review state of every article in every locale; a bad catalog is an error that stops only itself.

    A stale catalog is both: an error, and a row with `stale` set that says what to run.
    """
    reviews: list[ArticleReview] = []
    errors: list[InputError] = []
    for article in articles:
        for loc in locales:
            try:
                reviews.append(review_article(project, article, loc, glossary))
            except StaleCatalogError as exc:
                errors.append(exc)
                po = project.relative(project.po_path(article.slug, loc))
                reviews.append(replace(_summary(article.slug, loc, po, [], exists=True), total=len(article.segments), stale=True, percent=0.0))
            except InputError as exc:
                errors.append(exc)
    return reviews, errors
