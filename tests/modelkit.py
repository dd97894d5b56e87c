"""Build real argostranslate `.argosmodel` packages offline, in seconds, for tests and benchmarks.

This is deliberately independent of `workflow models build`: it writes the zip layout argostranslate
documents (`<name>/metadata.json`, `<name>/model/`, `<name>/sentencepiece.model`) by hand, so tests
prove the project installs packages it did not make.

Two kinds of model, both genuine CTranslate2 Transformers built with numpy:

- "random": random weights. Output is gibberish, but tokenizer, CTranslate2 and packaging are real.
- "copy": cross-attention copies source position t to output position t, so the translation equals
  the input token for token. Positions are coded in dimensions of their own (orthogonal Hadamard
  rows when they fit, else random signs, nearly orthogonal), tokens likewise in the rest (one-hot
  when the vocabulary fits, else random signs); every residual branch except
  the decoder's first cross-attention is zero, and RMS norm keeps every position at the same scale.
  `add_source_eos` makes the source end with `</s>`, which the copy turns into the end of output.

Usage from a shell (the benchmark builds production-size packages this way):

    python tests/modelkit.py OUT_DIR --kind copy --layers 6 --d-model 512 --heads 8 --ffn 2048 \
        --vocab-size 32000 --quantization int8 --to ru
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sentencepiece as spm

# English news sentences plus Kazakh and Russian ones, so common pieces exist for all three
# scripts; byte fallback covers every other character.
CORPUS = (
    "Kazakh citizen Jazylbek Azhygaliyev worked in Russia for several years.",
    "Russian police officers tried to force him to sign a contract.",
    "After refusing to sign, the man was deported to Kazakhstan.",
    "He was banned from entering Russia for five years.",
    "According to relatives, he was called by the migration service.",
    "The next day, police officers arrived at the facility.",
    "The brother is very frightened and does not want to file any complaints.",
    "Many people continue to go to Russia for work.",
    "Officials from the military enlistment office arrived three times.",
    "He was boarded onto a plane bound for Almaty.",
    "Relatives are now appealing to the authorities.",
    "Security forces had not commented on the incident at the time of publication.",
    "Journalists and human rights defenders note that Russia recruits migrants.",
    "The authorities of the region typically respond with a delay.",
    "In 2024, the publication reported about 700 criminal cases.",
    "President Kassym-Jomart Tokayev urged the parties to negotiate.",
    "Experts note that such cases attract international attention.",
    "The country maintains a neutral stance on the conflict.",
    "Radio Free Europe/Radio Liberty reported the story on Monday.",
    "“We will continue,” she said, “because it matters.”",
    "Қазақстан азаматы Ресейде жұмыс істеген.",
    "Ресей полициясы оны келісімшартқа қол қоюға мәжбүрлемек болған.",
    "Ол Алматыға ұшатын ұшаққа отырғызылды.",
    "Туыстары билікке жүгініп отыр.",
    "Гражданин Казахстана работал в России.",
    "Российская полиция пыталась заставить его подписать контракт.",
    "Его посадили на самолёт до Алматы.",
    "Родственники обращаются к властям.",
    "Journalists ZXQ1 and ZXQ2 stay in place.",
    "Numbers like 18, 21 and 2026 appear in dates.",
)

SPECIALS = ("<unk>", "<s>", "</s>")


@dataclass(frozen=True)
class ModelShape:
    """Transformer hyperparameters; defaults are tiny, the benchmark passes Transformer-base values."""

    encoder_layers: int = 1
    decoder_layers: int = 1
    d_model: int | None = None  # None: 64 for random, 256 for copy (room for token and position codes)
    heads: int = 2
    ffn: int = 64
    quantization: str | None = None  # e.g. "int8"; None keeps float32
    extra_layers: int = 0  # zero-weight layers added to encoder and decoder: real cost, no effect
    max_positions: int = 512
    seed: int = 0


@dataclass(frozen=True)
class PackageSpec:
    """What goes into metadata.json and which model to build."""

    from_code: str = "en"
    to_code: str = "kk"
    kind: str = "random"  # "random" | "copy"
    version: str = "1.0"
    vocab_size: int = 400
    extra_symbols: tuple[str, ...] = ()  # whole tokens, e.g. NLLB language codes
    source_prefix: str = ""
    target_prefix: str = ""
    shape: ModelShape = field(default_factory=ModelShape)

    @property
    def code(self) -> str:
        return f"translate-{self.from_code}_{self.to_code}"


# --- tokenizer -----------------------------------------------------------------------------------


def train_sentencepiece(
    path: Path,
    vocab_size: int = 400,
    extra_symbols: tuple[str, ...] = (),
    corpus: tuple[str, ...] = CORPUS,
    *,
    model_type: str = "unigram",
    threads: int = 1,
) -> Path:
    """Train a byte-fallback SentencePiece model (unigram, or "bpe") on `corpus`; every character round-trips."""
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=buffer,
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a few dozen sentences cannot fill a large vocabulary; padded below
        model_type=model_type,
        byte_fallback=True,
        character_coverage=1.0,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        split_digits=True,
        user_defined_symbols=list(extra_symbols),
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=threads,
        minloglevel=2,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def sentencepiece_vocab(path: Path) -> list[str]:
    sp = spm.SentencePieceProcessor(model_file=str(path))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def padded_vocab(pieces: list[str], size: int) -> list[str]:
    """The model vocabulary: the tokenizer's pieces, padded with tokens no input ever produces."""
    return pieces + [f"<extra_{i}>" for i in range(max(0, size - len(pieces)))]


