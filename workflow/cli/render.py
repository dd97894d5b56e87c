"""Everything the CLI prints goes through here: the terminal that shows text as text, JSON, and paths in messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import typer
from rich.console import Console

from workflow.errors import WorkflowError
from workflow.project import find_root


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 term', '2 terms': a count with its noun (English messages; pages use Babel's plural rules)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


# C0 and C1 controls and DEL (escape sequences: hidden text, OSC 52 clipboard writes, window titles) and the
# bidi controls that reorder what a reader sees (Trojan Source): shown as escapes, never sent to the terminal.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"<U+{ord(char):04X}>"


def visible(text: str) -> str:
    """`text` with every control character and bidi override shown as an escape (`\\x1b`, `<U+202E>`)."""
    return _INVISIBLE.sub(_escape, text)


class _Terminal(Console):
    """A console that prints every string as text: no markup, no emoji codes, control characters as escapes.

    Rich turns every string it prints (table cells and titles too) into Text through render_str: escaping
    there covers every renderer, including the ones added later.
    """

    def __init__(self, **kwargs: Any) -> None:
        # NO_COLOR (no-color.org): no escape sequences at all, not only no colours (rich would keep bold, italic).
        plain = bool(os.environ.get("NO_COLOR"))
        super().__init__(
            markup=False, emoji=False, highlight=False, soft_wrap=True, color_system=None if plain else "auto", **kwargs
        )

    def render_str(self, text: str, **kwargs: Any):  # noqa: ANN201 (rich's own signature)
        kwargs["markup"] = kwargs["emoji"] = False
        return super().render_str(visible(text), **kwargs)


# Piped output is read by people in logs and CI too: give tables room instead of rich's 80 columns.
out = _Terminal(width=None if sys.stdout.isatty() else 160)


err = _Terminal(stderr=True)


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
    if isinstance(value, WorkflowError):
        return error_line(value).removeprefix("Error: ")
    return value


# JSON escapes C0 controls itself; these it would write raw, and a terminal showing the JSON would obey them.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def print_json(value: Any) -> None:
    """`value` as JSON; C1 controls, DEL, bidi controls and lone surrogates as \\u escapes (same data, safe to view)."""
    text = json.dumps(to_jsonable(value), ensure_ascii=False, indent=2)
    sys.stdout.write(_JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


@dataclasses.dataclass(frozen=True)
class Column:
    """A column of a listing's table: its heading, the text a row shows in it, and that cell's style by row."""

    heading: str
    cell: Callable[[Any], str]
    justify: str = "left"
    style: Callable[[Any], str] | None = None  # e.g. a review state's colour; rich drops it when piped or NO_COLOR


def show_rows(
    rows: Sequence[Any],
    *,
    json_out: bool,
    columns: Sequence[Column] = (),
    title: str | None = None,
    lines: Callable[[Any], Iterable[str]] | None = None,
    empty: str | None = None,
    as_json: Callable[[Any], Any] | None = None,
) -> None:
    """The one output path of every listing: rows as JSON (`--json`), else a table of `columns` or each row's `lines`.

    Every cell, title and line passes through `visible`; `empty` is said instead of an empty table.
    """
    if json_out:
        print_json([as_json(row) for row in rows] if as_json else list(rows))
        return
    if not rows and empty is not None:
        out.print(visible(empty), markup=False)
        return
    if lines is not None:
        for row in rows:
            for line in lines(row):
                out.print(visible(line), markup=False)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=visible(title) if title is not None else None, title_justify="left")
    for column in columns:
        table.add_column(visible(column.heading), justify=column.justify, overflow="fold")
    for row in rows:
        table.add_row(*(Text(visible(c.cell(row)), style=c.style(row) if c.style else "") for c in columns))
    out.print(table)


# The root of the project this run works on (from --project or the current directory), absolute; CLI state for
# messages only: any workflow.toml nearer a file (a stray one, another project's) is not this run's project.
_project_root: Path | None = None


def remember_project(value: Path | None) -> Path | None:
    """Record the project `--project DIR` (or the current directory) is in, so messages name paths relative to it."""
    global _project_root
    found = find_root(Path(value)) if value is not None else None
    _project_root = Path(os.path.abspath(found)) if found is not None else None
    return value


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to this run's project root when inside it, else as given."""
    if not Path(path).is_absolute() or _project_root is None:
        return str(path)  # as the user typed it, or under a project root given relative to here
    absolute = Path(os.path.abspath(path))  # as named, not where links lead: a message about a link names the link
    if absolute.is_relative_to(_project_root):
        return absolute.relative_to(_project_root).as_posix()
    return str(path)


def error_line(exc: WorkflowError) -> str:
    """`Error: path:line: message`, the path relative to its project: the core's errors carry the real Path."""
    return f"Error: {exc.shown(shown_path(exc.path) if exc.path is not None else None)}"


def _report_errors(errors) -> None:
    """Each bad article or catalog on its own `Error:` line, after the others were reported; then exit 1."""
    for exc in errors:
        err.print(error_line(exc), markup=False)
    if errors:
        raise typer.Exit(1)
