"""Shared fixtures. The first lines keep every test away from the user's home and argos data."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# argostranslate reads these once, at import time: set them before anything imports it.
_SANDBOX = Path(tempfile.mkdtemp(prefix="workflow-tests-"))
for _var, _sub in (
    ("HOME", "home"),
    ("XDG_DATA_HOME", "xdg-data"),
    ("XDG_CONFIG_HOME", "xdg-config"),
    ("XDG_CACHE_HOME", "xdg-cache"),
    ("ARGOS_PACKAGES_DIR", "argos-packages"),
):
    os.environ[_var] = str(_SANDBOX / _sub)
    (_SANDBOX / _sub).mkdir(parents=True, exist_ok=True)
os.environ["ARGOS_DEVICE_TYPE"] = "cpu"
os.environ["SOURCE_DATE_EPOCH"] = "1795003200"  # 2026-11-18T00:00:00Z: a fixed clock for CLI runs

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE_SLUG = "kazakh-migrant-refused-war-contract"


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A copy of the repo's project (config, articles, glossary) in a temp dir, with empty locales."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "workflow.toml", root / "workflow.toml")
    shutil.copytree(REPO / "articles", root / "articles")
    shutil.copytree(REPO / "glossary", root / "glossary")
    (root / "locales").mkdir()
    return root


@pytest.fixture
def sample_path(project_dir: Path) -> Path:
    return project_dir / "articles" / f"{SAMPLE_SLUG}.md"


def tree_digest(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: compare before and after to prove nothing changed."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- model packages (translate.py) -----------------------------------------------------------------
# Real argostranslate packages built offline by tests/modelkit.py, once per session. "tiny" ones have
# random weights (gibberish out, real path); "copy" ones translate every text into itself.

MODEL_PAIRS = ("kk", "ru")


def _build_packages(tmp_path_factory, kind: str) -> dict[str, Path]:
    from tests import modelkit

    out = tmp_path_factory.mktemp(f"{kind}-packages")
    return {to: modelkit.build_package(out, modelkit.PackageSpec(to_code=to, kind=kind)) for to in MODEL_PAIRS}


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory) -> dict[str, Path]:
    """Random-weight `.argosmodel` files by target locale: {"kk": path, "ru": path} (en→kk, en→ru)."""
    return _build_packages(tmp_path_factory, "random")


@pytest.fixture(scope="session")
def copy_package(tmp_path_factory) -> dict[str, Path]:
    """Copy-model `.argosmodel` files by target locale; their translation of any text is the text itself."""
    return _build_packages(tmp_path_factory, "copy")


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty packages dir for this test; env and argostranslate's settings point at it, restored after."""
    import argostranslate.settings as argos_settings

    path = tmp_path / "argos-packages"
    path.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(path))
    monkeypatch.setattr(argos_settings, "package_data_dir", path)
    monkeypatch.setattr(argos_settings, "package_dirs", [path])
    return path


@pytest.fixture
def installed_models(models_dir: Path, copy_package: dict[str, Path]) -> Path:
    """The copy packages for en→kk and en→ru installed in `models_dir` (subprocesses inherit it via env)."""
    from workflow.translate import install_file

    for package in copy_package.values():
        install_file(package)
    return models_dir


# --- end of model packages ---------------------------------------------------------------------------
