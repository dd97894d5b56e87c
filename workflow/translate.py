"""Machine translation: a loaded model package as a batched engine (CTranslate2 and SentencePiece).

Inference runs through the package's CTranslate2 Translator and SentencePiece model directly:
argostranslate's own translate() would fetch sentence-splitting models at run time, and segments
arrive here already split. Packages themselves (finding, installing) are models.py's; the names
are importable from here too, where the CLI and scripts have always found them.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.errors import InputError, ModelError
from workflow.modelbuild import DEMO_VERSION, build_demo_package, build_package, demo_package_name  # noqa: F401
from workflow.models import (  # noqa: F401
    BPE_MODEL,
    CODE_SHAPE,
    SP_MODEL,
    TARGET_SP_MODEL,
    ModelPackage,
    find_package,
    install_file,
    install_hint,
    install_package,
    list_packages,
    models_dir,
    packages_in_use,
    read_package,
    remove_package,
)
from workflow.review import DEMO_MARK  # noqa: F401

# --- the engine ----------------------------------------------------------------------------------

Progress = Callable[[int], None]


def decoding_limit(source_tokens: int) -> int:
    """Most tokens a translation may have: a degenerate model stops here instead of running away."""
    return max(16, 2 * source_tokens + 10)


@dataclass
class Engine:
    """A loaded package: CTranslate2 translator plus SentencePiece tokenizers."""

    package: ModelPackage
    beam_size: int
    batch_size: int
    translator: Any = field(repr=False)
    source_sp: Any = field(repr=False)
    target_sp: Any = field(repr=False)
    workers: int = 1  # CTranslate2 inter_threads: batches that can run side by side

    @property
    def provenance(self) -> str:
        return self.package.provenance

    def _tokens(self, text: str) -> list[str]:
        pkg = self.package
        pieces = self.source_sp.encode(text, out_type=str)
        return ([pkg.source_prefix] if pkg.source_prefix else []) + pieces + ([pkg.source_suffix] if pkg.source_suffix else [])

    def _detokenize(self, hypothesis: list[str]) -> str:
        prefix = self.package.target_prefix
        if prefix and hypothesis[:1] == [prefix]:
            hypothesis = hypothesis[1:]
        return self.target_sp.decode_pieces([t for t in hypothesis if t != "</s>"]).strip()

    def translate(self, texts: Sequence[str], progress: Progress | None = None, max_tokens: int | None = None) -> list[str]:
        """Translate each text; batched by length, deterministic, `progress(done)` after each batch.

        `max_tokens` overrides the per-text decoding limit (the install smoke test uses a tiny one).
        """
        return [text for text, _ in self.translate_scored(texts, progress, max_tokens)]

    def translate_scored(
        self, texts: Sequence[str], progress: Progress | None = None, max_tokens: int | None = None
    ) -> list[tuple[str, float | None]]:
        """Like `translate`, with the model's confidence in each translation: the geometric mean of its
        tokens' probabilities (exp of CTranslate2's length-normalized log-probability), 0-1; None for blank text."""
        results: list[tuple[str, float | None]] = [("", None)] * len(texts)
        done = 0
        todo = []
        for i, text in enumerate(texts):
            if text.strip():
                todo.append((i, self._tokens(text)))
            else:
                results[i] = (text, None)  # nothing to translate; a model would only invent words
                done += 1
        # Length-sorted batches waste little padding; the index breaks ties so order is stable.
        todo.sort(key=lambda item: (len(item[1]), item[0]))
        # Fewer texts than workers x batch size: smaller batches, so no worker idles. Results do not
        # depend on batch composition, so this changes speed only.
        size = max(1, min(self.batch_size, -(-len(todo) // max(1, self.workers))))
        batches = [todo[k : k + size] for k in range(0, len(todo), size)]
        prefix = [self.package.target_prefix] if self.package.target_prefix else None
        limit = decoding_limit if max_tokens is None else (lambda n: max_tokens)

        def submit(batch):
            sources = [tokens for _, tokens in batch]
            return self.translator.translate_batch(
                sources,
                target_prefix=[prefix] * len(sources) if prefix else None,
                beam_size=self.beam_size,
                max_decoding_length=max(limit(len(s)) for s in sources) + (1 if prefix else 0),
                max_input_length=0,
                asynchronous=True,
                return_scores=True,
            )

        try:
            # Submit every batch up front so inter_threads workers run batches side by side.
            pending = [submit(batch) for batch in batches]
            for batch, futures in zip(batches, pending):
                for (index, tokens), future in zip(batch, futures):
                    result = future.result()
                    hypothesis, score = result.hypotheses[0], result.scores[0]
                    cap = limit(len(tokens)) + (1 if prefix else 0)
                    if len(hypothesis) > cap:
                        # The batch allowed more than this text may have: redo it alone, with its own
                        # limit, so the result does not depend on its batch neighbours.
                        alone = self.translator.translate_batch(
                            [tokens],
                            target_prefix=[prefix] if prefix else None,
                            beam_size=self.beam_size,
                            max_decoding_length=cap,
                            max_input_length=0,
                            return_scores=True,
                        )[0]
                        hypothesis, score = alone.hypotheses[0], alone.scores[0]
                    results[index] = (self._detokenize(hypothesis), round(math.exp(score), 2))
                done += len(batch)
                if progress is not None:
                    progress(done)
        except RuntimeError as exc:
            raise ModelError(f"translation failed in model {self.package.code}: {exc}", self.package.path) from None
        if not batches and progress is not None:
            progress(done)
        return results


_M_ARENA_MAX = -8  # glibc mallopt parameter


def _limit_malloc_arenas(count: int) -> None:
    """Cap glibc's malloc arenas before CTranslate2 starts its worker threads.

    Each thread otherwise gets its own arena, and over a long run their freed buffers fragment:
    peak memory grew with the number of articles (bench, measure 6: 418 MiB at 1,000 articles
    against 305 MiB with two arenas, same run).
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, count)


