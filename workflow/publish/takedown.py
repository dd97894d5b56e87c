"""`withdraw`: take a story down (record it, remove its editions, re-index, log the removals), and undo that.

The decision is written first (withdrawn.toml), then the files go through site.commit like any run's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from workflow import articles as articles_mod
from workflow.errors import InputError
from workflow.project import Project, check_locale, check_slug
from workflow.publish.manifest import INDEX_STEM, MANIFEST_NAME, WITHDRAWN, is_edition, load_manifest
from workflow.publish.report import FileResult, Removal
from workflow.publish.site import clean_temps, commit, output_dir, removable
from workflow.publish.withdrawals import (
    WITHDRAWN_NAME,
    Withdrawal,
    read_withdrawals,
    remove_withdrawn_temps,
    render_withdrawals,
    withdrawn_path,
)
from workflow.storage import atomic_write, project_lock


@dataclass(frozen=True)
class WithdrawReport:
    """What `withdraw` (or its undo) did, or with dry_run would do."""

    slug: str
    locales: tuple[str, ...] | None  # None: every locale
    undo: bool
    dry_run: bool
    out_dir: Path
    record: str  # the withdrawal list, relative to the project
    removed: tuple[Removal, ...] = ()
    files: tuple[FileResult, ...] = ()


def withdraw(
    project: Project,
    slug: str,
    locales: list[str] | None = None,
    *,
    now: dt.datetime,
    out_dir: Path | None = None,
    note: str = "",
    dry_run: bool = False,
    wait: bool = False,
) -> WithdrawReport:
    """Take a story down: record it in withdrawn.toml, remove its published editions, re-index, log the removals."""
    _check_story_slug(slug)
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        # Undecodable bytes from the shell arrive as lone surrogates: refused before anything is written.
        raise InputError("the reason (--reason) is not UTF-8 text; type it again in a UTF-8 terminal") from None
    codes = tuple(dict.fromkeys(check_locale(c) for c in locales)) if locales else None
    out = output_dir(project, out_dir)
    record = WITHDRAWN_NAME
    if dry_run:
        return _withdraw(project, slug, codes, out, now, note, record, dry_run=True)
    with project_lock(project.root, wait=wait):
        clean_temps(project, out, project.locales)
        return _withdraw(project, slug, codes, out, now, note, record, dry_run=False)


def _withdraw(project, slug, codes, out, now, note, record, dry_run) -> WithdrawReport:
    withdrawals = read_withdrawals(project)
    old, log = load_manifest(out / MANIFEST_NAME)
    live = {name: e for name, e in old.items() if e.get("slug") == slug and is_edition(name)}
    if not live and slug not in withdrawals and not _is_article(project, slug):
        published = sorted({e["slug"] for n, e in old.items() if is_edition(n)})
        raise InputError(
            f"no published edition and no article with slug {slug!r}; nothing withdrawn "
            f"(published: {', '.join(published) or 'none'})",
            out / MANIFEST_NAME,
        )
    before = withdrawals.get(slug)
    if before is None or before.locales is None or codes is None:
        merged = None if codes is None or (before is not None and before.locales is None) else codes
    else:
        merged = tuple(sorted({*before.locales, *codes}))
    if before is not None and merged == before.locales and note in ("", before.note):
        withdrawal = before  # nothing new: keep the record (and its time) as it is
    else:
        withdrawal = Withdrawal(slug, merged, now, note or (before.note if before else ""))
    removals = [Removal(name, slug, e["locale"], WITHDRAWN, withdrawal.note) for name, e in live.items() if withdrawal.covers(e["locale"])]
    for r in removals:
        removable(out, r.file)  # refuse before recording anything, so a refusal leaves the project as it was
    if not dry_run:
        # The decision first: if the run dies now, the next publish finishes the takedown.
        atomic_write(withdrawn_path(project), render_withdrawals({**withdrawals, slug: withdrawal}))
    report = commit(project, out, old, dict(old), log, {}, removals, (), now, dry_run, [], [], relink_all=True)
    return WithdrawReport(slug, codes, False, dry_run, out, record, report.removed, report.files)


def undo_withdrawal(
    project: Project, slug: str, locales: list[str] | None = None, *, dry_run: bool = False, wait: bool = False
) -> WithdrawReport:
    """Lift a withdrawal (in every locale, or only `locales`): the next `publish` may publish the story again."""
    check_slug(slug)
    codes = tuple(dict.fromkeys(check_locale(c) for c in locales)) if locales else None
    path = withdrawn_path(project)
    record = WITHDRAWN_NAME
    with contextlib.nullcontext() if dry_run else project_lock(project.root, wait=wait):
        if not dry_run:
            remove_withdrawn_temps(project)
        withdrawals = read_withdrawals(project)
        before = withdrawals.get(slug)
        if before is None or (codes is not None and not any(before.covers(c) for c in codes)):
            where = f" in {', '.join(codes)}" if codes else ""
            raise InputError(f"{slug!r} is not withdrawn{where}; nothing to undo", path)
        remaining = dict(withdrawals)
        if codes is None:
            del remaining[slug]
        else:
            # Lifting one locale of an "all" withdrawal narrows it to the project's other current locales.
            keep = tuple(c for c in (before.locales or project.locales) if c not in codes)
            if keep:
                remaining[slug] = Withdrawal(slug, keep, before.withdrawn, before.note)
            else:
                del remaining[slug]
        if not dry_run:
            atomic_write(path, render_withdrawals(remaining))
    return WithdrawReport(slug, codes, True, dry_run, project.public_dir, record)


def _check_story_slug(slug: str) -> None:
    check_slug(slug)
    if slug == INDEX_STEM:
        raise InputError(f"invalid slug {slug!r}: it names each locale's {INDEX_STEM}.html page, not a story")


def _is_article(project: Project, slug: str) -> bool:
    # Each file on its own: one broken article must not make a real story look unknown (or vice versa).
    for path in articles_mod.find_articles(project):
        try:
            if articles_mod.read_article(path, project).slug == slug:
                return True
        except InputError:
            continue
    return False

