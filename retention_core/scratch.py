"""Where bytes may go that a library wants as a file: memory files, one private directory per process, no other.

An upload is never written to disk. Where a library insists on a path (DuckDB's CSV reader), the bytes go into an
anonymous memory file (Linux ``memfd``) opened by its ``/proc/self/fd`` path: it has no name in any file system,
and the kernel frees it when its last descriptor closes, also when the process is killed. Elsewhere (no ``memfd``)
a private directory takes its place.

The one private directory of a process (mode 0700, in the system's temporary directory, named after the process
id) is where DuckDB may spill the intermediate tables of a very large aggregation; it is removed when the process
exits, and :func:`sweep_leftovers` removes the directories of processes that died without removing theirs (and the
``retention_upload_*`` folders earlier versions left behind) at start-up. A process that must write nothing at all
(the upload worker, see :mod:`retention_core.ingest.sandbox`) calls :func:`forbid_disk`: it then has no spill directory.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

#: Prefix of each process's private directory; the process id follows it.
PRIVATE_PREFIX = "retention_private_"
#: Prefix of the temporary folders in which earlier versions wrote uploads for DuckDB's CSV reader.
LEGACY_PREFIX = "retention_upload_"
#: A legacy folder older than this (seconds) is a leftover: a read stopped after at most a few minutes.
LEGACY_STALE_SECONDS = 3600

_disk_forbidden = False


@contextlib.contextmanager
def memory_file(data: bytes | memoryview, name: str = "upload") -> Iterator[str]:
    """A path under which ``data`` can be opened for reading, backed by memory only; closed on leaving.

    On Linux an anonymous memory file (``memfd``) under ``/proc/self/fd/<n>``. Elsewhere a file (mode 0600) in a
    new private directory (mode 0700) that is removed on leaving.
    """
    if not hasattr(os, "memfd_create"):
        with tempfile.TemporaryDirectory(prefix=PRIVATE_PREFIX + f"{os.getpid()}_") as directory:
            path = os.path.join(directory, name)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            yield path
        return
    descriptor = os.memfd_create(name, os.MFD_CLOEXEC)
    try:
        view = memoryview(data).cast("B")
        while view:
            view = view[os.write(descriptor, view):]
        yield f"/proc/self/fd/{descriptor}"
    finally:
        os.close(descriptor)


def forbid_disk() -> None:
    """From now on this process has no spill directory (:func:`spill_directory` gives None)."""
    global _disk_forbidden
    _disk_forbidden = True


def spill_directory() -> Path | None:
    """Where DuckDB may spill in this process: ``duckdb`` in the private directory; None after :func:`forbid_disk`."""
    return None if _disk_forbidden else private_directory() / "duckdb"


@functools.cache
def private_directory() -> Path:
    """This process's private directory (mode 0700), created on first use and removed when the process exits."""
    directory = Path(tempfile.gettempdir()) / f"{PRIVATE_PREFIX}{os.getpid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    if directory.stat().st_uid != os.getuid() or stat.S_IMODE(directory.stat().st_mode) != 0o700:
        raise PermissionError(f"{directory} exists and is not this user's private directory")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def sweep_leftovers(root: str | os.PathLike | None = None) -> list[Path]:
    """Remove what processes of this user left in ``root`` (default: the system's temporary directory) and return
    it: private directories of processes that no longer run, and legacy upload folders older than an hour."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        try:
            info = entry.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            continue
        if entry.name.startswith(PRIVATE_PREFIX):
            owner = entry.name[len(PRIVATE_PREFIX):].split("_")[0]
            if not owner.isdigit() or _running(int(owner)):
                continue
        elif not (entry.name.startswith(LEGACY_PREFIX) and time.time() - info.st_mtime > LEGACY_STALE_SECONDS):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True
