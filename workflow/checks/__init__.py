"""Checks that catch real errors in translations, as Translate Toolkit's checkers do.

Each check is a small function of a `Unit` that returns the offending parts; its docstring, with those
parts, is the message, and its `severity` says whether it blocks publishing (error) or only tells the
translator (warning). A translator accepts a flagged entry on purpose with a PO comment `# qa-ok: numbers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from workflow.checks import numbers as _numbers
from workflow.checks import spelling as _spelling
from workflow.checks import text as _text
from workflow.checks.base import ERROR, WARNING, Finding, Unit

__all__ = ["CHECKS", "ERROR", "WARNING", "Finding", "Unit", "run_checks", "overrides_of", "notices", "OVERRIDE_PREFIX"]

CHECKS: tuple[Callable[[Unit], list[str]], ...] = (
    _text.links,
    _text.inline_code,
    _text.addresses,
    _numbers.numbers,
    _numbers.number_format,
    _numbers.dates,
    _text.quotes,
    _text.quote_style,
    _text.brackets,
    _text.untranslated,
    _text.doubled_words,
    _text.doubled_spaces,
    _text.punctuation,
    _text.length,
    _spelling.spelling,
)
NAMES = tuple(c.__name__ for c in CHECKS)
OVERRIDE_PREFIX = "qa-ok:"


def run_checks(unit: Unit, overrides: Iterable[str] = ()) -> tuple[Finding, ...]:
    """Every check `unit` fails, errors first; those named in `overrides` are marked overridden."""
    if not unit.translation.strip():
        return ()
    accepted = set(overrides)
    found = []
    for check in CHECKS:
        parts = check(unit)
        if parts:
            message = check.__doc__.strip().format(missing=", ".join(parts))
            found.append(Finding(check.__name__, check.severity, message, check.__name__ in accepted))
    return tuple(sorted(found, key=lambda f: f.severity != ERROR))


def overrides_of(comments: Iterable[str]) -> frozenset[str]:
    """Check names accepted by `# qa-ok: numbers, dates` translator comments (unknown names are ignored)."""
    names = set()
    for comment in comments:
        if comment.strip().startswith(OVERRIDE_PREFIX):
            names.update(n for n in re.split(r"[\s,]+", comment.strip()[len(OVERRIDE_PREFIX) :]) if n)
    return frozenset(names & set(NAMES))


def notices(locales: Iterable[str]) -> list[str]:
    """One line per locale whose spelling check is off, and why."""
    return [f"spelling check off for {loc}: {why}" for loc in locales if (why := _spelling.status(loc))]
