"""PO catalogs: one per article and locale plus a template, merged on every run the way msgmerge does.

A catalog is the only place review state lives: an entry with a translation and no `fuzzy` flag was
accepted by a translator and is never touched again; machine drafts arrive fuzzy with a `# machine:`
translator comment (msgmerge keeps `#` comments but replaces `#.` ones, so provenance survives it).
This module plans and writes each catalog (`plan_catalog`, then `write_plan`); the file format is po.py's.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from workflow.articles import Article, Segment
from workflow.document import one_line
from workflow.errors import InputError, StorageError
from workflow.languages import display_name
from workflow.po import (  # noqa: F401  (the format's names, importable from here as they always were)
    CONFIDENCE_PREFIX,
    DATE_FORMAT,
    DRAFT_HASH,
    FUZZY,
    GLOSSARY_PREFIX,
    KIND_PREFIX,
    MACHINE_PREFIX,
    OFFERED_PREFIX,
    TEMPLATE_REVISION,
    TM_COMMENT,
    WRAP_WIDTH,
    Catalog,
    CatalogEntry,
    body_text,
    draft_hash,
    plural_forms,
    po_header,
    pot_header,
    read_catalog,
    render_catalog,
    _short,
    stamp,
    undated,
)
from workflow.project import Project
from workflow.storage import atomic_write, remove_stale_temps

# msgmerge's own threshold for a fuzzy match is 0.6; below it an edit is treated as a new sentence.
SIMILARITY_CUTOFF = 0.6


@dataclass(frozen=True)
class CatalogResult:
    """What a merge did to one article's catalog in one locale."""

    po_path: Path
    pot_path: Path
    written: bool  # False: the PO already said exactly this, file untouched
    template_written: bool
    kept: int = 0  # entries whose source is unchanged
    added: int = 0  # new sentences
    drafted: int = 0  # machine drafts placed (new, untranslated or retranslated entries)
    changed: int = 0  # edited sentences matched to their old entry: fuzzy, with `#| msgid`
    revived: int = 0  # sentences back from obsolete entries
    obsoleted: int = 0  # removed sentences now `#~`
    offered: int = 0  # drafts put beside a translator's text as a `# machine draft` comment
    catalog: Catalog | None = field(default=None, compare=False, repr=False)  # as the file now holds it


def load_catalog(project: Project, slug: str, locale: str) -> Catalog | None:
    """The article's catalog in `locale`, or None if it was never written."""
    path = project.po_path(slug, locale)
    if not path.exists():
        return None
    return read_catalog(path)


# --- segments to entries -------------------------------------------------------------------------------


def segment_keys(article: Article) -> list[tuple[Segment, str | None]]:
    """Each segment with its msgctxt: only a repeat of an earlier identical sentence needs one (its id)."""
    seen: set[str] = set()
    out = []
    for seg in article.segments:
        out.append((seg, seg.id if seg.text in seen else None))
        seen.add(seg.text)
    return out


def _extracted(seg: Segment, glossary, locale: str | None) -> tuple[str, ...]:
    lines = [f"{KIND_PREFIX}{seg.kind}"]
    if glossary is not None and locale is not None:
        from workflow.glossary import hints

        lines.extend(f"{GLOSSARY_PREFIX}{hint}" for hint in hints(glossary, seg.text, locale))
    return tuple(lines)


@dataclass(frozen=True)
class _Match:
    segment: Segment
    msgctxt: str | None
    old: CatalogEntry | None
    how: str  # "same" | "revived" | "edited" | "new"


