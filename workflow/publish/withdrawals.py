"""The editor's list of withdrawn stories, `<project>/withdrawn.toml`: reading it (errors name the line) and writing it.

It lives in the project, not the output directory: a takedown must survive `rm -rf public/` and apply to
every `--out` directory too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from workflow.errors import InputError
from workflow.project import Project, check_locale, check_slug
from workflow.storage import TEMP_SUFFIX, decode_utf8, read_file

WITHDRAWN_NAME = "withdrawn.toml"
ALL_LOCALES = "all"


@dataclass(frozen=True)
class Withdrawal:
    """One story in withdrawn.toml: which of its editions must stay down."""

    slug: str
    locales: tuple[str, ...] | None  # None: every locale, also ones added to the project later
    withdrawn: dt.datetime | None
    note: str = ""

    def covers(self, locale: str) -> bool:
        return self.locales is None or locale in self.locales


_WITHDRAWN_HEADER = """\
# Stories taken down with `workflow withdraw`. `workflow publish` removes any edition of them it finds
# and does not publish them again until `workflow withdraw --undo SLUG` lifts the withdrawal.
# Keep this file under version control. locales = "all" also covers locales added to the project later.
"""


def withdrawn_path(project: Project) -> Path:
    return project.root / WITHDRAWN_NAME


def remove_withdrawn_temps(project: Project) -> None:
    # Only atomic_write's own temp names for this one file: the project root holds the user's files (and .git).
    for tmp in project.root.glob(f".{WITHDRAWN_NAME}.*{TEMP_SUFFIX}"):
        if tmp.is_file() and not tmp.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def read_withdrawals(project: Project) -> dict[str, Withdrawal]:
    """The stories in withdrawn.toml by slug ({} if there is no such file); InputError naming the line if it is bad."""
    path = withdrawn_path(project)  # not resolved: a message about a link names the link
    try:
        raw = read_file(path, root=project.root)
    except FileNotFoundError:
        return {}
    text = decode_utf8(raw, path, f"save {WITHDRAWN_NAME} as UTF-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"^(.*) \(at line (\d+), column \d+\)$", str(exc))
        message, line = (found.group(1), int(found.group(2))) if found else (str(exc), None)
        raise InputError(f"not valid TOML: {message}", path, line) from None
    lines = text.splitlines()
    result = {}
    for slug, table in data.items():
        header = _table_line(lines, slug)
        check_slug(slug, path, header)
        if not isinstance(table, dict):
            raise InputError(f"{slug!r} must be a table ([{slug}]) with locales, withdrawn and note", path, header)
        locales = table.get("locales", ALL_LOCALES)
        where = _key_line(lines, header, "locales")
        if locales == ALL_LOCALES:
            codes = None
        elif isinstance(locales, list) and locales and all(isinstance(c, str) for c in locales):
            codes = tuple(check_locale(c, path, where) for c in locales)
        else:
            raise InputError(f'locales must be "{ALL_LOCALES}" or a list of locale codes', path, where)
        when = table.get("withdrawn")
        if when is not None and not isinstance(when, dt.datetime):
            raise InputError("withdrawn must be a date and time, e.g. 2026-11-18T09:30:00Z", path, _key_line(lines, header, "withdrawn"))
        note = table.get("note", "")
        if not isinstance(note, str):
            raise InputError("note must be text in quotes", path, _key_line(lines, header, "note"))
        result[slug] = Withdrawal(slug, codes, when, note)
    return result


def _table_line(lines: list[str], slug: str) -> int | None:
    headers = {f"[{slug}]", f'["{slug}"]', f"['{slug}']"}
    exact = [n for n, line in enumerate(lines, start=1) if line.split("#")[0].strip() in headers]
    loose = [n for n, line in enumerate(lines, start=1) if line.lstrip().startswith("[") and slug in line]
    return (exact or loose or [None])[0]


def _key_line(lines: list[str], header: int | None, key: str) -> int | None:
    for number in range(header or 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if number > (header or 0) and stripped.startswith("["):
            break
        if stripped.startswith(key) and stripped[len(key) :].lstrip().startswith("="):
            return number
    return header


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string, except that TOML also wants DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def render_withdrawals(withdrawals: dict[str, Withdrawal]) -> str:
    """withdrawn.toml's text: a comment saying what it is, then one table per story, sorted by slug."""
    parts = [_WITHDRAWN_HEADER]
    for slug in sorted(withdrawals):
        w = withdrawals[slug]
        locales = _toml_string(ALL_LOCALES) if w.locales is None else "[" + ", ".join(_toml_string(c) for c in w.locales) + "]"
        parts.append(f"\n[{slug}]\nlocales = {locales}\n")
        if w.withdrawn is not None:
            parts.append(f"withdrawn = {w.withdrawn.isoformat()}\n")
        parts.append(f"note = {_toml_string(w.note)}\n")
    return "".join(parts)

