"""Atomic writes and the project lock."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from workflow.errors import BusyError, InputError, StorageError
from workflow.storage import atomic_write, decode_utf8, project_lock, read_file, remove_stale_temps


def test_atomic_write_replaces_content_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a" / "b.po"
    assert atomic_write(target, "one") is True
    assert atomic_write(target, "two") is True
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["b.po"]


def test_writing_identical_bytes_touches_nothing(tmp_path):
    target = tmp_path / "x.txt"
    atomic_write(target, "same")
    os.utime(target, (1_000_000, 1_000_000))
    assert atomic_write(target, "same") is False
    assert target.stat().st_mtime == 1_000_000


def test_a_failed_write_keeps_the_old_file_and_removes_its_temp(tmp_path, monkeypatch):
    target = tmp_path / "x.txt"
    atomic_write(target, "old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_stale_temps_of_a_killed_run_are_removed(tmp_path):
    (tmp_path / "kk").mkdir()
    stale = tmp_path / "kk" / ".a.po.123.tmp"
    stale.write_text("half")
    keep = tmp_path / "kk" / "a.po"
    keep.write_text("whole")
    assert remove_stale_temps(tmp_path) == [stale]
    assert keep.exists() and not stale.exists()


def test_a_second_run_is_refused_while_the_lock_is_held(tmp_path):
    with project_lock(tmp_path):
        with pytest.raises(BusyError) as caught:
            with project_lock(tmp_path):
                pass
    assert str(caught.value) == (
        f"{tmp_path}/.workflow.lock: another workflow run (pid {os.getpid()}) is writing this project; "
        "wait for it to finish or pass --wait"
    )


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib; from workflow.storage import project_lock\n"
            f"with project_lock(pathlib.Path({str(tmp_path)!r})):\n print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(BusyError):
        with project_lock(tmp_path):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / ".workflow.lock").exists()  # the file stays; its lock died with its holder
    with project_lock(tmp_path):
        assert (tmp_path / ".workflow.lock").read_text().strip() == str(os.getpid())


def test_written_files_keep_their_mode_or_get_the_usual_one(tmp_path):
    fresh = tmp_path / "new.html"
    atomic_write(fresh, "a")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~_current_umask()
    shared = tmp_path / "shared.po"
    shared.write_text("old")
    shared.chmod(0o664)
    atomic_write(shared, "new")
    assert shared.stat().st_mode & 0o777 == 0o664


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_a_lock_that_is_a_link_is_refused_and_its_target_is_untouched(tmp_path, dangling):
    elsewhere = tmp_path / "elsewhere.txt"
    if not dangling:
        elsewhere.write_text("someone's first bytes")
    project = tmp_path / "project"
    project.mkdir()
    (project / ".workflow.lock").symlink_to(elsewhere)
    with pytest.raises(StorageError) as caught:
        with project_lock(project):
            pass
    assert str(caught.value) == f"{project}/.workflow.lock: is a symbolic link, not the lock file; remove it"
    assert elsewhere.exists() is not dangling
    assert dangling or elsewhere.read_text() == "someone's first bytes"


def test_stale_temp_cleanup_removes_only_the_workflows_own_names(tmp_path):
    ours = [tmp_path / "ru" / "LC_MESSAGES" / ".a.po.k3j2h1g0.tmp", tmp_path / "..translate-state.json.x1y2z3.tmp"]
    theirs = [
        tmp_path / ".git" / "objects" / ".a.po.k3j2h1g0.tmp",  # hidden folders are never entered
        tmp_path / "ru" / ".editor-swap.tmp",  # not a name atomic_write makes
        tmp_path / "ru" / "LC_MESSAGES" / "deep" / ".b.po.abc.tmp",  # deeper than asked
    ]
    for path in ours + theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert sorted(remove_stale_temps(tmp_path, depth=2)) == sorted(ours)
    assert all(p.exists() for p in theirs)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.mkdir(), "is a directory, not a file"),
        (os.mkfifo, "is a named pipe (FIFO), not a regular file"),
    ],
    ids=["directory", "fifo"],
)
def test_read_file_refuses_what_is_not_a_regular_file_without_opening_it_for_reading(tmp_path, make, message):
    path = tmp_path / "x.po"
    make(path)
    with pytest.raises(StorageError) as caught:
        read_file(path)  # a FIFO read would block here for ever
    assert (caught.value.path, caught.value.message) == (path, message)


def test_read_file_refuses_a_link_out_of_the_root_and_reads_one_inside(tmp_path):
    (tmp_path / "secret").write_text("root:x:0:0")
    root = tmp_path / "project"
    root.mkdir()
    (root / "inside.po").write_text("inside")
    (root / "near.po").symlink_to("inside.po")
    (root / "far.po").symlink_to(tmp_path / "secret")
    assert read_file(root / "near.po", root=root) == b"inside"
    with pytest.raises(StorageError) as caught:
        read_file(root / "far.po", root=root)
    assert "root:x" not in str(caught.value)
    assert caught.value.path == root / "far.po"
    assert caught.value.message.startswith(f"resolves through a symbolic link to {tmp_path / 'secret'}, outside the project")


@pytest.mark.parametrize("kind", ["symlink", "read-only"])
def test_atomic_write_refuses_to_replace_a_link_or_a_read_only_file(tmp_path, kind):
    target = tmp_path / "real.po"
    target.write_text("translator's work")
    path = tmp_path / "x.po"
    if kind == "symlink":
        path.symlink_to(target)
    else:
        target.rename(path)
        path.chmod(0o444)
    with pytest.raises(StorageError):
        atomic_write(path, "new")
    assert path.is_symlink() is (kind == "symlink")
    assert path.read_text() == "translator's work"
    assert atomic_write(path, "translator's work") is False  # identical bytes: nothing to refuse


def test_a_write_that_fails_for_want_of_space_removes_its_temp_and_the_folders_it_made(tmp_path):
    script = (
        "import pathlib, resource, signal, sys\n"
        "from workflow.storage import atomic_write\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (10, 10))\n"
        f"try:\n atomic_write(pathlib.Path({str(tmp_path)!r}) / 'a' / 'b' / 'x.po', 'more than ten bytes')\n"
        "except OSError as exc:\n print(type(exc).__name__, exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout == f"StorageError {tmp_path}/a/b/x.po: cannot write: File too large\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "set_after_import, expected",
    [(False, ["outside.txt", "first.po"]), (True, ["outside.txt", "first.po"])],
    ids=["set-before-import", "set-after-import"],
)
def test_the_fault_hook_is_read_when_the_lock_is_taken_not_at_import(tmp_path, set_after_import, expected):
    """Importing storage has no side effect: only writes under the project lock count towards the fault."""
    code = (
        "import os, sys; from pathlib import Path\n"
        + ("" if set_after_import else "os.environ['WORKFLOW_FAULT_AFTER_WRITES'] = '1'\n")
        + "from workflow.storage import atomic_write, project_lock\n"
        + ("os.environ['WORKFLOW_FAULT_AFTER_WRITES'] = '1'\n" if set_after_import else "")
        + "root = Path(sys.argv[1])\n"
        "atomic_write(root / 'outside.txt', 'not counted: no lock is held')\n"
        "with project_lock(root):\n"
        "    atomic_write(root / 'first.po', 'lands')\n"
        "    atomic_write(root / 'second.po', 'killed before its rename')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "WORKFLOW_FAULT_AFTER_WRITES"}
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == sorted(expected)
    assert any(p.name.startswith(".second.po.") for p in tmp_path.iterdir())  # its complete temp, never renamed


def _bad_byte_files(root):
    """(what reads it, path, bytes with a Latin-1 "é" on line 3) for each format the workflow reads."""
    from workflow import articles, catalog, exchange, memory
    from workflow.project import load_project

    project = load_project(root)
    return [
        ("article", lambda p: articles.read_article(p, project), root / "articles" / "bad.md",
         b"---\ntitle: T\ndate: 2026-11-20\nslug: bad\n---\n\nCaf\xe9.\n", 7, "save the article as UTF-8"),
        ("catalog", catalog.read_catalog, root / "locales" / "ru" / "LC_MESSAGES" / "bad.po",
         b'msgid ""\nmsgstr ""\n"Caf\xe9"\n', 3, "catalogs must be saved as UTF-8"),
        ("config", lambda p: load_project(p.parent), root / "workflow.toml",
         b"[workflow]\n\n# caf\xe9\n", 3, "save workflow.toml as UTF-8"),
        ("tmx", lambda p: memory.read_import(project, p, dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)),
         root / "in.tmx", b"<tmx>\n<body>\n<tu>caf\xe9</tu></body></tmx>\n", 3, "save the TMX file as UTF-8"),
        ("xliff", lambda p: exchange.read_xliff(project, p), root / "in.xlf",
         b"<xliff>\n\n<file>caf\xe9</file></xliff>\n", 3, "save the XLIFF file as UTF-8"),
    ]


@pytest.mark.parametrize("kind", ["article", "catalog", "config", "tmx", "xliff"])
def test_every_format_names_the_bad_byte_and_its_line_the_same_way(project_dir, kind):
    """One decoder (storage.decode_utf8) for every file the workflow reads: the byte, its line, the real path."""
    _, reader, path, data, line, advice = next(c for c in _bad_byte_files(project_dir) if c[0] == kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        reader(path)
    assert (caught.value.path, caught.value.line, caught.value.message) == (
        path, line, f"not UTF-8 text (byte 0xe9); {advice}"
    )


def test_decode_utf8_keeps_good_text_and_its_byte_order_mark():
    assert decode_utf8("\ufeffКафе\n".encode(), Path("x.md"), "save it as UTF-8") == "\ufeffКафе\n"
