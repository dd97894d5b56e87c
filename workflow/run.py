"""The `workflow translate` run: segment → glossary → machine translation in batches → PO catalogs.

Articles stream through in chunks: each chunk's new segments from every article go to the model in
one batched call per locale, then each article's catalog is merged and written. Memory stays bounded
by the chunk, not the number of articles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workflow import articles, catalog, glossary, translate
from workflow.errors import InputError
from workflow.project import Project, check_slug, select_locales
from workflow.storage import atomic_write, project_lock, remove_stale_temps

# Segments gathered before a batched model call; large enough to fill batches, small enough to stream.
CHUNK_SEGMENTS = 2048
STATE_NAME = ".translate-state.json"


@dataclass(frozen=True)
class ArticleResult:
    """What one run did to one article's catalog in one locale."""

    slug: str
    locale: str
    catalog: str  # path relative to the project
    sent_to_model: int
    written: bool  # False when the catalog was already up to date
    skipped: bool = False  # nothing changed since the last run: not even re-read


@dataclass(frozen=True)
class Timings:
    """Seconds spent in each step, for `--json` and the benchmark."""

    segmentation: float = 0.0
    glossary: float = 0.0
    inference: float = 0.0
    catalogs: float = 0.0
    total: float = 0.0


@dataclass(frozen=True)
class TranslateReport:
    """The result of a run: per article and locale, plus totals."""

    results: tuple[ArticleResult, ...]
    models: dict[str, str]  # locale -> provenance of the package that translated
    timings: Timings
    sent_to_model: int = 0
    segments: int = 0
    articles: int = 0


@dataclass
class _Clock:
    parts: dict[str, float] = field(default_factory=lambda: dict.fromkeys(("segmentation", "glossary", "inference", "catalogs"), 0.0))

    def add(self, part: str, since: float) -> float:
        now = time.perf_counter()
        self.parts[part] += now - since
        return now


Progress = Callable[[int, int, int], None]  # (article-locale pairs done, pairs in all, segments sent to the model)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def article_paths(project: Project, slugs: list[str] | None) -> list[Path]:
    """The article files to work on; requested slugs are checked before any work starts."""
    paths = articles.find_articles(project)
    if not slugs:
        return paths
    by_slug: dict[str, Path] = {}
    for path in paths:
        by_slug.setdefault(articles.read_article(path, project).slug, path)
    missing = [s for s in dict.fromkeys(slugs) if check_slug(s) not in by_slug]
    if missing:
        raise InputError(
            f"no article with slug {missing[0]!r} (articles: {', '.join(sorted(by_slug)) or 'none'})",
            project.relative(project.articles_dir),
        )
    return [by_slug[s] for s in dict.fromkeys(slugs)]


