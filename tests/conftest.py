"""Shared, seeded fixtures.

``tiny_round_dir`` writes a small, fully known round (codebook + semicolon CSV
with labels) into a temporary data dir: ``DIR/codebooks/2099-1.yml`` and
``DIR/raw/tiny.csv``. Tests that need the demo rounds use ``demo_dir``
(generated once per session by ``peo_lib.data.demo``).
"""

from __future__ import annotations

import os
import tempfile
import textwrap

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

# The private cache (scrubbed answers, dashboard tables) of a test run lives in a
# fresh folder, never in the user's ~/.cache; kernels started by tests inherit it.
os.environ["PEO_CACHE_DIR"] = tempfile.mkdtemp(prefix="peo-test-cache-")

TINY_CODEBOOK = textwrap.dedent(
    """\
    round: "2099-1"
    title: Testronde
    fieldwork: {start: 2099-03-01, end: 2099-04-15}
    theme: werkdruk
    source: {file: tiny.csv, format: auto}
    respondent_id: ResponseId
    privacy: {min_n: 5, min_n_open: 10, redact_terms: [Jeugdformaat]}
    response_sets:
      eens5:
        values: {1: Helemaal oneens, 2: Oneens, 3: Neutraal, 4: Eens, 5: Helemaal eens}
        missing: {8: Niet van toepassing, 9: Weet ik niet}
    items:
      PR01: {column: Q5_1, text: Ik heb voldoende ruimte om zelf te bepalen hoe ik mijn werk doe., response_set: eens5, block: kern}
      PR02: {column: Q5_2, text: Ik kan mijn professionele oordeel volgen., response_set: eens5, block: kern}
      PR03: {column: Q5_3, text: Ik word vertrouwd in mijn afwegingen., response_set: eens5, block: kern}
      PR04: {column: Q5_4, text: Regels bepalen wat ik doe in plaats van mijn oordeel., response_set: eens5, block: kern}
      WD01: {column: Q9_1, text: Ik heb te veel werk voor de tijd die ik heb., response_set: eens5, block: werkdruk}
    scales:
      professionele_ruimte:
        label: Ervaren professionele ruimte
        items: [PR01, PR02, PR03, PR04]
        reverse: [PR04]
        min_valid: 3
    background:
      ervaring_jaren: {column: Q2, type: number}
      functie: {column: Q3, values: {1: Jeugdhulpverlener, 2: Gedragswetenschapper, 3: Teamleider, 4: Anders}}
      gemeente: {column: Q4, values: {1: Den Haag, 2: Delft, 3: Zoetermeer, 4: Westland}}
    starter_max_years: 2
    open_questions:
      OPEN01: {column: Q12, text: "Wat zou jij veranderen als je een toverstaf had?"}
    """
)

TINY_LABELS = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]


def write_tiny_round(data_dir, *, n=40, seed=1, encoding="cp1252", sep=";"):
    """Write the tiny round; returns the codebook path. Deterministic for a seed.

    Known layout: 40 respondents R_0000..R_0039; ervaring_jaren cycles
    1, 1,5, 3, 10, 25 (16 startend, 24 ervaren); gemeente Westland has only 2
    respondents (under min_n=5); items are random labels with ~1/7 'Weet ik
    niet' and ~1/7 blank; every third respondent gave an open answer.
    """
    rng = np.random.default_rng(seed)
    (data_dir / "codebooks").mkdir(parents=True, exist_ok=True)
    (data_dir / "raw").mkdir(parents=True, exist_ok=True)
    cb = data_dir / "codebooks" / "2099-1.yml"
    cb.write_text(TINY_CODEBOOK, encoding="utf-8")
    header = ["ResponseId", "Q2", "Q3", "Q4", "Q5_1", "Q5_2", "Q5_3", "Q5_4", "Q9_1", "Q12"]
    rows = [sep.join(header)]
    for r in range(n):
        years = ["1", "1,5", "3", "10", "25"][r % 5]
        cells = [f"R_{r:04d}", years, str(1 + r % 4), "Westland" if r in (5, 11) else ["Den Haag", "Delft", "Zoetermeer"][r % 3]]
        for _ in range(4):
            k = int(rng.integers(0, 7))
            cells.append(TINY_LABELS[k] if k < 5 else ("Weet ik niet" if k == 5 else ""))
        cells.append(str(int(rng.integers(1, 6))))
        cells.append("Minder regels graag, café" if r % 3 == 0 else "")
        rows.append(sep.join(cells))
    (data_dir / "raw" / "tiny.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode(encoding))
    return cb


@pytest.fixture
def rng():
    return np.random.default_rng(20211)


@pytest.fixture
def tiny_data_dir(tmp_path):
    write_tiny_round(tmp_path)
    return tmp_path


@pytest.fixture
def tiny_round(tiny_data_dir):
    from peo_lib import load_round

    return load_round(tiny_data_dir / "codebooks" / "2099-1.yml")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """The demo rounds, generated once per test session (seeded)."""
    from peo_lib.data import demo

    d = tmp_path_factory.mktemp("demo")
    demo.generate(d)
    return d


@pytest.fixture(scope="module")
def browser():
    """Debian chromium through Playwright, one per test module (``peo_lib.browser.launch_chromium``)."""
    from peo_lib.browser import launch_chromium

    with launch_chromium() as b:
        yield b
