"""The `workflow translate` run: segment → glossary → machine translation in batches → PO catalogs.

Articles stream through in chunks: each chunk's new segments from every article go to the model in
one batched call per locale, then each article's catalog is merged and written. Memory stays bounded
by the chunk, not the number of articles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from workflow import articles, backends, catalog, glossary, memory
from workflow.errors import InputError, ModelError
from workflow.project import Project, check_slug, select_locales
from workflow.runstate import STATE_NAME, RunState, dump_state, load_state  # noqa: F401  (run.STATE_NAME)
from workflow.storage import atomic_write, check_folder, check_replaceable, project_lock, read_file, remove_stale_temps

# Segments gathered before a batched model call; large enough to fill batches, small enough to stream.
CHUNK_SEGMENTS = 2048


@dataclass(frozen=True)
class ArticleResult:
    """What one run did to one article's catalog in one locale."""

    slug: str
    locale: str
    catalog: str  # path relative to the project
    sent_to_model: int
    written: bool  # False when the catalog was already up to date
    skipped: bool = False  # nothing changed since the last run: not even re-read
    from_memory: int = 0  # drafted from the translation memory instead of the model


@dataclass(frozen=True)
class Timings:
    """Seconds spent in each step, for `--json` and the benchmark."""

    segmentation: float = 0.0
    glossary: float = 0.0
    inference: float = 0.0
    catalogs: float = 0.0
    memory: float = 0.0
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
    # "path:line: message" of each bad article or catalog; the others were done, the exit code is 1.
    errors: tuple[InputError, ...] = ()
    from_memory: int = 0  # segments the translation memory served (exact, or fuzzy at the draft threshold)


@dataclass
class _Clock:
    parts: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("segmentation", "glossary", "inference", "catalogs", "memory"), 0.0)
    )

    def add(self, part: str, since: float) -> float:
        now = time.perf_counter()
        self.parts[part] += now - since
        return now


Progress = Callable[[int, int, int], None]  # (article-locale pairs done, pairs in all, segments sent to the model)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _identify(
    project: Project, slugs: list[str] | None, state: RunState, errors: list[InputError], every: set[str] | None = None
) -> list[tuple[Path, str, str]]:
    """(path, sha of its bytes, slug) of each article to work on; each bad one goes to `errors` instead.

    Two files with one slug would fight over one catalog, so neither is worked on. A file the last
    run saw with the same bytes is not read for its slug again.
    """
    for s in slugs or ():
        check_slug(s)  # a bad argument stops the run before anything is read
    found: list[tuple[str, Path, tuple[Path, str, str]]] = []
    for path in articles.find_articles(project):
        try:
            sha = _sha(read_file(path, root=project.root))
        except OSError:
            sha = ""  # unreadable: read_slug says what is wrong, naming the file
        info = state.files.get(project.relative(path))
        if sha and isinstance(info, dict) and info.get("sha") == sha and isinstance(info.get("slug"), str):
            slug = info["slug"]
        else:
            try:
                slug = articles.read_slug(path, project)
            except InputError as exc:
                errors.append(exc)
                continue
        found.append((slug, path, (path, sha, slug)))
    if every is not None:
        every.update(slug for slug, _, _ in found)
    chosen, refused = articles.pick_by_slug(project, found, slugs)
    errors.extend(refused)
    return chosen


@dataclass(frozen=True)
class _Known:
    """An article file whose bytes, catalogs, glossary and models are as the last run left them."""

    slug: str
    segments: int