def _plan(article: Article, old: Catalog | None) -> tuple[list[_Match], list[CatalogEntry]]:
    """Pair each segment with its old entry (exact, obsolete, or fuzzy match); return also the entries left over."""
    keyed = segment_keys(article)
    if old is None:
        return [_Match(seg, ctxt, None, "new") for seg, ctxt in keyed], []
    # A plural entry never stands for a sentence: it is a translator's own, kept aside as obsolete.
    active = {e.key: e for e in old.entries if not e.msgid_plural}
    obsolete = {e.key: e for e in old.obsolete if not e.msgid_plural}
    wanted = {(ctxt, seg.text) for seg, ctxt in keyed}
    # Old entries whose msgid no longer exists: candidates for edited sentences, else obsolete.
    orphans = [e for e in old.entries if e.key not in wanted or e.msgid_plural]
    used: set[int] = {id(e) for e in orphans if e.msgid_plural}
    orphan_pos = {id(e): i for i, e in enumerate(old.entries)}
    plan: list[_Match | None] = []
    for seg, ctxt in keyed:
        key = (ctxt, seg.text)
        if key in active:
            plan.append(_Match(seg, ctxt, active[key], "same"))
        elif key in obsolete:
            plan.append(_Match(seg, ctxt, obsolete[key], "revived"))
        else:
            plan.append(None)
    # Same sentence under another msgctxt (repeats renumbered, or a context edited by hand): same state, not fuzzy.
    by_text: dict[str, list[CatalogEntry]] = {}
    for e in orphans:
        if id(e) not in used:
            by_text.setdefault(e.msgid, []).append(e)
    for i, (seg, ctxt) in enumerate(keyed):
        if plan[i] is None and by_text.get(seg.text):
            e = by_text[seg.text].pop(0)
            used.add(id(e))
            plan[i] = _Match(seg, ctxt, e, "same")
    for i, (seg, ctxt) in enumerate(keyed):
        if plan[i] is not None:
            continue
        best, best_score = None, None
        for e in orphans:
            if id(e) in used:
                continue
            matcher = difflib.SequenceMatcher(None, e.msgid, seg.text, autojunk=False)
            if matcher.real_quick_ratio() < SIMILARITY_CUTOFF or matcher.quick_ratio() < SIMILARITY_CUTOFF:
                continue
            ratio = matcher.ratio()
            if ratio < SIMILARITY_CUTOFF:
                continue
            # Prefer the most similar; among equals, the one nearest the sentence's position.
            score = (ratio, -abs(orphan_pos[id(e)] - i))
            if best_score is None or score > best_score:
                best, best_score = e, score
        if best is not None:
            used.add(id(best))
            plan[i] = _Match(seg, ctxt, best, "edited")
        else:
            plan[i] = _Match(seg, ctxt, None, "new")
    leftover = [e for e in orphans if id(e) not in used or e.msgid_plural]
    return [m for m in plan if m is not None], leftover


def _needs_draft(match: _Match, retranslate: bool) -> bool:
    old = match.old
    if old is None or not old.msgstr:
        return True
    if match.how == "edited":
        return retranslate  # merged as fuzzy with its old translation; only --retranslate asks again
    if not old.fuzzy:
        return False  # reviewed: a translator accepted it
    # A fuzzy entry already has a translation to start from; only --retranslate asks the model again
    # (and then a draft replaces only an untouched draft: see _merge).
    return retranslate


@dataclass(frozen=True)
class CatalogPlan:
    """What one run will do to one article's catalog in one locale, decided once and handed on to writing.

    `old` is the catalog as read (or the old slug's, `carried`); `pending` the segments that need a
    draft, in article order; `served` the drafts the translation memory gives for some of them and
    `hints` weaker matches shown beside a model's draft. `reads`: catalog files parsed to build it;
    `fingerprint`: the file's identity when it was read, so writing can tell that a translator saved it since.
    """

    article: Article
    locale: str
    old: Catalog | None
    matches: tuple[_Match, ...]
    leftover: tuple[CatalogEntry, ...]
    pending: tuple[Segment, ...]
    reads: int = 0
    served: Mapping[str, Draft] = field(default_factory=dict)
    hints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fingerprint: tuple[int, ...] | None = None

    @property
    def to_model(self) -> tuple[Segment, ...]:
        """The pending segments the memory does not serve: what goes to the model."""
        return tuple(s for s in self.pending if s.id not in self.served)


def plan_catalog(
    project: Project,
    article: Article,
    locale: str,
    *,
    retranslate: bool = False,
    carried: Catalog | None = None,
    read: Callable[[Path], Catalog] | None = None,
) -> CatalogPlan:
    """Read the article's catalog in `locale` once and decide what needs a draft.

    `carried`: the catalog the article had under its old slug, used if the new slug has none yet.
    `read` parses a catalog file (default `read_catalog`); a broken file raises its InputError.
    """
    path = project.po_path(article.slug, locale)
    fingerprint = _fingerprint(path)  # before the read: a save during it shows as a change when writing
    old, reads = None, 0
    if fingerprint is not None:
        old, reads = (read or read_catalog)(path), 1
    old = old or carried
    matches, leftover = _plan(article, old)
    pending = tuple(m.segment for m in matches if _needs_draft(m, retranslate))
    return CatalogPlan(article, locale, old, tuple(matches), tuple(leftover), pending, reads, fingerprint=fingerprint)


