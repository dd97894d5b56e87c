"""`workflow review`: progress per article and locale, the queue of pending entries, and the editors' dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from workflow import articles as articles_mod
from workflow.cli.options import JsonOpt, LocaleOpt, ProjectOpt, app, now
from workflow.cli.render import _report_errors, err, out, plural, print_json, visible
from workflow.project import load_project
from workflow.storage import atomic_write


ReviewArgs = Annotated[
    Optional[list[str]],
    typer.Argument(
        help="Article slugs (default: every article); begin with the word `queue` to list pending entries instead.",
        show_default=False,
        metavar="queue|SLUG",
    ),
]


# Colour says the state at a glance on a terminal; rich drops it when output is piped or NO_COLOR is set.
_STATE_STYLES = {
    "done": "bold green",
    "reviewed": "green",
    "machine": "blue",
    "changed": "yellow",
    "flagged": "bold red",
    "blocked": "bold red",
    "stale": "yellow",
}


def _state_cell(text: str, state: str):
    """A table cell coloured by state; its text passes through `visible` like every string the CLI prints."""
    from rich.text import Text

    return Text(visible(text), style=_STATE_STYLES.get(state, ""))


def _review_glossary(proj):
    """The project glossary for checks and hints, or None while the glossary module is absent."""
    try:
        from workflow import glossary as glossary_mod
    except ImportError:
        return None
    return glossary_mod.load_glossary(proj.glossary_path)


@app.command("review")
def review_cmd(
    targets: ReviewArgs = None,
    locale: LocaleOpt = None,
    order: Annotated[
        str, typer.Option("--order", help="queue order: risk (check errors, then the model's lowest confidence first) or article.")
    ] = "risk",
    html: Annotated[
        Optional[Path],
        typer.Option(
            "--html",
            metavar="FILE",
            help="Also write the editors' dashboard: every article × locale with its state, blockers and PO file.",
        ),
    ] = None,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Show review progress, read from the PO catalogs (translators accept work only in their PO editor).

    `workflow review [SLUG...]`: per article and locale, how many entries are reviewed, machine-translated
    awaiting review, changed since review, untranslated and flagged, and the percent done.

    `workflow review queue [SLUG...]`: the pending entries, riskiest first (`--order article` for article
    order), with reference, source, the model's confidence,
    current translation, why each is pending and what the checks found: errors (`!`: a changed number
    or date, unbalanced quotes, English left in, a broken glossary term...) block publishing unless a
    `# qa-ok: CHECK` translator comment accepts them; warnings (`?`: spelling, doubled words) do not.

    `workflow review --html FILE`: also write a page editors keep open: each article × locale as a cell
    with a bar of reviewed / awaiting / changed / untranslated / flagged entries, whether it is ready,
    blocked (and why, entry by entry) or withdrawn, and a link to its PO file.

    \b
    Example: workflow review queue --locale ru kazakh-migrant-refused-war-contract --json

    \b
    Example: workflow review --html review.html
    """
    from workflow import checks as checks_mod
    from workflow import review as review_mod
    from workflow.project import select_locales

    targets = list(targets or [])
    show_queue = bool(targets) and targets[0] == "queue"
    slugs = targets[1:] if show_queue else targets
    proj = load_project(project)
    locales_ = select_locales(proj, locale)
    if order not in ("risk", "article"):
        from workflow.errors import InputError

        raise InputError(f"unknown order {order!r} (use risk or article)")
    parsed, errors = articles_mod.scan_articles(proj, slugs or None)
    reviews, catalog_errors = review_mod.review_project(proj, parsed, locales_, _review_glossary(proj))
    errors += catalog_errors
    if html is not None:
        from workflow import publish as publish_mod

        board = publish_mod.dashboard(proj, parsed, locales_, now=now(), glossary=_review_glossary(proj))
        atomic_write(html, publish_mod.render_dashboard(proj, board, html.resolve()))
        err.print(
            f"Wrote the dashboard {html}: {plural(len(board.rows), 'article')}, {plural(len(board.blocked), 'blocked edition')}.",
            markup=False,
        )
    if show_queue:
        queue = review_mod.by_risk(reviews) if order == "risk" else [(r, e) for r in reviews for e in r.queue]
        rows = [
            {
                "slug": r.slug,
                "locale": r.locale,
                "catalog": f"{r.po_path}:{e.line}" if e.line else r.po_path,
                "reference": e.reference,
                "msgctxt": e.msgctxt,
                "source": e.msgid,
                "translation": e.msgstr,
                "previous_source": e.previous_msgid,
                "status": e.status,
                "reason": e.reason,
                "flags": list(e.flags),
                "warnings": list(e.warnings),
                "overridden": list(e.overridden),
                "provenance": e.provenance,
                "confidence": e.confidence,
                "memory": e.memory,
            }
            for r, e in queue
        ]
        for notice in checks_mod.notices(locales_):
            err.print(f"Note: {notice}", markup=False)
        if json_out:
            print_json(rows)
            _report_errors(errors)
            return
        for row in rows:
            by = f" ({row['provenance']}" + (f", confidence {row['confidence']:.2f}" if row["confidence"] is not None else "") + ")" if row["provenance"] else ""
            by += f" ({row['memory']})" if row["memory"] else ""
            out.print(f"{row['reference']}  [{row['locale']}] {row['reason']}{by}  → {row['catalog']}", markup=False)
            out.print(f"  en: {row['source']}", markup=False)
            if row["previous_source"] is not None:
                out.print(f"  was: {row['previous_source']}", markup=False)
            out.print(f"  {row['locale']}: {row['translation'] or '(empty)'}", markup=False)
            for flag in row["flags"]:
                out.print(f"  ! {flag}", markup=False)
            for flag in row["overridden"]:
                by = "glossary-ok" if flag.startswith("glossary: ") else "qa-ok"
                out.print(f"  ~ {flag} (overridden by a {by} comment)", markup=False)
            for warning in row["warnings"]:
                out.print(f"  ? {warning}", markup=False)
            out.print("")
        out.print(f"{len(rows)} pending entr{'y' if len(rows) == 1 else 'ies'}.", markup=False)
        _report_errors(errors)
        return
    summary = [
        {
            "slug": r.slug,
            "locale": r.locale,
            "catalog": r.po_path,
            "exists": r.exists,
            "total": r.total,
            "reviewed": r.reviewed,
            "machine": r.machine,
            "changed": r.changed,
            "untranslated": r.untranslated,
            "flagged": r.flagged,
            "percent": r.percent,
            "state": r.state,
            "next": r.next,
        }
        for r in reviews
    ]
    if json_out:
        print_json(summary)
        _report_errors(errors)
        return
    from rich.table import Table

    table = Table(title="Review progress (from the PO catalogs)", title_justify="left")
    for col in ("article", "locale", "reviewed", "machine", "changed", "untranslated", "flagged", "done"):
        table.add_column(col, justify="left" if col in ("article", "locale") else "right", overflow="fold")
    for row in summary:
        table.add_row(
            row["slug"] + ("" if row["exists"] else " (no catalog yet)"),
            row["locale"],
            *(_state_cell(str(row[k]), k if row[k] else "") for k in ("reviewed", "machine", "changed", "untranslated", "flagged")),
            _state_cell(_done_cell(row), row["state"]),
        )
    out.print(table)
    out.print("`workflow review queue --locale L` lists what is pending.", markup=False)
    _report_errors(errors)


def _done_cell(row: dict) -> str:
    """Percent reviewed; or why 100% is not done (flagged), or that the counts are unknown (stale)."""
    if row["state"] == "stale":
        return f"stale: run `{row['next']}`"
    if row["state"] == "blocked":
        return f"blocked: {row['flagged']} flagged"
    return f"{row['percent']:.1f}%"
