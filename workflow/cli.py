"""The `workflow` command line: parses options, calls the core, renders results. Nothing else lives here."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from workflow import articles as articles_mod
from workflow.errors import WorkflowError
from workflow.project import CONFIG_NAME, DEFAULT_CONFIG, load_project, valid_locales
from workflow.storage import atomic_write

app = typer.Typer(
    name="workflow",
    help=(
        "Translate English news articles into Kazakh and Russian, review them as gettext PO files, "
        "and publish only what translators accepted.\n\n"
        "Example: workflow segment articles/kazakh-migrant-refused-war-contract.md"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ProjectOpt = Annotated[
    Path,
    typer.Option("--project", "-p", help="Project directory holding workflow.toml.", show_default="current directory"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
LocaleOpt = Annotated[
    Optional[list[str]],
    typer.Option("--locale", "-l", help="Target locale (repeatable); default: every locale in workflow.toml."),
]
SlugsArg = Annotated[Optional[list[str]], typer.Argument(help="Article slugs; default: every article.", show_default=False)]


def now() -> dt.datetime:
    """The clock every command uses; SOURCE_DATE_EPOCH pins it for reproducible runs and tests."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, paths and dates as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def main() -> None:
    """Entry point: user errors become one `Error: ...` line and their exit code, never a traceback.

    Usage errors are typer's own (exit 2, with usage); WorkflowError passes through its standalone mode.
    """
    try:
        app()
    except WorkflowError as exc:
        err.print(f"Error: {exc}", markup=False)
        raise SystemExit(exc.exit_code) from None


# --- project ----------------------------------------------------------------------------------------


@app.command()
def init(project: ProjectOpt = Path(".")) -> None:
    """Start a project: write workflow.toml and the articles/, glossary/ and locales/ folders.

    Example: workflow init --project newsroom
    """
    config = project / CONFIG_NAME
    if config.exists():
        raise WorkflowError(f"{CONFIG_NAME} already exists; nothing changed", config)
    for sub in ("articles", "glossary", "locales"):
        (project / sub).mkdir(parents=True, exist_ok=True)
    atomic_write(config, DEFAULT_CONFIG)
    out.print(f"Created {config}; put articles in {project / 'articles'}/ and run `workflow segment`.")


@app.command()
def locales(json_out: JsonOpt = False) -> None:
    """List every locale code Babel knows, with its name: the codes workflow.toml accepts.

    Example: workflow locales | grep -i kazakh
    """
    from babel import Locale

    rows = []
    for code in valid_locales():
        try:
            rows.append({"code": code, "name": Locale.parse(code).get_display_name("en") or code})
        except Exception:  # a few Babel identifiers have no display data; they are still valid codes
            rows.append({"code": code, "name": code})
    if json_out:
        print_json(rows)
        return
    for row in rows:
        out.print(f"{row['code']:<16} {row['name']}", markup=False)


# --- segment (articles.py) ------------------------------------------------------------------------------


@app.command()
def segment(
    article: Annotated[Path, typer.Argument(help="Path of a Markdown article with YAML front matter.")],
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Show how an article is cut into segments: id, kind, source line and text.

    Each heading, paragraph, quotation, list item and attribution is split into sentences; the
    title comes first. Ids are stable: editing one sentence changes only its own id.

    Example: workflow segment articles/kazakh-migrant-refused-war-contract.md --json
    """
    proj = load_project(project) if (project / CONFIG_NAME).exists() else None
    parsed = articles_mod.read_article(article, proj)
    rows = [
        {"id": s.id, "kind": s.kind, "line": s.line, "block": s.block, "index": s.index, "text": s.text}
        for s in parsed.segments
    ]
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title=f"{parsed.slug}: {len(rows)} segments", title_justify="left")
    for col in ("line", "kind", "id", "text"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(str(row["line"]), row["kind"], row["id"], row["text"])
    out.print(table)


# --- models (translate.py) ----------------------------------------------------------------------------

# --- translate (run.py) -------------------------------------------------------------------------------


@app.command("translate")
def translate_cmd(
    slugs: SlugsArg = None,
    locale: LocaleOpt = None,
    retranslate: Annotated[
        bool, typer.Option("--retranslate", help="Also re-send segments whose source changed since review (their old translation stays, fuzzy).")
    ] = False,
    beam_size: Annotated[Optional[int], typer.Option(min=1, help="Beam size; default from workflow.toml.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(min=1, help="Segments per model batch; default from workflow.toml.")] = None,
    models_dir: Annotated[
        Optional[Path], typer.Option(help="Argos packages directory (default: argostranslate's, honouring ARGOS_PACKAGES_DIR).")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for another run's lock instead of refusing.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Machine-translate new segments into each locale and merge them into the PO catalogs.

    New sentences are added as fuzzy entries for translators to review; reviewed entries are never
    changed; edited sentences keep their old translation, marked fuzzy with the previous source;
    removed ones become obsolete. Exit code 2 if a locale has no model installed (nothing is touched).

    Example: workflow translate kazakh-migrant-refused-war-contract --locale ru
    """
    from workflow import run, translate

    if models_dir is not None:
        translate.configure_models_dir(models_dir)
    proj = load_project(project)
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
        )
    if json_out:
        print_json(report)
        return
    written = sum(r.written for r in report.results)
    for loc, model in report.models.items():
        out.print(f"{loc}: model {model}", markup=False)
    out.print(
        f"{report.articles} article(s), {report.segments} segments: {report.sent_to_model} sent to the model, "
        f"{written} catalog(s) updated in {report.timings.total:.1f}s. Next: `workflow review`.",
        markup=False,
    )


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

# --- review (review.py) -------------------------------------------------------------------------------

# --- glossary (glossary.py) ---------------------------------------------------------------------------

# --- publish (publish.py) -----------------------------------------------------------------------------


if __name__ == "__main__":
    main()
