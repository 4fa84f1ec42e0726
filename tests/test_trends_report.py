"""peo_lib.report.trends: the trend notebook through papermill, HTML offline, numbers equal the library's."""

from __future__ import annotations

import html as htmllib
import re
import shutil
import warnings

import pytest

from peo_lib.errors import NotebookCellError, ReportError

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def published(demo_dir, tmp_path_factory):
    """One good run of the trend notebook on a copy of the demo data (rounds + register)."""
    from peo_lib.publish.runner import run_trends_report

    data = tmp_path_factory.mktemp("data")
    shutil.copytree(demo_dir / "codebooks", data / "codebooks")
    shutil.copytree(demo_dir / "raw", data / "raw")
    shutil.copy(demo_dir / "verbeteracties.yml", data / "verbeteracties.yml")
    out = tmp_path_factory.mktemp("out")
    path = run_trends_report(data_dir=data, out_dir=out, timeout=300)
    return path, data, out


@pytest.fixture(scope="module")
def rounds(published):
    from peo_lib.data.rounds import load_rounds

    _, data, _ = published
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return load_rounds(data / "codebooks", data / "raw")


@pytest.fixture(scope="module")
def page(published):
    path, _, _ = published
    return (path / "trends.html").read_text(encoding="utf-8")


def _sheet(path, name):
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_outputs_exist(published, rounds):
    from peo_lib.report.trends import core_scales

    path, _, out = published
    assert path == out / "trends"
    for name in ("trends.ipynb", "trends.html", "tabellen.xlsx"):
        assert (path / name).is_file(), name
    pngs = {p.name for p in (path / "figuren").glob("*.png")}
    assert pngs == {f"trend_{s}.png" for s in core_scales(rounds)}
    assert not [p for p in out.iterdir() if p.name.startswith(".trends.")]  # no temp or failed dirs left


def test_html_is_offline_and_code_free(page):
    from peo_lib.publish.runner import check_offline_html

    assert check_offline_html(page) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?://""", page, re.I)
    assert "<script" not in page.lower()
    assert not re.search(r'class="[^"]*\b(jp-InputArea|jp-InputPrompt|jp-OutputPrompt)\b', page)
    assert "build_trends_report(" not in page and "import " not in page and "rapport." not in page
    assert page.count("data:image/png;base64,") >= 5


def test_provenance_names_every_round(page, rounds, published):
    from peo_lib.data.register import read_register

    _, data, _ = published
    tail = page[page.rindex("peo-provenance"):]
    for rid, rnd in rounds.items():
        assert f"ronde {rid}" in tail
        assert rnd.codebook.sha256 in tail and rnd.raw_sha256 in tail
    assert read_register(data / "verbeteracties.yml").sha256 in tail
    assert "peo_lib 0." in tail and "git commit" in tail and "gemaakt 20" in tail


def test_labels_actions_and_sentences(page, rounds, published):
    from peo_lib.data.register import read_register
    from peo_lib.stats.trends import trend_sentence
    from peo_lib.report.trends import core_scales

    _, data, _ = published
    text = htmllib.unescape(page)
    scales = core_scales(rounds)
    assert len(scales) == 5
    shown = {m.group(1): htmllib.unescape(m.group(2)) for m in
             re.finditer(r'<p class="peo-trend-sentence" data-scale="([^"]+)">(.*?)</p>', page, re.S)}
    assert set(shown) == set(scales)
    last = list(rounds.values())[-1]
    for s in scales:
        assert last.codebook.scales[s].label in text
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            assert shown[s] == trend_sentence(rounds, scale=s)
    for action in read_register(data / "verbeteracties.yml").actions:
        assert action.titel in text
    assert "Vergelijkbaarheid van de vragen" in text and "Verbeteracties" in text


