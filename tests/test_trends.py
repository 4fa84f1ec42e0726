"""Tests of peo_lib.stats.trends: references, synthetic compositions and the demo's planted trends.

References
----------
* Ordinal logit: the UCLA IDRE ``ologit`` example (tests/data/ologit_ucla.csv,
  copied from statsmodels 0.15.0 ``statsmodels/miscmodels/tests/results/``;
  see tests/data/ologit_ucla.SOURCE.txt). Values from
  ``statsmodels/miscmodels/tests/results/results_ordinal_model.py``, made with
  R 3.4.4 ``MASS::polr(apply ~ pared + public + gpa, method = "logistic",
  Hess = TRUE)``; tolerances as statsmodels' own ``test_ordinal_model.py``.
* Welch t test: R's ``sleep`` data, ``example(t.test)``:
  ``t.test(extra ~ group, data = sleep)`` prints t = -1.8608,
  df = 17.776, p-value = 0.07939, 95 percent CI -3.3654832 0.2054832.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peo_lib.stats import trends
from peo_lib.data.codebook import parse_codebook
from peo_lib.data.readers import RawTable
from peo_lib.data.rounds import round_from_table

DATA = Path(__file__).parent / "data"
EENS5 = {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"}


# -- synthetic rounds ---------------------------------------------------------------------

def _codebook(rid, *, text1="Ik heb voldoende ruimte in mijn werk."):
    return parse_codebook({
        "round": rid, "title": "Synthetisch", "theme": "thema", "source": {"file": f"{rid}.csv"},
        "respondent_id": "id", "response_sets": {"eens5": {"values": EENS5}},
        "items": {"A1": {"column": "a1", "text": text1, "response_set": "eens5"},
                  "A2": {"column": "a2", "text": "Ik word vertrouwd.", "response_set": "eens5"}},
        "scales": {"ruimte": {"label": "Ervaren ruimte", "items": ["A1", "A2"], "min_valid": 1}},
        "background": {"ervaring_jaren": {"column": "jaren", "type": "number"},
                       "functie": {"column": "functie",
                                   "values": {1: "Jeugdhulpverlener", 2: "Gedragswetenschapper"}}},
    }, path=f"{rid}.yml")


def _round(rid, groups, *, text1=None):
    """A round from ``groups``: list of (years, functie, [a1 codes], [a2 codes]) blocks."""
    rows = []
    for years, functie, a1, a2 in groups:
        for x, y in zip(a1, a2):
            rows.append({"jaren": years, "functie": functie, "a1": x, "a2": y})
    df = pd.DataFrame(rows)
    df.insert(0, "id", [f"{rid}_{k}" for k in range(len(df))])
    cb = _codebook(rid) if text1 is None else _codebook(rid, text1=text1)
    return round_from_table(cb, RawTable(data=df.astype(object), path=Path(f"{rid}.csv"), format="csv"))


# Same answers within each experience group in every round: only the mix changes.
STARTER = ([2, 3, 3, 2, 4, 3] * 5, [3, 2, 3, 3, 2, 4] * 5)       # mean 2.83
EXPERIENCED = ([4, 3, 4, 5, 4, 3] * 5, [4, 4, 3, 5, 4, 4] * 5)   # mean 3.92


def _mix(rid, n_starter_blocks, n_exp_blocks, **kw):
    groups = []
    for k in range(n_starter_blocks):
        groups.append((1.0, 1 + k % 2, *STARTER))
    for k in range(n_exp_blocks):
        groups.append((10.0, 1 + k % 2, *EXPERIENCED))
    return _round(rid, groups, **kw)


@pytest.fixture
def shifted_mix():
    """Two rounds: 20% starters, then 70% starters; true group means unchanged."""
    return {"2030-1": _mix("2030-1", 2, 8), "2030-2": _mix("2030-2", 7, 3)}


# -- references ---------------------------------------------------------------------------

def test_fit_ordinal_matches_r_polr_ucla():
    df = pd.read_csv(DATA / "ologit_ucla.csv")
    df["apply"] = pd.Categorical(df["apply"], categories=["unlikely", "somewhat likely", "very likely"],
                                 ordered=True)
    res = trends.fit_ordinal(df, outcome="apply", predictors=["pared", "public", "gpa"])
    tab = trends.ordinal_coefficients(res).set_index("term")
    coef = tab[tab["kind"] == "coef"]
    # R's polr stops optim's BFGS a little short of the maximum; our wrapper polishes with Newton
    # steps, so estimates agree to 1e-3 (printed precision of R's summary is 1e-4) and our
    # log-likelihood is at least the one at R's estimates (checked below).
    #> summary(polr(apply ~ pared + public + gpa, data = ologit_ucla, Hess = TRUE))  # R 3.4.4, MASS
    r_coef = np.array([1.04769011, -0.05878572, 0.61594057])
    r_zeta = np.array([2.203915, 4.299363])
    np.testing.assert_allclose(coef["estimate"], r_coef, atol=1e-3)
    np.testing.assert_allclose(coef["se"], [0.2658, 0.2979, 0.2606], rtol=0.003, atol=1e-5)
    np.testing.assert_allclose(coef["z"], [3.9418, -0.1974, 2.3632], rtol=0.003, atol=7e-4)
    np.testing.assert_allclose(coef["p"], [8.087070e-05, 8.435464e-01, 1.811594e-02], rtol=0.009, atol=1e-5)
    thr = tab[tab["kind"] == "threshold"]
    assert list(thr.index) == ["unlikely|somewhat likely", "somewhat likely|very likely"]
    np.testing.assert_allclose(thr["estimate"], r_zeta, atol=1e-3)  # polr's zeta
    r_params = np.r_[r_coef, r_zeta[0], np.log(r_zeta[1] - r_zeta[0])]  # statsmodels' parametrisation
    assert res.llf >= res.model.loglike(r_params) - 1e-9
    np.testing.assert_allclose(coef["odds_ratio"], np.exp(coef["estimate"]))
    #> head(predict(r_logit, ologit_ucla[, c("pared", "public", "gpa")], type = "prob"), 7)
    prob = trends.predict_ordinal(res, df.iloc[:7])
    np.testing.assert_allclose(prob.to_numpy(), [
        [0.5488310, 0.3593310, 0.09183798], [0.3055632, 0.4759496, 0.21848725],
        [0.2293835, 0.4781951, 0.29242138], [0.6161224, 0.3126888, 0.07118879],
        [0.6560149, 0.2833901, 0.06059505], [0.6609240, 0.2797117, 0.05936431],
        [0.6518332, 0.2865114, 0.06165547]], atol=5e-5)
    # counterfactual prediction: everyone with pared = 1
    np.testing.assert_allclose(trends.predict_ordinal(res, df.iloc[:3], pared=1).to_numpy(),
                               trends.predict_ordinal(res, df.iloc[:3].assign(pared=1)).to_numpy())


def test_welch_test_matches_r_sleep():
    extra1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    extra2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    #> t.test(extra ~ group, data = sleep)   # mean(group 1) - mean(group 2)
    w = trends.welch_test(extra2, extra1)
    assert w["t"] == pytest.approx(-1.8608, abs=5e-5)
    assert w["df"] == pytest.approx(17.776, abs=5e-4)
    assert w["p"] == pytest.approx(0.07939, abs=5e-6)
    assert (w["ci_low"], w["ci_high"]) == pytest.approx((-3.3654832, 0.2054832), abs=5e-8)


def test_scale_trend_interval_is_t_test_interval():
    rnd = _round("2030-1", [(10.0, 1, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])])
    tab = trends.scale_trend([rnd], scale="ruimte")
    #> t.test(c(1, 2, 3, 4, 5))$conf.int  ->  1.036757 4.963243
    assert tab.loc[0, "mean"] == 3
    assert (tab.loc[0, "ci_low"], tab.loc[0, "ci_high"]) == pytest.approx((1.036757, 4.963243), abs=5e-7)


# -- composition adjustment -------------------------------------------------------------------

def test_adjusted_trend_removes_change_made_by_composition(shifted_mix):
    raw = trends.scale_trend(shifted_mix, scale="ruimte")
    adj = trends.adjusted_trend(shifted_mix, scale="ruimte")
    raw_change = raw["mean"].iloc[1] - raw["mean"].iloc[0]
    adj_change = adj["mean"].iloc[1] - adj["mean"].iloc[0]
    # 20% -> 70% starters with a group gap of 1.08 points: raw mean falls by ~0.54
    assert raw_change == pytest.approx(-0.5 * (3.9167 - 2.8333), abs=0.01)
    assert abs(adj_change) < 1e-9
    assert adj.attrs["formula"] == "ruimte ~ C(round) + C(ervaringsgroep) + C(functie)"
    assert adj.attrs["reference"]["ervaringsgroep"] == pytest.approx({"startend": 0.45, "ervaren": 0.55})
    welch = trends.consecutive_changes(shifted_mix, scale="ruimte")
    model = trends.consecutive_changes(shifted_mix, scale="ruimte", method="adjusted")
    assert bool(welch.loc[0, "significant"]) and welch.loc[0, "p"] < 1e-6
    assert not bool(model.loc[0, "significant"]) and model.loc[0, "diff"] == pytest.approx(0, abs=1e-9)
    text = trends.trend_sentence(shifted_mix, scale="ruimte")
    assert "gedaald van 3,7 naar 3,2" in text
    assert "samenstelling" in text and "nagenoeg gelijk gebleven" in text


def test_adjusted_trend_without_covariates_equals_raw_means(shifted_mix):
    adj = trends.adjusted_trend(shifted_mix, scale="ruimte", covariates=())
    raw = trends.scale_trend(shifted_mix, scale="ruimte")
    np.testing.assert_allclose(adj["mean"], raw["mean"])
    np.testing.assert_allclose(adj["raw_mean"], raw["mean"])


def test_adjusted_trend_by_group_gives_group_lines(shifted_mix):
    adj = trends.adjusted_trend(shifted_mix, scale="ruimte", by="ervaringsgroep")
    assert list(adj["ervaringsgroep"]) == ["startend", "ervaren", "startend", "ervaren"]
    np.testing.assert_allclose(adj["mean"], [2.8333, 3.9167, 2.8333, 3.9167], atol=1e-3)


def test_adjusted_item_trend_ordinal_removes_composition(shifted_mix):
    tab = trends.adjusted_item_trend(shifted_mix, item="A1")
    assert tab.loc[0, "odds_ratio"] == 1.0
    assert tab.loc[1, "odds_ratio"] == pytest.approx(1.0, abs=1e-3)
    assert tab.loc[1, "p_agree"] == pytest.approx(tab.loc[0, "p_agree"], abs=1e-3)
    assert tab.loc[1, "raw_p_agree"] < tab.loc[0, "raw_p_agree"] - 0.2
    assert (tab["ci_low"] < tab["p_agree"]).all() and (tab["p_agree"] < tab["ci_high"]).all()
    assert tab.attrs["agree"] == [4.0, 5.0]


# -- comparability ---------------------------------------------------------------------------

def test_changed_wording_breaks_the_trend_line(shifted_mix):
    rounds = dict(shifted_mix)
    rounds["2031-1"] = _mix("2031-1", 3, 7, text1="Ik bepaal zelf hoe ik mijn werk doe.")
    comp = trends.comparability(rounds).set_index("id")
    assert bool(comp.loc["A1", "text_changed"]) and comp.loc["A1", "changed_in"] == "2031-1"
    assert not bool(comp.loc["A1", "comparable"]) and bool(comp.loc["A2", "comparable"])
    assert comp.loc["ruimte", "kind"] == "scale" and bool(comp.loc["ruimte", "items_changed"])
    assert comp.loc["ruimte", ["2030-1", "2030-2", "2031-1"]].tolist() == [True, True, True]
    assert trends.scale_trend(rounds, scale="ruimte")["series"].tolist() == [1, 1, 2]
    ch = trends.consecutive_changes(rounds, scale="ruimte")
    assert ch["comparable"].tolist() == [True, False]
    assert np.isnan(ch.loc[1, "p"]) and np.isnan(ch.loc[1, "p_adjusted"])
    assert "gewijzigd" in trends.trend_sentence(rounds, scale="ruimte")


def test_stack_rounds_aligns_on_ids(shifted_mix):
    df = trends.stack_rounds(shifted_mix)
    assert list(df.columns[:7]) == ["round", "respondent", "ervaringsgroep", "functie", "organisatie",
                                    "gemeente", "ervaring_jaren"]
    assert {"ruimte", "A1", "A2"} <= set(df.columns)
    assert len(df) == 600 and list(df["round"].cat.categories) == ["2030-1", "2030-2"]
    assert df["organisatie"].isna().all()


@pytest.mark.parametrize("call, match", [
    (lambda r: trends.scale_trend(r, scale="ruimtje"), r"scale='ruimtje' is not a scale.*\['ruimte'\]"),
    (lambda r: trends.scale_trend(r, scale="ruimte", by="leeftijd"), r"`by` must be one of .*'leeftijd' was passed"),
    (lambda r: trends.consecutive_changes(r, scale="ruimte", method="bayes"),
     r"`method` must be one of \['welch', 'adjusted'\], but 'bayes'"),
    (lambda r: trends.adjusted_trend(r, scale="ruimte", covariates=("leeftijd",)),
     r"`covariates` must be one of .*'leeftijd' was passed"),
    (lambda r: trends.scale_trend(r, scale="ruimte", level=95), r"level=95"),
    (lambda r: trends.adjusted_item_trend(r, item="Z9"), r"item='Z9' is not an item"),
])
def test_argument_errors_name_value_and_options(shifted_mix, call, match):
    with pytest.raises(ValueError, match=match):
        call(shifted_mix)


def test_rounds_must_be_rounds():
    with pytest.raises(TypeError, match="load_rounds"):
        trends.scale_trend("data/codebooks", scale="ruimte")


# -- planted effects in the demo rounds (peo_lib.data.demo, seed 2020) ------------------------------------

@pytest.fixture(scope="module")
def demo_rounds(demo_dir):
    import warnings

    from peo_lib import load_rounds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_rounds(demo_dir / "codebooks")


def test_demo_corona_dip(demo_rounds):
    # planted: -0.30 latent SD in 2020-2, -0.10 in 2021-1, 0 later (professionele_ruimte and others)
    adj = trends.adjusted_trend(demo_rounds, scale="professionele_ruimte").set_index("round")["mean"]
    later = adj[["2021-2", "2022-1", "2022-2", "2023-1"]].mean()
    dip = later - adj["2020-2"]
    assert 0.12 <= dip <= 0.45, f"corona dip {dip:.3f} scale points (expected about 0.25)"
    ch = trends.consecutive_changes(demo_rounds, scale="professionele_ruimte")
    first = ch.iloc[0]
    assert (first["previous"], first["current"]) == ("2020-2", "2021-1")
    assert first["diff"] > 0 and bool(first["significant"])  # recovery after the dip, BH-adjusted
    assert not ch["significant"].iloc[1:].any()               # no planted change later


def test_demo_rising_workload(demo_rounds):
    # planted: +0.12 latent SD per round on ervaren_werkdruk (about +0.09 scale points per round)
    adj = trends.adjusted_trend(demo_rounds, scale="ervaren_werkdruk")
    slope = np.polyfit(np.arange(len(adj)), adj["mean"], 1)[0]
    assert 0.05 <= slope <= 0.14, f"workload slope {slope:.3f} per round (expected about 0.09)"
    assert adj["mean"].iloc[-1] - adj["mean"].iloc[0] > 0.25


def test_demo_starters_below_experienced(demo_rounds):
    # planted: d = 0.40 on professionele_ruimte; the demo docs expect 0.33-0.47 pooled at this n
    df = trends.stack_rounds(demo_rounds, items=False).dropna(subset=["professionele_ruimte", "ervaringsgroep"])
    g = df.groupby("ervaringsgroep", observed=True)["professionele_ruimte"]
    n, m, v = g.size(), g.mean(), g.var()
    pooled = np.sqrt(((n - 1) * v).sum() / (n.sum() - 2))
    d = (m["ervaren"] - m["startend"]) / pooled
    assert 0.30 <= d <= 0.50, f"d = {d:.3f} (planted 0.40)"
    by = trends.scale_trend(demo_rounds, scale="professionele_ruimte", by="ervaringsgroep")
    wide = by.pivot(index="round", columns="ervaringsgroep", values="mean")
    assert (wide["startend"] < wide["ervaren"]).sum() >= 5


def test_demo_trend_sentence_and_comparability(demo_rounds):
    comp = trends.comparability(demo_rounds)
    core_scales = comp[comp["kind"] == "scale"]
    assert set(core_scales["id"]) == {"professionele_ruimte", "werkplezier", "intentie_om_te_blijven",
                                      "regels_en_eisen", "ervaren_werkdruk"}
    assert comp["comparable"].all() and (comp["n_rounds"] == 6).all()
    text = trends.trend_sentence(demo_rounds, scale="professionele_ruimte")
    assert text.startswith("Ervaren professionele ruimte: sinds de vorige ronde (2022-2)")
    assert "Rekening houdend met de samenstelling van de respondenten (ervaringsgroep en functie)" in text
    assert "3,4" in text and "3.4" not in text  # Dutch decimal comma