# --- CTranslate2 model ---------------------------------------------------------------------------


def _hadamard(n: int) -> np.ndarray:
    h = np.ones((1, 1), dtype=np.float32)
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def _unit_codes(count: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """`count` unit vectors in `dims` dimensions: orthogonal if they fit, else random signs."""
    if count <= dims and dims & (dims - 1) == 0:
        codes = _hadamard(dims)[:count]
    elif count <= dims:
        codes = np.eye(dims, dtype=np.float32)[:count]
    else:
        codes = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=(count, dims))
    return (codes / np.sqrt(dims)).astype(np.float32)


def _copy_width(shape: ModelShape) -> tuple[int, int]:
    """(d_model, position dims) for a copy model: position codes must fit in one head's slice."""
    d = shape.d_model or 256
    head = d // shape.heads
    return d, min(head, max(16, d // 4))


def build_ct2_model(out_dir: Path, vocab: list[str], kind: str = "random", shape: ModelShape = ModelShape()) -> Path:
    """Write a CTranslate2 Transformer for `vocab` (shared source/target) to `out_dir`."""
    from ctranslate2.specs import TransformerSpec

    rng = np.random.default_rng(shape.seed)
    V = len(vocab)
    if kind == "copy":
        d, pos_dims = _copy_width(shape)
    elif kind == "random":
        d, pos_dims = (shape.d_model or 64), 0
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    if d % shape.heads:
        raise ValueError(f"d_model {d} is not divisible by {shape.heads} heads")
    enc_layers = shape.encoder_layers + shape.extra_layers
    dec_layers = shape.decoder_layers + shape.extra_layers
    spec = TransformerSpec.from_config(
        (enc_layers, dec_layers), shape.heads, rms_norm=(kind == "copy"), pre_norm=True
    )
    spec.encoder.scale_embeddings = False
    spec.decoder.scale_embeddings = False

    def rand(*dims: int) -> np.ndarray:
        return (rng.standard_normal(dims) * (1.0 / np.sqrt(dims[-1]))).astype(np.float32)

    zeros = lambda *dims: np.zeros(dims, dtype=np.float32)  # noqa: E731
    ones = lambda n: np.ones(n, dtype=np.float32)  # noqa: E731

    def norm(ln) -> None:
        ln.gamma = ones(d)
        if hasattr(ln, "beta"):
            ln.beta = zeros(d)

    def linear(lin, weight: np.ndarray) -> None:
        lin.weight = weight
        lin.bias = zeros(weight.shape[0])

    live = kind == "random"

    def fill_layer(layer, index: int, n_real: int) -> None:
        # Layers past the real ones (and every copy-model layer) add zero to the residual stream.
        real = live and index < n_real
        make = rand if real else zeros
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], make(3 * d, d))
        linear(layer.self_attention.linear[1], make(d, d))
        if hasattr(layer, "attention"):
            norm(layer.attention.layer_norm)
            linear(layer.attention.linear[0], make(d, d))
            linear(layer.attention.linear[1], make(2 * d, d))
            linear(layer.attention.linear[2], make(d, d))
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, make(shape.ffn, d))
        linear(layer.ffn.linear_1, make(d, shape.ffn))

    for i, layer in enumerate(spec.encoder.layer):
        fill_layer(layer, i, shape.encoder_layers)
    for i, layer in enumerate(spec.decoder.layer):
        fill_layer(layer, i, shape.decoder_layers)
    norm(spec.encoder.layer_norm)
    norm(spec.decoder.layer_norm)

    if kind == "random":
        spec.encoder.embeddings[0].weight = rand(V, d) * np.sqrt(d)
        spec.decoder.embeddings.weight = rand(V, d) * np.sqrt(d)
        linear(spec.decoder.projection, rand(V, d))
    else:
        _wire_copy(spec, V, d, pos_dims, shape, rng)

    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.config.add_source_eos = kind == "copy"
    spec.validate()
    spec.optimize(quantization=shape.quantization)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    spec.save(str(out_dir))
    return out_dir


