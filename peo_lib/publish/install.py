"""Installing a finished run's outputs atomically (see :mod:`peo_lib.publish.runner` for the rules)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from peo_lib.vocab import AUDIENCES, SLIDES_PPTX, output_names

__all__ = ["swap_in", "install_round", "output_lock", "check_out_dir", "build_dir", "remove_stale_builds"]


def check_out_dir(out_root, *, data_dir) -> Path:
    """The output root, resolved, or a one-line :class:`~peo_lib.errors.ReportError` before any work.

    Refused: a file; the data folder itself, or a folder inside its ``raw/`` or
    ``codebooks/`` (raw data is never written); a folder that holds the raw data
    (``--out /``); a folder that cannot be created or written.
    """
    from peo_lib.errors import ReportError
    from peo_lib.paths import codebook_dir, raw_dir

    out = Path(out_root).expanduser().resolve()
    data = Path(data_dir).expanduser().resolve()
    raw, books = raw_dir(data).resolve(), codebook_dir(data).resolve()
    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out} is a file, not a folder; give a folder for the outputs")
    if out == data or out.is_relative_to(raw) or out.is_relative_to(books):
        raise ReportError(f"--out {out} is (inside) the data folder {data}; outputs go elsewhere (default: outputs/), "
                          "raw data and codebooks are never written")
    if raw.is_relative_to(out):
        raise ReportError(f"--out {out} holds the raw data folder {raw}; give a folder of its own for the outputs")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".peo-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ReportError(f"--out {out} cannot be written ({exc.strerror or exc}); give a folder you may write to") \
            from None
    return out


def build_dir(out_root: Path, name: str) -> Path:
    """A fresh build folder ``OUT/.NAME.tmp-PID-*`` (the PID lets a later run remove it after a crash)."""
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-{os.getpid()}-", dir=out_root))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; the output folder gets normal permissions
    return tmp


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_builds(out_root: Path) -> list[Path]:
    """Remove build and old folders that a killed run left behind (their process is gone)."""
    import re

    removed = []
    root = Path(out_root)
    if not root.is_dir():
        return removed
    for pattern in (".*.tmp-*", ".*.old-*", "*/.*.old-*"):
        for p in root.glob(pattern):
            m = re.search(r"^\.(.+)\.(tmp|old)-(\d+)-", p.name)
            if not m or _alive(int(m.group(3))):
                continue
            target = p.with_name(m.group(1))
            if m.group(2) == "old" and not target.exists():
                os.replace(p, target)  # killed between the two renames of swap_in: put the old outputs back
                continue
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed

def swap_in(tmp: Path, target: Path) -> None:
    """Replace ``target`` by ``tmp`` (two renames on one file system; old copy removed after)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def output_lock(out_root: Path, name: str):
    """Exclusive lock for installing the outputs of one round or the trend report (processes of ``--jobs``,
    several audiences)."""
    from peo_lib.fileio import file_lock

    return file_lock(out_root / ".cache" / "locks" / f"{name}.lock")


def _link_tree(src: Path, dst: Path) -> None:
    """Hard-link a file or folder (copy where links are not possible)."""
    def link(a, b):
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    if src.is_dir():
        shutil.copytree(src, dst, copy_function=link)
    else:
        link(src, dst)


def install_round(tmp: Path, target: Path, audience=None) -> None:
    """Put a finished round run's outputs in place (see :mod:`peo_lib.publish.runner`); call under
    :func:`output_lock`."""
    if audience is None:
        if target.is_dir():
            kept = [name for a in AUDIENCES for name in output_names(a).values()] + [SLIDES_PPTX]  # others' outputs
            for name in kept:
                if (target / name).exists() and not (tmp / name).exists():
                    _link_tree(target / name, tmp / name)
        swap_in(tmp, target)
        return
    names = output_names(audience)
    if not target.is_dir():
        target.mkdir()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(target, 0o777 & ~umask)
    if (tmp / names["figures"]).is_dir():
        swap_in(tmp / names["figures"], target / names["figures"])
    elif (target / names["figures"]).exists():
        shutil.rmtree(target / names["figures"], ignore_errors=True)  # this summary has no figures now
    os.replace(tmp / names["notebook"], target / names["notebook"])
    os.replace(tmp / names["html"], target / names["html"])  # last: the HTML is what readers open
