"""The `workflow` command line: parses options, calls the core, renders results. Nothing else lives here."""

from __future__ import annotations

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
    """Entry point: user errors become one `Error: ...` line and their exit code, never a traceback."""
    try:
        app(standalone_mode=False)
    except WorkflowError as exc:
        err.print(f"Error: {exc}", markup=False)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err.print("Aborted.")
        raise SystemExit(130) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except __import__("click").exceptions.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("Interrupted: every file is either as it was or fully written.")
        raise SystemExit(130) from None


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

# --- review (review.py) -------------------------------------------------------------------------------

# --- glossary (glossary.py) ---------------------------------------------------------------------------

# --- publish (publish.py) -----------------------------------------------------------------------------


if __name__ == "__main__":
    main()
