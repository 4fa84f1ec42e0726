"""Content-hash manifests: a report whose inputs did not change is not built again.

Every build started by :func:`peo_lib.publish.runner.run_reports` (``peo report``) and every
:func:`~peo_lib.publish.runner.run_trends_report` records, beside its outputs, what they were made
from::

    OUT/ROUND/.manifest.json            the full (panel) summary of a round
    OUT/ROUND/.manifest-AUDIENCE.json   an audience summary (beside its files)
    OUT/trends/.manifest.json           the trend report

A manifest holds hashes, versions and settings only (no data, no counts, no respondent ids), so it
may sit in a published folder. ``inputs`` (compared as a whole):

* ``codebooks`` / ``raw_files``: SHA-256 of each codebook (as in the provenance line) and raw file
  the output reads. A round report reads its own round *and the previous round* (the
  "what changed since the previous round" section), so changing round 2021-1 also rebuilds
  2021-2; the trend report reads every round.
* ``register`` / ``population``: SHA-256 of ``DATA_DIR/verbeteracties.yml`` and
  ``DATA_DIR/populatie.yml``, or None when there is none (every output: either may be read);
  ``codeframes`` / ``meetings``: one SHA-256 over ``DATA_DIR/codeframes/`` and
  ``DATA_DIR/bijeenkomsten/`` when they exist.
* ``demo``: whether DATA_DIR holds the generated demo rounds (the notice at the top).
* ``notebook``: SHA-256 of the notebook template (``notebooks/ronde.ipynb``, ``trends.ipynb``).
* ``environment``: the peo_lib version, the SHA-256 of the package's source files (every
  file under ``peo_lib/`` but caches: any code or template change rebuilds), the lock file's
  SHA-256, the Python version and the installed version of every dependency.
* ``round``, ``audience``, ``min_n``: the settings of the run.

The folder of the data (``--data-dir``) is not an input: the same files in another place give the
same outputs. A file's modification time is not one either: touching a codebook without changing it
rebuilds nothing.

``outputs`` lists the files the build wrote (path -> size): a manifest counts only while all of them
are still there with that size (a deleted or truncated HTML is rebuilt). The runner writes the
manifest into the build folder *before* the atomic install, so it is installed with the outputs or
not at all (an audience summary's manifest is moved in right after its HTML, under the same lock):
a manifest never describes outputs that were not installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import warnings
from pathlib import Path

from peo_lib.paths import distributions_path
from peo_lib.vocab import check_audience

__all__ = [
    "MANIFEST_VERSION",
    "manifest_name",
    "environment_inputs",
    "package_sha256",
    "notebook_sha256",
    "previous_round",
    "round_inputs",
    "trends_inputs",
    "write_manifest",
    "read_manifest",
    "is_current",
]

#: Bumped when the layout of a manifest changes (an old manifest then never matches).
MANIFEST_VERSION = 2



def _population_file() -> str:
    """``populatie.yml``: the name is defined with its reader (:mod:`peo_lib.data.population`)."""
    try:
        from peo_lib.data.population import POPULATION_FILE
    except ImportError:  # pragma: no cover - a checkout without weighting
        return "populatie.yml"
    return POPULATION_FILE


def manifest_name(audience=None) -> str:
    """``.manifest.json`` (full summary, trend report) or ``.manifest-AUDIENCE.json``."""
    audience = check_audience(audience)
    return ".manifest.json" if audience is None else f".manifest-{audience}.json"


def _file_sha256(path) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read (absent)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def notebook_sha256(name: str) -> str | None:
    """SHA-256 of the notebook template ``notebooks/NAME`` (``ronde.ipynb``, ``trends.ipynb``)."""
    from peo_lib.paths import NOTEBOOK_DIR

    return _file_sha256(NOTEBOOK_DIR / name)


def package_sha256(package_dir=None) -> str:
    """One SHA-256 over every file of the peo_lib package (relative path and bytes), caches left out."""
    from peo_lib.paths import PACKAGE_DIR

    root = Path(package_dir or PACKAGE_DIR)
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            path = Path(dirpath) / name
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update((_file_sha256(path) or "unreadable").encode() + b"\n")
    return h.hexdigest()


def _dependency_versions() -> dict:
    """Installed version of every (non-test) dependency of peo-lib, by name."""
    import re
    from importlib import metadata

    try:
        reqs = metadata.requires("peo-lib") or []
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return {}
    out = {}
    for req in reqs:
        if "extra ==" in req:
            continue
        name = re.match(r"\s*([A-Za-z0-9_.\-]+)", req).group(1).lower().replace("_", "-")
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return dict(sorted(out.items()))


def environment_inputs() -> dict:
    """The code side of every manifest: version, package source hash, lock file, Python, dependencies."""
    from peo_lib import __version__
    from peo_lib.report.provenance_line import lock_sha256

    return {"peo_lib": __version__, "package_sha256": package_sha256(), "lock_sha256": lock_sha256(),
            "python": platform.python_version(), "dependencies": _dependency_versions()}


#: Folders beside the codebooks that reports may read (design.md): hashed as a whole when present.
DATA_FOLDERS = {"codeframes": "codeframes", "codings": "codering", "meetings": "bijeenkomsten"}


def _folder_sha256(folder: Path) -> str | None:
    """One SHA-256 over every file in ``folder`` (relative path and bytes), or None when there is no folder."""
    if not folder.is_dir():
        return None
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + (_file_sha256(path) or "").encode())
    return h.hexdigest()


def _data_inputs(data_dir: Path) -> dict:
    from peo_lib.paths import is_demo
    from peo_lib.vocab import REGISTER_FILE

    return {"register": _file_sha256(data_dir / REGISTER_FILE),
            "population": _file_sha256(data_dir / _population_file()),
            **{key: _folder_sha256(data_dir / name) for key, name in DATA_FOLDERS.items()},
            "demo": is_demo(data_dir)}


def _round_hashes(round_id: str, data_dir: Path) -> tuple[str, str | None]:
    """(codebook SHA-256, raw file SHA-256 or None); raises when the codebook cannot be read."""
    from peo_lib.data.codebook import codebook_hash, read_codebook
    from peo_lib.paths import codebook_path, raw_dir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cb = read_codebook(codebook_path(round_id, data_dir))
    return codebook_hash(cb), _file_sha256(cb.raw_file(raw_dir(data_dir)))


def previous_round(round_id, data_dir) -> str | None:
    """The round a report of ``round_id`` compares with: the latest earlier round with a codebook.

    The rule of :func:`peo_lib.report.tables.previous_round_id` (a test keeps the two equal),
    without importing pandas: a run where every report is up to date stays quick.
    """
    from peo_lib.paths import round_ids

    earlier = [r for r in round_ids(data_dir) if r < str(round_id)]
    return earlier[-1] if earlier else None


def round_inputs(round_id, *, data_dir, audience=None, min_n=None, environment=None) -> dict | None:
    """What one round summary is made from (see the module notes), or None when it cannot be told.

    None (the codebook cannot be read, the raw file is missing, ...) means "build it": the
    build's own checks then say what is wrong.

    Parameters
    ----------
    round_id : str
    data_dir : str or Path
        Holds ``codebooks/``, ``raw/`` (and the register / population file).
    audience, min_n
        As :func:`peo_lib.publish.runner.run_round_report`.
    environment : dict, optional
        :func:`environment_inputs`, when the caller computed it once for several outputs.
    """
    from peo_lib.errors import PEOError
    from peo_lib.vocab import ROUND_NOTEBOOK

    data_dir = Path(data_dir).resolve()
    round_id = str(round_id)
    try:
        own = _round_hashes(round_id, data_dir)
    except (PEOError, OSError, ValueError):
        return None
    if own[1] is None:
        return None
    books, raws = {round_id: own[0]}, {round_id: own[1]}
    prev = previous_round(round_id, data_dir)
    if prev is not None:  # a previous round that cannot be read is a note in the report: record that
        try:
            books[prev], raws[prev] = _round_hashes(prev, data_dir)
        except (PEOError, OSError, ValueError):
            books[prev], raws[prev] = None, None
    # without the previous raw file the comparison comes from its stored value counts (when there)
    stored = None if prev is None or raws.get(prev) is not None else _file_sha256(distributions_path(prev, data_dir=data_dir))
    return {"version": MANIFEST_VERSION, "kind": "round", "round": round_id,
            "audience": check_audience(audience), "min_n": None if min_n is None else int(min_n),
            "codebooks": books, "raw_files": raws, "stored_previous": stored, **_data_inputs(data_dir),
            "notebook": notebook_sha256(ROUND_NOTEBOOK),
            "environment": environment if environment is not None else environment_inputs()}


def trends_inputs(*, data_dir, environment=None) -> dict | None:
    """What the trend report is made from: every round, the register, population file, code; or None."""
    from peo_lib.errors import PEOError
    from peo_lib.paths import round_ids
    from peo_lib.vocab import TRENDS_NOTEBOOK

    data_dir = Path(data_dir).resolve()
    books, raws = {}, {}
    try:
        for rid in round_ids(data_dir):
            books[rid], raws[rid] = _round_hashes(rid, data_dir)
    except (PEOError, OSError, ValueError):
        return None
    if not books or None in raws.values():
        return None
    return {"version": MANIFEST_VERSION, "kind": "trends", "codebooks": books, "raw_files": raws,
            **_data_inputs(data_dir), "notebook": notebook_sha256(TRENDS_NOTEBOOK),
            "environment": environment if environment is not None else environment_inputs()}


def _listing(folder: Path, entries) -> dict:
    """Relative path -> size of every file under ``entries`` (names in ``folder``), manifests left out."""
    out = {}
    for name in sorted(entries):
        path = folder / name
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file():
                    out[p.relative_to(folder).as_posix()] = p.stat().st_size
        elif path.is_file() and not (name.startswith(".manifest") and name.endswith(".json")):
            out[name] = path.stat().st_size
    return out


def write_manifest(folder, name: str, inputs: dict, *, entries=None) -> Path:
    """Write ``folder/name`` describing ``inputs`` and the files of ``entries`` (default: all of ``folder``).

    Called by the runner on the build folder, before the install.
    """
    from datetime import datetime

    folder = Path(folder)
    entries = [p.name for p in folder.iterdir()] if entries is None else list(entries)
    doc = {"inputs": inputs, "outputs": _listing(folder, entries),
           "built": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")}
    path = folder / name
    path.write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(path) -> dict | None:
    """The manifest at ``path``, or None when it is missing or unreadable."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("inputs"), dict) else None


def is_current(target, name: str, inputs: dict | None) -> bool:
    """True when ``target/name`` records exactly ``inputs`` and every output it lists is still there (same size)."""
    if inputs is None:
        return False
    target = Path(target)
    doc = read_manifest(target / name)
    if doc is None or doc["inputs"] != json.loads(json.dumps(inputs)):
        return False
    outputs = doc.get("outputs")
    if not isinstance(outputs, dict) or not outputs:
        return False
    for rel, size in outputs.items():
        try:
            if (target / rel).stat().st_size != size:
                return False
        except OSError:
            return False
    return True
