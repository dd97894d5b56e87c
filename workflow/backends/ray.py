"""A Ray cluster does the inference: actors that each load the same CTranslate2 engine once.

Ray is an optional extra (`pip install 'newsroom-workflow[ray]'`) and is imported only here. The
model package is shipped from the editor's models directory through Ray's object store and unpacked
once per node (a node that already has it at the same path, with the same content, uses that), so
every worker runs exactly the package named in the catalogs. A dead worker is restarted and its
batch retried by Ray; when retries run out the run fails with what had arrived.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow import translate
from workflow.backends import Progress, TranslationFailed, settings_table
from workflow.errors import InputError, ModelError
from workflow.project import Project

INSTALL_HINT = "the ray backend needs Ray: pip install 'newsroom-workflow[ray]'"
DEFAULTS = {
    "address": "auto",  # "auto": the cluster this machine belongs to; or "ray://host:10001"
    "workers_per_node": 1,
    "cpus_per_worker": 1.0,
    "gpus_per_worker": 0.0,
    "batch": 64,  # texts per task: small enough to spread, large enough to fill the engine's batches
    "retries": 3,  # restarts of a dead worker, and retries of its task
    "timeout": 600.0,  # seconds to wait for one task
}


@dataclass(frozen=True)
class Settings:
    """`[translate.ray]`, validated."""

    address: str
    workers_per_node: int
    cpus_per_worker: float
    gpus_per_worker: float
    batch: int
    retries: int
    timeout: float


def read_settings(table: dict[str, Any], where: str) -> Settings:
    """Validate the `[translate.ray]` table; InputError naming the bad key."""
    value = settings_table(table, DEFAULTS, "ray", where)
    address = value["address"]
    if not isinstance(address, str) or not (address in ("auto", "local") or address.startswith("ray://")):
        raise InputError('translate.ray.address must be "auto", "local" or "ray://host:port"', where)

    def number(key: str, kind: type, low: float) -> Any:
        got = value[key]
        if isinstance(got, bool) or not isinstance(got, (int, float)) or (kind is int and not isinstance(got, int)) or got < low:
            raise InputError(f"translate.ray.{key} must be a {'whole ' if kind is int else ''}number of at least {low}", where)
        return kind(got)

    return Settings(
        address=address,
        workers_per_node=number("workers_per_node", int, 1),
        cpus_per_worker=number("cpus_per_worker", float, 0),
        gpus_per_worker=number("gpus_per_worker", float, 0),
        batch=number("batch", int, 1),
        retries=number("retries", int, 0),
        timeout=number("timeout", float, 0.1),
    )


def package_digest(path: Path) -> str:
    """A digest of every file of a package, so a worker proves it runs the editor's exact package."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _archive(path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            zf.write(file, file.relative_to(path).as_posix())
    return buffer.getvalue()


def _unpacked(shipped: dict) -> Path:
    """The shipped package on this node: at the editor's path if it is there with the same content, else unpacked."""
    path = Path(shipped["path"])
    if path.is_dir() and package_digest(path) == shipped["digest"]:
        return path
    root = Path(tempfile.gettempdir()) / "workflow-ray-models"
    path = root / shipped["digest"] / shipped["name"]
    if not (path.is_dir() and package_digest(path) == shipped["digest"]):
        import ray

        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=root))
        with zipfile.ZipFile(io.BytesIO(ray.get(shipped["archive"]))) as zf:
            zf.extractall(staging)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(staging, path)  # whole or not at all; another worker on this node may have won
        except OSError:
            pass
    return path


def _cause(exc: BaseException) -> str:
    """The last line of a Ray error (the worker's own exception), without colour codes or control characters."""
    lines = [line for line in re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(exc)).splitlines() if line.strip()]
    text = lines[-1].strip() if lines else type(exc).__name__
    return "".join(c for c in text if c.isprintable())[:300]


class TranslationWorker:
    """A Ray actor: loads each locale's engine once, from the package the editor shipped."""

    def __init__(self, shipped: dict[str, dict], beam_size: int, batch_size: int, gpus: float, cpus: float):
        self.shipped = shipped
        self.options = (beam_size, batch_size, gpus, cpus)
        self.engines: dict[str, translate.Engine] = {}

    def _engine(self, locale: str) -> translate.Engine:
        if locale not in self.engines:
            shipped = self.shipped[locale]
            path = _unpacked(shipped)
            package = translate.read_package(path)
            if package.provenance != shipped["provenance"] or package_digest(path) != shipped["digest"]:
                raise ModelError(f"worker has {package.provenance} at {path}, not the editor's {shipped['provenance']}")
            beam_size, batch_size, gpus, cpus = self.options
            self.engines[locale] = translate.load_engine(
                package, beam_size, batch_size, inter_threads=1, intra_threads=max(1, int(cpus)),
                device="cuda" if gpus > 0 else "cpu",
            )
        return self.engines[locale]

    def translate(self, locale: str, texts: list[str]) -> list[tuple[str, float | None]]:
        """Each translation with the model's confidence, as the local engine gives them."""
        return self._engine(locale).translate_scored(texts)

    def pid(self) -> int:
        return os.getpid()


