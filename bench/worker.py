"""One measurement per process: `python -m bench.worker KIND ARGS...` prints one JSON line on stdout.

Each measurement gets a fresh process so its peak memory is its own and argostranslate's settings
(read from the environment at import) apply.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def peak_rss_mb() -> float:
    """VmHWM of this process (peak resident set), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def record_inputs(sink, locale: str, texts) -> None:
    """One line of a model-inputs file: the target locale, then the texts of one model call."""
    sink.write(json.dumps([locale, *texts], ensure_ascii=False) + "\n")


def read_inputs(path: str | Path) -> dict[str, list[str]]:
    """A model-inputs file's texts per locale, in the order they were sent."""
    by_locale: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            locale, *texts = json.loads(line)
            by_locale.setdefault(locale, []).extend(texts)
    return by_locale


def install(packages_dir: str, *archives: str) -> dict:
    from workflow import translate

    translate.configure_models_dir(Path(packages_dir))
    installed = [translate.install_file(Path(a)).name for a in archives]
    return {"installed": installed}


def pipeline(project_dir: str, inputs_out: str = "") -> dict:
    """`workflow translate` on every article and locale, through run.translate_articles."""
    from workflow import run, translate
    from workflow.project import load_project

    sink = open(inputs_out, "w", encoding="utf-8") if inputs_out else None  # noqa: SIM115
    if sink is not None:
        original = translate.Engine.translate_scored

        def recording(self, texts, progress=None, max_tokens=None):
            # Streamed to disk, not kept: the recording must not add memory that grows with N.
            record_inputs(sink, self.package.to_code, texts)
            return original(self, texts, progress=progress, max_tokens=max_tokens)

        translate.Engine.translate_scored = recording  # what run.py calls (translate() goes through it too)
    started, cpu = time.perf_counter(), time.process_time()
    report = run.translate_articles(load_project(Path(project_dir)), now=NOW)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    if sink is not None:
        sink.close()
    t = report.timings
    return {
        "wall": wall,
        "cpu": cpu,
        "timings": {"segmentation": t.segmentation, "glossary": t.glossary, "inference": t.inference, "catalogs": t.catalogs, "total": t.total},
        "sent_to_model": report.sent_to_model,
        "segments": report.segments,
        "articles": report.articles,
        "peak_rss_mb": peak_rss_mb(),
    }


def dry(project_dir: str, inputs_out: str) -> dict:
    """The texts a full run of `project_dir` sends to the model, found without a model.

    run.translate_articles on a scratch copy, with an engine that records its input and hands it back,
    so that half of (2) can be measured before (1) (see bench/__main__.py).
    """
    import shutil

    from workflow import run, translate
    from workflow.project import load_project

    scratch = Path(project_dir).with_name(Path(project_dir).name + "-dry")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(project_dir, scratch)
    with open(inputs_out, "w", encoding="utf-8") as sink:

        class Recorder:
            def __init__(self, package):
                self.package = package

            def translate(self, texts, progress=None, max_tokens=None):
                record_inputs(sink, self.package.to_code, texts)
                return list(texts)

            def translate_scored(self, texts, progress=None, max_tokens=None):
                return [(text, None) for text in self.translate(texts, progress, max_tokens)]

        translate.load_engine = lambda package, **options: Recorder(package)
        report = run.translate_articles(load_project(scratch), now=NOW)
    shutil.rmtree(scratch)
    return {"sent_to_model": report.sent_to_model}


