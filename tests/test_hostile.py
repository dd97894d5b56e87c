"""Operating-system faults and hostile files: one `Error:` line, the documented exit code, nothing changed.

Each case builds a project, then breaks its surroundings the way a full disk, a read-only mount, a
stray symlink, a FIFO or a directory where a file belongs would, and runs the real CLI as a
subprocess. Every case must end with exactly one stderr line `Error: <path>: <message>`, no
traceback, exit code 1 (the README's "bad input" code), within a timeout (a FIFO must not hang a
run holding the lock), the project tree byte-identical (files, directories and symlinks), and
nothing outside the project read into the message or written.

The tests run as root on the team's machines, where chmod does not stop a write: read-only trees
are read-only bind mounts and a full disk is a full tmpfs there; a non-root run uses chmod and
RLIMIT_FSIZE instead, which do stop it.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE_SLUG
from tests.test_bad_input import PO_RU, SAMPLE, accept_all, sample_catalogs, snapshot, with_catalog
from workflow.storage import LOCK_NAME

ROOT = os.geteuid() == 0
TIMEOUT = 60
POT = f"locales/templates/{SAMPLE_SLUG}.pot"
STATE = "locales/.translate-state.json"
EDITION = f"public/ru/{SAMPLE_SLUG}.html"
MANIFEST = "public/manifest.json"
GLOSSARY = "glossary/terms.csv"
SECRET = "precious outside bytes\n"
NEW_PARAGRAPH = "\nA new paragraph was added after the translation was made.\n"


# --- the world around the project ------------------------------------------------------------------


@dataclass
class World:
    """The project and a directory beside it that is not the project's, plus clean-up for mounts."""

    root: Path
    outside: Path
    cleanup: contextlib.ExitStack
    fsize: int | None = None  # RLIMIT_FSIZE for the command (non-root stand-in for a full disk)


def links(root: Path) -> dict[str, str]:
    """Every symlink under root with its target: a link replaced by a file must show up as a change."""
    return {p.relative_to(root).as_posix(): os.readlink(p) for p in root.rglob("*") if p.is_symlink()}


def outside_state(world: World) -> dict[str, bytes | None]:
    return snapshot(world.outside)


def run(world: World, *argv: str) -> subprocess.CompletedProcess:
    """`python -m workflow ARGV` in the project, as a user runs it; a hang is a failure, not a wait."""

    def limit() -> None:
        if world.fsize is not None:
            # Without this the kernel kills the writer with SIGXFSZ; ignored, the write fails with EFBIG.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (world.fsize, world.fsize))

    return subprocess.run(
        [sys.executable, "-m", "workflow", *argv],
        cwd=world.root,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=limit,
    )


def read_only(world: World, rel: str) -> None:
    """Make `rel` (a file or directory) unwritable in a way that holds even for root."""
    path = world.root / rel
    if not path.exists():
        path.mkdir(parents=True)
    if ROOT:
        # A read-only bind mount of the path onto itself: works on any file system, for files too.
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        world.cleanup.callback(subprocess.run, ["umount", "-l", str(path)], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path), str(path)], check=True)
    else:
        # Folders lose their write bit (their files stay readable); a lone file gets mode 000.
        for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
            if p.is_dir() or p == path:
                world.cleanup.callback(p.chmod, p.stat().st_mode & 0o777)
                p.chmod(0o555 if p.is_dir() else 0)


def full_disk(world: World, rel: str, size: str = "256k", fill: bool = True) -> None:
    """Put directory `rel` on a small file system (its files kept), with no space left if `fill`."""
    path = world.root / rel
    path.mkdir(parents=True, exist_ok=True)
    if not ROOT:
        world.fsize = 1  # every write of more than a byte fails, as on a full disk
        return
    keep = world.outside / "keep"
    shutil.copytree(path, keep)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    world.cleanup.callback(subprocess.run, ["umount", "-l", str(path)], check=True)
    shutil.copytree(keep, path, dirs_exist_ok=True)
    shutil.rmtree(keep)
    if not fill:
        return
    # Fill it to the last block (the filler is part of the project the run must leave as it was).
    with open(path / ".filler", "wb", buffering=0) as filler:
        with contextlib.suppress(OSError):
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()


