"""Provenance of a published output: round, codebook hash, raw file SHA-256, package version, git commit, time."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from peo_lib.report.structure import Paragraph

__all__ = ["git_commit", "provenance", "provenance_paragraph"]

# ----------------------------------------------------------------------
# provenance
# ----------------------------------------------------------------------

def git_commit(repo=None) -> str:
    """``git rev-parse HEAD`` of the repository (short), with ``+wijzigingen`` when dirty; else ``"onbekend"``."""
    from peo_lib.paths import REPO_ROOT

    repo = Path(repo or REPO_ROOT)
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "onbekend"
    if not sha:
        return "onbekend"
    try:
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        dirty = ""
    return sha + ("+wijzigingen" if dirty else "")


def provenance(rnd, *, now=None) -> dict:
    """Where a report comes from: round, codebook and raw-file SHA-256, version, commit, time."""
    from peo_lib import __version__
    from peo_lib.data.codebook import codebook_hash

    now = now or datetime.now().astimezone()
    return {
        "ronde": rnd.id,
        "codeboek_sha256": codebook_hash(rnd.codebook),
        "ruwe_data_sha256": rnd.raw_sha256 or "onbekend",
        "peo_lib": __version__,
        "git_commit": git_commit(),
        "tijd": now.strftime("%Y-%m-%d %H:%M:%S %z").strip(),
    }


def provenance_paragraph(prov: dict) -> Paragraph:
    """The provenance line of a round report (always its last output)."""
    text = (f"Herkomst: ronde {prov['ronde']} · codeboek SHA-256 {prov['codeboek_sha256']} · "
            f"ruwe data SHA-256 {prov['ruwe_data_sha256']} · peo_lib {prov['peo_lib']} · "
            f"git commit {prov['git_commit']} · gemaakt {prov['tijd']}")
    return Paragraph(text, css_class="peo-provenance")
