"""Provenance of a published output: round, codebook and raw file SHA-256, package version, lock file, commit, time.

The lock file (``requirements.lock`` in the repository, every dependency pinned with its hashes) is
named by its SHA-256 beside the package version: with the same lock, the same package version and
the same inputs a report can be rebuilt with the same numbers years later
(``pip install --require-hashes -r requirements.lock``).
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from peo_lib.report.structure import Paragraph

__all__ = ["git_commit", "lock_sha256", "provenance", "provenance_paragraph", "LOCK_FILE"]

#: The committed lock file (repository root): every dependency pinned, with hashes.
LOCK_FILE = "requirements.lock"

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


def lock_sha256(repo=None) -> str:
    """SHA-256 of the repository's ``requirements.lock``; ``"onbekend"`` when there is none (installed elsewhere)."""
    import hashlib

    from peo_lib.paths import REPO_ROOT

    try:
        return hashlib.sha256((Path(repo or REPO_ROOT) / LOCK_FILE).read_bytes()).hexdigest()
    except OSError:
        return "onbekend"


def provenance(rnd, *, now=None) -> dict:
    """Where a report comes from: round, codebook and raw-file SHA-256, version, lock file SHA-256, commit, time."""
    from peo_lib import __version__
    from peo_lib.data.codebook import codebook_hash

    now = now or datetime.now().astimezone()
    return {
        "ronde": rnd.id,
        "codeboek_sha256": codebook_hash(rnd.codebook),
        "ruwe_data_sha256": rnd.raw_sha256 or "onbekend",
        "peo_lib": __version__,
        "lockbestand_sha256": lock_sha256(),
        "git_commit": git_commit(),
        "tijd": now.strftime("%Y-%m-%d %H:%M:%S %z").strip(),
    }


def provenance_paragraph(prov: dict) -> Paragraph:
    """The provenance line of a round report (always its last output)."""
    text = (f"Herkomst: ronde {prov['ronde']} · codeboek SHA-256 {prov['codeboek_sha256']} · "
            f"ruwe data SHA-256 {prov['ruwe_data_sha256']} · peo_lib {prov['peo_lib']} · "
            f"{LOCK_FILE} SHA-256 {prov.get('lockbestand_sha256', 'onbekend')} · "
            f"git commit {prov['git_commit']} · gemaakt {prov['tijd']}")
    return Paragraph(text, css_class="peo-provenance")