def _load_parts(
    model_dir: Path,
    sp_model: Path,
    target_sp_model: Path,
    inter_threads: int,
    intra_threads: int,
    compute_type: str,
    device: str,
) -> tuple[Any, Any, Any]:
    import ctranslate2
    import sentencepiece as spm

    _limit_malloc_arenas(max(2, inter_threads))
    try:
        translator = ctranslate2.Translator(
            str(model_dir),
            device=device,
            inter_threads=inter_threads,
            intra_threads=intra_threads,
            compute_type=compute_type,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        first = first.replace(f" in model '{model_dir}'", "")  # a staging path would only confuse
        raise ModelError(f"CTranslate2 cannot load the model ({first})", model_dir) from None
    try:
        source_sp = spm.SentencePieceProcessor(model_file=str(sp_model))
        target_sp = source_sp if target_sp_model == sp_model else spm.SentencePieceProcessor(model_file=str(target_sp_model))
    except (RuntimeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"SentencePiece cannot load the tokenizer ({first})", sp_model) from None
    return translator, source_sp, target_sp


def load_engine(
    package: ModelPackage,
    beam_size: int = 2,
    batch_size: int = 32,
    *,
    inter_threads: int = 2,
    intra_threads: int = 1,
    compute_type: str = "auto",
    device: str = "cpu",
) -> Engine:
    """Load a package for translation. Two single-threaded workers measured 1.8x faster than defaults on 2 cores."""
    if beam_size < 1 or batch_size < 1:
        raise InputError(f"beam size and batch size must be at least 1 (got {beam_size}, {batch_size})")
    sp_model = package.path / SP_MODEL
    if not sp_model.is_file():
        if (package.path / BPE_MODEL).is_file():
            raise ModelError("BPE-tokenized packages are not supported; use a SentencePiece package", package.path)
        raise ModelError(f"package has no {SP_MODEL}", package.path)
    target_sp = package.path / TARGET_SP_MODEL
    translator, source, target = _load_parts(
        package.path / "model",
        sp_model,
        target_sp if target_sp.is_file() else sp_model,
        inter_threads,
        intra_threads,
        compute_type,
        device,
    )
    return Engine(package, beam_size, batch_size, translator, source, target, workers=inter_threads)


def device_threads(device: str = "auto") -> tuple[str, int, int]:
    """(CTranslate2 device, inter_threads, intra_threads) for `[translate] device`.

    On CPU two single-threaded workers measured fastest on 2 cores (bench/README.md); on a GPU one
    worker per device keeps batches on the card, with one host thread feeding it.
    """
    if device == "auto":
        import ctranslate2

        try:
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        except RuntimeError:  # a CPU-only build of CTranslate2
            device = "cpu"
    if device == "cuda":
        return "cuda", 1, 1
    return "cpu", 2, 1
