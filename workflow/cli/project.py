"""Commands about the project itself: `init` makes one, `locales` lists the codes it accepts, `segment` shows an article's cut."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from workflow import articles as articles_mod
from workflow.cli.options import JsonOpt, ProjectOpt, app
from workflow.cli.render import Column, out, plural, remember_project, show_rows
from workflow.errors import WorkflowError
from workflow.languages import display_name
from workflow.project import CONFIG_NAME, DEFAULT_CONFIG, find_root, load_project, valid_locales
from workflow.storage import atomic_write


@app.command()
def init(
    project: Annotated[Path, typer.Option("--project", "-p", metavar="DIR", help="Directory to make the project in.", callback=remember_project)] = Path("."),
) -> None:
    """Start a project that runs: workflow.toml, an example article, an empty glossary, and locales/.

    The glossary has a column for each target locale; the example article can be segmented at once.

    \b
    Example: workflow init --project newsroom
    """
    from workflow import project as project_mod

    config = project / CONFIG_NAME
    if config.exists() or config.is_symlink():
        raise WorkflowError("already exists; nothing changed", config)
    enclosing = find_root(project)
    if enclosing is not None:
        # A project inside a project: commands run here would silently use the inner one's articles.
        raise WorkflowError(f"already inside the project at {enclosing}; nothing changed", project)
    from workflow import glossary as glossary_mod

    # The header row alone: the glossary's columns for the project's target locales, ready for a spreadsheet.
    files = {**project_mod.starter_files(), "glossary/terms.csv": glossary_mod.to_csv((), project_mod.starter_locales())}
    folders = [project / sub for sub in ("articles", "glossary", "locales")]
    for folder in folders:  # all checked before the first is made: a refusal leaves nothing half-made
        if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
            raise WorkflowError("exists and is not a directory; move it away or pass --project DIR", folder)
    made = [folder for folder in folders if not folder.is_dir()]
    written: list[Path] = []
    try:
        for folder in made:
            folder.mkdir(parents=True)
        for name, text in files.items():
            path = project / name
            if not (path.exists() or path.is_symlink()):  # never overwrite what the user already put there
                atomic_write(path, text)
                written.append(path)
        atomic_write(config, DEFAULT_CONFIG)
    except OSError:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    example = project_mod.EXAMPLE_SLUG
    out.print(f"Created {config}, articles/{example}.md and an empty glossary/terms.csv.", markup=False)
    where = "" if project == Path(".") else f"cd {project} && "
    out.print(f"Next: {where}workflow segment {example}   (`workflow --help` lists every command)", markup=False)


@app.command()
def locales(json_out: JsonOpt = False, project: ProjectOpt = Path(".")) -> None:
    """List every locale code Babel knows, with its name: the codes workflow.toml accepts.

    The project's own target locales are marked with `*`.

    \b
    Example: workflow locales | grep -i kazakh
    """

    targets = load_project(project).locales if find_root(project) is not None else ()
    rows = []
    for code in valid_locales():
        rows.append({"code": code, "name": display_name(code), "target": code in targets})
    show_rows(rows, json_out=json_out, lines=lambda row: [f"{'*' if row['target'] else ' '} {row['code']:<16} {row['name']}"])


@app.command()
def segment(
    article: Annotated[
        str, typer.Argument(metavar="SLUG|PATH", help="An article's slug, or the path of a Markdown article with YAML front matter.")
    ],
    json_out: JsonOpt = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Show how an article is cut into segments: id, kind, source line and text.

    The title comes first; then each heading, paragraph, quotation, list item, table cell, footnote, attribution line and text in an HTML block (captions, alt text), split into sentences; code stays out. Ids are stable: editing one sentence changes only its own id. Link targets and inline code are listed as protected: they are never translated.

    \b
    Example: workflow segment articles/kazakh-migrant-refused-war-contract.md --json

    \b
    Example: workflow segment kazakh-migrant-refused-war-contract
    """
    proj = load_project(project) if find_root(project) is not None else None
    path = Path(article)
    if proj is not None and not path.exists() and "/" not in article and not article.endswith(".md"):
        parsed = articles_mod.load_articles(proj, [article])[0]  # a slug, as the other commands take
    else:
        parsed = articles_mod.read_article(path, proj)
    rows = [
        {
            "id": s.id,
            "kind": s.kind,
            "line": s.line,
            "block": s.block,
            "index": s.index,
            "text": s.text,
            "protected": list(s.protected),
        }
        for s in parsed.segments
    ]
    columns = [Column(key, lambda row, key=key: str(row[key])) for key in ("line", "kind", "id", "text")]
    show_rows(rows, json_out=json_out, columns=columns, title=f"{parsed.slug}: {plural(len(rows), 'segment')}")