def _chunks(
    listing: list[tuple[Path, str, str]],
    project: Project,
    clock: _Clock,
    known: Callable[[Path, str, str], _Known | None],
    errors: list[InputError],
) -> Iterator[list[tuple[articles.Article, str] | _Known]]:
    """Articles in chunks of about CHUNK_SEGMENTS segments, each with the sha of its file.

    A file `known` recognises from its sha is passed on unparsed: on a re-run of a large project,
    segmenting every unchanged article would cost more than translating the changed ones.
    """
    chunk: list[tuple[articles.Article, str] | _Known] = []
    size = 0
    for path, sha, slug in listing:
        start = time.perf_counter()
        unchanged = known(path, sha, slug)
        if unchanged is not None:
            chunk.append(unchanged)
            clock.add("segmentation", start)
            continue
        try:
            article = articles.read_article(path, project)
        except InputError as exc:
            errors.append(exc)  # the others go on: one bad article must not hold back the newsroom
            continue
        finally:
            clock.add("segmentation", start)
        # UTF-8 decoding is strict, so the text's sha is the file's: stamps agree with `known`.
        chunk.append((article, _sha(article.source.encode("utf-8"))))
        size += len(article.segments)
        if size >= CHUNK_SEGMENTS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


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
    backend: str | None = None,
    read: Callable[[Path], catalog.Catalog] = catalog.read_catalog,
) -> TranslateReport:
    """Translate new segments of the chosen articles into the chosen locales and merge the catalogs.

    Every model is found before any work starts, so a missing one changes nothing on disk; a model is
    loaded only when a segment needs it. `backend` overrides the project's `[translate] backend`.
    `read` parses a catalog file: each catalog the run merges goes through it once.
    If inference fails for good mid-run, the catalogs of articles whose every segment was translated
    are written and remembered, the others are left as they were, and the failure is raised.
    """
    started = time.perf_counter()
    targets = select_locales(project, locales)
    engine = backends.open_backend(project, targets, name=backend, beam_size=beam_size, batch_size=batch_size)
    try:
        return _translate(project, slugs, targets, engine, retranslate, now, progress, wait, started, read)
    finally:
        engine.close()