def _wire_copy(spec, V: int, d: int, pos_dims: int, shape: ModelShape, rng: np.random.Generator) -> None:
    """Set the weights that make decoder position t emit source token t."""
    tok_dims = d - pos_dims
    head = d // shape.heads
    tokens = _unit_codes(V, tok_dims, rng)
    positions = _unit_codes(shape.max_positions, pos_dims, rng)

    enc_emb = np.zeros((V, d), dtype=np.float32)
    enc_emb[:, :tok_dims] = tokens
    spec.encoder.embeddings[0].weight = enc_emb
    # The decoder sees only where it is, never what it emitted: its token embeddings are zero.
    spec.decoder.embeddings.weight = np.zeros((V, d), dtype=np.float32)
    pos_table = np.zeros((shape.max_positions, d), dtype=np.float32)
    pos_table[:, tok_dims:] = positions
    spec.encoder.position_encodings.encodings = pos_table
    spec.decoder.position_encodings.encodings = pos_table.copy()

    # After RMS norm an encoder state (token + position, unit each) has norm sqrt(d); a decoder
    # state (position only) has norm sqrt(d) too. Scale queries so the matching position wins by a
    # logit margin of ~60 over any other, whatever the width.
    enc_scale = np.sqrt(d / 2.0)
    dec_scale = np.sqrt(float(d))
    self_corr = 1.0
    cross_corr = 0.0 if shape.max_positions <= pos_dims else 4.0 / np.sqrt(pos_dims)
    margin = 60.0
    alpha = margin * np.sqrt(head) / (enc_scale * dec_scale * max(self_corr - cross_corr, 0.25))

    attn = spec.decoder.layer[0].attention
    wq = np.zeros((d, d), dtype=np.float32)
    wk = np.zeros((d, d), dtype=np.float32)
    wv = np.zeros((d, d), dtype=np.float32)
    wo = np.zeros((d, d), dtype=np.float32)
    for h in range(shape.heads):
        base = h * head
        for j in range(pos_dims):  # every head matches positions in the first pos_dims of its slice
            wq[base + j, tok_dims + j] = alpha
            wk[base + j, tok_dims + j] = 1.0
        # Each head carries its share of the token code through values and back to token dims.
        for j in range(base, min(base + head, tok_dims)):
            wv[j, j] = 1.0 / enc_scale
            wo[j, j] = 1.0
    attn.linear[0].weight = wq
    attn.linear[1].weight = np.concatenate([wk, wv])
    attn.linear[1].bias = np.zeros(2 * d, dtype=np.float32)
    attn.linear[2].weight = wo

    # Residual after the copy: position code (unit) + token code (unit); normed by sqrt(d/2).
    # Logit margin between the copied token and any other: 30 (one-hot) or ~25 (random codes).
    proj = np.zeros((V, d), dtype=np.float32)
    gap = 1.0 if V <= tok_dims else 1.0 - 4.5 / np.sqrt(tok_dims)
    proj[:, :tok_dims] = tokens * (30.0 / (np.sqrt(d / 2.0) * max(gap, 0.25)))
    spec.decoder.projection.weight = proj
    spec.decoder.projection.bias = np.zeros(V, dtype=np.float32)