def raw(packages_dir: str, inputs: str, beam: str, batch: str, every: str = "1", half: str = "") -> dict:
    """CTranslate2 translate_batch on exactly the texts the pipeline sent, all at once per locale.

    `every` K: only every Kth text (quick checks); `half` "0" or "1": only the even or odd ones of those.
    """
    import ctranslate2
    import sentencepiece as spm

    from workflow.translate import decoding_limit

    by_locale = read_inputs(inputs)
    # A sample in the pipeline's own order (articles, not lengths) keeps the mix of sentence lengths.
    by_locale = {locale: texts[:: int(every)] for locale, texts in by_locale.items()}
    if half:
        by_locale = {locale: texts[int(half) :: 2] for locale, texts in by_locale.items()}
    seconds = cpu = 0.0
    count = tokens_out = 0
    for locale, texts in sorted(by_locale.items()):
        pkg = Path(packages_dir) / f"translate-en_{locale}-1_0"
        sp = spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
        sources = [sp.encode(t, out_type=str) for t in texts if t.strip()]
        translator = ctranslate2.Translator(str(pkg / "model"), device="cpu", inter_threads=2, intra_threads=1, compute_type="auto")
        start, cpu_start = time.perf_counter(), time.process_time()
        results = translator.translate_batch(
            sources,
            beam_size=int(beam),
            max_batch_size=int(batch),
            max_decoding_length=decoding_limit(max(len(s) for s in sources)),
            max_input_length=0,
        )
        seconds += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        count += len(sources)
        tokens_out += sum(len(r.hypotheses[0]) for r in results)
        del translator
    return {"seconds": seconds, "cpu": cpu, "segments": count, "tokens_out": tokens_out, "peak_rss_mb": peak_rss_mb()}


def argos(texts_file: str) -> dict:
    """argostranslate's own translate(), article by article, both locales, under this process's ARGOS_* env."""
    from argostranslate import translate as argos_translate

    articles = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    argos_translate.get_installed_languages()
    translations = {loc: argos_translate.get_translation_from_codes("en", loc) for loc in ("kk", "ru")}
    # First call loads the model and spaCy: a one-off cost not counted, as for the pipeline's engines.
    for translation in translations.values():
        translation.translate("Warm up.")
    start, cpu = time.perf_counter(), time.process_time()
    for text in articles:
        for translation in translations.values():
            translation.translate(text)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "articles": len(articles), "peak_rss_mb": peak_rss_mb()}


def glossary_scale(project_dir: str, terms: str) -> dict:
    """find_terms with the corpus glossary plus `terms` generated terms, over every segment of the corpus."""
    from bench import corpus
    from workflow import articles, glossary
    from workflow.project import load_project

    project = load_project(Path(project_dir))
    segments = [s.text for a in articles.load_articles(project) for s in a.segments]
    text = project.glossary_path.read_text(encoding="utf-8")
    known = {line.split(",", 1)[0].casefold() for line in text.splitlines()}
    generated = [t for t in corpus.generated_terms(int(terms) + len(known)) if t.english.casefold() not in known][: int(terms)]
    extra = corpus.glossary_csv(generated).split("\n", 1)[1]
    start = time.perf_counter()
    terms_all = glossary.parse_csv(text + extra)
    gloss = glossary.Glossary(project.glossary_path, terms_all)
    loaded = time.perf_counter()
    matches = sum(len(glossary.find_terms(gloss, s)) for s in segments)
    done = time.perf_counter()
    return {
        "terms": len(terms_all),
        "segments": len(segments),
        "matches": matches,
        "load_seconds": loaded - start,
        "match_seconds": done - loaded,
    }


def backend(project_dir: str, name: str) -> dict:
    """`workflow translate` through one backend (workflow.toml holds its settings); Ray: a local 2-CPU cluster."""
    from workflow import run
    from workflow.project import load_project

    if name == "ray":
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    started, cpu = time.perf_counter(), time.process_time()
    report = run.translate_articles(load_project(Path(project_dir)), now=NOW, backend=name)
    return {
        "wall": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "sent_to_model": report.sent_to_model,
        "inference": report.timings.inference,
    }


KINDS = {"backend": backend, "install": install, "dry": dry, "pipeline": pipeline, "raw": raw, "argos": argos, "glossary": glossary_scale}

if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    result = KINDS[kind](*args)
    sys.stdout.write(json.dumps(result) + "\n")
