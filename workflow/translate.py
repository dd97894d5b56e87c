"""Machine translation: argostranslate model packages (list, install, build, find) and a batched engine.

Packages live in the directory each call is given (`--models-dir`, `paths.models`), else where
argostranslate keeps them (ARGOS_PACKAGES_DIR, else its XDG data dir); argostranslate's settings are
read for that default, never changed. Installing, listing and removing packages is `models.py`'s job.
Inference runs through the package's CTranslate2 Translator and SentencePiece model directly:
argostranslate's own translate() would fetch sentence-splitting models at run time, and segments
arrive here already split.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import re
import shutil
import stat
import tempfile
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from workflow.errors import InputError, ModelError, StorageError
from workflow.review import DEMO_MARK

SP_MODEL = "sentencepiece.model"
TARGET_SP_MODEL = "target_sentencepiece.model"  # our extension: models whose two sides differ (OPUS-MT)
BPE_MODEL = "bpe.model"
STAGING_PREFIX = ".install-"  # dot dirs in the packages dir are ours, mid-install, never packages
INDEX_TIMEOUT = 15  # seconds: an unreachable package index must fail fast, not hang a newsroom script
CODE_SHAPE = re.compile(r"^translate-([a-z]{2,3})_([a-z]{2,3})$")


@dataclass(frozen=True)
class ModelPackage:
    """An installed argostranslate package, as metadata.json describes it."""

    code: str
    from_code: str
    to_code: str
    version: str
    name: str  # the package directory name
    path: Path
    source_prefix: str = field(default="", repr=False)  # our extension, e.g. "eng_Latn" or ">>kaz<<"
    source_suffix: str = field(default="", repr=False)  # our extension, e.g. "</s>" for NLLB
    target_prefix: str = field(default="", repr=False)  # argostranslate's own field, e.g. "kaz_Cyrl"
    demo: bool = field(default=False, repr=False)  # our extension: a demonstration package (`workflow demo`) that copies its input

    @property
    def provenance(self) -> str:
        # What goes into each draft's `# machine:` comment: a demo draft must never pass for a translation.
        return f"{self.code} {self.version} {DEMO_MARK}" if self.demo else f"{self.code} {self.version}"


# --- where models live ---------------------------------------------------------------------------


def models_dir(path: Path | None = None) -> Path:
    """The packages directory: `path` (--models-dir, paths.models), else ARGOS_PACKAGES_DIR, else argostranslate's.

    Nothing is changed to find it: argostranslate's settings are read, never repointed, so two
    projects' directories can be used one after the other in one process. It may not exist yet.
    """
    if path is not None:
        return Path(path).expanduser().resolve()
    env = os.environ.get("ARGOS_PACKAGES_DIR")
    if env:
        return Path(env).expanduser()
    from argostranslate import settings

    return Path(settings.package_data_dir)


def _package_dirs(path: Path | None) -> list[Path]:
    """Where packages are looked for: the one directory in use, plus argostranslate's bundled ones by default."""
    if path is not None or os.environ.get("ARGOS_PACKAGES_DIR"):
        return [models_dir(path)]
    from argostranslate import settings

    return [Path(p) for p in settings.package_dirs]


# --- reading packages ----------------------------------------------------------------------------


def _metadata_package(metadata: Any, name: str, path: Path, where: str | Path) -> ModelPackage:
    if not isinstance(metadata, dict):
        raise InputError(f"{name}/metadata.json is not a JSON object", where)
    from_code, to_code = metadata.get("from_code"), metadata.get("to_code")
    if not isinstance(from_code, str) or not isinstance(to_code, str) or not from_code or not to_code:
        raise InputError(f"{name}/metadata.json has no from_code and to_code", where)
    text = lambda key: str(metadata.get(key) or "")  # noqa: E731
    return ModelPackage(
        code=text("code") or f"translate-{from_code}_{to_code}",
        from_code=from_code,
        to_code=to_code,
        version=text("package_version") or "0",
        name=name,
        path=path,
        source_prefix=text("source_prefix"),
        source_suffix=text("source_suffix"),
        target_prefix=text("target_prefix"),
        demo=metadata.get("demo") is True,
    )


