"""Reading and writing project files: regular files only, atomic writes, the project lock.

Every read of a project file goes through `read_file` and every write through `atomic_write`, so the
checks a hostile tree calls for live in one place: a directory, FIFO or device where a file belongs,
a link out of the project, a link or read-only file the user put there on purpose, a full or
read-only disk. Each becomes a StorageError naming the path, never a traceback or a hang.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import os
import re
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workflow.errors import BusyError, InputError, StorageError

LOCK_NAME = ".workflow.lock"
TEMP_SUFFIX = ".tmp"
# What atomic_write's temps look like (`.<name>.<random>.tmp`, name ending in a suffix the workflow
# writes): the only files a clean-up may delete, so another tool's `.x.tmp` is never ours to remove.
_OUR_TEMP = re.compile(r"^\..+\.(?:po|pot|md|html|json|csv|toml|tbx|xml)\.[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$")
_PID_WIDTH = 12

# Fault injection for the crash-safety tests (tests/test_faults.py): with WORKFLOW_FAULT_AFTER_WRITES=N
# in its environment, a run SIGKILLs itself once N writes since it took the project lock have landed,
# inside the next one: its temp file is complete but not yet renamed. Read when the lock is taken,
# never at import; unset (always, outside tests) it costs one lookup per write.
FAULT_ENV = "WORKFLOW_FAULT_AFTER_WRITES"


@dataclass
class _Faults:
    after: int  # writes that land before the fault
    landed: int = 0


_faults: contextvars.ContextVar[_Faults | None] = contextvars.ContextVar("workflow_faults", default=None)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    return "is not a regular file"


def _failed(exc: OSError, doing: str, path: Path) -> StorageError:
    if isinstance(exc, StorageError):
        return exc
    if exc.errno == errno.EISDIR:
        return StorageError("is a directory, not a file", path)
    if exc.errno == errno.ENOTDIR:
        return StorageError(f"cannot {doing}: one of its folders is a file, not a directory", path)
    if exc.errno == errno.ENAMETOOLONG:
        return StorageError(f"cannot {doing}: the file name is too long for the file system", path)
    return StorageError(f"cannot {doing}: {exc.strerror or exc}", path)


def read_file(path: Path, *, root: Path | None = None) -> bytes:
    """The bytes of the regular file at `path`; StorageError naming it for anything else.

    A missing file raises FileNotFoundError (callers decide what absence means). With `root`, a path
    inside it that a symbolic link leads out of it is refused before a byte is read. A FIFO or device
    is refused from its type, never opened for reading, so it cannot hang a run that holds the lock.
    """
    if root is not None:
        check_inside(path, root)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise StorageError(_kind(mode), path)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _failed(exc, "read", path) from None
    try:
        mode = os.fstat(fd).st_mode  # replaced between stat and open
        if not stat.S_ISREG(mode):
            raise StorageError(_kind(mode), path)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise _failed(exc, "read", path) from None
    finally:
        os.close(fd)


def decode_utf8(data: bytes, path: Path, advice: str) -> str:
    """`data` as text; InputError naming the first byte that is not UTF-8 and its line, then `advice`.

    A byte-order mark is kept: whether it is allowed is the format's business.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); {advice}", path, line) from None


def read_named(path: Path, root: Path) -> bytes:
    """The bytes of a file the user named to import: as read_file, and a missing one is an error too."""
    try:
        return read_file(Path(path), root=root)  # a file in the project may not link out of it
    except FileNotFoundError as exc:
        raise _failed(exc, "read", path) from None


def check_inside(path: Path, root: Path) -> Path:
    """Return `path`; refuse it if it lies in `root` but a symbolic link on the way leads out of `root`."""
    base = os.path.abspath(root)
    lexical = os.path.abspath(path)
    prefix = base.rstrip(os.sep) + os.sep
    if not lexical.startswith(prefix):
        return path  # not in the project at all: a path the user named, not one a link redirected
    # One lstat per component, in plain strings: every catalog path comes here, and pathlib would
    # cost more than the checks. Only a path with a link on it is resolved.
    current = base
    for part in lexical[len(prefix):].split(os.sep):
        current = f"{current}{os.sep}{part}"
        if os.path.islink(current):
            break
    else:
        return path
    try:
        real, real_base = os.path.realpath(lexical), os.path.realpath(base)
    except OSError as exc:  # a link loop
        raise _failed(exc, "resolve", path) from None
    if os.path.commonpath([real_base, real]) != real_base:
        raise StorageError(
            f"resolves through a symbolic link to {real}, outside the project; refused "
            "(the workflow reads and writes only inside the project)",
            path,
        )
    return path


