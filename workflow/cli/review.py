"""`workflow review`: progress per article and locale, the queue of pending entries, and the editors' dashboard."""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Optional

import typer

from workflow import articles as articles_mod
from workflow.cli.options import JsonOpt, LocaleOpt, ProjectOpt, SlugsArg, app, now
from workflow.cli.render import Column, _report_errors, err, out, plural, show_rows
from workflow.project import load_project
from workflow.storage import atomic_write


HtmlOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--html",
        metavar="FILE",
        help="Also write the editors' dashboard: every article × locale with its state, blockers and PO file.",
    ),
]


class _ReviewGroup(typer.core.TyperGroup):
    """`review [SLUG...]` lists progress, `review queue [SLUG...]` the pending entries: the first word decides.

    A first word that is a subcommand's name (or a typo of one, for which click names the subcommand meant) is the
    subcommand, whatever options come before it; any other word is a slug. After `--` every word is a slug, so an
    article whose slug is `queue` is reviewed with `workflow review -- queue`.
    """

    allow_interspersed_args = True  # `review SLUG --json`: options after the slugs, as every command takes them

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201 (click's own signature)
        at = self._first_word(ctx, args)
        if at is not None and args[at] in self.commands:
            # The group's own parameters at their defaults; the words around the name are the subcommand's.
            super(typer.core.TyperGroup, self).parse_args(ctx, [])
            ctx._protected_args, ctx.args = [args[at]], [*args[:at], *args[at + 1 :]]
            return ctx.args
        if at is not None and get_close_matches(args[at], list(self.commands)):
            self.resolve_command(ctx, [args[at]])  # "No such command 'queu'. Did you mean 'queue'?", exit 2
        return super(typer.core.TyperGroup, self).parse_args(ctx, args)

    def get_params(self, ctx):  # noqa: ANN001, ANN201
        params = super().get_params(ctx)
        # click puts a group's arguments into its subcommands' usage line ("review [SLUG...]... queue"): not there.
        return params if ctx.command is self else [p for p in params if p.param_type_name != "argument"]

    def _first_word(self, ctx, args: list[str]) -> int | None:  # noqa: ANN001
        """Where the first word that is not an option or an option's value is; None if none comes before `--`."""
        takes_value = {
            name: not (param.is_flag or param.count)
            for command in (self, *self.commands.values())
            for param in command.get_params(ctx)
            if param.param_type_name == "option"
            for name in (*param.opts, *param.secondary_opts)
        }
        at = 0
        while at < len(args):
            word = args[at]
            if word == "--":
                return None
            if not word.startswith("-") or word == "-":
                return at
            name, attached = (word.split("=", 1)[0], "=" in word) if word.startswith("--") else (word[:2], len(word) > 2)
            at += 2 if takes_value.get(name) and not attached else 1
        return None


review_app = typer.Typer(cls=_ReviewGroup, invoke_without_command=True, subcommand_metavar="| queue [OPTIONS] [SLUG...]")
app.add_typer(review_app, name="review")


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


def _count_column(key: str) -> Column:
    return Column(key, lambda row: str(row[key]), "right", lambda row: _STATE_STYLES.get(key, "") if row[key] else "")


# The progress table: a count is coloured as its state when not zero, the last cell as the edition's state.
_PROGRESS = [
    Column("article", lambda row: row["slug"] + ("" if row["exists"] else " (no catalog yet)")),
    Column("locale", lambda row: row["locale"]),
    *(_count_column(key) for key in ("reviewed", "machine", "changed", "untranslated", "flagged")),
    Column("done", lambda row: _done_cell(row), "right", lambda row: _STATE_STYLES.get(row["state"], "")),
]


def _review_glossary(proj):
    """The project glossary for checks and hints, or None while the glossary module is absent."""
    try:
        from workflow import glossary as glossary_mod
    except ImportError:
        return None
    return glossary_mod.project_glossary(proj)


def _reviews(proj, locales_, slugs, html: Path | None):
    """The reviews of the named articles (or all) in each locale, their errors; with --html, the dashboard too."""
    from workflow import review as review_mod

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
    return reviews, errors


@review_app.callback()
def review_cmd(
    ctx: typer.Context,
    slugs: SlugsArg = None,
    locale: LocaleOpt = None,
    html: HtmlOpt = None,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Show review progress, read from the PO catalogs (translators accept work only in their PO editor).

    `workflow review [SLUG...]`: per article and locale, how many entries are reviewed, machine-translated
    awaiting review, changed since review, untranslated and flagged, and the percent done.

    `workflow review queue [SLUG...]`: the pending entries, riskiest first, with why each is pending and
    what the checks found (`workflow review queue --help` says more).

    `workflow review --html FILE`: also write a page editors keep open: each article × locale as a cell
    with a bar of reviewed / awaiting / changed / untranslated / flagged entries, whether it is ready,
    blocked (and why, entry by entry) or withdrawn, and a link to its PO file.

    An article whose slug is `queue` (or close to it, such as `queu`) goes after `--`, which ends the options.

    \b
    Example: workflow review --html review.html

    \b
    Example: workflow review --json -- queue
    """
    if ctx.invoked_subcommand is not None:
        return  # `review queue`: the subcommand does the work
    from workflow.project import select_locales

    proj = load_project(project)
    reviews, errors = _reviews(proj, select_locales(proj, locale), slugs, html)
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
    show_rows(summary, json_out=json_out, columns=_PROGRESS, title="Review progress (from the PO catalogs)")
    if not json_out:
        out.print("`workflow review queue --locale L` lists what is pending.", markup=False)
    _report_errors(errors)


@review_app.command("queue")
def review_queue(
    slugs: SlugsArg = None,
    locale: LocaleOpt = None,
    order: Annotated[
        str, typer.Option("--order", help="queue order: risk (check errors, then the model's lowest confidence first) or article.")
    ] = "risk",
    html: HtmlOpt = None,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """List the entries pending review, riskiest first, with why each is pending and what the checks found.

    Check errors come first, then the model's lowest confidence (`--order article` for article order).
    Each entry shows its reference, source, the model's confidence, current translation, why it is pending
    and what the checks found: errors (`!`: a changed number or date, unbalanced quotes, English left in, a
    broken glossary term...) block publishing unless a `# qa-ok: CHECK` translator comment accepts them;
    warnings (`?`: spelling, doubled words) do not. The queue of an article whose slug is `queue` is
    `workflow review queue -- queue`.

    \b
    Example: workflow review queue kazakh-migrant-refused-war-contract --json
    """
    from workflow import checks as checks_mod
    from workflow import review as review_mod
    from workflow.project import select_locales

    proj = load_project(project)
    locales_ = select_locales(proj, locale)
    if order not in ("risk", "article"):
        from workflow.errors import InputError

        raise InputError(f"unknown order {order!r} (use risk or article)")
    reviews, errors = _reviews(proj, locales_, slugs, html)
    queue = review_mod.by_risk(reviews) if order == "risk" else [(r, e) for r in reviews for e in r.queue]
    rows = [
        {
            "slug": r.slug,
            "locale": r.locale,
            "catalog": proj.reference(proj.po_path(r.slug, r.locale), e.line),
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
    show_rows(rows, json_out=json_out, lines=_queue_lines)
    if not json_out:
        out.print(f"{len(rows)} pending entr{'y' if len(rows) == 1 else 'ies'}.", markup=False)
    _report_errors(errors)


def _queue_lines(row: dict) -> list[str]:
    """A pending entry as the queue shows it: where, why and by whom, the source, the translation, the findings."""
    by = f" ({row['provenance']}" + (f", confidence {row['confidence']:.2f}" if row["confidence"] is not None else "") + ")" if row["provenance"] else ""
    by += f" ({row['memory']})" if row["memory"] else ""
    lines = [f"{row['reference']}  [{row['locale']}] {row['reason']}{by}  → {row['catalog']}", f"  en: {row['source']}"]
    if row["previous_source"] is not None:
        lines.append(f"  was: {row['previous_source']}")
    lines.append(f"  {row['locale']}: {row['translation'] or '(empty)'}")
    lines += [f"  ! {flag}" for flag in row["flags"]]
    for flag in row["overridden"]:
        by = "glossary-ok" if flag.startswith("glossary: ") else "qa-ok"
        lines.append(f"  ~ {flag} (overridden by a {by} comment)")
    return [*lines, *(f"  ? {warning}" for warning in row["warnings"]), ""]


def _done_cell(row: dict) -> str:
    """Percent reviewed; or why 100% is not done (flagged), or that the counts are unknown (stale)."""
    if row["state"] == "stale":
        return f"stale: run `{row['next']}`"
    if row["state"] == "blocked":
        return f"blocked: {row['flagged']} flagged"
    return f"{row['percent']:.1f}%"