def read_package(path: Path) -> ModelPackage:
    """The package installed in directory `path`."""
    meta = path / "metadata.json"
    try:
        metadata = json.loads(meta.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("not a model package: no metadata.json", path) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"metadata.json is not valid JSON ({exc})", meta) from None
    return _metadata_package(metadata, path.name, path, meta)


def list_packages(where: Path | None = None) -> list[ModelPackage]:
    """Packages installed in `where` (see `models_dir`), sorted by code then version."""
    found = []
    for directory in _package_dirs(where):
        if not directory.is_dir():
            continue
        for sub in sorted(directory.iterdir()):
            if sub.name.startswith(".") or not sub.is_dir() or not (sub / "metadata.json").is_file():
                continue
            try:
                meta = json.loads((sub / "metadata.json").read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue  # argostranslate would choke too; `models list` must still show the rest
            if isinstance(meta, dict) and meta.get("type", "translate") == "translate":
                with contextlib.suppress(InputError):
                    found.append(_metadata_package(meta, sub.name, sub, sub / "metadata.json"))
    return sorted(found, key=lambda p: (p.code, _version_key(p.version), p.name))


def _version_key(version: str) -> tuple:
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version), version)
    except InvalidVersion:
        return (0, Version("0"), version)


def install_hint(from_code: str, to_code: str) -> str:
    """The command that gets a model for this pair, for error messages."""
    if to_code == "kk" or from_code == "kk":
        return "workflow models install PATH.argosmodel (see README 'Getting a Kazakh model')"
    return (
        f"workflow models install translate-{from_code}_{to_code} (online) "
        "or workflow models install PATH.argosmodel"
    )


def find_package(from_code: str, to_code: str, where: Path | None = None) -> ModelPackage:
    """The newest package for the pair installed in `where`; ModelError naming the install command if none."""
    matches = [p for p in list_packages(where) if p.from_code == from_code and p.to_code == to_code]
    if not matches:
        raise ModelError(f"no {from_code}→{to_code} model installed; install one with: {install_hint(from_code, to_code)}")
    return max(matches, key=_preference)


def _preference(pkg: ModelPackage) -> tuple:
    # Any real model beats a demonstration package, whatever the version numbers say.
    return (not pkg.demo, _version_key(pkg.version))


def packages_in_use(where: Path | None = None) -> dict[tuple[str, str], ModelPackage]:
    """The package `translate` uses for each installed language pair (a real one over a demo, then the newest)."""
    chosen: dict[tuple[str, str], ModelPackage] = {}
    for pkg in list_packages(where):
        pair = (pkg.from_code, pkg.to_code)
        if pair not in chosen or _preference(pkg) > _preference(chosen[pair]):
            chosen[pair] = pkg
    return chosen


def remove_package(code_or_name: str, where: Path | None = None) -> ModelPackage:
    """Uninstall the package with this directory name, or this code if only one version of it is installed.

    The directory is renamed out of the way first, so a run that dies midway leaves it installed or gone.
    """
    packages = list_packages(where)
    matches = [p for p in packages if p.name == code_or_name] or [p for p in packages if p.code == code_or_name]
    if not matches:
        known = ", ".join(p.name for p in packages) or "none"
        raise InputError(f"no installed package {code_or_name!r} (installed: {known}); nothing removed")
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches)
        raise InputError(f"{len(matches)} versions of {code_or_name} are installed ({names}): name the one to remove; nothing removed")
    pkg = matches[0]
    parking: Path | None = None
    try:
        if pkg.path.is_symlink():
            pkg.path.unlink()  # a linked package: remove the link, never what it points to
        else:
            parking = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=pkg.path.parent))
            os.replace(pkg.path, parking / pkg.name)
    except OSError as exc:
        if parking is not None:
            with contextlib.suppress(OSError):
                parking.rmdir()
        raise StorageError(f"cannot remove the package ({exc.strerror}); nothing removed", pkg.path) from None
    if parking is not None:
        shutil.rmtree(parking, ignore_errors=True)
    _clear_argos_cache()
    return pkg


# --- installing ----------------------------------------------------------------------------------


