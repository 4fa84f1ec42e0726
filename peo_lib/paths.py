"""Default locations, defined once (cookiecutter-data-science style).

Every command takes ``--data-dir`` (holding ``codebooks/`` and ``raw/``) and
``--out``; these are the defaults when run from the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["REPO_ROOT", "DATA_DIR", "DEMO_DIR", "OUT_DIR", "NOTEBOOK_DIR", "PACKAGE_DIR", "TEMPLATE_DIR",
           "VOILA_TEMPLATE_ROOT", "codebook_dir", "raw_dir",
           "codebook_path"]


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


def codebook_path(round_id: str, data_dir=None) -> Path:
    """The codebook file of a round (``.yml`` or ``.yaml``)."""
    base = codebook_dir(data_dir)
    for suffix in (".yml", ".yaml"):
        p = base / f"{round_id}{suffix}"
        if p.is_file():
            return p
    return base / f"{round_id}.yml"
