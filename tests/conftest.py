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


# --- backends (workflow/backends/) -------------------------------------------------------------------
# A real LibreTranslate server, from its own virtualenv (scripts/setup-libretranslate; .ci/run sets
# WORKFLOW_LIBRETRANSLATE), serving the copy packages; and a real local Ray cluster.

LIBRETRANSLATE_VENV_EXE = REPO / ".ci" / "libretranslate-venv" / "bin" / "libretranslate"


def libretranslate_exe() -> Path:
    """The LibreTranslate executable the backend tests run; fails in CI (CI=true) if there is none."""
    found = os.environ.get("WORKFLOW_LIBRETRANSLATE") or (str(LIBRETRANSLATE_VENV_EXE) if LIBRETRANSLATE_VENV_EXE.is_file() else "")
    if found and Path(found).is_file():
        return Path(found)
    message = (
        "no LibreTranslate server to test against: run `bash scripts/setup-libretranslate` and set "
        "WORKFLOW_LIBRETRANSLATE to the path it prints (.ci/run does both)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def libretranslate_packages(tmp_path_factory, copy_package: dict[str, Path]) -> Path:
    """A packages dir for LibreTranslate: the copy packages, each with a blank spaCy pipeline.

    LibreTranslate's own sentence splitter (MiniSBD) downloads its models at run time; with
    ARGOS_CHUNK_TYPE=SPACY it uses the pipeline shipped in the package instead, offline.
    """
    import zipfile

    import spacy

    root = tmp_path_factory.mktemp("lt-packages")
    pipeline = tmp_path_factory.mktemp("lt-spacy") / "spacy"
    spacy.blank("en").to_disk(pipeline)
    for package in copy_package.values():
        with zipfile.ZipFile(package) as zf:
            zf.extractall(root)
            top = zf.namelist()[0].split("/")[0]
        shutil.copytree(pipeline, root / top / "spacy")
    return root


class LibreTranslateServer:
    """A LibreTranslate process on 127.0.0.1, started and stopped by the tests."""

    def __init__(self, exe: Path, packages: Path, home: Path, *args: str):
        import socket
        import subprocess

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        home.mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "ARGOS_PACKAGES_DIR": str(packages),
            "ARGOS_CHUNK_TYPE": "SPACY",
            "ARGOS_DEVICE_TYPE": "cpu",
            "ARGOS_BEAM_SIZE": "2",  # the project's beam size: same model, same settings, same output
        }
        self.log = (home / "server.log").open("wb")
        self.process = subprocess.Popen(
            [str(exe), "--host", "127.0.0.1", "--port", str(self.port), "--disable-web-ui", "--threads", "2", *args],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self, seconds: float = 180) -> None:
        import time
        import urllib.request

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"LibreTranslate exited ({self.process.returncode}); see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/languages", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"LibreTranslate did not answer within {seconds:.0f}s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="session")
def libretranslate_server(tmp_path_factory, libretranslate_packages: Path):
    """One LibreTranslate server for the session, serving en→kk and en→ru copy models."""
    server = LibreTranslateServer(libretranslate_exe(), libretranslate_packages, tmp_path_factory.mktemp("lt-home"))
    yield server
    server.stop()


@pytest.fixture
def start_libretranslate(tmp_path: Path, libretranslate_packages: Path):
    """Start a server of this test's own (to kill, or with other limits); all stopped at the end."""
    started: list[LibreTranslateServer] = []

    def start(*args: str, packages: Path = libretranslate_packages) -> LibreTranslateServer:
        server = LibreTranslateServer(libretranslate_exe(), packages, tmp_path / f"lt-home-{len(started)}", *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# --- end of backends ---------------------------------------------------------------------------------