def unopenable(world: World, rel: str) -> None:
    """A file nobody may open for writing: mode 000 for a user, a read-only bind mount for root."""
    (world.root / rel).touch()
    read_only(world, rel)


def fifo(world: World, rel: str) -> None:
    path = world.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    os.mkfifo(path)


def directory(world: World, rel: str) -> None:
    path = world.root / rel
    if path.is_file():
        path.unlink()
    (path / "inside").mkdir(parents=True)


def symlink(world: World, rel: str, target: Path) -> None:
    path = world.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


# --- project states ---------------------------------------------------------------------------------


def catalog_ru(world: World) -> None:
    with_catalog(world.root)


def edited(world: World) -> None:
    """A Russian catalog exists and the article has gained a sentence: `translate` must write the PO."""
    with_catalog(world.root)
    with open(world.root / SAMPLE, "a", encoding="utf-8") as article:
        article.write(NEW_PARAGRAPH)


def reviewed(world: World) -> None:
    """The sample's Russian catalog fully accepted: `publish` has an edition to write.

    The drafts ("ru: <English>") keep no glossary term, so the glossary is emptied to let them pass.
    """
    glossary = world.root / GLOSSARY
    glossary.write_text(glossary.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    accept_all(with_catalog(world.root))


def published(world: World) -> None:
    reviewed(world)
    result = run(world, "publish", "--locale", "ru")
    assert result.returncode == 0, result.stderr


def article_outside(world: World) -> None:
    text = (REPO / SAMPLE).read_text(encoding="utf-8").replace(SAMPLE_SLUG, "outside-story")
    (world.outside / "story.md").write_text(text, encoding="utf-8")
    symlink(world, "articles/outside-story.md", world.outside / "story.md")


def locale_dir_outside(world: World) -> None:
    (world.outside / "ru").mkdir()
    symlink(world, "locales/ru", world.outside / "ru")


def po_to_passwd(world: World) -> None:
    symlink(world, PO_RU, Path("/etc/passwd"))


def secret_file(world: World) -> Path:
    target = world.outside / "secret.txt"
    target.write_text(SECRET, encoding="utf-8")
    return target


def long_slug(world: World) -> None:
    slug = "-".join(["a" * 60] * 4) + "b"
    assert len(slug) == 244
    text = (REPO / SAMPLE).read_text(encoding="utf-8").replace(SAMPLE_SLUG, slug)
    (world.root / "articles" / "long.md").write_text(text, encoding="utf-8")


def bomb(world: World) -> None:
    """An .argosmodel whose model.bin inflates 1,000-fold: 64 MiB of zeros in about 64 KiB."""
    (world.root / "models").mkdir()
    path = world.root / "incoming" / "bomb.argosmodel"
    path.parent.mkdir()
    meta = '{"package_version": "1.0", "from_code": "en", "to_code": "kk", "code": "translate-en_kk", "type": "translate"}'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/metadata.json", meta)
        zf.writestr("pkg/sentencepiece.model", b"tokenizer")
        with zf.open("pkg/model/model.bin", "w") as member:
            zero = bytes(1 << 20)
            for _ in range(64):
                member.write(zero)


def big_package(world: World) -> None:
    """An honest package (2 MiB of incompressible weights) for a disk that cannot hold it."""
    (world.root / "models").mkdir()
    path = world.root / "incoming" / "big.argosmodel"
    path.parent.mkdir()
    meta = '{"package_version": "1.0", "from_code": "en", "to_code": "kk", "code": "translate-en_kk", "type": "translate"}'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/metadata.json", meta)
        zf.writestr("pkg/sentencepiece.model", b"tokenizer")
        zf.writestr("pkg/model/model.bin", os.urandom(2 << 20))


# --- the matrix ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    name: str
    setup: Callable[[World], None]
    argv: tuple[str, ...]
    stderr: str  # a regular expression the single stderr line must match in full
    models: bool = False  # the run needs the copy models (it gets past its model check)
    # Files and folders the good article's work changes: one bad article stops only itself.
    proceeds: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        re.compile(self.stderr)


def steps(*parts: Callable[[World], None]) -> Callable[[World], None]:
    def setup(world: World) -> None:
        for part in parts:
            part(world)

    return setup


TRANSLATE = ("translate", "--quiet")
# Faults in the Russian catalog are run for Russian alone: no other catalog could proceed and change the project.
TRANSLATE_RU = (*TRANSLATE, "--locale", "ru")
GLOSSARY_ADD = ("glossary", "add", "Astana", "--target", "kk=Астана", "--target", "ru=Астана", "--kind", "place")
OUTSIDE_LINK = "resolves through a symbolic link to /.*, outside the project; refused \\(the workflow reads and writes only inside the project\\)"
NOT_A_FILE_DIR = "is a directory, not a file"
NOT_A_FILE_FIFO = "is a named pipe \\(FIFO\\), not a regular file"
NO_SPACE = "cannot write: (No space left on device|File too large)"
READ_ONLY_FS = "cannot write: (Read-only file system|Permission denied)"
LOCK = re.escape(LOCK_NAME)
PO = re.escape(PO_RU)
ARTICLE = re.escape(SAMPLE)


def each(
    commands: dict[str, tuple[tuple[str, ...], bool]], name: str, setup, stderr: str, proceeds: dict[str, frozenset[str]] | None = None
) -> list[Fault]:
    return [Fault(f"{name}-{cmd}", setup, argv, stderr, models, (proceeds or {}).get(cmd, frozenset())) for cmd, (argv, models) in commands.items()]


WRITERS = {
    "translate": (TRANSLATE, True),
    "publish": (("publish",), False),
    "glossary-add": (GLOSSARY_ADD, False),
}
READERS = {
    "translate": (TRANSLATE_RU, True),
    "review": (("review",), False),
    "publish": (("publish",), False),
}

FAULTS = [
    # Out of bounds: links that lead outside the project are refused, read or written.
    *each(
        READERS,
        "article-symlink-outside",
        article_outside,
        f"Error: articles/outside-story\\.md: {OUTSIDE_LINK}",
        proceeds={"translate": sample_catalogs("ru")},  # the sample beside it is translated
    ),
    *each(READERS, "po-symlink-to-passwd", steps(catalog_ru, po_to_passwd), f"Error: {PO}: {OUTSIDE_LINK}"),
    Fault("locale-dir-symlink-outside-translate", locale_dir_outside, TRANSLATE_RU,
          f"Error: locales/ru/LC_MESSAGES: {OUTSIDE_LINK}", models=True),
    Fault("glossary-symlink-outside-list", lambda w: symlink(w, GLOSSARY, secret_file(w)), ("glossary", "list"),
          f"Error: {re.escape(GLOSSARY)}: {OUTSIDE_LINK}"),
    *each(WRITERS, "lock-symlink-outside", lambda w: symlink(w, LOCK_NAME, secret_file(w)),
          f"Error: {LOCK}: is a symbolic link, not the lock file; remove it"),
    Fault("lock-dangling-symlink-glossary-add", lambda w: symlink(w, LOCK_NAME, w.outside / "created-by-lock"), GLOSSARY_ADD,
          f"Error: {LOCK}: is a symbolic link, not the lock file; remove it"),
    # A link or a read-only file is the user's choice: the workflow will not replace it.
    Fault("po-symlink-inside-translate",
          steps(edited, lambda w: (w.root / "kept").mkdir(), lambda w: (w.root / PO_RU).rename(w.root / "kept" / "ru.po"),
                lambda w: symlink(w, PO_RU, Path("../../../kept/ru.po"))),
          TRANSLATE_RU, f"Error: {PO}: is a symbolic link; the workflow does not replace links with files: .*", models=True),
    Fault("po-read-only-translate", steps(edited, lambda w: (w.root / PO_RU).chmod(0o444)), TRANSLATE_RU,
          f"Error: {PO}: is read-only; make it writable to let the workflow update it", models=True),
    # Errors, not tracebacks: full disks and read-only trees.
    Fault("disk-full-translate", lambda w: full_disk(w, "locales"), TRANSLATE, f"Error: locales/.*: {NO_SPACE}", models=True),
    Fault("disk-full-publish", steps(reviewed, lambda w: full_disk(w, "public")), ("publish",), f"Error: public/.*: {NO_SPACE}"),
    Fault("disk-full-glossary-add", lambda w: full_disk(w, "glossary"), GLOSSARY_ADD,
          f"Error: {re.escape(GLOSSARY)}: {NO_SPACE}"),
    Fault("read-only-locales-translate", lambda w: read_only(w, "locales"), TRANSLATE, f"Error: locales/.*: {READ_ONLY_FS}", models=True),
    Fault("read-only-public-publish", steps(reviewed, lambda w: read_only(w, "public")), ("publish",),
          f"Error: public/.*: {READ_ONLY_FS}"),
    Fault("read-only-glossary-add", lambda w: read_only(w, "glossary"), GLOSSARY_ADD,
          f"Error: {re.escape(GLOSSARY)}: {READ_ONLY_FS}"),
    # The lock file itself.
    *each(WRITERS, "lock-unopenable", lambda w: unopenable(w, LOCK_NAME),
          f"Error: {LOCK}: cannot open the lock file: (Read-only file system|Permission denied)"),
    *each(WRITERS, "lock-is-a-directory", lambda w: directory(w, LOCK_NAME), f"Error: {LOCK}: {NOT_A_FILE_DIR}"),
    Fault("lock-is-a-fifo-publish", lambda w: fifo(w, LOCK_NAME), ("publish",), f"Error: {LOCK}: {NOT_A_FILE_FIFO}"),
    # A directory where a file belongs.
    *each(READERS, "po-is-a-directory", lambda w: directory(w, PO_RU), f"Error: {PO}: {NOT_A_FILE_DIR}"),
    Fault("pot-is-a-directory-translate", lambda w: directory(w, POT), TRANSLATE,
          f"Error: {re.escape(POT)}: {NOT_A_FILE_DIR}", models=True),
    Fault("state-is-a-directory-translate", lambda w: directory(w, STATE), TRANSLATE,
          f"Error: {re.escape(STATE)}: {NOT_A_FILE_DIR}", models=True),
    Fault("edition-is-a-directory-publish", steps(reviewed, lambda w: directory(w, EDITION)), ("publish",),
          f"Error: {re.escape(EDITION)}: {NOT_A_FILE_DIR}"),
    Fault("manifest-is-a-directory-publish", steps(reviewed, lambda w: directory(w, MANIFEST)), ("publish",),
          f"Error: {re.escape(MANIFEST)}: {NOT_A_FILE_DIR}"),
    Fault("glossary-is-a-directory-list", lambda w: directory(w, GLOSSARY), ("glossary", "list"),
          f"Error: {re.escape(GLOSSARY)}: {NOT_A_FILE_DIR}"),
    # A FIFO where a file belongs: refused at once, not read (which would hang while holding the lock).
    *each(READERS, "po-is-a-fifo", lambda w: fifo(w, PO_RU), f"Error: {PO}: {NOT_A_FILE_FIFO}"),
    *each(READERS, "article-is-a-fifo", lambda w: fifo(w, "articles/piped.md"), f"Error: articles/piped\\.md: {NOT_A_FILE_FIFO}",
          proceeds={"translate": sample_catalogs("ru")}),
    Fault("glossary-is-a-fifo-translate", lambda w: fifo(w, GLOSSARY), TRANSLATE,
          f"Error: {re.escape(GLOSSARY)}: {NOT_A_FILE_FIFO}", models=True),
    Fault("glossary-is-a-fifo-add", lambda w: fifo(w, GLOSSARY), GLOSSARY_ADD, f"Error: {re.escape(GLOSSARY)}: {NOT_A_FILE_FIFO}"),
    Fault("state-is-a-fifo-translate", lambda w: fifo(w, STATE), TRANSLATE,
          f"Error: {re.escape(STATE)}: {NOT_A_FILE_FIFO}", models=True),
    Fault("manifest-is-a-fifo-publish", steps(published, lambda w: fifo(w, MANIFEST)), ("publish",),
          f"Error: {re.escape(MANIFEST)}: {NOT_A_FILE_FIFO}"),
    Fault("pot-is-a-fifo-translate", lambda w: fifo(w, POT), TRANSLATE, f"Error: {re.escape(POT)}: {NOT_A_FILE_FIFO}", models=True),
    Fault("edition-is-a-fifo-publish", steps(reviewed, lambda w: fifo(w, EDITION)), ("publish",),
          f"Error: {re.escape(EDITION)}: {NOT_A_FILE_FIFO}"),
    Fault("config-is-a-fifo-review", lambda w: fifo(w, "workflow.toml"), ("review",), f"Error: workflow\\.toml: {NOT_A_FILE_FIFO}"),
    # A file where a folder belongs, and folders linked out of the project.
    Fault("locale-folder-is-a-file-translate", lambda w: (w.root / "locales" / "ru").write_text("not a folder\n"), TRANSLATE_RU,
          "Error: locales/ru/LC_MESSAGES: cannot write in it: one of its folders is a file, not a directory", models=True),
    Fault("templates-symlink-outside-translate", lambda w: symlink(w, "locales/templates", w.outside), TRANSLATE,
          f"Error: locales/templates: {OUTSIDE_LINK}", models=True),
    Fault("public-locale-symlink-outside-publish", steps(reviewed, lambda w: (w.root / "public").mkdir(),
                                                         lambda w: symlink(w, "public/ru", w.outside)), ("publish",),
          f"Error: public/ru/{re.escape(SAMPLE_SLUG)}\\.md: refusing to write ru/{re.escape(SAMPLE_SLUG)}\\.md: "
          "it resolves outside the output directory /.*"),
    # Links and read-only files the user put in place are not replaced.
    Fault("edition-symlink-inside-publish",
          steps(published, lambda w: (w.root / EDITION).rename(w.root / "public" / "kept.html"),
                lambda w: symlink(w, EDITION, Path("../kept.html")), lambda w: (w.root / "public" / "kept.html").write_text("an older page\n")),
          ("publish",), f"Error: {re.escape(EDITION)}: is a symbolic link; the workflow does not replace links with files: .*"),
    Fault("edition-read-only-publish",
          steps(published, lambda w: (w.root / EDITION).write_text("an editor's hand-fixed page\n"), lambda w: (w.root / EDITION).chmod(0o444)),
          ("publish",), f"Error: {re.escape(EDITION)}: is read-only; make it writable to let the workflow update it"),
    Fault("glossary-import-symlink-to-passwd", lambda w: symlink(w, "incoming/terms.csv", Path("/etc/passwd")),
          ("glossary", "import", "incoming/terms.csv"), f"Error: incoming/terms\\.csv: {OUTSIDE_LINK}"),
    Fault("glossary-read-only-add", lambda w: (w.root / GLOSSARY).chmod(0o444), GLOSSARY_ADD,
          f"Error: {re.escape(GLOSSARY)}: is read-only; make it writable to let the workflow update it"),
    Fault("glossary-symlink-inside-add",
          steps(lambda w: (w.root / GLOSSARY).rename(w.root / "shared-terms.csv"), lambda w: symlink(w, GLOSSARY, Path("../shared-terms.csv"))),
          GLOSSARY_ADD, f"Error: {re.escape(GLOSSARY)}: is a symbolic link; the workflow does not replace links with files: .*"),
    # Names the file system cannot hold are refused before anything is written.
    *each(READERS, "slug-244-characters", long_slug,
          "Error: articles/long\\.md:4: slug is 244 characters long; at most 200 \\(it names files\\)",
          proceeds={"translate": sample_catalogs("ru")}),
    # Commands given a directory where they write or read one file.
    Fault("glossary-export-to-a-directory", lambda w: None, ("glossary", "export", "-o", "glossary"),
          f"Error: glossary: {NOT_A_FILE_DIR}"),
    Fault("glossary-import-a-fifo", lambda w: fifo(w, "incoming/terms.csv"), ("glossary", "import", "incoming/terms.csv"),
          f"Error: incoming/terms\\.csv: {NOT_A_FILE_FIFO}"),
    Fault("init-where-articles-is-a-file", lambda w: ((w.root / "workflow.toml").unlink(), shutil.rmtree(w.root / "articles"),
                                                       (w.root / "articles").write_text("not a folder\n")),
          ("init", "--project", "."), "Error: articles: exists and is not a directory; move it away or pass --project DIR"),
    # Model packages: declared sizes and compression ratio are checked before a byte is extracted.
    Fault("model-zip-bomb", bomb, ("models", "install", "incoming/bomb.argosmodel", "--models-dir", "models"),
          "Error: incoming/bomb\\.argosmodel: member 'pkg/model/model\\.bin' would inflate \\d+-fold "
          "\\(64\\.0 MiB from \\d+\\.\\d KiB\\); refusing what looks like a zip bomb; nothing installed"),
    Fault("model-larger-than-the-disk", steps(big_package, lambda w: full_disk(w, "models", size="1m", fill=False)),
          ("models", "install", "incoming/big.argosmodel", "--models-dir", "models"),
          "Error: incoming/big\\.argosmodel: (the package unpacks to 2\\.0 MiB but /.*/models has only .* free"
          "|cannot install: File too large); nothing installed"),
]


def test_the_matrix_drives_at_least_30_faults_through_every_command():
    assert len(FAULTS) >= 30
    assert len({f.name for f in FAULTS}) == len(FAULTS)
    commands = {f.argv[0] for f in FAULTS}
    assert {"translate", "review", "publish", "glossary"} <= commands


@pytest.fixture
def world(project_dir: Path, tmp_path: Path) -> Iterator[World]:
    outside = tmp_path / "outside"
    outside.mkdir()
    with contextlib.ExitStack() as cleanup:
        yield World(project_dir, outside, cleanup)


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_a_fault_gives_one_error_line_and_leaves_the_project_and_its_surroundings_as_they_were(world: World, fault: Fault, request):
    if fault.models:
        request.getfixturevalue("installed_models")
    fault.setup(world)
    before = (snapshot(world.root), links(world.root), outside_state(world))
    started = time.perf_counter()
    result = run(world, *fault.argv)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and re.fullmatch(fault.stderr, lines[0]), result.stderr
    assert result.returncode == 1
    files, after = before[0], snapshot(world.root)
    assert {k for k in files.keys() | after.keys() if files.get(k, b"") != after.get(k, b"")} == fault.proceeds
    assert (links(world.root), outside_state(world)) == before[1:]
    assert not (world.outside / "created-by-lock").exists()
    assert "root:" not in result.stderr  # nothing of /etc/passwd is echoed
    assert time.perf_counter() - started < TIMEOUT


# --- cleaning up after a killed run touches only the workflow's own temp files ----------------------------


def test_publish_out_removes_only_its_own_temp_files_in_the_directories_it_writes(world: World):
    reviewed(world)
    site = world.outside / "site"
    theirs = [
        site / ".git" / "objects" / ".pack.html.abc123.tmp",
        site / ".git" / ".COMMIT_EDITMSG.tmp",
        site / "assets" / ".style.css.tmp",
        site / "assets" / f".{SAMPLE_SLUG}.html.abc123.tmp",
        site / ".upload.tmp",
    ]
    ours = [site / "ru" / f".{SAMPLE_SLUG}.html.k2j4h5g6.tmp", site / ".manifest.json.a1b2c3d4.tmp"]
    for path in theirs + ours:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("someone's bytes", encoding="utf-8")
    result = run(world, "publish", "--locale", "ru", "--out", str(site))
    assert result.returncode == 0, result.stderr
    assert all(p.read_text(encoding="utf-8") == "someone's bytes" for p in theirs)
    assert not any(p.exists() for p in ours)
    assert (site / "ru" / f"{SAMPLE_SLUG}.html").is_file()
