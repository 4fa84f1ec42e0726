"""The researchers' exploration notebook runs through papermill on a demo round."""

from __future__ import annotations

import pytest

from peo_lib import paths

pytestmark = [pytest.mark.notebook, pytest.mark.slow]


def test_verkennen_runs_on_a_demo_round(demo_dir, tmp_path):
    import papermill as pm

    out = tmp_path / "verkennen.ipynb"
    nb = pm.execute_notebook(
        str(paths.NOTEBOOK_DIR / "verkennen.ipynb"), str(out),
        parameters={"ronde": "2021-1", "data_dir": str(demo_dir)},
        kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
    )
    text = "\n".join(
        o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
        for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "Round 2021-1" in text
    # Every starters-vs-experienced result is printed as a Dutch sentence.
    assert text.count("\n- ") + text.startswith("- ") >= 1
    html = "".join(
        o.get("data", {}).get("text/html", "") if isinstance(o.get("data", {}).get("text/html", ""), str)
        else "".join(o["data"]["text/html"])
        for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "professionele_ruimte" in html
    # the banner tables (weighting section: the demo has no population file, so unweighted)
    assert "Kruistabel kernvragen" in html and 'scope="colgroup"' in html
    assert "Geen populatiecijfers voor deze ronde" in text
    # No respondent ids in any output.
    assert "R_" not in text + html
