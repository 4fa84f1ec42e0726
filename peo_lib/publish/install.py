"""Installing a finished run's outputs atomically (see :mod:`peo_lib.publish.runner` for the rules)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from peo_lib.vocab import AUDIENCES, output_names

__all__ = ["swap_in", "install_round", "output_lock"]

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
    from peo_lib.privacy.scrub import _file_lock

    return _file_lock(out_root / ".cache" / "locks" / f"{name}.lock")


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
            for a in AUDIENCES:
                for name in output_names(a).values():
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