def _fingerprint(path: Path) -> tuple[int, ...] | None:
    """The file's identity and version (a PO editor's save replaces or rewrites it), or None if there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def pending_segments(
    project: Project, article: Article, locale: str, retranslate: bool = False, carried: Catalog | None = None
) -> list[Segment]:
    """The segments that need machine translation in `locale`, in article order (see `plan_catalog`)."""
    return list(plan_catalog(project, article, locale, retranslate=retranslate, carried=carried).pending)


# --- merging and writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A draft with its own provenance: from the translation memory rather than the run's model.

    `comment` replaces the `# machine:` line (e.g. "tm 92%: other-slug"); `previous` is the English the
    text was made for (shown as `#| msgid`); `accepted` lands it reviewed (`[memory] accept_exact`);
    `hints` are extra translator comment lines (a weaker memory match beside a machine draft).
    """

    text: str
    comment: str | None = None
    previous: str | None = None
    accepted: bool = False
    hints: tuple[str, ...] = ()
    confidence: float | None = None  # the model's score, kept as `#. confidence: 0.83`


def _with_draft(entry: CatalogEntry, draft: str | Draft, provenance: str) -> CatalogEntry:
    if isinstance(draft, str):
        draft = Draft(draft)
    # A PO msgstr must not start or end with a newline unless its msgid does (msgfmt --check); ours never do.
    text = one_line(draft.text)
    ours = draft.comment if draft.comment is not None else f"{MACHINE_PREFIX}{provenance}"
    if not draft.accepted:
        # The draft's hash: while the text is untouched, a later draft may replace it (machine_draft).
        ours += f" sha1:{draft_hash(text)}"
    comments = tuple(c for c in entry.comments if not _ours(c))
    extracted = tuple(c for c in entry.extracted if not c.startswith(CONFIDENCE_PREFIX))
    if draft.confidence is not None:
        extracted += (f"{CONFIDENCE_PREFIX}{draft.confidence:.2f}",)
    return replace(
        entry,
        msgstr=text,
        fuzzy=not draft.accepted,
        previous_msgid=draft.previous,
        comments=(ours, *draft.hints, *comments),
        extracted=extracted,
    )


def _ours(comment: str) -> bool:
    """A translator-comment line the workflow writes with a draft: provenance, an offer, a memory match."""
    return comment.startswith((MACHINE_PREFIX, OFFERED_PREFIX)) or TM_COMMENT.match(comment) is not None


def _offer_draft(entry: CatalogEntry, draft: str, provenance: str) -> CatalogEntry:
    """Keep the translator's text and put the model's new draft beside it, replacing an older offer.

    Every line of the offer starts with OFFERED_PREFIX (wrapped here, so polib does not re-wrap it
    into lines we could not tell from a translator's own comments).
    """
    comments = tuple(c for c in entry.comments if not c.startswith(OFFERED_PREFIX))
    first, more = f"{OFFERED_PREFIX} ({provenance}): ", f"{OFFERED_PREFIX}: "
    # Long words are cut too: polib would otherwise move one to a line of its own, without the prefix.
    lines = textwrap.wrap(one_line(draft), max(WRAP_WIDTH - 2 - len(first), 20), break_on_hyphens=False) or [""]
    return replace(entry, comments=(*comments, first + lines[0], *(more + line for line in lines[1:])))


def _accepted(entry: CatalogEntry) -> CatalogEntry:
    """A reviewed entry going fuzzy: drop the draft hash, so its text counts as human work from now on."""
    comments = tuple(
        DRAFT_HASH.sub("", c.strip()) if c.startswith(MACHINE_PREFIX) or TM_COMMENT.match(c) else c for c in entry.comments
    )
    return replace(entry, comments=comments)


