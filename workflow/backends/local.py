"""The default backend: the CTranslate2 engine inside the workflow process, on this machine's CPU or GPU."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from workflow import translate
from workflow.backends import Progress
from workflow.project import Project


@dataclass
class LocalBackend:
    """Installed packages found up front; each engine loaded on first use, then kept for the run."""

    packages: dict[str, translate.ModelPackage]
    beam_size: int
    batch_size: int
    device: str = "auto"
    engines: dict[str, translate.Engine] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, project: Project, locales: Sequence[str], *, beam_size: int, batch_size: int) -> LocalBackend:
        packages = {loc: translate.find_package(project.source_locale, loc, project.models_dir) for loc in locales}
        return cls(packages, beam_size, batch_size, project.device)

    @property
    def models(self) -> dict[str, str]:
        return {loc: package.provenance for loc, package in self.packages.items()}

    def load(self, locale: str) -> None:
        if locale not in self.engines:
            # Loaded on first use: a re-run whose edits all merge as fuzzy loads no model at all.
            device, inter, intra = translate.device_threads(self.device)
            self.engines[locale] = translate.load_engine(
                self.packages[locale],
                beam_size=self.beam_size,
                batch_size=self.batch_size,
                inter_threads=inter,
                intra_threads=intra,
                device=device,
            )

    def translate(self, locale: str, texts: Sequence[str], progress: Progress | None = None) -> list[str]:
        self.load(locale)
        return self.engines[locale].translate(texts, progress=progress)

    def translate_scored(
        self, locale: str, texts: Sequence[str], progress: Progress | None = None
    ) -> list[tuple[str, float | None]]:
        """Each translation with the model's confidence (CTranslate2's score): review orders its queue by it."""
        self.load(locale)
        return self.engines[locale].translate_scored(texts, progress=progress)

    def close(self) -> None:
        self.engines.clear()
