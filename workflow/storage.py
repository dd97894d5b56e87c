"""Atomic file writes and the project lock: no half-written file, no interleaved runs."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from workflow.errors import BusyError

LOCK_NAME = ".workflow.lock"
TEMP_SUFFIX = ".tmp"
_PID_WIDTH = 12

# Fault injection for the crash-safety tests (tests/test_faults.py): with WORKFLOW_FAULT_AFTER_WRITES=N
# the process SIGKILLs itself once N writes have landed, inside the next one: its temp file is
# complete but not yet renamed. Unset (always, outside tests) it costs one comparison per write.
_FAULT_ENV = os.environ.get("WORKFLOW_FAULT_AFTER_WRITES", "")
_FAULT_AFTER = int(_FAULT_ENV) if _FAULT_ENV.isdigit() else None
_landed = 0


def atomic_write(path: Path, data: str | bytes) -> bool:
    """Write `data` to `path` through a temp file and rename; return False if the bytes were already there.

    Skipping identical content keeps modification times stable, so re-runs that change nothing touch nothing.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == payload:
            return False
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        # mkstemp makes 0600 files; editions must stay readable by the web server, catalogs by translators.
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if _FAULT_AFTER is not None:
            _fault_point()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return True


def _holder_pid(fd: int) -> str:
    # The holder writes its pid just after taking the lock; a brand-new lock file may still be empty.
    for _ in range(50):
        pid = os.pread(fd, _PID_WIDTH, 0).decode("ascii", "replace").strip()
        if pid:
            return pid
        time.sleep(0.01)
    return "another process"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fault_point() -> None:
    global _landed
    if _landed == _FAULT_AFTER:
        os.kill(os.getpid(), signal.SIGKILL)
    _landed += 1


def _fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temps(directory: Path) -> list[Path]:
    """Delete temp files a killed run left behind; only safe while holding the project lock."""
    removed = []
    if not directory.is_dir():
        return removed
    for tmp in directory.rglob(f".*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed.append(tmp)
    return removed


@contextlib.contextmanager
def project_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """Hold the project's exclusive lock for a run that writes.

    flock is released by the kernel when its holder dies, so a lock file left by a killed
    run is never mistaken for a live one: the next run simply takes it.
    """
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = _holder_pid(fd)
            raise BusyError(
                f"another workflow run (pid {holder}) is writing this project; "
                "wait for it to finish or pass --wait",
                path,
            ) from None
        # One fixed-width write, never a truncate: a run reading the holder's pid sees old or new, not empty.
        os.pwrite(fd, str(os.getpid()).ljust(_PID_WIDTH).encode(), 0)
        yield
    finally:
        os.close(fd)
