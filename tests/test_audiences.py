"""Audience summaries (issue 6, item 4): table functions against the library, cell selection,
installation beside the full summary, and one notebook run per audience on a demo round.

The notebook runs share one module fixture. Under pytest-xdist the runs happen once per test
run, not once per worker: the first worker builds them under a file lock in the run's shared
temporary folder and the others reuse them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import numpy as np
import pytest

from peo_lib import report

ROUND = "2021-1"
SMALL_GEMEENTE = "Midden-Delfland"  # 1-4 respondents in every demo round
HEADINGS = {
    "onderwijs": ("Startende en ervaren professionals", "Wat starters zeggen over ruimte en regels"),
    "professionals": ("Waar sta ik? Schaalscores", "Waar sta ik? Stellingen"),
    "aanbieders": ("Schalen per type organisatie", "Stellingen per type organisatie"),
    "gemeenten": ("Regels en eisen per gemeente", "Verschillen tussen gemeenten"),
}
STRICT_MIN_N = 12  # above 'Vrijgevestigd' (10 respondents in the demo round 2021-1)


@pytest.fixture(scope="module")
def rnd(demo_dir):
    from peo_lib import load_round

    return load_round(demo_dir / "codebooks" / f"{ROUND}.yml")


# -- tables against the library's own numbers -----------------------------------

def test_rules_and_room_items(rnd):
    cb = rnd.codebook
    assert report.rules_items(rnd)[:4] == cb.scales["regels_en_eisen"].items
    assert set(cb.items_in_block("regels_en_eisen")) <= set(report.rules_items(rnd))
    assert report.rules_scales(rnd) == ["regels_en_eisen", "regeldruk_gemeenten"]
    assert report.room_items(rnd) == cb.scales["professionele_ruimte"].items


def test_experience_items_equal_item_descriptives(rnd):
    from peo_lib.stats.descriptives import item_descriptives

    mine = report.experience_items(rnd)
    ids = list(dict.fromkeys(mine["item"]))
    assert ids == report.room_items(rnd) + [i for i in report.rules_items(rnd) if i not in report.room_items(rnd)]
    lib = item_descriptives(rnd, items=ids, by="ervaringsgroep")
    lib = lib.assign(group=lib["group"].astype(str)).set_index(["group", "item"])
    for rec in mine.to_dict("records"):
        if rec["suppressed"]:
            assert np.isnan(rec["top2_pct"])
            continue
        assert rec["top2_pct"] == pytest.approx(lib.loc[(rec["group"], rec["item"]), "top2_pct"])
        assert rec["mean"] == pytest.approx(lib.loc[(rec["group"], rec["item"]), "mean"])
    strict = report.experience_items(rnd, min_n=10_000)
    assert strict["suppressed"].all() and strict["top2_pct"].isna().all()


def test_scale_score_bins_count_scores(rnd):
    from peo_lib.stats.scoring import score_scales

    bins = report.scale_score_bins(rnd)
    scores = score_scales(rnd)
    for scale, part in bins.groupby("scale", sort=False):
        x = scores[scale].dropna().to_numpy()
        which = np.clip(np.floor(x + 0.5), 1, 5)
        assert part["base"].iloc[0] == len(x)
        for rec in part.to_dict("records"):
            expected = int((which == rec["bin"]).sum())
            if rec["suppressed"]:
                assert np.isnan(rec["n"]) and np.isnan(rec["pct"])
            else:
                assert rec["n"] == expected
                assert rec["pct"] == pytest.approx(100 * expected / len(x))
            assert rec["low"] <= rec["bin"] <= rec["high"]
        small = [int((which == b).sum()) for b in part["bin"]]
        hidden = part["suppressed"].to_numpy()
        assert all(h for s, h in zip(small, hidden) if 0 < s < 5), f"{scale}: a small bin is shown"
        assert hidden.sum() != 1, f"{scale}: one hidden bin is the base minus the others"


def test_scale_quartiles_equal_numpy(rnd):
    from peo_lib.stats.scoring import score_scales

    q = report.scale_quartiles(rnd).set_index("scale")
    scores = score_scales(rnd)
    for s in rnd.codebook.scales:
        np.testing.assert_allclose(q.loc[s, ["q1", "median", "q3"]].to_numpy(float),
                                   np.quantile(scores[s].dropna(), [0.25, 0.5, 0.75]))
    assert report.scale_quartiles(rnd, min_n=10_000)[["q1", "median", "q3"]].isna().all().all()


def test_statement_shares_equal_item_distribution(rnd):
    from peo_lib.stats.descriptives import item_distribution

    sh = report.statement_shares(rnd).set_index("item")
    assert "TV01" not in sh.index  # the 0-10 grade is not a statement
    for item in sh.index:
        d = item_distribution(rnd, item)
        d = d[d["kind"] == "answer"]
        assert sh.loc[item, "base"] == d["base"].iloc[0]
        assert sh.loc[item, "pct_low"] == pytest.approx(d[d["code"] <= 2]["pct"].sum())
        assert sh.loc[item, "pct_mid"] == pytest.approx(d[d["code"] == 3]["pct"].sum())
        assert sh.loc[item, "pct_high"] == pytest.approx(d[d["code"] >= 4]["pct"].sum())
        assert sh.loc[item, ["pct_low", "pct_mid", "pct_high"]].sum() == pytest.approx(100)


def test_organisation_results_all_or_nothing(rnd):
    from peo_lib.stats.descriptives import scale_descriptives

    shown = report.organisation_results(rnd)
    assert shown.attrs["reason"] is None and not shown["suppressed"].any()
    lib = scale_descriptives(rnd, by="organisatie")
    lib = lib.assign(group=lib["group"].astype(str)).set_index(["group", "scale"])
    for rec in shown.to_dict("records"):
        assert rec["mean"] == pytest.approx(lib.loc[(rec["group"], rec["scale"]), "mean"])
        assert rec["n_scored"] >= 5
    items = report.organisation_results(rnd, what="items")
    assert items.attrs["reason"] is None and items["n_valid"].min() >= 5
    hidden = report.organisation_results(rnd, min_n=STRICT_MIN_N)
    assert hidden["suppressed"].all()
    assert hidden[["n", "n_scored", "mean", "sd", "ci_low", "ci_high"]].isna().all().all()
    assert "Vrijgevestigd" in hidden.attrs["reason"] and f"minder dan {STRICT_MIN_N}" in hidden.attrs["reason"]
    with pytest.raises(ValueError, match="`what` must be one of"):
        report.organisation_results(rnd, what="gemeenten")


def test_municipal_scale_means(rnd):
    from peo_lib.stats.descriptives import scale_descriptives

    ms = report.municipal_scale_means(rnd)
    assert list(dict.fromkeys(ms["scale"]))[:2] == ["regels_en_eisen", "regeldruk_gemeenten"]
    lib = scale_descriptives(rnd, by="gemeente")
    lib = lib.assign(group=lib["group"].astype(str)).set_index(["group", "scale"])
    for scale, part in ms.groupby("scale", sort=False):
        groups = part[~part["is_total"]]
        total = part[part["is_total"]].iloc[0]
        assert total["n_scored"] == lib.xs(scale, level="scale")["n_scored"].sum()  # gemeente known
        for rec in groups.to_dict("records"):
            true_n = lib.loc[(rec["group"], scale), "n_scored"]
            if rec["suppressed"]:
                assert np.isnan(rec["mean"]) and np.isnan(rec["n_scored"]) and np.isnan(rec["n"])
            else:
                assert true_n >= 5
                assert rec["mean"] == pytest.approx(lib.loc[(rec["group"], scale), "mean"])
        md = groups[groups["group"] == SMALL_GEMEENTE]
        assert md["suppressed"].all()
        assert groups["suppressed"].sum() >= 2  # the small gemeente and a complement


def test_municipal_item_shares(rnd):
    from peo_lib.stats.descriptives import item_descriptives

    sh = report.municipal_item_shares(rnd)
    assert list(dict.fromkeys(sh["item"])) == report.rules_items(rnd)
    lib = item_descriptives(rnd, items=report.rules_items(rnd), by="gemeente")
    lib = lib.assign(group=lib["group"].astype(str)).set_index(["group", "item"])
    for rec in sh[~sh["is_total"]].to_dict("records"):
        if rec["group"] == SMALL_GEMEENTE:
            assert rec["suppressed"] and np.isnan(rec["top2_pct"])
        if not rec["suppressed"]:
            assert rec["top2_pct"] == pytest.approx(lib.loc[(rec["group"], rec["item"]), "top2_pct"])
    for item, part in sh.groupby("item"):
        assert part[~part["is_total"]]["suppressed"].sum() != 1


def test_municipal_differences_use_shown_gemeenten_only(rnd):
    from scipy import stats

    from peo_lib.stats.scoring import score_scales

    ms = report.municipal_scale_means(rnd)
    diff = report.municipal_differences(rnd).set_index("scale")
    scores = score_scales(rnd)
    gem = rnd.background["gemeente"].astype(object)
    for scale, part in ms.groupby("scale", sort=False):
        shown = part[~part["suppressed"] & ~part["is_total"]]
        res = stats.kruskal(*[scores[scale][gem == g].dropna() for g in shown["group"]])
        assert diff.loc[scale, "p"] == pytest.approx(res.pvalue)
        assert diff.loc[scale, "k"] == len(shown)
        assert SMALL_GEMEENTE not in diff.loc[scale, "zin"]


# -- notebook cells and installation (no kernel) -------------------------------------

def test_select_cells_per_audience():
    import nbformat

    from peo_lib.publish.runner import NOTEBOOK, select_cells

    nb = nbformat.read(NOTEBOOK, as_version=4)
    tags = [set(c.metadata.get("tags", [])) for c in nb.cells]
    for audience in (None, *report.AUDIENCES):
        want = "panel" if audience is None else audience
        sub, kept = select_cells(nb, audience)
        assert len(sub.cells) == len(kept)
        for k, t in enumerate(tags):
            expected = not (t & {"panel", *report.AUDIENCES}) or want in t
            assert (k in kept) == expected
        assert "parameters" in sub.cells[0].metadata["tags"]
        assert "rapport.provenance()" in sub.cells[-1].source
    assert any("onderwijs" in t for t in tags) and any("panel" in t for t in tags)


def _fill(folder, names, text):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name.startswith("figuren"):
            (folder / name).mkdir(exist_ok=True)
            (folder / name / "a.png").write_text(text)
        else:
            (folder / name).write_text(text)


def test_install_keeps_the_other_summaries(tmp_path):
    from peo_lib.publish.install import install_round as _install
    from peo_lib.vocab import output_names

    target = tmp_path / ROUND
    panel = list(output_names(None).values()) + ["tabellen.xlsx"]
    onderwijs = list(output_names("onderwijs").values())
    _fill(target, panel, "panel v1")
    (target / "figuren" / "oud.png").write_text("panel v1")
    # an audience run adds its files and leaves the panel's alone
    _fill(tmp_path / "t1", onderwijs, "onderwijs v1")
    _install(tmp_path / "t1", target, "onderwijs")
    assert (target / "samenvatting.html").read_text() == "panel v1"
    assert (target / "samenvatting-onderwijs.html").read_text() == "onderwijs v1"
    # a full run replaces the panel files (stale ones go) and keeps the audience's
    _fill(tmp_path / "t2", panel, "panel v2")
    _install(tmp_path / "t2", target, None)
    assert (target / "samenvatting.html").read_text() == "panel v2"
    assert not (target / "figuren" / "oud.png").exists()
    assert (target / "samenvatting-onderwijs.html").read_text() == "onderwijs v1"
    assert (target / "figuren-onderwijs" / "a.png").read_text() == "onderwijs v1"
    # a second audience run replaces only its own files
    _fill(tmp_path / "t3", onderwijs, "onderwijs v2")
    _install(tmp_path / "t3", target, "onderwijs")
    assert (target / "ronde-onderwijs.ipynb").read_text() == "onderwijs v2"
    assert (target / "tabellen.xlsx").read_text() == "panel v2"
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


def test_unknown_audience_fails_before_a_kernel_starts(demo_dir, tmp_path):
    from peo_lib.publish.runner import run_reports, run_round_report

    with pytest.raises(ValueError, match="`audience` must be one of"):
        run_round_report(ROUND, data_dir=demo_dir, out_dir=tmp_path, audience="panel")
    with pytest.raises(ValueError, match="`audience` must be one of"):
        run_reports([ROUND], data_dir=demo_dir, out_dir=tmp_path, audience=["onderwijs", "partners"])
    assert list(tmp_path.iterdir()) == []


# -- notebook runs ---------------------------------------------------------------------

def _shared_root(tmp_path_factory):
    """A folder shared by the xdist workers of this test run (else this session's own)."""
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if uid:
        root = tmp_path_factory.getbasetemp().parent / f"audiences-{uid}"
    else:
        root = tmp_path_factory.mktemp("audiences")
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="module")
def runs(demo_dir, tmp_path_factory):
    """The four audience summaries of one demo round (two at a time) beside stand-in panel files,
    and the aanbieders summary with min_n above one organisation's size."""
    from peo_lib.fileio import file_lock
    from peo_lib.publish.runner import run_reports, run_round_report

    root = _shared_root(tmp_path_factory)
    done = root / "done.json"
    with file_lock(root / "build.lock"):
        if not done.is_file():
            data = root / "data"
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(demo_dir / "codebooks", data / "codebooks")
            shutil.copytree(demo_dir / "raw", data / "raw")
            out = root / "out"
            shutil.rmtree(out, ignore_errors=True)
            _fill(out / ROUND, ["samenvatting.html", "ronde.ipynb", "tabellen.xlsx", "figuren"], "panel")
            t0 = time.perf_counter()
            run_reports([ROUND], jobs=2, data_dir=data, out_dir=out, audience=list(report.AUDIENCES),
                        timeout=300, progress=False)
            t1 = time.perf_counter()
            run_round_report(ROUND, data_dir=data, out_dir=root / "strict", audience="aanbieders",
                             min_n=STRICT_MIN_N, timeout=300)
            t2 = time.perf_counter()
            done.write_text(json.dumps({"four_audiences_s": t1 - t0, "strict_s": t2 - t1}))
    return root


