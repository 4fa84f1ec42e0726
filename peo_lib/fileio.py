"""Writing a file so that a reader (or a crash) never sees half of it, and the lock that lets one
process at a time build or install something: one home for each rule (light: no pandas, the trend
report's parent process takes the install lock without importing it)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "file_lock"]


def atomic_write(path, data: bytes | str, *, mode: int = 0o644) -> Path:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over ``path``.

    Text is written as UTF-8 with ``\\n`` line ends. The folder is created when missing. On any
    failure the temporary file is removed and ``path`` is left as it was. ``mode`` is the file's
    permission (``mkstemp`` makes 0600; the project's files are ordinary, shareable files).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def file_lock(path: Path):
    """An exclusive lock across processes (xdist workers, parallel reports); no-op without fcntl."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: deduce may then build twice, which is slow but correct
        yield
        return
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