def _merge(
    project: Project, plan: CatalogPlan, drafts: Mapping[str, str | Draft], provenance: str, glossary
) -> tuple[list[CatalogEntry], list[CatalogEntry], dict[str, int]]:
    article, locale, old, leftover = plan.article, plan.locale, plan.old, plan.leftover
    counts = dict(kept=0, added=0, drafted=0, changed=0, revived=0, obsoleted=0, offered=0)
    entries: list[CatalogEntry] = []
    for m in plan.matches:
        seg = m.segment
        # `#.` lines are rewritten from the article each run, except the model's score for the draft it kept.
        scored = tuple(c for c in (m.old.extracted if m.old else ()) if c.startswith(CONFIDENCE_PREFIX))
        fresh = dict(
            msgid=seg.text,
            msgctxt=m.msgctxt,
            references=(project.reference(article.path, seg.line),),
            extracted=_extracted(seg, glossary, locale) + scored,
            obsolete=False,
            line=None,
        )
        if m.old is None:
            entry = CatalogEntry(**fresh)
            counts["added"] += 1
        elif m.how == "edited" and m.old.msgstr:
            # The translator sees what changed: previous msgid is the source their translation was made from.
            previous = m.old.previous_msgid if m.old.fuzzy and m.old.previous_msgid else m.old.msgid
            old_entry = m.old if m.old.fuzzy else _accepted(m.old)
            entry = replace(old_entry, **fresh, fuzzy=True, previous_msgid=previous)
            counts["changed"] += 1
        elif m.how == "edited":
            entry = CatalogEntry(**fresh)
            counts["added"] += 1
        else:
            entry = replace(m.old, **fresh)
            counts["revived" if m.how == "revived" else "kept"] += 1
        draft = drafts.get(seg.id)
        text = draft.text if isinstance(draft, Draft) else draft
        if text and text.strip() and (not entry.msgstr or entry.machine_draft):
            entry = _with_draft(entry, draft, provenance)
            counts["drafted"] += 1
        elif text and text.strip() and entry.fuzzy:
            # A translator wrote, edited or accepted this text: it is never replaced, only offered an alternative.
            entry = _offer_draft(entry, text, provenance)
            counts["offered"] += 1
        entries.append(entry)
    revived = {m.old.key for m in plan.matches if m.how == "revived" and m.old is not None}
    gone = [
        replace(e, obsolete=True, previous_msgid=None, references=(), extracted=(), line=None)
        for e in leftover
        # An untranslated sentence that was removed holds nothing worth keeping (msgmerge drops it too),
        # unless a translator wrote something on it: a plural form or a comment of their own.
        if e.msgstr or any(e.msgstr_plural) or _human_comments(e)
    ]
    counts["obsoleted"] = len(gone)
    gone_keys = {e.key for e in gone}
    kept_obsolete = [
        replace(e, line=None)
        for e in (old.obsolete if old else ())
        if e.key not in revived and e.key not in gone_keys
    ]
    return entries, kept_obsolete + gone, counts


def _human_comments(entry: CatalogEntry) -> tuple[str, ...]:
    return tuple(c for c in entry.comments if c and not c.startswith((MACHINE_PREFIX, OFFERED_PREFIX)))


def template_entries(project: Project, article: Article) -> list[CatalogEntry]:
    """The POT entries of an article: every segment, untranslated, with kind and reference."""
    return [
        CatalogEntry(
            msgid=seg.text,
            msgctxt=ctxt,
            references=(project.reference(article.path, seg.line),),
            extracted=_extracted(seg, None, None),
        )
        for seg, ctxt in segment_keys(article)
    ]


def write_template(project: Project, article: Article, now: dt.datetime) -> tuple[bool, str]:
    """Write the article's POT if its entries changed; return (written, its POT-Creation-Date)."""
    path = project.pot_path(article.slug)
    old = None
    if path.exists():
        try:
            old = read_catalog(path)
        except StorageError:
            raise  # a directory, FIFO or link where the template belongs is not ours to overwrite
        except InputError:
            old = None  # the template is ours alone: a damaged one is simply rewritten
    entries = tuple(template_entries(project, article))
    comment = f"Template of {project.relative(article.path)}: start a new language from this file."
    candidate = Catalog(path, (), comment, entries)
    if old is not None and body_text(old) == body_text(candidate) and old.header_comment == comment:
        created = old.field("POT-Creation-Date") or stamp(now)
        if undated(old.header) == undated(pot_header(article.slug, created)):
            return False, created
    else:
        created = stamp(now)
    catalog = replace(candidate, header=pot_header(article.slug, created))
    return atomic_write(path, render_catalog(catalog)), created


