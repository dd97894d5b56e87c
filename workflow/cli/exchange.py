"""Exchange with CAT tools: `workflow export`/`import` (XLIFF, exchange.py) and `workflow memory ...` (TMX, memory.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from workflow import articles as articles_mod
from workflow.cli.options import LocaleOpt, ProjectOpt, WaitOpt, app, now
from workflow.cli.render import err, out
from workflow.cli.review import _review_glossary
from workflow.project import load_project
from workflow.storage import atomic_write


@app.command("export")
def export_cmd(
    slug: Annotated[str, typer.Argument(help="The article's slug.")],
    locale: Annotated[str, typer.Option("--locale", "-l", help="The target locale of the catalog to export.")],
    format_: Annotated[str, typer.Option("--format", "-f", help="xliff (XLIFF 1.2: OmegaT, memoQ, Trados).")] = "xliff",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (atomically); default: standard output.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Export one article's catalog for a CAT tool: reviewed entries final and approved, drafts needs-review,
    provenance, glossary hints and check findings as notes.

    \b
    Example: workflow export --format xliff kazakh-migrant-refused-war-contract --locale kk -o story.xlf
    """
    from workflow import exchange
    from workflow.errors import InputError
    from workflow.project import select_locales

    if format_ != "xliff":
        raise InputError(f"unknown format {format_!r} (use xliff)")
    proj = load_project(project)
    (loc,) = select_locales(proj, [locale])
    article = articles_mod.load_articles(proj, [slug])[0]
    _emit(exchange.to_xliff(proj, article, loc, _review_glossary(proj)), output, f"{slug}, {loc}, XLIFF 1.2")


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="An XLIFF 1.2 file exported by `workflow export` and edited in a CAT tool.")],
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Merge an XLIFF file back into its PO catalog as a translator's edit: approved units become reviewed,
    others fuzzy drafts; reviewed work is never replaced by an unapproved or older translation.

    \b
    Example: workflow import story.xlf
    """
    from workflow import exchange
    from workflow.storage import project_lock

    proj = load_project(project)
    imported = exchange.read_xliff(proj, file)  # checked whole before the lock: a refusal leaves nothing
    with project_lock(proj.root, wait=wait):
        imported = exchange.read_xliff(proj, file)  # again under the lock: the catalog may have changed meanwhile
        written = exchange.apply_xliff(proj, imported, now())
    accepted = sum(c.reviewed for c in imported.changes)
    po = proj.relative(proj.po_path(imported.article.slug, imported.locale))
    out.print(
        f"Imported {file} into {po}: {accepted} reviewed, {len(imported.changes) - accepted} as drafts, "
        f"{len(imported.kept)} kept (newer or reviewed in the catalog){'' if written else '; nothing changed'}.",
        markup=False,
    )


memory_app = typer.Typer(
    help=(
        "The translation memory: every reviewed entry of every catalog, plus imported TMX files.\n\n"
        "Example: workflow memory export --format tmx --output newsroom.tmx"
    ),
    no_args_is_help=True,
)


app.add_typer(memory_app, name="memory")


@memory_app.command("export")
def memory_export(
    format_: Annotated[str, typer.Option("--format", "-f", help="tmx (TMX 1.4b, for OmegaT, memoQ, Trados, Weblate).")] = "tmx",
    locale: LocaleOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (atomically); default: standard output.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Export the memory (reviewed translations, and imported units) as TMX 1.4b, each unit with its origin.

    \b
    Example: workflow memory export --format tmx --output newsroom.tmx
    """
    from workflow import memory as memory_mod
    from workflow.errors import InputError
    from workflow.project import select_locales

    if format_ != "tmx":
        raise InputError(f"unknown format {format_!r} (use tmx)")
    proj = load_project(project)
    memories = [memory_mod.load_memory(proj, loc) for loc in select_locales(proj, locale)]
    text = memory_mod.to_tmx(memories, proj.source_locale, now())
    _emit(text, output, f"{sum(len(m) for m in memories)} units, tmx")


def _emit(text: str, output: Path | None, what: str) -> None:
    """An export to standard output (file data, exactly), or written whole to OUTPUT with a line saying so."""
    if output is None:
        sys.stdout.write(text)
        return
    atomic_write(output, text)
    err.print(f"Wrote {output} ({what}).", markup=False)


@memory_app.command("import")
def memory_import(
    file: Annotated[Path, typer.Argument(help="A TMX file (1.4b) of reviewed translations from elsewhere.")],
    wait: WaitOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Import a TMX file: its units for the project's locales are kept in locales/memory/ and serve lookups.

    The project's own reviewed entries always come first; imported units are labelled `tmx:<file>`.

    \b
    Example: workflow memory import agency-memory.tmx
    """
    from workflow import memory as memory_mod
    from workflow.storage import project_lock

    proj = load_project(project)
    imported = memory_mod.read_import(proj, file, now())  # checked whole before the lock: a refusal leaves nothing
    with project_lock(proj.root, wait=wait):
        target = memory_mod.save_import(proj, imported)
    per_locale = ", ".join(f"{loc} {n}" for loc, n in imported.counts.items())
    out.print(f"Imported {file}: {per_locale} unit(s), kept as {proj.relative(target)}.", markup=False)
