"""The one family of errors a user can cause; the CLI turns each into `Error: ...` and an exit code."""

from __future__ import annotations

from pathlib import Path

# Exit codes, documented in the README.
EXIT_INPUT = 1  # bad input, or a gate that refused (publish blocked, glossary check failed)
EXIT_MODEL = 2  # a model package is missing, or cannot be fetched offline
EXIT_BUSY = 3  # another run holds the project lock


class WorkflowError(Exception):
    """A problem the user can fix, in the file `path` (at `line`); the CLI shows the path relative to the project."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        return self.shown(str(self.path) if self.path is not None else None)

    def shown(self, where: str | None) -> str:
        """`where:line: message`, with the path spelled as the caller shows it."""
        if where is None:
            return self.message
        if self.line is None:
            return f"{where}: {self.message}"
        return f"{where}:{self.line}: {self.message}"


class InputError(WorkflowError):
    """Bad article, glossary, catalog, config or package: exit 1."""


class StorageError(InputError, OSError):
    """A file the workflow cannot read or write as it is (not a regular file, a link leading out of the
    project, read-only, disk full): exit 1. Also an OSError, so code that handles OSError still does."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        InputError.__init__(self, message, path, line)

    def __str__(self) -> str:
        return InputError.__str__(self)


class GateError(WorkflowError):
    """A check or publish gate refused: exit 1."""


class ModelError(WorkflowError):
    """A translation model is missing or cannot be had: exit 2."""

    exit_code = EXIT_MODEL


class BusyError(WorkflowError):
    """Another run holds the project lock: exit 3."""

    exit_code = EXIT_BUSY