def _check_members(zf: zipfile.ZipFile, source: Path) -> str:
    """Validate every member path before anything is extracted; return the single top directory."""
    tops = set()
    names = set()
    for info in zf.infolist():
        name = info.filename
        pure = PurePosixPath(name)
        mode = info.external_attr >> 16
        if (
            not name
            or "\\" in name
            or "\x00" in name
            or name.startswith("/")
            or re.match(r"^[A-Za-z]:", name)
            or any(part in ("..", "") for part in name.rstrip("/").split("/"))
        ):
            raise InputError(f"unsafe member path {name!r} would escape the packages directory; nothing installed", source)
        if stat.S_ISLNK(mode):
            raise InputError(f"member {name!r} is a symbolic link; nothing installed", source)
        tops.add(pure.parts[0])
        names.add(name.rstrip("/"))
    if len(tops) != 1:
        raise InputError(
            f"a package holds exactly one top-level directory, found {len(tops)}; nothing installed", source
        )
    top = tops.pop()
    if top.startswith("."):
        raise InputError(f"package directory {top!r} is hidden; nothing installed", source)
    if f"{top}/metadata.json" not in names:
        raise InputError(f"not a model package: no {top}/metadata.json; nothing installed", source)
    if not any(n.startswith(f"{top}/model/") for n in names):
        raise InputError(f"not a model package: no {top}/model/ directory; nothing installed", source)
    if f"{top}/{SP_MODEL}" not in names and f"{top}/{BPE_MODEL}" not in names:
        raise InputError(f"not a model package: no {top}/{SP_MODEL} or {BPE_MODEL}; nothing installed", source)
    return top


# Model weights, vocabularies and SentencePiece models compress a few times at most; a member that
# inflates a hundredfold is a zip bomb, not a model. Small members (metadata, README) may compress better.
MAX_RATIO = 100
RATIO_FREE_BYTES = 1 << 20


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _check_sizes(zf: zipfile.ZipFile, source: Path, target_root: Path) -> None:
    """Refuse, from the sizes the archive declares, what would fill the disk: before a byte is extracted.

    zipfile stops a member at its declared size, so the declared sizes bound what extraction writes.
    """
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise InputError(
                f"member {info.filename!r} would inflate {ratio}-fold ({_size(info.file_size)} from "
                f"{_size(info.compress_size)}); refusing what looks like a zip bomb; nothing installed",
                source,
            )
    existing = next(p for p in (target_root, *target_root.parents) if p.exists())
    free = shutil.disk_usage(existing).free
    if total > free:
        raise InputError(
            f"the package unpacks to {_size(total)} but {existing} has only {_size(free)} free; nothing installed",
            source,
        )


def _extract(zf: zipfile.ZipFile, dest: Path) -> None:
    # Members were validated; extract one by one so nothing but plain files and dirs is created.
    for info in zf.infolist():
        target = dest / info.filename
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)


def _smoke_test(pkg: ModelPackage, where: Path) -> None:
    """Load the model and tokenizer and translate one word: a package that installs must also run."""
    try:
        engine = load_engine(pkg, beam_size=1, batch_size=1, inter_threads=1, intra_threads=1)
        engine.translate(["Test."], max_tokens=4)
    except ModelError as exc:
        raise InputError(f"{exc.message}; nothing installed", where) from None


def install_package(source: str | Path, where: Path | None = None) -> ModelPackage:
    """Install a local `.argosmodel` file, or fetch a package code such as `translate-en_ru` from the index."""
    path = Path(source).expanduser()
    if path.is_file():
        return install_file(path, where)
    if CODE_SHAPE.match(str(source)):
        return _install_from_index(str(source), where)
    raise InputError(
        "no such file; pass a .argosmodel file or a package code such as translate-en_ru", source
    )


