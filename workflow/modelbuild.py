"""Making model packages: a `.argosmodel` from a CTranslate2 model and its SentencePiece models, and the
demonstration package (`workflow demo`) whose model copies its input.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from workflow.errors import InputError, ModelError
from workflow.models import BPE_MODEL, SP_MODEL, TARGET_SP_MODEL, ModelPackage
from workflow.storage import atomic_write_with

# --- building ------------------------------------------------------------------------------------


def _model_vocabularies(model_dir: Path) -> tuple[set[str], set[str]]:
    """(source, target) vocabularies of a CTranslate2 model directory."""

    def read(stem: str) -> set[str] | None:
        for suffix, parse in ((".json", json.loads), (".txt", lambda t: t.splitlines())):
            file = model_dir / f"{stem}{suffix}"
            if file.is_file():
                return set(parse(file.read_text(encoding="utf-8")))
        return None

    shared = read("shared_vocabulary")
    source = read("source_vocabulary") or shared or set()
    target = read("target_vocabulary") or shared or set()
    return source, target


def build_package(
    model_dir: Path,
    sp_model: Path,
    from_code: str,
    to_code: str,
    output: Path,
    *,
    version: str = "1.0",
    target_sp_model: Path | None = None,
    source_prefix: str = "",
    source_suffix: str = "",
    target_prefix: str = "",
    name: str | None = None,
    from_name: str = "",
    to_name: str = "",
    demo: bool = False,
) -> Path:
    """Make an `.argosmodel` from a CTranslate2 model dir and SentencePiece model(s); return its path."""
    for code in (from_code, to_code):
        if not re.fullmatch(r"[a-z]{2,3}", code):
            raise InputError(f"language code {code!r} must be 2-3 lowercase letters (ISO 639), e.g. kk")
    if not (model_dir / "model.bin").is_file():
        raise InputError("not a CTranslate2 model directory: no model.bin", model_dir)
    for sp in (sp_model, target_sp_model):
        if sp is not None and not sp.is_file():
            raise InputError("no such SentencePiece model", sp)
    source_vocab, target_vocab = _model_vocabularies(model_dir)
    for token, vocab, side in (
        (source_prefix, source_vocab, "source"),
        (source_suffix, source_vocab, "source"),
        (target_prefix, target_vocab, "target"),
    ):
        if token and token not in vocab:
            raise InputError(f"token {token!r} is not in the model's {side} vocabulary", model_dir)
    name = name or f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise InputError(f"package name {name!r} may hold only letters, digits, '.', '_' and '-'")
    metadata = {
        "package_version": version,
        "argos_version": "1.9",
        "code": f"translate-{from_code}_{to_code}",
        "type": "translate",
        "from_code": from_code,
        "from_name": from_name or from_code,
        "to_code": to_code,
        "to_name": to_name or to_code,
    }
    for key, value in (("source_prefix", source_prefix), ("source_suffix", source_suffix), ("target_prefix", target_prefix)):
        if value:
            metadata[key] = value
    if demo:
        metadata["demo"] = True
    # Load-test before writing anything: a package we make must run.
    staged = ModelPackage(
        metadata["code"], from_code, to_code, version, name, model_dir.parent,
        source_prefix, source_suffix, target_prefix,
    )
    from workflow.translate import Engine, _load_parts  # the engine that will run it, loaded only to build

    try:
        parts = _load_parts(model_dir, sp_model, target_sp_model or sp_model, 1, 1, "auto", "cpu")
        Engine(staged, 1, 1, *parts).translate(["Test."], max_tokens=4)
    except ModelError as exc:  # here the model is the user's input, not a missing install
        raise InputError(exc.message, exc.path) from None

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{name}/metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")
            zf.write(sp_model, f"{name}/{SP_MODEL}")
            if target_sp_model is not None:
                zf.write(target_sp_model, f"{name}/{TARGET_SP_MODEL}")
            for file in sorted(model_dir.rglob("*")):
                if file.is_file():
                    zf.write(file, f"{name}/model/{file.relative_to(model_dir).as_posix()}")

    atomic_write_with(output, write)  # zipped straight into the temp file: a model may not fit in memory twice
    return output


# --- the demonstration package --------------------------------------------------------------------
# A newcomer without a real model can still walk translate → review → publish: `workflow demo` builds a
# genuine CTranslate2 Transformer whose weights copy each source token to the output, so the drafts are
# the English text with the glossary's names put in. Its provenance says so in every PO entry, and the
# publish gate refuses such a draft until a translator has replaced it (review.py).

DEMO_VERSION = "0.0"
DEMO_CORPUS = (
    "The city opened a new public library on Monday.",
    "Officials said the report would be published next week.",
    "According to relatives, he was called by the migration service.",
    "Journalists ZXQ1 and ZXQ2 stay in place.",
    "Numbers like 18, 21 and 2026 appear in dates.",
    "Қазақстан азаматы Ресейде жұмыс істеген.",
    "Гражданин Казахстана работал в России.",
)


def demo_package_name(from_code: str, to_code: str) -> str:
    return f"translate-{from_code}_{to_code}-demo"


def build_demo_package(from_code: str, to_code: str, output: Path) -> Path:
    """Write a demonstration `.argosmodel` for the pair: a copy model, labelled demo, version 0.0."""
    import numpy as np
    import sentencepiece as spm
    from ctranslate2.specs import TransformerSpec

    with tempfile.TemporaryDirectory(prefix="workflow-demo-") as tmp:
        work = Path(tmp)
        buffer = __import__("io").BytesIO()
        # Byte fallback: every character of any article has pieces, so the copy is exact.
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(DEMO_CORPUS), model_writer=buffer, vocab_size=400, hard_vocab_limit=False,
            model_type="unigram", byte_fallback=True, character_coverage=1.0, normalization_rule_name="identity",
            remove_extra_whitespaces=False, split_digits=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
            num_threads=1, minloglevel=2,
        )
        sp_model = work / SP_MODEL
        sp_model.write_bytes(buffer.getvalue())
        sp = spm.SentencePieceProcessor(model_file=str(sp_model))
        vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        spec = _copy_spec(TransformerSpec, np, vocab)
        model_dir = work / "model"
        model_dir.mkdir()
        spec.save(str(model_dir))
        return build_package(
            model_dir, sp_model, from_code, to_code, output, version=DEMO_VERSION,
            name=demo_package_name(from_code, to_code), from_name=f"{from_code} (demo)", to_name=f"{to_code} (demo)", demo=True,
        )


def _copy_spec(TransformerSpec: Any, np: Any, vocab: list[str], d: int = 256, heads: int = 2, positions: int = 1024) -> Any:
    """A one-layer Transformer whose decoder position t attends only to source position t and emits its token."""
    V = len(vocab)
    pos_dims = 64
    tok_dims = d - pos_dims
    head = d // heads
    rng = np.random.default_rng(0)
    spec = TransformerSpec.from_config((1, 1), heads, rms_norm=True, pre_norm=True)
    spec.encoder.scale_embeddings = False
    spec.decoder.scale_embeddings = False
    zeros = lambda *dims: np.zeros(dims, dtype=np.float32)  # noqa: E731

    def norm(ln: Any) -> None:
        ln.gamma = np.ones(d, dtype=np.float32)

    def linear(lin: Any, weight: Any) -> None:
        lin.weight = weight
        lin.bias = zeros(weight.shape[0])

    for layer in (*spec.encoder.layer, *spec.decoder.layer):  # every residual branch adds zero ...
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], zeros(3 * d, d))
        linear(layer.self_attention.linear[1], zeros(d, d))
        if hasattr(layer, "attention"):
            norm(layer.attention.layer_norm)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, zeros(64, d))
        linear(layer.ffn.linear_1, zeros(d, 64))
    norm(spec.encoder.layer_norm)
    norm(spec.decoder.layer_norm)

    # ... except the decoder's cross-attention: tokens and positions are coded in separate dimensions.
    def codes(count: int, dims: int) -> Any:
        found = np.eye(dims, dtype=np.float32)[:count] if count <= dims else rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=(count, dims))
        return (found / np.linalg.norm(found, axis=1, keepdims=True)).astype(np.float32)

    tokens = codes(V, tok_dims)
    where = codes(positions, pos_dims)
    enc = zeros(V, d)
    enc[:, :tok_dims] = tokens
    spec.encoder.embeddings[0].weight = enc
    spec.decoder.embeddings.weight = zeros(V, d)  # the decoder knows where it is, never what it wrote
    table = zeros(positions, d)
    table[:, tok_dims:] = where
    spec.encoder.position_encodings.encodings = table
    spec.decoder.position_encodings.encodings = table.copy()
    enc_scale, dec_scale = np.sqrt(d / 2.0), np.sqrt(float(d))
    alpha = 60.0 * np.sqrt(head) / (enc_scale * dec_scale * 0.5)
    wq, wk, wv, wo = zeros(d, d), zeros(d, d), zeros(d, d), zeros(d, d)
    for h in range(heads):
        base = h * head
        for j in range(pos_dims):
            wq[base + j, tok_dims + j] = alpha
            wk[base + j, tok_dims + j] = 1.0
        for j in range(base, min(base + head, tok_dims)):
            wv[j, j] = 1.0 / enc_scale
            wo[j, j] = 1.0
    attn = spec.decoder.layer[0].attention
    attn.linear[0].weight = wq
    attn.linear[0].bias = zeros(d)
    attn.linear[1].weight = np.concatenate([wk, wv])
    attn.linear[1].bias = zeros(2 * d)
    attn.linear[2].weight = wo
    attn.linear[2].bias = zeros(d)
    proj = zeros(V, d)
    gap = 1.0 if V <= tok_dims else 1.0 - 4.5 / np.sqrt(tok_dims)
    proj[:, :tok_dims] = tokens * (30.0 / (np.sqrt(d / 2.0) * max(gap, 0.25)))
    linear(spec.decoder.projection, proj)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.config.add_source_eos = True  # the source's </s> is copied too: it ends the output
    spec.validate()
    spec.optimize()
    return spec
