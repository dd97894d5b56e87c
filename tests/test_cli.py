"""Specification of the command line as a whole: every command teaches its use, and `segment` output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import workflow.cli
from tests.conftest import REPO, SAMPLE_SLUG
from workflow.articles import read_article

runner = CliRunner()
SAMPLE = REPO / "articles" / f"{SAMPLE_SLUG}.md"


def walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command of the app, groups included, with the words that invoke it."""
    # Duck-typed: typer ships its own copy of click, so its groups are not `click.Group` instances.
    found = [(path, command)]
    if getattr(command, "commands", None) is not None:
        for name, sub in sorted(command.commands.items()):
            found += walk(sub, (*path, name))
    return found


COMMANDS = walk(typer.main.get_command(workflow.cli.app))
EXAMPLE = re.compile(r"^\s*Example: workflow\b", re.MULTILINE)


def test_the_app_has_the_commands_this_suite_knows_of() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "segment", "init", "locales"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "workflow" for p, _ in COMMANDS])
def test_every_command_has_help_text_with_an_example(path: tuple[str, ...], command: Any) -> None:
    help_text = command.help or ""
    first_line = help_text.strip().splitlines()[0] if help_text.strip() else ""
    assert len(first_line) > 10, f"`workflow {' '.join(path)}` has no help text"
    assert EXAMPLE.search(help_text), f"`workflow {' '.join(path)}` help lacks an 'Example: workflow ...' line"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "workflow" for p, _ in COMMANDS])
def test_every_command_shows_its_example_under_help(path: tuple[str, ...], command: Any) -> None:
    result = runner.invoke(workflow.cli.app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Example: workflow" in result.output


# --- segment --------------------------------------------------------------------------------------


def test_segment_json_lists_the_sample_title_and_28_body_segments() -> None:
    result = runner.invoke(workflow.cli.app, ["segment", str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 29
    expected = read_article(SAMPLE).segments
    assert [(r["id"], r["kind"], r["text"], r["line"]) for r in rows] == [(s.id, s.kind, s.text, s.line) for s in expected]
    assert rows[0] == {
        "id": "title",
        "kind": "title",
        "line": 2,
        "block": 0,
        "index": 0,
        "text": "Kazakh migrant says Russian police tortured him for refusing to fight in Ukraine",
        "protected": [],
    }
    assert [r["kind"] for r in rows].count("blockquote") == 3


def test_segment_json_through_the_installed_entry_point_names_paths_relative_to_the_project(project_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workflow", "segment", f"articles/{SAMPLE_SLUG}.md", "--json"],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert len(json.loads(result.stdout)) == 29


def test_segment_table_shows_markdown_text_literally(tmp_path: Path) -> None:
    path = tmp_path / "links.md"
    path.write_text("---\ntitle: T\ndate: 2026-11-20\nslug: links\n---\n\nSee [bold][/] and [the report](https://e.com).\n")
    result = runner.invoke(workflow.cli.app, ["segment", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "See [bold][/] and [the report](https://e.com)." in result.stdout
    assert "links: 2 segments" in result.stdout
