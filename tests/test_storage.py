"""Atomic writes and the project lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from workflow.errors import BusyError
from workflow.storage import atomic_write, project_lock, remove_stale_temps


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