def _html(root, audience, out="out"):
    return (root / out / ROUND / f"samenvatting-{audience}.html").read_text(encoding="utf-8")


@pytest.mark.notebook
@pytest.mark.parametrize("audience", report.AUDIENCES)
def test_audience_html_offline_code_free_with_provenance(runs, audience):
    from peo_lib import load_round
    from peo_lib.publish.runner import check_offline_html

    folder = runs / "out" / ROUND
    assert (folder / f"ronde-{audience}.ipynb").is_file()
    html = _html(runs, audience)
    assert check_offline_html(html) == []
    assert "<script" not in html.lower()
    assert not re.search(r'class="[^"]*\b(jp-InputArea|jp-InputPrompt|jp-OutputPrompt)\b', html)
    assert "build_report(" not in html and "import " not in html and "rapport." not in html
    rnd = load_round(runs / "data" / "codebooks" / f"{ROUND}.yml")
    tail = html[html.rindex("peo-provenance"):]
    assert f"ronde {ROUND}" in tail and rnd.codebook.sha256 in tail and rnd.raw_sha256 in tail
    assert f"Samenvatting voor {report.AUDIENCE_LABELS[audience]}" in html
    for heading in HEADINGS[audience]:
        assert re.search(rf"<h2[^>]*>{re.escape(heading)}", html), heading
    others = [h for a, hs in HEADINGS.items() if a != audience for h in hs if h not in HEADINGS[audience]]
    assert not [h for h in others if re.search(rf"<h2[^>]*>{re.escape(h)}", html)]
    assert "Open antwoorden" not in html  # a panel section
    assert "McDonalds" not in html  # technical detail is for the full summary
    ids = [str(i) for i in rnd.items.index]
    assert not [i for i in ids if len(i) > 3 and re.search(rf"\b{re.escape(i)}\b", html)]


