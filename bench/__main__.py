"""`python -m bench --articles N`: measure the whole pipeline on a generated corpus and print a table of ratios.

Every measurement runs in its own subprocess, on this machine, with the same model packages.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import corpus, models
from bench.worker import read_inputs

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".bench-cache"
BEAM = 2  # the project default (workflow.toml), used by every measurement
BATCH = 16  # project default batch size (examples per CTranslate2 batch)
GLOSSARY_TERMS = 10_000
# Below this many articles a run is a quick check: the memory check cannot mean anything yet (one
# chunk holds everything), and (2) and (3) run on smaller samples so that `--articles 50` takes
# under a minute.
QUICK_BELOW = 400
QUICK_EVERY = 8  # (2) on every 8th segment
QUICK_ARGOS_PERCENT = 0.25  # (3) on 0.25 % of the segments instead of 1 % (still ~5 per locale at 50 articles)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sandbox_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for workers: argos data, config and caches under .bench-cache, never the user's home."""
    env = dict(os.environ)
    base = CACHE / "argos"
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
        (base / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(base / sub)
    # argostranslate's SPACY chunking looks for a cached multilingual model at import and would try to
    # download one; an (empty) cache entry stops that. Our packages carry their own spacy/ pipeline.
    (base / "cache" / "argos-translate" / "spacy" / "senter" / "model").mkdir(parents=True, exist_ok=True)
    env["ARGOS_PACKAGES_DIR"] = str(base / "packages")
    env["ARGOS_DEVICE_TYPE"] = "cpu"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(extra or {})
    return env


def worker(kind: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """Run one measurement in a fresh process; its last stdout line is JSON."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.worker", kind, *map(str, args)],
        env=env or sandbox_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"bench: worker {kind} failed (exit {proc.returncode})")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_wall"] = time.perf_counter() - started
    return result


def install_packages(archives: dict[str, Path]) -> Path:
    packages = CACHE / "argos" / "packages"
    stamp = packages / ".bench-installed"
    key = "\n".join(str(p) for p in archives.values())
    if stamp.is_file() and stamp.read_text() == key:
        return packages
    if packages.exists():
        shutil.rmtree(packages)
    packages.mkdir(parents=True)
    worker("install", packages, *archives.values())
    stamp.write_text(key)
    return packages


def argos_sample(paths: list[Path], segments: int) -> tuple[list[str], int]:
    """What a library user would pass to translate(), article by article: the title and each block's
    text, one per line; the first articles' blocks until `segments` of our segments are covered.

    Returns the texts and the number of segments they hold.
    """
    from workflow.articles import read_article

    texts, count = [], 0
    for path in paths:
        blocks: dict[int, list[str]] = {}
        for seg in read_article(path).segments:
            blocks.setdefault(seg.block if seg.kind != "summary" else -1, []).append(seg.text)
        lines = []
        for _, block in sorted(blocks.items()):
            lines.append(" ".join(block))
            count += len(block)
            if count >= segments:
                break
        texts.append("\n".join(lines))
        if count >= segments:
            break
    return texts, count


def edit_one_paragraph(project_dir: Path) -> tuple[Path, int]:
    """Add a new sentence to one paragraph of the first article; return (file, segments whose text changed).

    The sentence is unlike any other, so it is new to the catalog: a small edit of an existing sentence
    is merged as fuzzy with its old translation (msgmerge semantics) and reaches no model at all.
    """
    from workflow.articles import read_article

    path = min((project_dir / "articles").glob("*.md"))
    before = read_article(path)
    paragraph = next(s for s in before.segments if s.kind == "paragraph" and s.block > 1)
    text = before.source
    added = "In a separate development, a district court postponed hearings on a second migrant's complaint until spring. "
    path.write_text(text[: paragraph.start] + added + text[paragraph.start :], encoding="utf-8")
    after = read_article(path)
    changed = {s.id for s in after.segments} - {s.id for s in before.segments}
    return path, len(changed)


def catalog_bytes(project_dir: Path) -> int:
    return sum(p.stat().st_size for p in (project_dir / "locales").rglob("*.po*") if p.is_file())


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


SEGMENTATION_KB = (100, 1024)  # measure 7: one abbreviation-heavy paragraph of each size
_HEADER = "---\ntitle: Segmentation benchmark\ndate: 2026-11-20\nslug: segmentation-benchmark\n---\n\n"


def measure_segmentation() -> dict[int, tuple[float, int]]:
    """Seconds (best of 3) and segments for reading a one-paragraph article of each size in SEGMENTATION_KB."""
    from workflow.articles import parse_article

    out = {}
    for kb in SEGMENTATION_KB:
        source = _HEADER + corpus.abbreviation_text(kb * 1024)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            article = parse_article(source, Path("segmentation-benchmark.md"))
            best = min(best, time.perf_counter() - started)
        out[kb] = (best, len(article.segments))
    return out


def segmentation_rows(seg: dict[int, tuple[float, int]], row) -> None:  # type: ignore[no-untyped-def]
    small, big = SEGMENTATION_KB
    (t_small, n_small), (t_big, n_big) = seg[small], seg[big]
    row(f"(7) segmentation, {small} KB paragraph", f"{t_small:.2f} s ({n_small} segments; Dr. Mr. p.m. U.S. no. ...)")
    row(f"(7) segmentation, {big} KB paragraph", f"{t_big:.2f} s ({n_big} segments)", "< 2 s", t_big < 2.0)
    row("(7) growth, 100 KB to 1 MB", f"{t_big / t_small:.1f} x time for {big / small:.1f} x text", "linear: <= 12 x", t_big / t_small <= 12)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the generated corpus (default 1000)")
    parser.add_argument(
        "--argos-sample",
        type=float,
        default=None,
        help=f"percent of the segments sent to the model that argostranslate translates (default 1; {QUICK_ARGOS_PERCENT} below {QUICK_BELOW} articles)",
    )
    parser.add_argument("--raw-every", type=int, default=None, help=f"measure (2) on every Kth segment (default 1; {QUICK_EVERY} below {QUICK_BELOW} articles)")
    parser.add_argument("--small", type=int, default=None, help="second corpus size for the memory check (default N/4, at least 10)")
    parser.add_argument("--skip-argos", action="store_true", help="skip measurement 3 (argostranslate)")
    parser.add_argument("--segmentation-only", action="store_true", help="only measurement 7 (sentence segmentation; seconds)")
    parser.add_argument("--backend-articles", type=int, default=20, help="articles for measurement 8, the backends (default 20)")
    parser.add_argument("--skip-backends", action="store_true", help="skip measurement 8 (LibreTranslate and Ray backends)")
    args = parser.parse_args(argv)
    if args.segmentation_only:
        def print_row(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
            print(f"| {name} | {value} | {target} | {'' if ok is None else verdict(ok)} |")

        segmentation_rows(measure_segmentation(), print_row)
        return 0
    n = args.articles
    quick = n < QUICK_BELOW
    every = args.raw_every or (QUICK_EVERY if quick else 1)
    argos_percent = args.argos_sample or (QUICK_ARGOS_PERCENT if quick else 1.0)
    small = args.small or max(10, n // 4)

    t0 = time.perf_counter()
    load_before = os.getloadavg()[0]

    archives = models.build_packages(CACHE, log=log)
    info = models.build_info(CACHE)
    packages = install_packages(archives)
    projects = CACHE / "projects"
    big_dir = corpus.write_project(projects / f"n{n}", n, beam=BEAM, batch=BATCH)
    log(f"corpus: {n} articles in {big_dir}")

    # (2) is measured in two halves, one before (1) and one after, on alternate segments: on a shared
    # machine, speed drifts over the minutes (1) takes (10 % between two runs here), and a drift that
    # is steady over the three steps then cancels out of the ratio (1)/(2).
    planned = projects / f"n{n}-model-inputs-planned.jsonl"
    log("2: finding the segments (1) will send to the model (a run without a model, on a copy) ...")
    worker("dry", big_dir, planned)
    part = f"every {every}th of " if every > 1 else ""
    log(f"2a: raw CTranslate2 translate_batch on half of {part}those segments ...")
    raw_before = worker("raw", packages, planned, BEAM, BATCH, every, 0)
    # (1) full run from empty catalogs, recording exactly what reaches the model
    inputs = projects / f"n{n}-model-inputs.jsonl"
    log("1: workflow translate, all articles, both locales ...")
    full = worker("pipeline", big_dir, inputs)
    def same_work(a: Path, b: Path) -> bool:  # the same texts per locale, in any order
        return {k: sorted(v) for k, v in read_inputs(a).items()} == {k: sorted(v) for k, v in read_inputs(b).items()}

    if not same_work(inputs, planned):
        raise SystemExit("bench: the run without a model planned other segments than (1) sent; (2) would not be comparable")
    log(f"2b: raw CTranslate2 translate_batch on the other half of {part}the segments (1) sent ...")
    raw_after = worker("raw", packages, inputs, BEAM, BATCH, every, 1)
    raw = {key: raw_before[key] + raw_after[key] for key in ("seconds", "cpu", "segments")}
    # (4) re-run after editing one paragraph
    edited, changed = edit_one_paragraph(big_dir)
    log(f"4: re-run after editing {edited.name} ({changed} segment(s) changed) ...")
    rerun = worker("pipeline", big_dir)
    # (5) glossary matching at scale
    log(f"5: glossary matching with {GLOSSARY_TERMS} generated terms ...")
    gloss = worker("glossary", big_dir, GLOSSARY_TERMS)
    # (6) memory at a second corpus size: only meaningful once both sizes are past one chunk of
    # run.CHUNK_SEGMENTS segments (below that, memory grows with the chunk).
    from workflow.articles import read_article
    from workflow.run import CHUNK_SEGMENTS

    small_dir = corpus.write_project(projects / f"n{small}", small, beam=BEAM, batch=BATCH)
    small_segments = sum(len(read_article(p).segments) for p in (small_dir / "articles").glob("*.md"))
    small_run = None
    if small_segments > CHUNK_SEGMENTS:
        log(f"6: memory: workflow translate on {small} articles ...")
        small_run = worker("pipeline", small_dir, projects / f"n{small}-model-inputs.jsonl")  # same instrumentation as (1)
    # (3) argostranslate's own translate(), defaults and tuned
    argos_runs = {}
    if not args.skip_argos:
        paths = sorted((big_dir / "articles").glob("*.md"))
        # Both locales translate the same text: half of the sample's segments each.
        sample_texts, sample_segments = argos_sample(paths, max(4, round(full["sent_to_model"] * argos_percent / 100 / 2)))
        texts = projects / f"n{n}-argos-sample.json"
        texts.write_text(json.dumps(sample_texts, ensure_ascii=False), encoding="utf-8")
        common = {"ARGOS_CHUNK_TYPE": "SPACY", "ARGOS_BEAM_SIZE": str(BEAM)}
        for label, extra in (
            ("defaults", {}),
            ("tuned", {"ARGOS_BATCH_SIZE": "1024", "ARGOS_INTRA_THREADS": "2"}),
        ):
            log(f"3: argostranslate translate(), {label}, {sample_segments} segments x 2 locales ...")
            result = worker("argos", texts, env=sandbox_env({**common, **extra}))
            result["segments"] = sample_segments * 2
            argos_runs[label] = result

    # (8) the same articles through each backend (after the rest: a LibreTranslate server and a Ray
    # cluster would compete with them for the 2 CPUs)
    backend_runs = {} if args.skip_backends else measure_backends(big_dir, packages, min(n, args.backend_articles))

    # --- the table ---------------------------------------------------------------------------------
    t = full["timings"]
    wall = t["total"]
    overhead = wall - t["inference"]
    sent = full["sent_to_model"]
    thr_full = sent / wall
    thr_raw = raw["segments"] / raw["seconds"]
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        rows.append((name, value, target, "" if ok is None else verdict(ok)))

    segmentation_rows(measure_segmentation(), row)
    row("model", models.PRODUCTION.describe())
    row("tokenizer", f"SentencePiece BPE, {info['sentencepiece_pieces']} pieces (trained on generated text)")
    row("corpus", f"{n} articles, {full['segments']} segments, {sent} sent to the model (2 locales), beam {BEAM}")
    row("(1) full run wall time", f"{wall:.1f} s ({thr_full:.1f} segments/s; process CPU {full['cpu']:.0f} s)")
    for part in ("segmentation", "glossary", "inference", "catalogs"):
        row(f"    {part}", f"{t[part]:.2f} s ({100 * t[part] / wall:.1f} %)")
    other = wall - sum(t[p] for p in ("segmentation", "glossary", "inference", "catalogs"))
    row("    other (model load, state, lock)", f"{other:.2f} s ({100 * other / wall:.1f} %)")
    row("pipeline overhead (all but inference)", f"{100 * overhead / wall:.1f} % of wall", "<= 5 %", overhead <= 0.05 * wall)
    which = "the same segments" if every == 1 else f"every {every}th of the same segments ({raw['segments']})"
    row(
        "(2) raw CTranslate2 translate_batch",
        f"{raw['seconds']:.1f} s on {which}, half before (1) and half after ({raw_before['seconds']:.1f} + {raw_after['seconds']:.1f} s; "
        f"{thr_raw:.1f} segments/s; CPU {raw['cpu']:.0f} s), inter 2 x intra 1",
    )
    cpu_ratio = (raw["cpu"] / raw["segments"]) / (full["cpu"] / sent)
    row("(1) / (2) throughput", f"{thr_full / thr_raw:.2f} (by CPU time: {cpu_ratio:.2f})", ">= 0.9", thr_full >= 0.9 * thr_raw)
    for label, minimum in (("defaults", 10.0), ("tuned", 2.0)):
        if label in argos_runs:
            a = argos_runs[label]
            thr = a["segments"] / a["seconds"]
            row(
                f"(3) argostranslate translate(), {label}",
                f"{a['seconds']:.1f} s for {a['segments'] // 2} segments x 2 locales ({thr:.2f} segments/s; CPU {a['cpu']:.0f} s); "
                f"scaled to the corpus: {sent / thr:.0f} s",
            )
            row(f"(1) / (3 {label}) throughput", f"{thr_full / thr:.2f}", f">= {minimum:g}", thr_full >= minimum * thr)
            row(f"(3 {label}) / (2) throughput", f"{thr / thr_raw:.2f}")
    expected = changed * 2
    rt = rerun["timings"]["total"]
    row("(4) re-run after one edited paragraph", f"{rerun['sent_to_model']} segments sent to the model (changed: {expected})", f"== {expected}", rerun["sent_to_model"] == expected)
    row("(4) re-run wall time", f"{rt:.2f} s = {100 * rt / wall:.2f} % of (1)", "<= 2 %", rt <= 0.02 * wall)
    g = gloss
    gtotal = g["load_seconds"] + g["match_seconds"]
    row("(5) glossary: load + index", f"{g['terms']} terms, {g['load_seconds']:.2f} s")
    row("(5) glossary: find_terms over corpus", f"{g['segments']} segments, {g['matches']} matches, {g['match_seconds']:.2f} s (total {gtotal:.2f} s)", "<= 1 s", gtotal <= 1.0)
    cat_big = catalog_bytes(big_dir)
    row(f"(6) peak RSS, {n} articles", f"{full['peak_rss_mb']:.0f} MiB (catalogs on disk: {cat_big / 2**20:.1f} MiB)")
    if small_run is not None:
        grow = full["peak_rss_mb"] - small_run["peak_rss_mb"]
        allowed = (cat_big - catalog_bytes(small_dir)) / 2**20 + 16
        row(f"(6) peak RSS, {small} articles", f"{small_run['peak_rss_mb']:.0f} MiB")
        row("(6) growth with N", f"{grow:+.0f} MiB", f"<= catalogs' growth + 16 MiB ({allowed:.0f})", grow <= allowed)
    else:
        row("(6) growth with N", f"n/a: {small} articles fit in one chunk of {CHUNK_SEGMENTS} segments; use --articles >= {QUICK_BELOW}")

    if backend_runs:
        base = backend_runs["local"]
        for label, r in backend_runs.items():
            thr = r["sent_to_model"] / r["wall"]
            row(
                f"(8) backend {label}",
                f"{r['wall']:.1f} s for {r['sent_to_model']} segments ({thr:.1f} segments/s; driver CPU {r['cpu']:.0f} s); "
                f"throughput / local: {thr / (base['sent_to_model'] / base['wall']):.2f}; "
                f"catalogs {'identical to' if r['catalogs'] == base['catalogs'] else 'DIFFERENT from'} local",
            )


    log("9: translation memory lookups (100,000 units, 1,000 sentences) ...")
    done = subprocess.run([sys.executable, "-m", "bench.tm"], capture_output=True, text=True, check=True, cwd=REPO, env=sandbox_env())
    tm = json.loads(done.stdout.strip().splitlines()[-1])
    row(
        "(9) translation memory lookup",
        f"{tm['queries']} sentences in {tm['units']} units: {tm['lookup_seconds']:.2f} s "
        f"({tm['exact']} exact, {tm['fuzzy']} fuzzy >= 75; built in {tm['build_seconds']:.1f} s)",
        "<= 1 s",
        tm["lookup_seconds"] <= 1.0,
    )

    print(f"# python -m bench {' '.join(sys.argv[1:] if argv is None else argv)}   ({platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}, "
          f"ctranslate2 {_version('ctranslate2')}, argostranslate {_version('argostranslate')})")
    print(f"# model build: {info['build_seconds']} s (cached); benchmark run: {time.perf_counter() - t0:.0f} s; "
          f"load average {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"| {'measure':<{widths[0]}} | {'value':<{widths[1]}} | {'target':<{widths[2]}} | result |")
    print(f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 2)}|{'-' * (widths[2] + 2)}|--------|")
    for r in rows:
        print(f"| {r[0]:<{widths[0]}} | {r[1]:<{widths[1]}} | {r[2]:<{widths[2]}} | {r[3]:<6} |")
    failed = [r[0] for r in rows if r[3] == "FAIL"]
    print(f"\n{len([r for r in rows if r[3]]) - len(failed)} targets pass, {len(failed)} fail" + (f": {', '.join(failed)}" if failed else ""))
    return 0


def measure_backends(big_dir: Path, packages: Path, articles: int) -> dict[str, dict]:
    """(8): the first `articles` articles of the corpus through the local engine, one LibreTranslate
    server and a local Ray cluster with 2 workers, each from empty catalogs; rows are by backend."""
    import hashlib

    from bench.models import libretranslate_exe

    source = CACHE / "projects" / f"backends-{articles}"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(big_dir, source, ignore=shutil.ignore_patterns("locales", "articles"))
    (source / "locales").mkdir()
    (source / "articles").mkdir()
    for path in sorted((big_dir / "articles").glob("*.md"))[:articles]:
        shutil.copy(path, source / "articles" / path.name)
    provenance = {loc: f"translate-en_{loc} 1.0" for loc in models.LOCALES}
    server = None
    runs: dict[str, dict] = {}
    try:
        ray_settings = "[translate.ray]\nworkers_per_node = 2\ncpus_per_worker = 1\nbatch = 64\n"
        # local and ray run twice, before and after libretranslate, and their times are summed: on a
        # shared machine speed drifts over minutes, and a steady drift then weighs on all three alike.
        for name, label, settings in (
            ("local", "local (in process, inter 2 x intra 1)", ""),
            ("ray", "ray (local cluster, 2 workers x 1 CPU)", ray_settings),
            ("libretranslate", "libretranslate (1 server, --threads 2)", None),
            ("ray", "ray (local cluster, 2 workers x 1 CPU)", ray_settings),
            ("local", "local (in process, inter 2 x intra 1)", ""),
        ):
            if name == "libretranslate":
                exe = libretranslate_exe()
                if exe is None:
                    log("8: no LibreTranslate (bash scripts/setup-libretranslate); its row is left out")
                    continue
                server = start_libretranslate(exe, packages)
                models_line = ", ".join(f'{k} = "{v}"' for k, v in provenance.items())
                settings = f'[translate.libretranslate]\nurls = ["{server[1]}"]\nbatch_limit = 64\nmodels = {{ {models_line} }}\n'
            project = CACHE / "projects" / f"backends-{articles}-{name}"
            shutil.rmtree(project, ignore_errors=True)
            shutil.copytree(source, project)
            with (project / "workflow.toml").open("a", encoding="utf-8") as config:
                config.write("\n" + settings)
            log(f"8: {articles} articles through the {name} backend ...")
            result = worker("backend", project, name)
            result["catalogs"] = hashlib.sha256(
                b"".join(p.read_bytes() for p in sorted((project / "locales").rglob("*.po")))
            ).hexdigest()
            if label in runs:
                if runs[label]["catalogs"] != result["catalogs"]:
                    result["catalogs"] = "differs between two runs"
                for key in ("wall", "cpu", "sent_to_model"):
                    result[key] += runs[label][key]
            runs[label] = result
            if server is not None:
                server[0].kill()
                server[0].wait()
                server = None
    finally:
        if server is not None:
            server[0].kill()
            server[0].wait()
    return {"local": runs.pop(next(iter(runs))), **runs} if runs else {}


def start_libretranslate(exe: Path, packages: Path) -> tuple[subprocess.Popen, str]:
    """A LibreTranslate server on 127.0.0.1 serving the benchmark's packages; (process, base URL) once it answers."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = sandbox_env({"ARGOS_CHUNK_TYPE": "SPACY", "ARGOS_BEAM_SIZE": str(BEAM)})
    env.pop("PYTHONPATH", None)
    log_file = (CACHE / "libretranslate.log").open("wb")
    process = subprocess.Popen(
        [str(exe), "--host", "127.0.0.1", "--port", str(port), "--disable-web-ui", "--threads", "2"],
        env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(360):
        if process.poll() is not None:
            raise SystemExit(f"bench: LibreTranslate exited; see {log_file.name}")
        try:
            with urllib.request.urlopen(f"{url}/languages", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit(f"bench: LibreTranslate did not start; see {log_file.name}")


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
