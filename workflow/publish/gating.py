"""The gate: what may be published (every sentence reviewed, nothing flagged) and what blocks it.

Also what a blocked edition that is already live still shows of sentences its corrected source dropped,
and whether a live edition's article is gone.
"""

from __future__ import annotations

from typing import Any

from workflow import articles as articles_mod
from workflow import catalog as catalog_mod
from workflow.project import Project
from workflow.publish.manifest import sentence_key, sha256
from workflow.publish.report import PendingSegment, StaleEdition, StaleSentence
from workflow.review import ArticleReview, review_article


def gate(project: Project, article: articles_mod.Article, locale: str, glossary: Any = None) -> tuple[dict[str, str], list[PendingSegment], ArticleReview]:
    """Accepted translations by segment id, the segments still pending (empty: publishable), and the review."""
    review = review_article(project, article, locale, glossary)
    accepted: dict[str, str] = {}
    pending: list[PendingSegment] = []
    for entry in review.entries:
        if entry.pending or not entry.msgstr.strip():
            reason = entry.reason if entry.msgstr.strip() else "untranslated"
            if not review.exists:
                reason += " (no catalog yet: run `workflow translate`)"
            if entry.flags:
                reason += ": " + "; ".join(entry.flags)
            where = project.reference(project.po_path(article.slug, locale), entry.line) if review.exists else ""
            pending.append(PendingSegment(entry.reference, entry.segment.id, reason, entry.segment.text, where))
        else:
            accepted[entry.segment.id] = entry.msgstr
    return accepted, pending, review


def source_gone(project: Project, entry: dict[str, Any], loaded: list[articles_mod.Article]) -> bool:
    """True when the edition's article no longer exists: its file is gone, or now declares another slug.

    A source file that exists but was not loaded (one that failed to parse, say) is not taken for deleted.
    """
    if any(a.slug == entry["slug"] for a in loaded):
        return False
    source = entry.get("source")
    if not isinstance(source, str):
        return True
    path = project.root / source
    if not path.resolve().is_relative_to(project.articles_dir.resolve()):
        return True  # not an article path at all: nothing there can be this edition's source
    return not path.exists() or any(a.path.resolve() == path.resolve() for a in loaded)


def stale_edition(project: Project, article: articles_mod.Article, locale: str, old: dict[str, dict[str, Any]]) -> StaleEdition | None:
    """The live edition of a blocked article, if it shows sentences the source no longer has."""
    names = [n for n in (f"{locale}/{article.slug}.md", f"{locale}/{article.slug}.html") if n in old]
    if not names:
        return None
    live = old[names[0]]
    current = {sentence_key(s.text) for s in article.segments}
    if "sentences" not in live:
        if live.get("source_sha256") == sha256(article.source.encode("utf-8")):
            return None
        return StaleEdition(article.slug, locale, tuple(names), str(live.get("published")), ())
    gone = [k for k in str(live["sentences"]).split() if k not in current]
    if not gone:
        return None
    # The catalog still holds what the live edition shows: an edited sentence's entry keeps the old
    # English as its previous msgid, a removed one's is obsolete.
    found: dict[str, tuple[str, str, str]] = {}
    cat = catalog_mod.load_catalog(project, article.slug, locale)
    if cat is not None:
        where = lambda e: project.reference(cat.path, e.line)  # noqa: E731
        for e in cat.obsolete:
            found.setdefault(sentence_key(e.msgid), (e.msgid, e.msgstr, where(e)))
        for e in cat.entries:
            if e.previous_msgid is not None:
                found.setdefault(sentence_key(e.previous_msgid), (e.previous_msgid, e.msgstr, where(e)))
    sentences = tuple(StaleSentence(*found.get(k, ("", "", "")), key=k) for k in gone)
    return StaleEdition(article.slug, locale, tuple(names), str(live.get("published")), sentences)