def _translate(
    project: Project,
    slugs: list[str] | None,
    targets: tuple[str, ...],
    engine: backends.Backend,
    retranslate: bool,
    now: dt.datetime,
    progress: Progress | None,
    wait: bool,
    started: float,
    read: Callable[[Path], catalog.Catalog],
) -> TranslateReport:
    models = engine.models
    clock = _Clock()
    errors: list[InputError] = []
    every_slug: set[str] = set()  # of every article file: a catalog of none of them is an orphan
    t = time.perf_counter()
    listing = _identify(project, slugs, load_state(project), errors, every_slug)
    clock.add("segmentation", t)
    total = len(listing) * len(targets)
    terms = glossary.project_glossary(project)
    glossary_sha = _file_sha(project.glossary_path)
    results: list[ArticleResult] = []
    sent = done = segment_count = served = 0
    failure: backends.TranslationFailed | None = None
    memories: dict[str, memory.Memory] = {}
    if errors and not listing:  # nothing good to work on: refuse without touching the project
        return TranslateReport((), dict(models), Timings(), errors=tuple(sorted(errors, key=_error_order)))

    with project_lock(project.root, wait=wait):
        remove_stale_temps(project.locales_dir)
        state = load_state(project)
        loaded_state = dump_state(state)
        catalog_shas = _check_catalogs(project, targets, [slug for _, _, slug in listing])
        memory.check_sources(project, targets)
        stamp_base = {
            loc: {"glossary": glossary_sha, "model": model, "retranslate": str(retranslate)}
            for loc, model in models.items()
        }

        orphans: dict[str, list[str]] = {}  # per locale, slugs of catalogs no article has: old slugs
        orphan_catalogs: dict[Path, catalog.Catalog] = {}  # each parsed once per run
        # Every catalog this run parsed or wrote, by the sha of its file's bytes: the memory takes its
        # reviewed pairs from here rather than parse the file again.
        parsed: dict[str, catalog.Catalog] = {}
        memory_cache = dict(state.memory)  # grows with what the memory parsed, so the end of the run does not parse it again
        unfinished: set[str] = set()  # articles with a broken catalog: not recorded as done in the state

        def current(slug: str, loc: str, article_sha: str) -> bool:
            # Asked once per article and locale, before this run writes that catalog: the sha taken
            # by _check_catalogs is still the file's.
            po_sha = catalog_shas.get(project.po_path(slug, loc))
            stamp = dict(stamp_base[loc], article=article_sha, catalog=po_sha)
            return not retranslate and po_sha is not None and state.catalogs.get(f"{slug}/{loc}") == stamp

        def memory_for(loc: str) -> memory.Memory:
            # Built once per run, on first need, from the catalogs as the run found them.
            nonlocal memory_cache
            if loc not in memories:
                memory_cache = memory.cache_entries(project, (loc,), memory_cache, read, parsed)
                memories[loc] = memory.load_memory(project, loc, memory_cache, read, parsed)
            return memories[loc]

        def known(path: Path, sha: str, slug: str) -> _Known | None:
            info = state.files.get(project.relative(path))
            if not isinstance(info, dict) or info.get("sha") != sha or info.get("slug") != slug:
                return None
            count = info.get("segments")
            if not isinstance(count, int):
                return None
            return _Known(slug, count) if all(current(slug, loc, sha) for loc in targets) else None

        for chunk in _chunks(listing, project, clock, known, errors):
            templates: dict[str, tuple[bool, str]] = {}  # each article's POT is written once, not per locale
            for loc in targets:
                todo: list[tuple[articles.Article, str]] = []
                for item in chunk:
                    if isinstance(item, _Known) or current(item[0].slug, loc, item[1]):
                        slug = item.slug if isinstance(item, _Known) else item[0].slug
                        results.append(ArticleResult(slug, loc, project.relative(project.po_path(slug, loc)), 0, False, True))
                        done += 1
                    else:
                        todo.append(item)
                t = time.perf_counter()
                plans: list[catalog.CatalogPlan] = []
                for article, _ in todo:
                    try:
                        if loc not in orphans:
                            orphans[loc] = _orphans(project, loc, every_slug)
                        carried = _renamed_from(project, article, loc, orphans[loc], state, orphan_catalogs, read)
                    except InputError as exc:
                        errors.append(exc)  # the old slug's catalog holds work: never start over without it
                        done += 1
                        continue
                    try:
                        # The catalog is read and parsed here, once for the whole run.
                        plan = catalog.plan_catalog(project, article, loc, retranslate=retranslate, carried=carried, read=read)
                        plans.append(plan)
                        po_path = project.po_path(article.slug, loc)
                        if plan.old is not None and plan.old.path == po_path and po_path in catalog_shas:
                            parsed[catalog_shas[po_path]] = plan.old  # the lock held: still the bytes _check_catalogs hashed
                    except InputError as exc:
                        errors.append(exc)  # reported: the translator's file is left exactly as it is
                        unfinished.add(article.slug)
                        done += 1
                shas = {a.slug: sha for a, sha in todo}
                t = clock.add("catalogs", t)
                # The memory serves what it can; the rest goes to the model, perhaps with a weaker match as a hint.
                if not retranslate and any(p.pending for p in plans):
                    tm = memory_for(loc)
                    plans = [replace(p, **_recall(tm, p.pending, project.memory)) for p in plans]
                t = clock.add("memory", t)
                prepared = {p.article.slug: [glossary.prepare(terms, s.text, loc, s.protected) for s in p.to_model] for p in plans}
                t = clock.add("glossary", t)
                flat = [m.model_input for p in plans for m in prepared[p.article.slug]]
                report = (lambda n, base=sent, finished=done: progress(finished, total, base + n)) if progress else None
                outputs: dict[int, tuple[str, float | None]] = {}
                if flat:
                    try:
                        engine.load(loc)  # loaded on first use: a re-run whose edits all merge as fuzzy loads nothing
                        t = time.perf_counter()  # loading the model is not inference: it shows under "other"
                        outputs = dict(enumerate(_translate_scored(engine, loc, flat, report)))
                    except backends.TranslationFailed as exc:
                        # Articles whose every segment arrived are still written below; the rest wait for a re-run.
                        # A scoring backend's partial results carry their confidence, as a full run's would.
                        failure = exc
                        outputs = {i: got if isinstance(got, tuple) else (got, None) for i, got in exc.done.items()}
                t = clock.add("inference", t)
                drafts: dict[str, dict[str, catalog.Draft]] = {}
                first = 0
                for plan in plans:
                    slug = plan.article.slug
                    span = range(first, first + len(prepared[slug]))
                    first = span.stop
                    if all(i in outputs for i in span):  # an article the model failed for waits whole for a re-run
                        drafts[slug] = {
                            s.id: catalog.Draft(
                                glossary.finish(p, outputs[i][0]), hints=plan.hints.get(s.id, ()), confidence=outputs[i][1]
                            )
                            for s, p, i in zip(plan.to_model, prepared[slug], span)
                        }
                t = clock.add("glossary", t)
                for plan in plans:
                    article = plan.article
                    if article.slug not in drafts:
                        continue
                    if article.slug not in templates:
                        templates[article.slug] = catalog.write_template(project, article, now)
                    try:
                        result = catalog.write_plan(
                            project, plan, drafts[article.slug], models[loc], terms, now=now, template=templates[article.slug]
                        )
                    except InputError as exc:  # a translator saved a broken catalog while the model ran
                        errors.append(exc)
                        unfinished.add(article.slug)
                        continue
                    if plan.old is not None and plan.old.path != result.po_path:  # merged from the old slug's
                        _retire(project, plan.old, loc, state)
                    templates[article.slug] = (False, templates[article.slug][1])  # reported written once
                    po_sha = _file_sha(result.po_path)
                    state.catalogs[f"{article.slug}/{loc}"] = dict(stamp_base[loc], article=shas[article.slug], catalog=po_sha)
                    if result.catalog is not None:
                        parsed[po_sha] = result.catalog
                    count = len(plan.to_model)
                    from_memory = len(plan.served)
                    sent += count
                    served += from_memory
                    done += 1
                    results.append(
                        ArticleResult(article.slug, loc, project.relative(result.po_path), count, result.written, from_memory=from_memory)
                    )
                    if progress:
                        progress(done, total, sent)
                t = clock.add("catalogs", t)
                if failure is not None:
                    break
            if failure is not None:
                break
            for item in chunk:
                if isinstance(item, _Known):
                    segment_count += item.segments
                    continue
                article, article_sha = item
                segment_count += len(article.segments)
                if article.slug in unfinished:
                    continue
                state.files[project.relative(article.path)] = {
                    "sha": article_sha, "slug": article.slug, "segments": len(article.segments)
                }
        if not slugs and failure is None:  # forget articles that are gone, so the state does not grow for ever
            present = {project.relative(path) for path, _, _ in listing}
            state.files = {k: v for k, v in state.files.items() if k in present}
        if dump_state(state) != loaded_state or any(r.written for r in results):
            # The memory's cache goes with the state, rewritten only when the run did something.
            t = time.perf_counter()
            state.memory = memory.cache_entries(project, targets, memory_cache, read, parsed)
            clock.add("memory", t)
        if dump_state(state) != loaded_state:
            atomic_write(project.locales_dir / STATE_NAME, dump_state(state))
    if failure is not None:
        finished = sum(r.written for r in results)
        raise ModelError(
            f"{failure.message}; {finished} catalog(s) finished before the failure were written, "
            "run `workflow translate` again to send only what is still missing",
            failure.path,
        )

    timings = Timings(**clock.parts, total=time.perf_counter() - started)
    return TranslateReport(
        results=tuple(results),
        models=dict(models),
        timings=timings,
        sent_to_model=sent,
        segments=segment_count,
        articles=len({r.slug for r in results}),
        errors=tuple(sorted(errors, key=_error_order)),
        from_memory=served,
    )


