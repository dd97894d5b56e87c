"""Where model inference runs: the seam between the run (segments, glossary, catalogs) and a model.

A backend is chosen with `[translate] backend` in workflow.toml or `--backend`. Everything around
inference is the same for every backend, so one article gives byte-identical catalogs whichever
backend translated it with the same model. Each backend lives in its own module and imports its own
third-party library there; nothing here imports one until the backend is chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from workflow.errors import InputError, ModelError
from workflow.project import BACKENDS, Project

Progress = Callable[[int], None]  # texts translated so far


class Backend(Protocol):
    """Model inference for one run."""

    models: dict[str, str]  # locale -> provenance ("package-code version"), known before any work

    def load(self, locale: str) -> None:
        """Make `locale`'s model ready (load it, start workers), so that translate() times inference only."""

    def translate(self, locale: str, texts: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Translate `texts` from the project's source locale into `locale`, in order."""

    # A backend whose model reports its confidence also has
    #   translate_scored(locale, texts, progress) -> list[tuple[str, float | None]]
    # (the local engine and Ray, which runs it); the run writes that score into each draft. LibreTranslate's
    # API reports none, so its catalogs are the local ones less their `#. confidence:` lines.

    def close(self) -> None:
        """Release servers' connections, workers or models."""


def settings_table(table: dict[str, Any], defaults: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    """A backend's `[translate.NAME]` table over its defaults; InputError naming the first unknown key."""
    unknown = sorted(set(table) - set(defaults))
    if unknown:
        raise InputError(f"unknown key translate.{name}.{unknown[0]} (known: {', '.join(defaults)})", where)
    return {**defaults, **table}


class TranslationFailed(ModelError):
    """Inference failed for good (after retries); `done` holds the translations that arrived, by index
    (with their confidence, as (text, score), from a backend that scores)."""

    def __init__(self, message: str, done: dict[int, Any] | None = None, path: str | None = None):
        super().__init__(message, path)
        self.done = dict(done or {})


def open_backend(
    project: Project,
    locales: Sequence[str],
    *,
    name: str | None = None,
    beam_size: int | None = None,
    batch_size: int | None = None,
) -> Backend:
    """The backend `name` (default: the project's) with a model for every locale, or ModelError before any work."""
    name = name or project.backend
    beam = beam_size or project.beam_size
    batch = batch_size or project.batch_size
    settings = project.backend_settings.get(name, {})
    if name == "local":
        from workflow.backends.local import LocalBackend

        return LocalBackend.open(project, locales, beam_size=beam, batch_size=batch)
    if name == "libretranslate":
        from workflow.backends.libretranslate import LibreTranslateBackend

        return LibreTranslateBackend.open(project, locales, settings)
    if name == "ray":
        from workflow.backends.ray import RayBackend

        return RayBackend.open(project, locales, settings, beam_size=beam, batch_size=batch)
    raise InputError(f"unknown backend {name!r} (backends: {', '.join(BACKENDS)})")
