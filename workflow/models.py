"""Model packages: where they live, and listing, finding, installing and removing argostranslate packages.

Packages live in the directory each call is given (`--models-dir`, `paths.models`), else where
argostranslate keeps them (ARGOS_PACKAGES_DIR, else its XDG data dir); argostranslate's settings are
read for that default, never changed. Running a package is translate.py's job, making one modelbuild.py's.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
import urllib.request
import zipfile
import zlib
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
    from workflow.languages import model_hint

    # A language argos's index does not carry says in its own module where a model comes from.
    hint = model_hint(to_code) or model_hint(from_code)
    if hint:
        return hint
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
    from workflow.translate import load_engine

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
