"""The typer app, the options its commands share (and how help shows them), and the clock every command reads."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from workflow.cli.render import remember_project


app = typer.Typer(
    name="workflow",
    help=(
        "Translate English news articles into the project's target languages (workflow.toml), review them as gettext PO files, "
        "and publish only what translators accepted.\n\n"
        "\b\nExample: workflow segment articles/kazakh-migrant-refused-war-contract.md"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: examples such as '</s>' show as written, not as markup
    # A bug's traceback must not print local variables: they hold article and translator text, raw.
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Help shows each value as a word (LOCALE, DIR), never typer's type labels (<list[str]>, <path>); a flag shows none.
ProjectOpt = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        metavar="DIR",
        help="Project directory holding workflow.toml (or any directory inside it).",
        show_default="the project the current directory is in",
        callback=remember_project,
    ),
]


JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]


LocaleOpt = Annotated[
    Optional[list[str]],
    typer.Option("--locale", "-l", metavar="LOCALE", help="Target locale (repeatable); default: every locale in workflow.toml."),
]


WaitOpt = Annotated[bool, typer.Option("--wait", help="Wait for another run's lock instead of refusing.")]


SlugsArg = Annotated[
    Optional[list[str]], typer.Argument(metavar="SLUG...", help="Article slugs; default: every article.", show_default=False)
]


def _argument_without_type(self: Any, ctx: Any) -> None:
    # An argument's metavar already says what it is ("SLUG..."): typer would append "<list[str]>" to it.
    return None


_VALUE_WORDS = {"str": "TEXT", "path": "PATH", "int": "N", "int range": "N", "float": "NUMBER"}


def _option_value_word(self: Any, ctx: Any) -> str | None:
    # A flag takes no value, so it shows none; a value option shows its metavar or a plain word (TEXT, PATH).
    if self.is_flag or self.count:
        return None
    if self.metavar is not None:
        return self.metavar
    label = self.display_type(ctx).strip("<>")
    label = label.removeprefix("list[").removesuffix("]")
    return _VALUE_WORDS.get(label, label.upper())


typer.core.TyperArgument.display_type_rich = _argument_without_type  # type: ignore[method-assign]


typer.core.TyperOption.display_type_rich = _option_value_word  # type: ignore[method-assign]


def now() -> dt.datetime:
    """The clock every command uses; SOURCE_DATE_EPOCH pins it for reproducible runs and tests."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
