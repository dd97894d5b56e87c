"""What every check takes and gives: a Unit (source, translation, locale) in, Findings out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

ERROR, WARNING = "error", "warning"

# Parts of a text no check reads as prose: web addresses, e-mail addresses.
URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]«»\"“”]+[^\s<>()\[\]«»\"“”.,;:!?']")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Unit:
    """One translation to check. `keep`: glossary forms in the target language (accepted as spelled, even in Latin)."""

    source: str
    translation: str
    locale: str
    protected: tuple[str, ...] = ()  # link targets, inline code: copied verbatim (articles.Segment.protected)
    keep: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One problem: which check, how bad, the message; `overridden` when a `# qa-ok:` comment accepts it."""

    check: str
    severity: str  # ERROR blocks publishing; WARNING is shown to the translator
    message: str
    overridden: bool = False

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


def check(severity: str) -> Callable:
    """Mark a function as a check of `severity`; it returns the offending parts, its docstring is the message."""

    def mark(func: Callable[[Unit], list[str]]) -> Callable[[Unit], list[str]]:
        func.severity = severity
        return func

    return mark


def prose(text: str, protected: tuple[str, ...] = ()) -> str:
    """`text` with what is copied verbatim (protected parts, URLs, e-mail addresses) blanked out."""
    for part in protected:
        text = text.replace(part, " ")
    return EMAIL.sub(" ", URL.sub(" ", text))
