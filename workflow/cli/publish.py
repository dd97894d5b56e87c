"""`workflow publish` and `workflow withdraw`: what goes live, what is held back and why, and taking a story down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from workflow.cli.options import JsonOpt, ProjectOpt, SlugsArg, WaitOpt, LocaleOpt, app, now
from workflow.cli.render import _report_errors, out, plural, print_json, to_jsonable
from workflow.project import load_project


OutOpt = Annotated[
    Optional[Path], typer.Option("--out", help="Output directory.", show_default="paths.public of workflow.toml")
]


def _short(text: str, width: int = 60) -> str:
    """A sentence cut to `width` characters with an ellipsis, on one line."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command("publish")
def publish_cmd(
    slugs: SlugsArg = None,
    locale: LocaleOpt = None,
    out_dir: OutOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be published; write nothing.")] = False,
    wait: WaitOpt = False,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Publish every article whose translation is fully reviewed: Markdown, HTML, index and manifest.

    An article with any segment not accepted in its PO file (fuzzy, empty, or source changed since
    review) or flagged by a check is not published; its pending segments are listed (source line,
    sentence, PO file to open) and the exit code is 1, while ready articles in the same run are still
    published. A blocked article whose live edition still shows sentences the source has dropped is
    reported as stale. Withdrawn stories (`workflow withdraw`) are not published, and a run over every
    article removes the editions of articles deleted from articles/. Unchanged files are not rewritten.

    \b
    Example: workflow publish kazakh-migrant-refused-war-contract --dry-run
    """
    from workflow import publish as publish_mod

    proj = load_project(project)
    report = publish_mod.publish(proj, slugs, locale, now=now(), out_dir=out_dir, dry_run=dry_run, wait=wait)
    if json_out:
        print_json(
            {
                **to_jsonable(report),
                "blocked": len(report.blocked),
                "changed": len(report.changed),
                "withdrawn": len(report.withdrawn),
            }
        )
    else:
        _render_publish(proj, report)
    _report_errors(report.errors)
    # Asking for a withdrawn story by name and not getting it is a refusal too.
    if report.blocked or (slugs and report.withdrawn):
        raise typer.Exit(1)


def _render_publish(proj, report) -> None:
    for edition in report.blocked:
        to_open = f"; open {edition.catalog}" if edition.catalog else ""
        out.print(f"Blocked {edition.locale}/{edition.slug}: {plural(len(edition.pending), 'segment')} pending{to_open}", markup=False)
        for p in edition.pending:
            out.print(f"  {p.reference}  {p.segment}  {p.reason}", markup=False)
            out.print(f"    “{_short(p.text)}”" + (f"  → {p.catalog}" if p.catalog else ""), markup=False)
    for stale in report.stale:
        page = proj.relative(report.out_dir / stale.files[-1])
        where = f"the live edition ({page}, published {stale.published})"
        if stale.sentences:
            out.print(
                f"Stale {stale.locale}/{stale.slug}: {where} still shows {plural(len(stale.sentences), 'sentence')} "
                "the source no longer has:",
                markup=False,
            )
            for sentence in stale.sentences:
                if sentence.text:
                    out.print(f"  - {_short(sentence.text)}  → {sentence.catalog}", markup=False)
                else:
                    out.print(f"  - a sentence no longer in the catalog (key {sentence.key})", markup=False)
        else:
            out.print(f"Stale {stale.locale}/{stale.slug}: {where} was made from an earlier version of the source.", markup=False)
        out.print(
            f"  Review the pending segments above and run `workflow publish {stale.slug} --locale {stale.locale}`, "
            f"or take it down now: `workflow withdraw {stale.slug} --locale {stale.locale}`.",
            markup=False,
        )
    for edition in report.withdrawn:
        out.print(
            f"Withdrawn {edition.locale}/{edition.slug}: not published; "
            f"`workflow withdraw --undo {edition.slug}` lifts the withdrawal",
            markup=False,
        )
    for edition in report.editions:
        if edition.published:
            out.print(f"Ready {edition.locale}/{edition.slug}", markup=False)
    for note in report.notes:
        out.print(f"Note: {note}", markup=False)
    for f in report.changed:
        out.print(f"{f.action} {report.out_dir / f.path}", markup=False)
    published = sum(e.published for e in report.editions)
    unchanged = len(report.files) - len(report.changed)
    verb = "would change" if report.dry_run else "changed"
    summary = f"{published} published, {len(report.blocked)} blocked"
    if report.withdrawn:
        summary += f", {len(report.withdrawn)} withdrawn"
    if report.stale:
        summary += f", {plural(len(report.stale), 'live edition')} stale"
    summary += f"; {plural(len(report.changed), 'file')} {verb}"
    if report.changed:
        summary += f", {unchanged} unchanged" if unchanged else ""
    elif report.files and not report.blocked:
        # Only when nothing is held back: "all up to date" beside a blocked correction would be false comfort.
        summary += f": nothing changed, all {plural(unchanged, 'file')} already up to date"
    out.print(summary + ".", markup=False)


@app.command("withdraw")
def withdraw_cmd(
    slug: Annotated[str, typer.Argument(help="The slug of the story to take down (or, with --undo, to allow again).")],
    locale: Annotated[
        Optional[list[str]],
        typer.Option("--locale", "-l", help="Only this locale (repeatable); default: every locale, also ones added later."),
    ] = None,
    undo: Annotated[
        bool, typer.Option("--undo", help="Lift the withdrawal so that `workflow publish` may publish the story again.")
    ] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record (withdrawn.toml and the manifest).")] = "",
    out_dir: OutOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be removed (or lifted); write nothing.")] = False,
    wait: WaitOpt = False,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Take a story down: remove its published editions, update the indexes and record the withdrawal.

    The withdrawal is recorded in withdrawn.toml (keep it in git): from then on `workflow publish` does
    not publish the story, and removes any edition of it it finds, until `workflow withdraw --undo SLUG`.
    Only files the publish manifest lists are removed, never anything else in the output directory;
    each removal is logged in the manifest with its time and reason.

    \b
    Example: workflow withdraw kazakh-migrant-refused-war-contract --reason "legal request"
    """
    from workflow import publish as publish_mod

    proj = load_project(project)
    if undo:
        report = publish_mod.undo_withdrawal(proj, slug, locale, dry_run=dry_run, wait=wait)
    else:
        report = publish_mod.withdraw(proj, slug, locale, now=now(), out_dir=out_dir, note=reason, dry_run=dry_run, wait=wait)
    if json_out:
        print_json(report)
        return
    where = ", ".join(report.locales) if report.locales else "every locale"
    if report.undo:
        out.print(
            f"{'Would lift' if report.dry_run else 'Lifted'} the withdrawal of {slug} ({where}) in {report.record}; "
            f"publish it again with `workflow publish {slug}`.",
            markup=False,
        )
        return
    for f in report.files:
        if f.action != "unchanged":
            out.print(f"{f.action} {report.out_dir / f.path}", markup=False)
    verb = "Would withdraw" if report.dry_run else "Withdrew"
    out.print(
        f"{verb} {slug} ({where}), recorded in {report.record}: {plural(len(report.removed), 'published file')} "
        f"{'would be ' if report.dry_run else ''}removed. `workflow withdraw --undo {slug}` lifts it.",
        markup=False,
    )