def _error_order(exc: InputError) -> tuple[str, int]:
    return (str(exc.path or ""), exc.line or 0)


def _translate_scored(engine, locale: str, texts: list[str], progress) -> list[tuple[str, float | None]]:
    """The backend's translations with the model's confidence where the backend knows it (the local engine)."""
    scored = getattr(engine, "translate_scored", None)
    if scored is not None:
        return scored(locale, texts, progress=progress)
    return [(text, None) for text in engine.translate(locale, texts, progress=progress)]


def _recall(tm: memory.Memory, segments: tuple[articles.Segment, ...], settings) -> dict[str, dict]:
    """Drafts the memory serves (exact, or fuzzy at the draft threshold) and hint lines for weaker matches."""
    drafts: dict[str, catalog.Draft] = {}
    hints: dict[str, tuple[str, ...]] = {}
    for seg in segments:
        match = tm.lookup(seg.text, settings.offer)
        if match is None:
            continue
        origin = match.unit.origin
        if match.exact:
            drafts[seg.id] = catalog.Draft(match.unit.target, f"tm: {origin}", accepted=settings.accept_exact)
        elif match.score >= settings.draft:
            drafts[seg.id] = catalog.Draft(match.unit.target, f"tm {match.score}%: {origin}", previous=match.unit.source)
        else:
            hints[seg.id] = (f"tm {match.score}%: {origin}: {match.unit.source} → {match.unit.target}",)
    return {"served": drafts, "hints": hints}