def write_catalog(
    project: Project,
    article: Article,
    locale: str,
    drafts: dict[str, str | Draft],
    provenance: str,
    glossary=None,
    *,
    now: dt.datetime,
    template: tuple[bool, str] | None = None,
    carried: Catalog | None = None,
) -> CatalogResult:
    """Merge the article into its PO for `locale` (msgmerge semantics), add `drafts` fuzzy, write PO and POT.

    Plans and writes in one call; a run that planned already hands its plan to `write_plan`.
    `carried`: the catalog of the article's old slug (a slug renamed), merged from if the new slug has none.
    """
    plan = plan_catalog(project, article, locale, carried=carried)
    return write_plan(project, plan, drafts, provenance, glossary, now=now, template=template)


def write_plan(
    project: Project,
    plan: CatalogPlan,
    drafts: Mapping[str, str | Draft],
    provenance: str,
    glossary=None,
    *,
    now: dt.datetime,
    template: tuple[bool, str] | None = None,
) -> CatalogResult:
    """Write the catalog `plan` was made for: its old entries merged with `drafts` and the memory's.

    Call it holding the project lock. Reviewed entries and translator comments are never changed; if the
    entries come out identical to the file's the file is left untouched (even if a PO editor re-wrapped it).
    `template` is what `write_template` returned for this article earlier in the same run, if it was called.
    The catalog is read again only if it changed since planning: a translator saved it while the model ran.
    """
    po_path = project.po_path(plan.article.slug, plan.locale)
    if _fingerprint(po_path) != plan.fingerprint:
        # PO editors take no project lock: what the translator saved is the catalog the drafts merge into,
        # so their work stays theirs (drafts fill only empty or untouched machine entries).
        carried = plan.old if plan.old is not None and plan.old.path != po_path else None
        fresh = plan_catalog(project, plan.article, plan.locale, carried=carried)
        plan = replace(fresh, served=plan.served, hints=plan.hints)
    article, locale, old = plan.article, plan.locale, plan.old
    pot_path = project.pot_path(article.slug)
    for directory in (po_path.parent, pot_path.parent):
        remove_stale_temps(directory, depth=0)
    entries, obsolete, counts = _merge(project, plan, {**plan.served, **drafts}, provenance, glossary)
    template_written, pot_date = template if template is not None else write_template(project, article, now)
    comment = (
        old.header_comment
        if old is not None and old.header_comment
        else f"{display_name(locale)} translation of {project.relative(article.path)}.\n"
        "Accept a sentence by removing its fuzzy flag (in Poedit: toggle 'Needs work')."
    )
    new = Catalog(po_path, (), comment, tuple(entries), tuple(obsolete))
    if old is not None and old.path == po_path:
        unchanged_header = undated(old.header) == undated(
            po_header(old, article.slug, locale, pot_date, "")
        ) and old.field("POT-Creation-Date") == pot_date
        if unchanged_header and body_text(old) == body_text(new) and old.header_comment == comment:
            return CatalogResult(po_path, pot_path, False, template_written, **counts, catalog=old)
    new = replace(new, header=po_header(old, article.slug, locale, pot_date, stamp(now)))
    written = atomic_write(po_path, render_catalog(new))
    return CatalogResult(po_path, pot_path, written, template_written, **counts, catalog=new)


def apply_edits(
    project: Project, article: Article, locale: str, edits: dict[tuple[str | None, str], tuple[str, bool]], *, now: dt.datetime
) -> bool:
    """Set entries' translations as a translator's PO editor would: {key: (msgstr, reviewed)}; False if unchanged.

    For imports from CAT tools (exchange.py). Call holding the project lock; the catalog must exist.
    """
    po_path = project.po_path(article.slug, locale)
    old = load_catalog(project, article.slug, locale)
    if old is None:
        raise InputError("no catalog to import into", po_path)
    entries = []
    for e in old.entries:
        if e.key in edits:
            msgstr, reviewed = edits[e.key]
            e = replace(e, msgstr=one_line(msgstr), fuzzy=not reviewed, previous_msgid=None if reviewed else e.previous_msgid)
        entries.append(e)
    new = replace(old, entries=tuple(entries))
    if body_text(new) == body_text(old):
        return False
    header = tuple((k, stamp(now) if k == "PO-Revision-Date" else v) for k, v in old.header)
    return atomic_write(po_path, render_catalog(replace(new, header=header)))
