"""Production-size argos packages for the benchmark, built offline once and cached under .bench-cache/.

The network is a Transformer-base copy model from tests/modelkit.py: 6+6 layers, d_model 512, 8 heads,
FFN 2048, a 32k vocabulary, int8. Every layer runs at full cost (zero weights are multiplied like any
others), and decoding stops at the source's `</s>`, so output lengths equal input lengths.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import corpus

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests import modelkit  # the repo's package builder; works from a clean clone

LOCALES = ("kk", "ru")


@dataclass(frozen=True)
class Dimensions:
    """The benchmark's network (modelkit's own ModelShape, at Transformer-base size) and its vocabulary."""

    shape: modelkit.ModelShape = modelkit.ModelShape(
        encoder_layers=6, decoder_layers=6, d_model=512, heads=8, ffn=2048, quantization="int8", max_positions=256
    )
    vocab_size: int = 32000

    def describe(self) -> str:
        s = self.shape
        return (
            f"Transformer-base copy model: {s.encoder_layers}+{s.decoder_layers} layers, d_model {s.d_model}, "
            f"{s.heads} heads, FFN {s.ffn}, vocab {self.vocab_size}, {s.quantization}"
        )


PRODUCTION = Dimensions()
TRAINING_ARTICLES = 3000  # SentencePiece training text: this many generated articles plus generated names


def _key(dims: Dimensions) -> str:
    s = dims.shape
    return f"base-{s.d_model}-{s.encoder_layers}x{s.decoder_layers}-v{dims.vocab_size}-{s.quantization}-bpe-r3"


def _blank_spacy(target: Path) -> None:
    """A blank English spaCy pipeline: argostranslate adds its rule-based sentencizer to it, offline."""
    import spacy

    spacy.blank("en").to_disk(target)


def build_packages(cache: Path, dims: Dimensions = PRODUCTION, log=print) -> dict[str, Path]:
    """Build (or reuse) one .argosmodel per target locale; return {locale: path}."""
    out = cache / "models" / _key(dims)
    wanted = {loc: out / f"translate-en_{loc}.argosmodel" for loc in LOCALES}
    info_path = out / "build.json"
    if info_path.is_file() and all(p.is_file() for p in wanted.values()):
        return wanted
    if out.exists():
        shutil.rmtree(out)
    work = out / "work"
    work.mkdir(parents=True)
    started = time.perf_counter()
    log(f"building {dims.describe()} (once; cached in {out}) ...")
    text = corpus.training_text(TRAINING_ARTICLES)
    lines = tuple(line for line in text.splitlines() if line.strip())
    # BPE, not modelkit's default unigram: on this text unigram stops at ~7.7k pieces and splits common
    # words ("s|ec|ur|ity"); BPE keeps merging to the full size, so words tokenize as in stock argos models.
    sp_model = modelkit.train_sentencepiece(
        work / "sentencepiece.model", dims.vocab_size, corpus=lines, model_type="bpe", threads=2
    )
    pieces = modelkit.sentencepiece_vocab(sp_model)
    vocab = modelkit.padded_vocab(pieces, dims.vocab_size)
    model_dir = modelkit.build_ct2_model(work / "model", vocab, "copy", dims.shape)
    spacy_dir = work / "spacy"
    _blank_spacy(spacy_dir)
    for loc, path in wanted.items():
        name = f"translate-en_{loc}-1_0"
        modelkit.write_argosmodel(path, model_dir, sp_model, "en", loc, "1.0", name=name)
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(spacy_dir.rglob("*")):
                if file.is_file():
                    zf.write(file, f"{name}/spacy/{file.relative_to(spacy_dir).as_posix()}")
    info = {
        "dimensions": asdict(dims),
        "sentencepiece_pieces": len(pieces),
        "model_vocabulary": len(vocab),
        "training_lines": len(lines),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    shutil.rmtree(work)
    info_path.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    log(f"built in {info['build_seconds']} s: {len(pieces)} SentencePiece pieces, vocabulary padded to {len(vocab)}")
    return wanted


def build_info(cache: Path, dims: Dimensions = PRODUCTION) -> dict:
    return json.loads((cache / "models" / _key(dims) / "build.json").read_text(encoding="utf-8"))


def libretranslate_exe() -> Path | None:
    """The LibreTranslate executable for measurement 7: $WORKFLOW_LIBRETRANSLATE, else scripts/setup-libretranslate's venv."""
    import os

    found = os.environ.get("WORKFLOW_LIBRETRANSLATE") or str(
        Path(__file__).resolve().parent.parent / ".ci" / "libretranslate-venv" / "bin" / "libretranslate"
    )
    return Path(found) if Path(found).is_file() else None