def _check_catalogs(project: Project, locales: tuple[str, ...], slugs: list[str]) -> dict[Path, str]:
    """The sha of each existing catalog the run may merge, taken before writing any.

    Whatever the run would refuse to replace (a link, a read-only file, a folder in a file's place)
    is refused here, before the first write; templates are checked with the catalogs. A catalog is
    parsed only when its article is planned (catalog.plan_catalog), once.
    """
    shas: dict[Path, str] = {}
    templates = project.inside(project.locales_dir / "templates")
    check_folder(templates)
    for path in sorted(templates.glob("*.pot")):
        check_replaceable(path)
    for loc in locales:
        folder = project.inside(project.locales_dir / loc / "LC_MESSAGES")
        check_folder(folder)
        for path in (project.po_path(s, loc) for s in slugs):
            sha = _file_sha(path)
            if sha:  # else not written yet
                check_replaceable(path)
                shas[path] = sha
    return shas


def _orphans(project: Project, loc: str, every: set[str]) -> list[str]:
    """Slugs of the catalogs in `loc` that no article file has: candidates for a renamed slug's old one."""
    folder = project.locales_dir / loc / "LC_MESSAGES"
    return sorted(p.stem for p in folder.glob("*.po") if p.stem not in every) if folder.is_dir() else []


def _renamed_from(
    project: Project,
    article: articles.Article,
    loc: str,
    orphans: list[str],
    state: RunState,
    parsed: dict[Path, catalog.Catalog],
    read: Callable[[Path], catalog.Catalog],
) -> catalog.Catalog | None:
    """The catalog this article had in `loc` under an old slug, if its slug was renamed and it has none yet.

    A candidate is an orphan catalog (the old slug the run state recorded for this file first): it is
    this article's if its entries refer to this article's file.
    """
    if not orphans or project.po_path(article.slug, loc).exists():
        return None
    info = state.files.get(project.relative(article.path))
    recorded = [info["slug"]] if isinstance(info, dict) and info.get("slug") in orphans else []
    prefix = f"{project.relative(article.path)}:"
    for slug in dict.fromkeys(recorded + orphans):
        path = project.po_path(slug, loc)
        if not path.is_file():
            continue
        if path not in parsed:
            try:
                parsed[path] = read(path)
            except InputError:
                if slug in recorded:
                    raise  # this article's old catalog: its work must not be left behind unreported
                continue  # whose it is cannot be told; it is left as it is
        old = parsed[path]
        if any(ref.startswith(prefix) for e in (*old.entries, *old.obsolete) for ref in e.references):
            return old
    return None


def _retire(project: Project, old: catalog.Catalog, loc: str, state: RunState) -> None:
    """After its work was merged into the new slug's catalog, remove the old slug's (and, last, its template)."""
    slug = old.path.stem
    old.path.unlink(missing_ok=True)
    state.catalogs.pop(f"{slug}/{loc}", None)
    if not any(project.locales_dir.glob(f"*/LC_MESSAGES/{slug}.po")):
        project.pot_path(slug).unlink(missing_ok=True)


def _file_sha(path: Path) -> str:
    try:
        return _sha(read_file(path))
    except FileNotFoundError:
        return ""
