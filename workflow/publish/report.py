"""What a publish run hands back: the editions it published, blocked or kept down, and what it did to each file.

Plain frozen dataclasses; the CLI renders them, `--json` prints them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workflow.errors import InputError


@dataclass(frozen=True)
class PendingSegment:
    """A segment that keeps its article from being published, and why."""

    reference: str  # "articles/<slug>.md:<line>", as in the PO file
    segment: str  # segment id
    reason: str
    # What a person needs to act on it; derived from the two above, so not part of its identity.
    text: str = field(default="", compare=False)  # the English sentence
    catalog: str = field(default="", compare=False)  # "locales/<lang>/LC_MESSAGES/<slug>.po:<line>": where to review it ("" if no PO yet)


@dataclass(frozen=True)
class Edition:
    """One article in one locale: published (its files), blocked (its pending segments) or withdrawn."""

    slug: str
    locale: str
    published: bool  # passed the gate (with dry_run: would be published)
    files: tuple[str, ...] = ()  # paths relative to the output directory
    pending: tuple[PendingSegment, ...] = ()
    withdrawn: bool = False  # listed in withdrawn.toml: not published, whatever its review state
    catalog: str = ""  # the PO file, relative to the project ("" while there is none)


@dataclass(frozen=True)
class Removal:
    """A published file taken out of the output directory, and why."""

    file: str  # relative to the output directory, with '/'
    slug: str
    locale: str
    why: str  # WITHDRAWN or SOURCE_DELETED
    note: str = ""  # the editor's reason, from `workflow withdraw --reason`


@dataclass(frozen=True)
class StaleSentence:
    """A sentence a live edition still shows although the English source no longer has it."""

    text: str  # the English sentence the edition was made from ("" if the catalog no longer holds it)
    translation: str  # the translation the catalog keeps for it: what the live edition shows
    catalog: str  # "locales/<lang>/LC_MESSAGES/<slug>.po:<line>" ("" if not found)
    key: str  # the sentence's key in the manifest


@dataclass(frozen=True)
class StaleEdition:
    """A blocked article whose live edition shows sentences its corrected source has dropped."""

    slug: str
    locale: str
    files: tuple[str, ...]  # the live files, relative to the output directory
    published: str  # when the live edition was published (ISO time)
    # Empty: the edition was published before the manifest recorded sentences, and its source changed since.
    sentences: tuple[StaleSentence, ...]


@dataclass(frozen=True)
class FileResult:
    """One output file and what the run did to it."""

    path: str  # relative to the output directory, with '/'
    action: str  # "written", "unchanged", "removed", or with --dry-run "would write", "would remove"


@dataclass(frozen=True)
class PublishReport:
    """What a publish run did (or, with dry_run, would do)."""

    out_dir: Path
    dry_run: bool
    editions: tuple[Edition, ...]
    files: tuple[FileResult, ...]
    removed: tuple[Removal, ...] = ()
    stale: tuple[StaleEdition, ...] = ()
    # Each bad article or catalog (rendered "path:line: message" by the CLI); the other editions were still published.
    errors: tuple[InputError, ...] = ()
    # Said once per run, not per edition: e.g. a locale whose pages carry English interface words.
    notes: tuple[str, ...] = ()

    @property
    def blocked(self) -> tuple[Edition, ...]:
        return tuple(e for e in self.editions if not e.published and not e.withdrawn)

    @property
    def withdrawn(self) -> tuple[Edition, ...]:
        return tuple(e for e in self.editions if e.withdrawn)

    @property
    def changed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.action != "unchanged")