def check_replaceable(path: Path) -> None:
    """Refuse to replace what the user made on purpose: a symbolic link, a read-only file, a non-file.

    A missing path is fine. Call it before a run's first write, so a refusal leaves the project untouched.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _failed(exc, "inspect", path) from None
    if stat.S_ISLNK(mode):
        raise StorageError(
            "is a symbolic link; the workflow does not replace links with files: "
            "replace the link with the file itself or edit the file it points to",
            path,
        )
    if not stat.S_ISREG(mode):
        raise StorageError(_kind(mode), path)
    if not mode & 0o222:
        raise StorageError("is read-only; make it writable to let the workflow update it", path)


def check_folder(path: Path) -> None:
    """Refuse a folder the workflow will write in if a file stands where it or a parent belongs (missing is fine)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _failed(exc, "write in it", path) from None
    if not stat.S_ISDIR(mode):
        raise StorageError("cannot write in it: it is a file, not a directory", path)


def atomic_write(path: Path, data: str | bytes) -> bool:
    """Write `data` to `path` through a temp file and rename; return False if the bytes were already there.

    Skipping identical content keeps modification times stable, so re-runs that change nothing touch nothing.
    A link, a read-only file or a non-file at `path` is refused (check_replaceable); any OS failure (disk
    full, read-only file system, name too long) is a StorageError and leaves the path and its
    directories as they were.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if read_file(path) == payload:
            return False
    except FileNotFoundError:
        pass
    atomic_write_with(path, lambda handle: handle.write(payload))
    return True


def atomic_write_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Replace `path` with what `write` puts in the (seekable, binary) file it is handed; as atomic_write.

    For output too large to hold as bytes (a model package zipped straight into the temp file).
    """
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise _failed(exc, "write", path) from None
    check_replaceable(path)
    created = _make_dirs(path.parent, path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        # mkstemp makes 0600 files; editions must stay readable by the web server, catalogs by translators.
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        faults = _faults.get()
        if faults is not None:
            _fault_point(faults)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        for directory in reversed(created):
            with contextlib.suppress(OSError):
                directory.rmdir()
        if isinstance(exc, OSError):
            raise _failed(exc, "write", path) from None
        raise
    _fsync_dir(path.parent)


def _make_dirs(directory: Path, path: Path) -> list[Path]:
    """mkdir -p, returning the directories it created (outermost first) so a failed write can remove them."""
    missing = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    created = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
    except FileExistsError:
        pass  # made by someone else meanwhile, or a file is in the way: mkstemp will say which
    except OSError as exc:
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise _failed(exc, "write", path) from None
    return created


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


def _arm_faults() -> None:
    # Once per run (the first lock it takes): a run that locks twice counts its writes on from the first.
    setting = os.environ.get(FAULT_ENV, "")
    if setting.isdigit() and _faults.get() is None:
        _faults.set(_Faults(int(setting)))


def _fault_point(faults: _Faults) -> None:
    if faults.landed == faults.after:
        os.kill(os.getpid(), signal.SIGKILL)
    faults.landed += 1


def _fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temps(directory: Path, depth: int = 2) -> list[Path]:
    """Delete the temps a killed run of the workflow left in `directory` and its subfolders `depth` deep.

    Only the workflow's own temp names are removed, and hidden or linked folders (.git, a link out) are
    never entered: the directory may hold other tools' files. Only safe while holding the project lock.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed  # missing, or not a directory: nothing of ours in it
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            if depth > 0 and not entry.name.startswith("."):
                removed += remove_stale_temps(Path(entry.path), depth - 1)
        elif entry.is_file(follow_symlinks=False) and _OUR_TEMP.match(entry.name):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def project_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """Hold the project's exclusive lock for a run that writes.

    flock is released by the kernel when its holder dies, so a lock file left by a killed
    run is never mistaken for a live one: the next run simply takes it.
    """
    path = root / LOCK_NAME
    try:
        # Never through a link: a link to a file elsewhere would get our pid over its first bytes.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StorageError("is a symbolic link, not the lock file; remove it", path) from None
        if exc.errno == errno.EISDIR:
            raise StorageError("is a directory, not a file", path) from None
        raise StorageError(f"cannot open the lock file: {exc.strerror}", path) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise StorageError(_kind(mode), path)
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
        _arm_faults()
        yield
    finally:
        os.close(fd)
