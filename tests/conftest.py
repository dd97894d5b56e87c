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