@dataclass
class RayBackend:
    """Packages found on the editor's machine up front; the cluster joined and workers started on first use."""

    settings: Settings
    packages: dict[str, translate.ModelPackage]
    beam_size: int
    batch_size: int
    pool: list = field(default_factory=list, repr=False)

    @classmethod
    def open(cls, project: Project, locales: Sequence[str], table: dict[str, Any], *, beam_size: int, batch_size: int) -> RayBackend:
        settings = read_settings(table, str(project.config_path))
        try:
            import ray  # noqa: F401
        except ImportError:
            raise ModelError(INSTALL_HINT) from None
        packages = {loc: translate.find_package(project.source_locale, loc, project.models_dir) for loc in locales}
        return cls(settings, packages, beam_size, batch_size)

    @property
    def models(self) -> dict[str, str]:
        return {loc: package.provenance for loc, package in self.packages.items()}

    def workers(self) -> list:
        """The actors, `workers_per_node` on each alive node, started on first use."""
        import ray

        if self.pool:
            return self.pool
        if not ray.is_initialized():
            try:
                ray.init(address=None if self.settings.address == "local" else self.settings.address, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ModelError(f"cannot join the Ray cluster at {self.settings.address} ({exc})") from None
        shipped = {
            loc: {
                "path": str(package.path),
                "name": package.path.name,
                "provenance": package.provenance,
                "digest": package_digest(package.path),
                "archive": ray.put(_archive(package.path)),  # fetched only by a node that lacks the package
            }
            for loc, package in self.packages.items()
        }
        nodes = max(1, sum(1 for node in ray.nodes() if node.get("Alive")))
        actor = ray.remote(
            num_cpus=self.settings.cpus_per_worker,
            num_gpus=self.settings.gpus_per_worker,
            max_restarts=self.settings.retries,
            max_task_retries=self.settings.retries,
        )(TranslationWorker)
        self.pool = [
            actor.remote(shipped, self.beam_size, self.batch_size, self.settings.gpus_per_worker, self.settings.cpus_per_worker)
            for _ in range(nodes * self.settings.workers_per_node)
        ]
        return self.pool

    def load(self, locale: str) -> None:
        self.workers()  # actors load each engine on their first task for it

    def translate(self, locale: str, texts: Sequence[str], progress: Progress | None = None) -> list[str]:
        return [text for text, _ in self.translate_scored(locale, texts, progress)]

    def translate_scored(
        self, locale: str, texts: Sequence[str], progress: Progress | None = None
    ) -> list[tuple[str, float | None]]:
        """Each translation with its confidence: the workers run the local engine, so catalogs match its own."""
        import ray
        from ray.exceptions import GetTimeoutError, RayError

        pool = self.workers()
        size = self.settings.batch
        spans = [range(k, min(k + size, len(texts))) for k in range(0, len(texts), size)]
        # Every task is queued up front, round-robin, so all workers start at once; results are
        # collected in order, so what arrived before a failure is a prefix of whole batches.
        refs = [pool[n % len(pool)].translate.remote(locale, [texts[i] for i in span]) for n, span in enumerate(spans)]
        done: dict[int, tuple[str, float | None]] = {}
        for span, ref in zip(spans, refs):
            try:
                out = ray.get(ref, timeout=self.settings.timeout)
            except GetTimeoutError:
                self._cancel(refs)
                raise TranslationFailed(f"a Ray worker gave no answer within {self.settings.timeout:g}s", done) from None
            except RayError as exc:
                self._cancel(refs)
                cause = _cause(exc)
                raise TranslationFailed(f"Ray workers failed after {self.settings.retries} retries ({cause})", done) from None
            done.update(zip(span, out))
            if progress is not None:
                progress(len(done))
        return [done[i] for i in range(len(texts))]

    @staticmethod
    def _cancel(refs: list) -> None:
        import ray

        for ref in refs:
            try:
                ray.cancel(ref)
            except Exception:  # already finished, or its worker is gone: nothing to stop
                pass

    def close(self) -> None:
        if self.pool:
            import ray

            for actor in self.pool:
                ray.kill(actor)
        self.pool = []