# --- package -------------------------------------------------------------------------------------


def write_argosmodel(
    path: Path,
    model_dir: Path,
    sp_model: Path,
    from_code: str,
    to_code: str,
    version: str = "1.0",
    source_prefix: str = "",
    target_prefix: str = "",
    name: str | None = None,
) -> Path:
    """Zip a package the way argostranslate lays them out."""
    name = name or f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    metadata = {
        "package_version": version,
        "argos_version": "1.9",
        "from_code": from_code,
        "from_name": from_code,
        "to_code": to_code,
        "to_name": to_code,
        "code": f"translate-{from_code}_{to_code}",
        "type": "translate",
    }
    if source_prefix:
        metadata["source_prefix"] = source_prefix
    if target_prefix:
        metadata["target_prefix"] = target_prefix
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name}/metadata.json", json.dumps(metadata, indent=2))
        zf.write(sp_model, f"{name}/sentencepiece.model")
        for file in sorted(model_dir.rglob("*")):
            if file.is_file():
                zf.write(file, f"{name}/model/{file.relative_to(model_dir).as_posix()}")
    return path


def build_parts(work: Path, spec: PackageSpec) -> tuple[Path, Path]:
    """Train the tokenizer and build the model for `spec` under `work`: (model_dir, sentencepiece.model)."""
    sp_model = train_sentencepiece(work / "sentencepiece.model", spec.vocab_size, spec.extra_symbols)
    vocab = padded_vocab(sentencepiece_vocab(sp_model), spec.vocab_size if spec.kind == "random" else 0)
    if spec.shape.d_model is not None:  # production widths: pad the vocabulary to the asked size
        vocab = padded_vocab(vocab, spec.vocab_size)
    model_dir = build_ct2_model(work / "model", vocab, spec.kind, spec.shape)
    return model_dir, sp_model


def build_package(out_dir: Path, spec: PackageSpec = PackageSpec()) -> Path:
    """Build `<code>-<kind>.argosmodel` in `out_dir` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        model_dir, sp_model = build_parts(Path(tmp), spec)
        return write_argosmodel(
            out_dir / f"{spec.code}-{spec.kind}.argosmodel",
            model_dir,
            sp_model,
            spec.from_code,
            spec.to_code,
            spec.version,
            spec.source_prefix,
            spec.target_prefix,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--kind", choices=("random", "copy"), default="random")
    parser.add_argument("--from", dest="from_code", default="en")
    parser.add_argument("--to", dest="to_code", default="kk")
    parser.add_argument("--version", default="1.0")
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--d-model", type=int, default=None)
    parser.add_argument("--heads", type=int, default=2)
    parser.add_argument("--ffn", type=int, default=64)
    parser.add_argument("--vocab-size", type=int, default=400)
    parser.add_argument("--quantization", default=None)
    parser.add_argument("--extra-layers", type=int, default=0)
    parser.add_argument("--max-positions", type=int, default=512)
    args = parser.parse_args(argv)
    shape = ModelShape(
        encoder_layers=args.layers,
        decoder_layers=args.layers,
        d_model=args.d_model,
        heads=args.heads,
        ffn=args.ffn,
        quantization=args.quantization,
        extra_layers=args.extra_layers,
        max_positions=args.max_positions,
    )
    spec = PackageSpec(args.from_code, args.to_code, args.kind, args.version, args.vocab_size, shape=shape)
    print(build_package(args.out_dir, spec))


if __name__ == "__main__":
    main()