@pytest.mark.notebook
def test_audience_runs_keep_the_panel_files(runs):
    folder = runs / "out" / ROUND
    assert (folder / "samenvatting.html").read_text() == "panel"
    assert (folder / "tabellen.xlsx").read_text() == "panel"
    for audience in report.AUDIENCES:
        assert (folder / f"samenvatting-{audience}.html").is_file(), audience
    assert (folder / "figuren-gemeenten").is_dir()
    assert not [p for p in (runs / "out").iterdir() if ".tmp-" in p.name or ".failed" in p.name]


def _rows_with(html, text):
    return [r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if text in r]


@pytest.mark.notebook
def test_gemeenten_show_no_number_for_a_small_gemeente(runs):
    html = _html(runs, "gemeenten")
    rows = _rows_with(html, SMALL_GEMEENTE)
    assert len(rows) >= 3  # response, rules statements, scales
    for row in rows:
        cells = re.findall(r'<td class="num">(.*?)</td>', row)
        assert cells and all(c == "n&lt;5" for c in cells), row
    # nowhere else: not in sentences, not in captions
    outside = re.sub(r"<tr>.*?</tr>", "", html, flags=re.S)
    assert SMALL_GEMEENTE not in outside
    assert "Alle gemeenten" in html and "Kruskal-Wallis" in html