def test_tables_equal_library_numbers(published, rounds):
    from peo_lib.data.register import actions_before_after, read_register
    from peo_lib.stats.trends import consecutive_changes, scale_trend

    path, data, _ = published
    xlsx = path / "tabellen.xlsx"
    trend = _sheet(xlsx, "Trend")
    scales = sorted({r["scale"] for r in trend})
    for s in scales:
        lib = scale_trend(rounds, scale=s).set_index("round")
        for row in (r for r in trend if r["scale"] == s):
            assert not row["suppressed"]  # the demo rounds have 160-240 respondents
            assert row["mean"] == pytest.approx(lib.loc[row["round"], "mean"])
            assert row["ci_low"] == pytest.approx(lib.loc[row["round"], "ci_low"])
        ch = consecutive_changes(rounds, scale=s).set_index("current")
        for row in (r for r in _sheet(xlsx, "Veranderingen") if r["scale"] == s):
            assert row["diff"] == pytest.approx(ch.loc[row["current"], "diff"])
            assert row["p_adjusted"] == pytest.approx(ch.loc[row["current"], "p_adjusted"])
            assert bool(row["significant"]) == bool(ch.loc[row["current"], "significant"])
    by_group = _sheet(xlsx, "Trend per ervaring")
    assert {r["ervaringsgroep"] for r in by_group} >= {"startend", "ervaren"}
    for r in by_group:
        assert r["suppressed"] or r["n"] >= 5
    ba = actions_before_after(rounds, read_register(data / "verbeteracties.yml"))
    rows = _sheet(xlsx, "Verbeteracties")
    assert len(rows) == len(ba)
    for row, lib in zip(rows, ba.to_dict("records")):
        assert (row["id"], row["indicator"]) == (lib["id"], lib["indicator"])
        if lib["round_after"] is not None and lib["comparable"]:
            assert row["diff"] == pytest.approx(lib["diff"])


def test_group_points_below_min_n_are_hidden(rounds):
    """Disclosure control before plotting: a group under min_n and its complement are hidden."""
    import numpy as np

    from peo_lib.stats.trends import scale_trend
    from peo_lib.report.trends import group_trend_table

    lib = scale_trend(rounds, scale="professionele_ruimte", by="ervaringsgroep")
    min_n = int(lib.loc[lib["ervaringsgroep"] == "startend", "n"].median()) + 1
    t = group_trend_table(rounds, scale="professionele_ruimte", min_n=min_n)
    small = lib["n"].to_numpy() < min_n
    assert small.any() and t["suppressed"].to_numpy()[small].all()
    assert t.loc[t["suppressed"], ["n", "mean", "ci_low", "ci_high"]].isna().all().all()
    per_round = t.groupby("round")["suppressed"].sum()
    assert set(per_round) <= {0, 2}  # never one group alone: the other gives it back via the total
    assert np.isfinite(t.loc[~t["suppressed"], "mean"]).all()


def test_executed_notebook_keeps_parameters(published):
    import nbformat

    path, _, _ = published
    nb = nbformat.read(path / "trends.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert ["parameters"] in tags and ["injected-parameters"] in tags
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_failed_run_keeps_previous_outputs(published):
    from peo_lib.publish.runner import run_trends_report

    path, data, out = published
    before = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    reg = data / "verbeteracties.yml"
    good = reg.read_text(encoding="utf-8")
    reg.write_text(good.replace("status: lopend", "status: bezig", 1), encoding="utf-8")
    try:
        with pytest.raises(NotebookCellError) as info:
            run_trends_report(data_dir=data, out_dir=out, timeout=300)
    finally:
        reg.write_text(good, encoding="utf-8")
    err = info.value
    assert isinstance(err, ReportError)
    assert err.ename == "RegisterError" and "bezig" in err.evalue
    assert err.cell_index == 1 and "from peo_lib.report.round import" in err.first_line
    assert "cell 1 of trends.ipynb" in str(err) and err.evidence.is_file()
    assert {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()} == before
    assert not [p for p in out.iterdir() if ".tmp-" in p.name]
