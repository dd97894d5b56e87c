"""Production-size argos packages for the benchmark, built offline once and cached under .bench-cache/.

The network is a Transformer-base copy model from tests/modelkit.py: 6+6 layers, d_model 512, 8 heads,
FFN 2048, a 32k vocabulary, int8. Every layer runs at full cost (zero weights are multiplied like any
others), and decoding stops at the source's `</s>`, so output lengths equal input lengths.
"""

from __future__ import annotations

import io
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
    encoder_layers: int = 6
    decoder_layers: int = 6
    d_model: int = 512
    heads: int = 8
    ffn: int = 2048
    vocab_size: int = 32000
    quantization: str = "int8"
    max_positions: int = 256

    def describe(self) -> str:
        return (
            f"Transformer-base copy model: {self.encoder_layers}+{self.decoder_layers} layers, d_model {self.d_model}, "
            f"{self.heads} heads, FFN {self.ffn}, vocab {self.vocab_size}, {self.quantization}"
        )


PRODUCTION = Dimensions()
TRAINING_ARTICLES = 3000  # SentencePiece training text: this many generated articles plus generated names


def _key(dims: Dimensions) -> str:
    return f"base-{dims.d_model}-{dims.encoder_layers}x{dims.decoder_layers}-v{dims.vocab_size}-{dims.quantization}-bpe-r3"


def _blank_spacy(target: Path) -> None:
    """A blank English spaCy pipeline: argostranslate adds its rule-based sentencizer to it, offline."""
    import spacy

    spacy.blank("en").to_disk(target)


def train_sentencepiece(path: Path, vocab_size: int, lines: tuple[str, ...]) -> Path:
    """A BPE SentencePiece model that fills `vocab_size` pieces from the generated text.

    (modelkit's unigram trainer stops at ~7.7k pieces on this text and splits common words such as
    "security"; BPE keeps merging to the full size, so words tokenize like in stock argos models.)
    """
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buffer,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        split_digits=True,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=2,
        minloglevel=2,
    )
    path.write_bytes(buffer.getvalue())
    return path


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
    sp_model = train_sentencepiece(work / "sentencepiece.model", dims.vocab_size, lines)
    pieces = modelkit.sentencepiece_vocab(sp_model)
    vocab = modelkit.padded_vocab(pieces, dims.vocab_size)
    shape = modelkit.ModelShape(
        encoder_layers=dims.encoder_layers,
        decoder_layers=dims.decoder_layers,
        d_model=dims.d_model,
        heads=dims.heads,
        ffn=dims.ffn,
        quantization=dims.quantization,
        max_positions=dims.max_positions,
    )
    model_dir = modelkit.build_ct2_model(work / "model", vocab, "copy", shape)
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
