"""`workflow translate`: machine drafts for new segments, merged into the PO catalogs (run.py), with a progress bar."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Annotated, Optional

import typer

from workflow.cli.models import ModelsDirOpt, _use_models_dir
from workflow.cli.options import JsonOpt, LocaleOpt, ProjectOpt, SlugsArg, WaitOpt, app, now
from workflow.cli.render import _report_errors, err, out, plural, print_json
from workflow.project import load_project


@app.command("translate")
def translate_cmd(
    slugs: SlugsArg = None,
    locale: LocaleOpt = None,
    retranslate: Annotated[
        bool,
        typer.Option(
            "--retranslate",
            help=(
                "Also send fuzzy entries to the model again (machine drafts, and sentences edited since review). "
                "A draft still exactly as the model wrote it is replaced; a translation a translator wrote, edited "
                "or accepted is never replaced: it stays in its entry, fuzzy, with the old English as `#| msgid`, "
                "and the new draft is offered beside it as a `# machine draft (MODEL): ...` comment."
            ),
        ),
    ] = False,
    beam_size: Annotated[Optional[int], typer.Option(min=1, help="Beam size; default from workflow.toml.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(min=1, help="Segments per model batch; default from workflow.toml.")] = None,
    models_dir: ModelsDirOpt = None,
    backend: Annotated[
        Optional[str],
        typer.Option(
            help="Where the model runs: local, libretranslate or ray; default [translate] backend in workflow.toml.",
            show_default=False,
        ),
    ] = None,
    wait: WaitOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Machine-translate new segments into each locale and merge them into the PO catalogs.

    New sentences are added as fuzzy entries for translators to review; reviewed entries are never
    changed; edited sentences keep their old translation, marked fuzzy with the previous source;
    removed ones become obsolete. Exit code 2 if a locale has no model installed (nothing is touched),
    or if the backend fails mid-run after its retries (catalogs of fully translated articles are written).

    \b
    Example: workflow translate kazakh-migrant-refused-war-contract
    """
    from workflow import run

    proj = load_project(project)
    proj = dataclasses.replace(proj, models_dir=_use_models_dir(models_dir, project)[0])
    show = not quiet and not json_out and err.is_terminal
    with _progress_bar(show) as progress:
        report = run.translate_articles(
            proj,
            slugs,
            locale,
            retranslate=retranslate,
            beam_size=beam_size,
            batch_size=batch_size,
            now=now(),
            progress=progress,
            wait=wait,
            backend=backend,
        )
    if json_out:
        print_json(report)
        _report_errors(report.errors)
        return
    written = sum(r.written for r in report.results)
    for loc, model in report.models.items():
        out.print(f"{loc}: model {model}", markup=False)
    memory_part = f"{report.from_memory} served from memory, " if report.from_memory else ""
    out.print(
        f"{plural(report.articles, 'article')}, {plural(report.segments, 'segment')}: {memory_part}{report.sent_to_model} sent to the model, "
        f"{plural(written, 'catalog')} updated in {report.timings.total:.1f}s. Next: `workflow review`.",
        markup=False,
    )
    _report_errors(report.errors)


@contextlib.contextmanager
def _progress_bar(show: bool):
    """A rich progress bar over article-locale pairs with a segments-per-second rate, or nothing."""
    if not show:
        yield None
        return
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("translating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[sent]} segments, {task.fields[rate]} seg/s"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    start = time.perf_counter()
    with bar:
        task = bar.add_task("translate", total=None, sent=0, rate="–")

        def update(done: int, total: int, sent: int) -> None:
            rate = sent / max(time.perf_counter() - start, 1e-6)
            bar.update(task, completed=done, total=total, sent=sent, rate=f"{rate:.0f}")

        yield update