def _chunks(paths: list[Path], project: Project, clock: _Clock) -> Iterator[list[articles.Article]]:
    chunk: list[articles.Article] = []
    size = 0
    for path in paths:
        start = time.perf_counter()
        article = articles.read_article(path, project)
        clock.add("segmentation", start)
        chunk.append(article)
        size += len(article.segments)
        if size >= CHUNK_SEGMENTS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _load_state(project: Project) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((project.locales_dir / STATE_NAME).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        # The state only lets a re-run skip unchanged work; without it everything is simply re-checked.
        return {}


def translate_articles(
    project: Project,
    slugs: list[str] | None = None,
    locales: list[str] | None = None,
    *,
    retranslate: bool = False,
    beam_size: int | None = None,
    batch_size: int | None = None,
    now: dt.datetime,
    progress: Progress | None = None,
    wait: bool = False,
) -> TranslateReport:
    """Translate new segments of the chosen articles into the chosen locales and merge the catalogs.

    Every model is found before any work starts, so a missing one changes nothing on disk.
    """
    started = time.perf_counter()
    targets = select_locales(project, locales)
    packages = {loc: translate.find_package(project.source_locale, loc) for loc in targets}
    paths = article_paths(project, slugs)
    total = len(paths) * len(targets)
    terms = glossary.load_glossary(project.glossary_path)
    glossary_sha = _sha(project.glossary_path.read_bytes()) if project.glossary_path.is_file() else ""
    clock = _Clock()
    results: list[ArticleResult] = []
    sent = done = segment_count = 0
    engines: dict[str, translate.Engine] = {}

    with project_lock(project.root, wait=wait):
        remove_stale_temps(project.locales_dir)
        state = _load_state(project)
        _check_catalogs(project, targets, slugs, state)
        for loc, package in packages.items():
            engines[loc] = translate.load_engine(
                package, beam_size=beam_size or project.beam_size, batch_size=batch_size or project.batch_size
            )
        for chunk in _chunks(paths, project, clock):
            for loc in targets:
                engine = engines[loc]
                stamp_base = {"glossary": glossary_sha, "model": engine.provenance, "retranslate": str(retranslate)}
                todo: list[articles.Article] = []
                for article in chunk:
                    po_path = project.po_path(article.slug, loc)
                    stamp = dict(stamp_base, article=_sha(article.source.encode("utf-8")), catalog=_file_sha(po_path))
                    if not retranslate and state.get(f"{article.slug}/{loc}") == stamp and po_path.is_file():
                        results.append(ArticleResult(article.slug, loc, project.relative(po_path), 0, False, True))
                        done += 1
                    else:
                        todo.append(article)
                t = time.perf_counter()
                pending = {a.slug: catalog.pending_segments(project, a, loc, retranslate=retranslate) for a in todo}
                t = clock.add("catalogs", t)
                prepared = {
                    a.slug: [glossary.prepare(terms, s.text, loc, s.protected) for s in pending[a.slug]] for a in todo
                }
                t = clock.add("glossary", t)
                flat = [p.model_input for a in todo for p in prepared[a.slug]]
                outputs = iter(engine.translate(flat, progress=(lambda n, base=sent: progress(done, total, base + n)) if progress else None))
                t = clock.add("inference", t)
                drafts = {
                    a.slug: {s.id: glossary.finish(p, next(outputs)) for s, p in zip(pending[a.slug], prepared[a.slug])}
                    for a in todo
                }
                t = clock.add("glossary", t)
                for article in todo:
                    result = catalog.write_catalog(
                        project, article, loc, drafts[article.slug], engine.provenance, terms, now=now
                    )
                    po_path = project.po_path(article.slug, loc)
                    state[f"{article.slug}/{loc}"] = dict(
                        stamp_base, article=_sha(article.source.encode("utf-8")), catalog=_file_sha(po_path)
                    )
                    count = len(pending[article.slug])
                    sent += count
                    done += 1
                    results.append(ArticleResult(article.slug, loc, project.relative(po_path), count, result.written))
                    if progress:
                        progress(done, total, sent)
                t = clock.add("catalogs", t)
            segment_count += sum(len(a.segments) for a in chunk)
        atomic_write(project.locales_dir / STATE_NAME, json.dumps(state, indent=1, sort_keys=True) + "\n")

    timings = Timings(**clock.parts, total=time.perf_counter() - started)
    return TranslateReport(
        results=tuple(results),
        models={loc: e.provenance for loc, e in engines.items()},
        timings=timings,
        sent_to_model=sent,
        segments=segment_count,
        articles=len(paths),
    )


def _check_catalogs(project: Project, locales: tuple[str, ...], slugs: list[str] | None, state: dict) -> None:
    """Parse every catalog the run may merge before writing any, so a broken one stops the run untouched.

    Catalogs whose bytes are those the last run wrote were valid then and are not parsed again.
    """
    known = {entry.get("catalog") for entry in state.values() if isinstance(entry, dict)}
    for loc in locales:
        folder = project.locales_dir / loc / "LC_MESSAGES"
        paths = [project.po_path(s, loc) for s in slugs] if slugs else sorted(folder.glob("*.po"))
        for path in paths:
            if path.is_file() and _file_sha(path) not in known:
                catalog.read_catalog(path, project.relative(path))


def _file_sha(path: Path) -> str:
    try:
        return _sha(path.read_bytes())
    except FileNotFoundError:
        return ""