@pytest.mark.notebook
def test_aanbieders_table_only_when_every_organisation_is_large_enough(runs, rnd):
    shown = _html(runs, "aanbieders")
    orgs = [str(c) for c in rnd.background["organisatie"].cat.categories]
    heads = re.findall(r"<th[^>]*>(.*?)</th>", shown)
    assert all(any(h.startswith(f"{o} (n = ") for h in heads) for o in orgs)
    strict = _html(runs, "aanbieders", out="strict")
    assert "worden niet getoond" in strict and "Vrijgevestigd" in strict
    heads = re.findall(r"<th[^>]*>(.*?)</th>", strict)
    assert not [h for h in heads if any(h.startswith(o) for o in orgs)]  # no organisation columns
    assert "Stelling (% (helemaal) eens)" not in strict and "Wijkteam" in strict  # counts table only


@pytest.mark.notebook
def test_professionals_mirror_and_onderwijs_sentences(runs):
    prof = _html(runs, "professionals")
    assert "De helft van de professionals scoort tussen" in prof and "% (helemaal) eens" in prof
    ond = _html(runs, "onderwijs")
    assert "startende professionals" in ond and "Cohens d" in ond and "data:image/png;base64," in ond
    assert ">n startend<" not in ond  # group sizes of tests are technical detail


@pytest.mark.notebook
def test_audience_run_times_are_modest(runs):
    times = json.loads((runs / "done.json").read_text())
    # four summaries two at a time, then one more: a generous bound, not a benchmark
    assert times["four_audiences_s"] < 240 and times["strict_s"] < 120, times
