"""The editors' dashboard: every article × locale with its review counts, what blocks it and where to fix it.

It asks the same gate publish does, so what it calls blocked is exactly what publish would hold back.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from workflow import articles as articles_mod
from workflow.errors import InputError
from workflow.project import Project
from workflow.publish.gating import gate
from workflow.publish.interface import SOURCE_LANGUAGE, environment, language_name
from workflow.publish.manifest import MANIFEST_NAME, is_edition, read_manifest
from workflow.publish.report import PendingSegment
from workflow.publish.site import output_dir
from workflow.publish.withdrawals import read_withdrawals
from workflow.review import ArticleReview


@dataclass(frozen=True)
class DashboardCell:
    """One article in one locale, as the editors' dashboard shows it."""

    slug: str
    locale: str
    state: str  # "ready" (would publish), "blocked", "withdrawn", "error" (its catalog cannot be read)
    live: bool  # an edition of it is out now (in the manifest)
    review: ArticleReview | None  # None with "error"
    pending: tuple[PendingSegment, ...] = ()
    error: InputError | None = None  # why, with "error": the page shows it as "path:line: message", the path relative to the project


@dataclass(frozen=True)
class DashboardRow:
    slug: str
    title: str
    source: str  # the article file, relative to the project
    cells: tuple[DashboardCell, ...]


@dataclass(frozen=True)
class Dashboard:
    """Every article × locale: review counts, what blocks publishing and why, and where to fix it."""

    generated: dt.datetime
    locales: tuple[str, ...]
    rows: tuple[DashboardRow, ...]

    @property
    def blocked(self) -> tuple[DashboardCell, ...]:
        """Cells that cannot be published now: blocked by pending segments, or by a catalog that cannot be read."""
        return tuple(c for r in self.rows for c in r.cells if c.state in ("blocked", "error"))


def dashboard(
    project: Project,
    articles: list[articles_mod.Article],
    locales: tuple[str, ...],
    *,
    now: dt.datetime,
    glossary: Any = None,
    out_dir: Path | None = None,
) -> Dashboard:
    """The state of `articles` in `locales`, read from the catalogs, the gate, withdrawn.toml and the manifest.

    A catalog the gate cannot read (broken, stale) is a cell in state "error" with its one-line message.
    """
    selected = tuple(locales)
    loaded = articles
    withdrawals = read_withdrawals(project)
    live = {name for name in read_manifest(output_dir(project, out_dir) / MANIFEST_NAME) if is_edition(name)}
    if glossary is None:
        from workflow.glossary import project_glossary

        glossary = project_glossary(project)
    rows = []
    for article in loaded:
        cells = []
        for locale in selected:
            is_live = f"{locale}/{article.slug}.html" in live
            try:
                _, pending, review = gate(project, article, locale, glossary)
            except InputError as exc:
                cells.append(DashboardCell(article.slug, locale, "error", is_live, None, error=exc))
                continue
            withdrawal = withdrawals.get(article.slug)
            if withdrawal is not None and withdrawal.covers(locale):
                state = "withdrawn"
            else:
                state = "blocked" if pending else "ready"
            cells.append(DashboardCell(article.slug, locale, state, is_live, review, tuple(pending)))
        rows.append(DashboardRow(article.slug, article.title, project.relative(article.path), tuple(cells)))
    return Dashboard(now, selected, tuple(rows))


def render_dashboard(project: Project, board: Dashboard, page: Path) -> str:
    """The dashboard as one self-contained HTML page to be written at `page` (PO links are relative to it)."""

    def href(relative: str) -> str:
        return quote(os.path.relpath(project.root / relative, Path(page).parent).replace(os.sep, "/"))

    rows = []
    for row in board.rows:
        cells = []
        for cell in row.cells:
            r = cell.review
            if r is None:
                cells.append({"locale": cell.locale, "state": cell.state, "live": cell.live, "error": _error_text(project, cell.error)})
                continue
            total = max(r.total, 1)
            # The bar's parts add up to the whole: a flagged entry is counted once, as flagged, whatever its status.
            split = {"reviewed": 0, "flagged": 0, "changed": 0, "machine": 0, "untranslated": 0}
            for entry in r.entries:
                split["flagged" if entry.flags else entry.status] += 1
            parts = list(split.items())
            cells.append(
                {
                    "locale": cell.locale,
                    "state": cell.state,
                    "live": cell.live,
                    "error": "",
                    "percent": f"{r.percent:.0f}",
                    "counts": {name: getattr(r, name) for name in ("reviewed", "machine", "changed", "untranslated", "flagged")},
                    "total": r.total,
                    "bar": [{"name": n, "count": c, "width": f"{100 * c / total:.2f}"} for n, c in parts if c],
                    "po": r.po_path if r.exists else "",
                    "po_href": href(r.po_path) if r.exists else "",
                    "pending": [
                        {"reference": p.reference, "reason": p.reason, "text": p.text, "catalog": p.catalog} for p in cell.pending
                    ],
                }
            )
        rows.append({"slug": row.slug, "title": row.title, "source": row.source, "cells": cells})
    blocked = {}
    for cell in board.blocked:
        blocked.setdefault(cell.slug, []).append(cell.locale)
    return environment(SOURCE_LANGUAGE).get_template("dashboard.html").render(
        generated=board.generated.isoformat(),
        locales=[{"code": c, "name": language_name(c, "en")} for c in board.locales],
        rows=rows,
        blocked=[{"slug": s, "locales": ", ".join(ls)} for s, ls in blocked.items()],
        counts={
            state: sum(c["state"] == state for r in rows for c in r["cells"]) for state in ("ready", "blocked", "withdrawn", "error")
        },
    )


def _error_text(project: Project, exc: InputError | None) -> str:
    """"locales/<lang>/LC_MESSAGES/x.po:3: message": an error as the page shows it, its path relative to the project."""
    if exc is None:
        return ""
    return exc.shown(project.relative(exc.path) if exc.path is not None else None)
