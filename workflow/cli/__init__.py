"""The `workflow` command line: parses options, calls the core, renders results. Nothing else lives here.

This file holds the entry point, main(); the app and shared options are in options.py, all printing goes through
render.py, and each command group lives in its own file (project, models, translate, review, glossary, publish,
exchange), imported below so that its commands are registered on the app.
"""

from __future__ import annotations

import io
import sys

import typer

from workflow.cli.options import ProjectOpt, app, now
from workflow.cli.render import Column, err, error_line, out, plural, print_json, remember_project, show_rows, shown_path, to_jsonable, visible
from workflow.errors import EXIT_INPUT, WorkflowError

__all__ = ["Column", "ProjectOpt", "app", "err", "error_line", "main", "now", "out", "plural", "print_json", "show_rows", "shown_path", "to_jsonable", "visible"]


# typer vendors its own click: its ClickException is the base of the BadParameter it exports.
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main() -> None:
    """Entry point: user errors become one `Error: ...` line and their exit code, never a traceback.

    Usage errors keep typer's text and exit code 2, with what was typed made visible.
    """
    remember_project(None)
    try:
        code = app(standalone_mode=False)
    except WorkflowError as exc:
        err.print(error_line(exc), markup=False)
        raise SystemExit(exc.exit_code) from None
    except OSError as exc:
        # storage.py turns the failures of project files into WorkflowError; this is the net under it.
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"Error: {where}{exc.strerror or exc}", markup=False)
        raise SystemExit(EXIT_INPUT) from None
    except _CLICK_ERROR as exc:
        # click prints what was typed (an unknown option, an extra argument) as is: a bidi override or escape
        # sequence in it would reach the terminal. Same lines, each made visible.
        shown = io.StringIO()
        exc.show(file=shown)
        sys.stderr.write("".join(f"{visible(line)}\n" for line in shown.getvalue().splitlines()))
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err.print("Aborted!", markup=False)
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)


# Each module registers its commands on `app` when imported; this order is the order `workflow --help` lists them.
from workflow.cli import project, models, translate, review, glossary, publish, exchange  # noqa: E402,F401
