"""Default locations, defined once (cookiecutter-data-science style).

Every command takes ``--data-dir`` (holding ``codebooks/`` and ``raw/``) and
``--out``; these are the defaults when run from the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["REPO_ROOT", "DATA_DIR", "DEMO_DIR", "OUT_DIR", "NOTEBOOK_DIR", "PACKAGE_DIR", "TEMPLATE_DIR",
           "VOILA_TEMPLATE_ROOT", "codebook_dir", "raw_dir",
           "codebook_path", "check_round_id", "ROUND_PATTERN",
           "codebook_files", "round_ids", "require_round_ids", "cache_dir", "scrub_cache_dir",
           "DEMO_MARKER", "is_demo", "DISTRIBUTIONS_DIR", "distributions_path"]


def _repo_root() -> Path:
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file():
        return here
    return Path.cwd()


REPO_ROOT = _repo_root()
DATA_DIR = Path(os.environ.get("PEO_DATA_DIR", REPO_ROOT / "data"))
DEMO_DIR = REPO_ROOT / "data" / "demo"
OUT_DIR = Path(os.environ.get("PEO_OUT_DIR", REPO_ROOT / "outputs"))
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
PACKAGE_DIR = Path(__file__).resolve().parent
#: nbconvert template of the published HTML (offline: no CDN assets)
TEMPLATE_DIR = PACKAGE_DIR / "templates"
#: Voila template root of the dashboard
VOILA_TEMPLATE_ROOT = PACKAGE_DIR / "static" / "jupyter"


def codebook_dir(data_dir=None) -> Path:
    return Path(data_dir or DATA_DIR) / "codebooks"


def raw_dir(data_dir=None) -> Path:
    return Path(data_dir or DATA_DIR) / "raw"


def yaml_files(folder) -> list[Path]:
    """Every ``*.yml`` / ``*.yaml`` file directly in ``folder``, sorted by name without suffix; [] when none."""
    base = Path(folder)
    if not base.is_dir():
        return []
    return sorted((p for p in base.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file()),
                  key=lambda p: p.stem)


def codebook_files(data_dir=None, *, folder=None) -> list[Path]:
    """Every codebook of a data dir (``*.yml``, ``*.yaml``; or of ``folder``), in round order; [] when none."""
    return yaml_files(folder if folder is not None else codebook_dir(data_dir))


def data_dir_of(rnd) -> Path:
    """The data dir of a round: the folder above its codebook's ``codebooks/`` folder."""
    path = getattr(rnd.codebook, "path", None)
    if path is None:
        return Path(DATA_DIR)
    return Path(path).resolve().parent.parent


def round_ids(data_dir=None) -> list[str]:
    """The round ids of a data dir (codebook file names), oldest first (``YYYY-N`` sorts in time)."""
    return sorted({p.stem for p in codebook_files(data_dir)})


def require_round_ids(data_dir=None) -> list[str]:
    """:func:`round_ids`, or a :class:`~peo_lib.errors.NoRoundsError` saying where rounds go."""
    ids = round_ids(data_dir)
    if not ids:
        from peo_lib.errors import NoRoundsError

        raise NoRoundsError(codebook_dir(data_dir), raw_dir(data_dir))
    return ids


#: The file `peo demo` writes into a demo data dir (its outputs say they come from generated data).
DEMO_MARKER = ".peo-demo"


def is_demo(data_dir) -> bool:
    """Whether ``data_dir`` holds the generated demo rounds (it has the ``peo demo`` marker)."""
    return (Path(data_dir) / DEMO_MARKER).is_file()


def cache_dir() -> Path:
    """The user's private cache of derived data: ``$PEO_CACHE_DIR``, else ``$XDG_CACHE_HOME/peo_lib``
    (``~/.cache/peo_lib``). Never inside an output folder, which may be published."""
    env = os.environ.get("PEO_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "peo_lib"


def scrub_cache_dir() -> Path:
    """Where scrubbed open answers are cached (keyed by raw-file hash, redact terms and scrubber version)."""
    return cache_dir() / "scrub"


#: A round id: YYYY-1 (spring) or YYYY-2 (autumn); it sorts in time order and names files.
ROUND_PATTERN = r"^\d{4}-[12]$"


def check_round_id(round_id) -> str:
    """``round_id`` as str, or a one-line :class:`~peo_lib.errors.PEOError` before any file is touched."""
    import re

    if not re.fullmatch(ROUND_PATTERN, str(round_id)):
        from peo_lib.errors import PEOError

        raise PEOError(f"ROUND {str(round_id)!r} is not a round id: use YYYY-1 for a spring round or YYYY-2 "
                       "for an autumn round, e.g. 2023-2")
    return str(round_id)


#: Folder of the rounds' stored value counts inside a data dir (:mod:`peo_lib.stats.distributions`).
DISTRIBUTIONS_DIR = "aggregaten"


def distributions_path(round_id, *, data_dir=None) -> Path:
    """``DATA_DIR/aggregaten/ROUND.json`` (the round id is checked first: it names a file)."""
    return Path(DATA_DIR if data_dir is None else data_dir) / DISTRIBUTIONS_DIR / f"{check_round_id(round_id)}.json"


def codebook_path(round_id: str, data_dir=None) -> Path:
    """The codebook file of a round (``.yml`` or ``.yaml``); the id is checked first (it names a file)."""
    round_id = check_round_id(round_id)
    base = codebook_dir(data_dir)
    for suffix in (".yml", ".yaml"):
        p = base / f"{round_id}{suffix}"
        if p.is_file():
            return p
    return base / f"{round_id}.yml"