def install_file(source: Path, where: Path | None = None) -> ModelPackage:
    """Validate, extract to a staging dir in `where` (see `models_dir`), load-test, then move into place."""
    if not zipfile.is_zipfile(source):
        raise InputError("not a model package: not a zip archive; nothing installed", source)
    target_root = models_dir(where)
    created = not target_root.exists()
    staging: Path | None = None
    final: Path | None = None
    try:
        try:
            with zipfile.ZipFile(source) as zf:
                # Everything is checked before the first byte is written: argostranslate's own
                # install_from_path would extractall() whatever the archive names.
                top = _check_members(zf, source)
                _check_sizes(zf, source, target_root)
                bad = zf.testzip()
                if bad is not None:
                    raise InputError(f"corrupt archive: member {bad!r} fails its checksum; nothing installed", source)
                try:
                    metadata = json.loads(zf.read(f"{top}/metadata.json").decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    raise InputError(f"{top}/metadata.json is not valid JSON; nothing installed", source) from None
                _metadata_package(metadata, top, target_root / top, source)
                target_root.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target_root))
                _extract(zf, staging)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, zlib.error) as exc:
            raise InputError(f"corrupt archive ({exc}); nothing installed", source) from None
        except StorageError:
            raise
        except OSError as exc:
            if exc.filename == str(source):
                raise InputError(f"cannot read package ({exc.strerror})", source) from None
            # A full or read-only packages dir: the staging dir goes (finally below), nothing is installed.
            raise StorageError(f"cannot install: {exc.strerror}; nothing installed", source) from None
        staged = staging / top
        _smoke_test(read_package(staged), source)
        final = target_root / top
        if final.exists():
            # Reinstall: swap by renames so readers see the old or the new package, never a mix.
            old = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target_root)) / top
            os.replace(final, old)
            os.replace(staged, final)
            shutil.rmtree(old.parent, ignore_errors=True)
        else:
            os.replace(staged, final)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and final is None:
            with contextlib.suppress(OSError):  # refused: a packages dir made for this install goes too
                target_root.rmdir()
    _clear_argos_cache()
    return read_package(final)


def _clear_argos_cache() -> None:
    import sys

    # argostranslate caches its language list; only clear it if it was loaded already.
    mod = sys.modules.get("argostranslate.translate")
    if mod is not None:
        with contextlib.suppress(Exception):
            mod.get_installed_languages.cache_clear()


def _install_from_index(code: str, where: Path | None) -> ModelPackage:
    from argostranslate import package as argos_package
    from argostranslate import settings

    offline = (
        f"cannot reach the argostranslate package index to fetch {code}; "
        "offline, install from a file instead: workflow models install PATH.argosmodel"
    )
    try:
        with urllib.request.urlopen(settings.remote_package_index, timeout=INDEX_TIMEOUT) as response:
            index = response.read()
        json.loads(index)
    except Exception:  # any network or parse failure means the same thing to the user
        raise ModelError(offline) from None
    Path(settings.local_package_index).parent.mkdir(parents=True, exist_ok=True)
    Path(settings.local_package_index).write_bytes(index)
    from_code, to_code = CODE_SHAPE.match(code).groups()
    available = [
        p
        for p in argos_package.get_available_packages()
        if p.type == "translate" and p.from_code == from_code and p.to_code == to_code
    ]
    if not available:
        raise ModelError(f"the package index has no {code}; {install_hint(from_code, to_code)}")
    best = max(available, key=lambda p: _version_key(p.package_version))
    try:
        downloaded = Path(best.download())
    except Exception:
        raise ModelError(offline) from None
    try:
        return install_file(downloaded, where)
    finally:
        with contextlib.suppress(OSError):
            downloaded.unlink()


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
    try:
        parts = _load_parts(model_dir, sp_model, target_sp_model or sp_model, 1, 1, "auto", "cpu")
        Engine(staged, 1, 1, *parts).translate(["Test."], max_tokens=4)
    except ModelError as exc:  # here the model is the user's input, not a missing install
        raise InputError(exc.message, exc.path) from None

    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{name}/metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")
            zf.write(sp_model, f"{name}/{SP_MODEL}")
            if target_sp_model is not None:
                zf.write(target_sp_model, f"{name}/{TARGET_SP_MODEL}")
            for file in sorted(model_dir.rglob("*")):
                if file.is_file():
                    zf.write(file, f"{name}/model/{file.relative_to(model_dir).as_posix()}")
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
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
