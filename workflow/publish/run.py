"""`publish`: one run over the selected articles and locales, from the gate's verdicts to `site.commit`.

Everything is rendered in memory first, so a re-run that changes nothing writes nothing (same bytes,
same modification time). Withdrawn stories are kept down, and a full run removes the editions of
articles that are gone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from workflow import articles as articles_mod
from workflow.errors import InputError
from workflow.project import Project, select_locales
from workflow.publish.editions import edition_alternates, localized_byline, render_edition
from workflow.publish.gating import gate, source_gone, stale_edition
from workflow.publish.manifest import (
    INDEX_STEM,
    MANIFEST_NAME,
    SOURCE_DELETED,
    WITHDRAWN,
    is_edition,
    load_manifest,
    manifest_entry,
    sentence_key,
    sha256,
)
from workflow.publish.report import Edition, PublishReport, Removal, StaleEdition
from workflow.publish.site import clean_temps, commit, output_dir, target_path
from workflow.publish.withdrawals import Withdrawal, read_withdrawals
from workflow.review import ArticleReview
from workflow.storage import project_lock, read_file


def publish(
    project: Project,
    slugs: list[str] | None = None,
    locales: list[str] | None = None,
    *,
    now: dt.datetime,
    out_dir: Path | None = None,
    dry_run: bool = False,
    glossary: Any = None,
    wait: bool = False,
) -> PublishReport:
    """Publish every ready article in each locale; blocked ones are listed with their pending segments.

    Withdrawn stories are not published and any edition of them still out is removed; a run over every
    article (no `slugs`) also removes the editions, in the selected locales, of articles that are gone.
    """
    selected = select_locales(project, locales)
    if not slugs and not project.articles_dir.is_dir():
        # Every edition's source would look deleted: a moved directory or a wrong path must not empty the site.
        raise InputError(
            "the articles directory does not exist; publishing every article would take down every published story "
            "(restore it or fix paths.articles in workflow.toml; `workflow withdraw SLUG` takes a story down)",
            project.articles_dir,
        )
    loaded, bad = articles_mod.scan_articles(project, slugs)
    errors = list(bad)
    withdrawals = read_withdrawals(project)
    out = output_dir(project, out_dir)
    from workflow.glossary import project_glossary

    def current_glossary() -> Any:
        return glossary if glossary is not None else project_glossary(project)

    terms = current_glossary()
    if errors and not loaded:  # nothing good to publish: touch nothing
        return PublishReport(out, dry_run, (), (), errors=tuple(errors))
    if dry_run:
        return _run(project, loaded, selected, out, now, dry_run, terms, withdrawals, full=not slugs, errors=errors)
    with project_lock(project.root, wait=wait):
        clean_temps(project, out, selected)
        # Read again under the lock: a takedown or glossary change made while this run waited for it must hold.
        withdrawals, terms = read_withdrawals(project), current_glossary()
        return _run(project, loaded, selected, out, now, dry_run, terms, withdrawals, full=not slugs, errors=errors)


def _run(
    project: Project,
    loaded: list[articles_mod.Article],
    selected: tuple[str, ...],
    out: Path,
    now: dt.datetime,
    dry_run: bool,
    glossary: Any,
    withdrawals: dict[str, Withdrawal],
    full: bool,
    errors: list[InputError] | None = None,
) -> PublishReport:
    errors = [] if errors is None else errors
    manifest_path = out / MANIFEST_NAME
    old, log = load_manifest(manifest_path)
    files: dict[str, dict[str, Any]] = dict(old)
    outputs: dict[str, str] = {}  # relative path -> content, in write order
    editions: list[Edition] = []
    ready: list[tuple[int, str, articles_mod.Article, dict[str, str], ArticleReview]] = []
    stale: list[StaleEdition] = []
    for article in loaded:
        if article.slug == INDEX_STEM:
            raise InputError(
                f"slug {INDEX_STEM!r} is taken by each locale's {INDEX_STEM}.html page; give the article another slug",
                article.path,
            )
    for locale in selected:
        for article in loaded:
            withdrawal = withdrawals.get(article.slug)
            if withdrawal is not None and withdrawal.covers(locale):
                editions.append(Edition(article.slug, locale, False, withdrawn=True))
                continue
            try:
                accepted, pending, review = gate(project, article, locale, glossary)
            except InputError as exc:  # a broken or stale catalog stops only its own edition
                errors.append(exc)
                continue
            if pending:
                editions.append(
                    Edition(article.slug, locale, False, pending=tuple(pending), catalog=review.po_path if review.exists else "")
                )
                shown = stale_edition(project, article, locale, old)
                if shown is not None:
                    stale.append(shown)
                continue
            # Rendered once every edition's fate is known: each page links the story's other live editions.
            ready.append((len(editions), locale, article, accepted, review))
            editions.append(None)  # type: ignore[arg-type]  # filled in below, keeping the report in run order

    removals = []
    for name, entry in old.items():
        if not is_edition(name):
            continue
        withdrawal = withdrawals.get(entry["slug"])
        # A takedown is enforced by every run, whatever it was asked to publish.
        if withdrawal is not None and withdrawal.covers(entry["locale"]):
            removals.append(Removal(name, entry["slug"], entry["locale"], WITHDRAWN, withdrawal.note))
        elif full and entry["locale"] in selected and source_gone(project, entry, loaded):
            removals.append(Removal(name, entry["slug"], entry["locale"], SOURCE_DELETED))
    # The story's editions that are live after this run: the ones rendered now and those already out that stay.
    gone = {r.file for r in removals}
    live: dict[str, set[str]] = {}
    for name, entry in old.items():
        if is_edition(name) and name.endswith(".html") and name not in gone:
            live.setdefault(entry["slug"], set()).add(entry["locale"])
    for _, locale, article, _, _ in ready:
        live.setdefault(article.slug, set()).add(locale)
    for slot, locale, article, accepted, review in ready:
        rendered = render_edition(
            project,
            article,
            locale,
            accepted,
            alternates=edition_alternates(project, article.slug, live[article.slug]),
            byline=localized_byline(glossary, article.authors, locale),
        )
        po_bytes = read_file(project.po_path(article.slug, locale))
        models = sorted({e.provenance for e in review.entries if e.provenance})
        facts = {
            "slug": article.slug,
            "locale": locale,
            "title": rendered.title,
            "date": article.date.isoformat(),
            "source": project.relative(article.path),
            "source_sha256": sha256(article.source.encode("utf-8")),
            "catalog": project.relative(project.po_path(article.slug, locale)),
            "catalog_sha256": sha256(po_bytes),
            "segments": len(article.segments),
            "models": models,
            "authors": list(localized_byline(glossary, article.authors, locale)),
        }
        # What a reviewer overrode with `# glossary-ok: TERM` goes on record with the edition it let through.
        overrides = [
            f"{e.reference}: {o.removeprefix('glossary: ')}" for e in review.entries for o in e.overridden if o.startswith("glossary: ")
        ]
        if overrides:
            facts["glossary_overrides"] = overrides
        # ... and so does what a `# qa-ok: CHECK` comment accepted, with the messages it let through.
        qa_accepted = [
            {"entry": project.reference(project.po_path(article.slug, locale), e.line), "source": e.reference, "accepted": qa}
            for e in review.entries
            if (qa := [o for o in e.overridden if not o.startswith("glossary: ")])
        ]
        if qa_accepted:
            facts["qa_overrides"] = qa_accepted
        # The Markdown entry also records which sentences the edition shows (article order), so a
        # later correction can say what a live edition still carries.
        keys = " ".join(dict.fromkeys(sentence_key(s.text) for s in article.segments))
        names = []
        for suffix, content in ((".md", rendered.markdown), (".html", rendered.html)):
            name = f"{locale}/{article.slug}{suffix}"
            target_path(out, locale, f"{article.slug}{suffix}")
            outputs[name] = content
            fresh = {**facts, "sha256": sha256(content.encode("utf-8")), **({"sentences": keys} if suffix == ".md" else {})}
            files[name] = manifest_entry(old.get(name), fresh, now)
            names.append(name)
        editions[slot] = Edition(article.slug, locale, True, files=tuple(names), catalog=review.po_path)

    report = commit(project, out, old, files, log, outputs, removals, selected, now, dry_run, editions, stale)
    return dataclasses.replace(report, errors=tuple(errors))


