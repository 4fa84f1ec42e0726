"""Repository rules: dependencies declared twice stay in sync and are locked; notebooks carry no outputs."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# conda-forge spells a few packages differently from PyPI.
CONDA_NAMES = {"pyyaml": "pyyaml"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = list(data["project"]["dependencies"])
    for extra in data["project"].get("optional-dependencies", {}).values():
        reqs += extra
    return dict(_split(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                if not pip_dep.startswith("-"):
                    name, spec = _split(pip_dep)
                    out[name] = spec
            continue
        name, spec = _split(dep)
        if name in ("python", "pip"):
            continue
        out[CONDA_NAMES.get(name, name)] = spec
    return out


def test_environment_yml_matches_pyproject():
    py, env = _pyproject(), _environment()
    assert sorted(set(py) - set(env)) == [], "in pyproject.toml only"
    assert sorted(set(env) - set(py)) == [], "in environment.yml only"
    differing = {k: (py[k], env[k]) for k in py if py[k] != env[k]}
    assert differing == {}, "lower bounds differ (pyproject, environment.yml)"


def _lock() -> dict[str, tuple[str, int]]:
    """requirements.lock: package -> (pinned version, number of hashes)."""
    pins, name = {}, None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if m:
            name = m.group(1).lower().replace("_", "-").replace(".", "-")
            pins[name] = (m.group(2), 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            pins[name] = (pins[name][0], pins[name][1] + 1)
    return pins


def test_lock_file_pins_every_dependency_with_hashes():
    """requirements.lock (uv pip compile --generate-hashes) pins each dependency of pyproject.toml, the
    test extras too, at a version its lower bound admits; every pinned package carries its hashes."""
    from packaging.version import Version

    pins = _lock()
    assert len(pins) > len(_pyproject())  # and what they depend on
    for name, spec in _pyproject().items():
        key = name.replace(".", "-")
        assert key in pins, f"{name} is not pinned in requirements.lock: run the command at the top of the lock file"
        assert Version(pins[key][0]) >= Version(spec.removeprefix(">=")), f"{name}: lock {pins[key][0]} < {spec}"
    assert [n for n, (_, hashes) in pins.items() if hashes == 0] == [], "pinned without a hash"
    head = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()[:3]
    assert any("--generate-hashes" in line and "pyproject.toml" in line for line in head)


def test_setup_installs_the_lock_file():
    """make setup installs requirements.lock with hashes checked: with uv, or with plain pip as the fallback."""
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "LOCK       := requirements.lock" in make and "$(STAMP): pyproject.toml $(LOCK)" in make
    assert "uv pip install --quiet --python $(BIN)/python --require-hashes --compile-bytecode -r $(LOCK)" in make
    # PYTHONDONTWRITEBYTECODE (set on this machine and in CI) would otherwise leave every import uncompiled
    assert "-m compileall -q -j 0 peo_lib" in make
    assert "-m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)" in make


def test_every_dependency_has_a_tested_lower_bound():
    for name, spec in _pyproject().items():
        assert spec.startswith(">="), f"{name} needs a lower bound (the version tested)"


def _committed_notebooks():
    try:
        files = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        files = []
    return [ROOT / f for f in files] or sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("nb_path", _committed_notebooks(), ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{nb_path.name} cell {k} has outputs: strip it (nbstripout)"
            assert cell.get("execution_count") is None, f"{nb_path.name} cell {k} has an execution count"
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, f"{nb_path.name} needs exactly one cell tagged 'parameters'"


def test_no_raw_data_or_outputs_in_git():
    files = subprocess.run(["git", "ls-files", "data/raw", "outputs", ".venv", "data/demo"], cwd=ROOT,
                           capture_output=True, text=True).stdout.split()
    assert [f for f in files if not f.endswith(".gitkeep")] == []
