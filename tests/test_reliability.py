"""Reliability against published R output (psych::alpha) and exactly known cases.

References
----------
* bfi Agreeableness: ``psych::alpha`` output printed in the executed R notebook
  github.com/CaseyGio/Psyc6263, Wk05/Wk5_Reliability_demonstration.ipynb
  (commit 9e857e3c), data ``psych::bfi`` with A1 reversed as ``7 - A1``.
* ``cronbach_wide_missing``: psych values quoted in pingouin's test-suite
  (raphaelvallat/pingouin, tests/test_reliability.py): "In R:
  psych::alpha(data, use='pairwise')" and "psych::alpha(data[complete.cases(data), ])".
* Congeneric population structure: ``psych::sim.congeneric()`` defaults
  (loadings .8 .7 .6 .5), whose correlation matrix and one-factor solution are
  printed in W. Revelle's course notes
  (personality-project.org/courses/350/psych.sourcecode/wk.4.fa.html).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peo_lib.stats.reliability import (
    ReliabilityTable,
    cronbach_alpha,
    omega_total,
    reliability_table,
    scale_reliability,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def agree():
    df = pd.read_csv(DATA / "bfi_agreeableness.csv", comment="#").astype(float)
    df["A1"] = 7 - df["A1"]  # psych: keys=c(-1,1,1,1,1); reversed as min + max - code
    return df


@pytest.fixture(scope="module")
def wide_missing():
    return pd.read_csv(DATA / "cronbach_wide_missing.csv", comment="#")


def exact_sample(corr, *, n=200, sd=None, seed=1):
    """Data whose sample correlation matrix equals ``corr`` exactly (whitening)."""
    rng = np.random.default_rng(seed)
    k = corr.shape[0]
    z = rng.standard_normal((n, k))
    z -= z.mean(axis=0)
    white = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    x = white @ np.linalg.cholesky(corr).T
    if sd is not None:
        x = x * np.asarray(sd)
    return pd.DataFrame(x + 3, columns=[f"V{i + 1}" for i in range(k)])


# -- psych::alpha on bfi Agreeableness ----------------------------------
#> bfiClean <- bfi %>% select(A1:A5) %>% mutate(A1 = 7 - A1)
#> alpha(bfiClean)
#>   raw_alpha std.alpha G6(smc) average_r S/N   ase mean  sd median_r
#>        0.7      0.71    0.68      0.33 2.5 0.009  4.7 0.9     0.34
#>  Reliability if an item is dropped:
#>    raw_alpha std.alpha G6(smc) average_r S/N alpha se  var.r med.r
#> A1      0.72      0.72    0.67      0.40 2.6   0.0087 0.0065  0.38
#> A2      0.62      0.63    0.58      0.29 1.7   0.0119 0.0168  0.29
#> A3      0.60      0.61    0.56      0.28 1.6   0.0124 0.0094  0.32
#> A4      0.69      0.69    0.65      0.36 2.3   0.0098 0.0157  0.37
#> A5      0.64      0.66    0.60      0.32 1.9   0.0111 0.0125  0.34
#>  Item statistics
#>       n raw.r std.r r.cor r.drop mean  sd
#> A1 2784  0.58  0.57  0.38   0.31  4.6 1.4
#> A2 2773  0.73  0.75  0.67   0.56  4.8 1.2
#> A3 2774  0.76  0.77  0.71   0.59  4.6 1.3
#> A4 2781  0.65  0.63  0.47   0.39  4.7 1.5
#> A5 2784  0.69  0.70  0.59   0.49  4.6 1.3
#> round(AlphaOutput$alpha.drop["std.alpha"], 3)
#> A1 0.725  A2 0.625  A3 0.613  A4 0.693  A5 0.655
# Printed to 2 decimals (3 for the last line): tolerance half a unit of the last digit.
TOL2, TOL3 = 0.005 + 1e-12, 0.0005 + 1e-12


def test_alpha_bfi_agreeableness_matches_psych(agree):
    assert cronbach_alpha(agree) == pytest.approx(0.70, abs=TOL2)
    rt = reliability_table(agree)
    assert isinstance(rt, ReliabilityTable)
    assert rt.scale["alpha"] == pytest.approx(0.70, abs=TOL2)
    assert rt.scale["alpha_std"] == pytest.approx(0.71, abs=TOL2)
    assert rt.scale["g6"] == pytest.approx(0.68, abs=TOL2)
    assert rt.scale["average_r"] == pytest.approx(0.33, abs=TOL2)
    assert rt.scale["k"] == 5 and rt.scale["n"] == 2800


def test_item_table_bfi_agreeableness_matches_psych(agree):
    it = reliability_table(agree).items
    assert it.index.tolist() == ["A1", "A2", "A3", "A4", "A5"]
    assert it["n"].tolist() == [2784, 2773, 2774, 2781, 2784]
    np.testing.assert_allclose(it["item_rest"], [0.31, 0.56, 0.59, 0.39, 0.49], atol=TOL2)
    np.testing.assert_allclose(it["alpha_if_deleted"], [0.72, 0.62, 0.60, 0.69, 0.64], atol=TOL2)
    np.testing.assert_allclose(it["alpha_std_if_deleted"], [0.725, 0.625, 0.613, 0.693, 0.655], atol=TOL3)
    np.testing.assert_allclose(it["mean"], [4.6, 4.8, 4.6, 4.7, 4.6], atol=0.05 + 1e-12)
    np.testing.assert_allclose(it["sd"], [1.4, 1.2, 1.3, 1.5, 1.3], atol=0.05 + 1e-12)


def test_alpha_if_deleted_equals_alpha_of_the_rest(agree):
    """psych computes alpha.drop from the full pairwise C; dropping a column gives the same C[-i,-i]."""
    it = reliability_table(agree).items
    for item in agree.columns:
        assert it.loc[item, "alpha_if_deleted"] == pytest.approx(cronbach_alpha(agree.drop(columns=item)))


# -- pairwise vs listwise (psych, quoted in pingouin's tests) ------------
#> psych::alpha(data, use="pairwise")$total$raw_alpha       # 0.732661
#> psych::alpha(data[complete.cases(data), ])$total$raw_alpha  # 0.801695

def test_alpha_pairwise_and_listwise_match_psych(wide_missing):
    assert cronbach_alpha(wide_missing, missing="pairwise") == pytest.approx(0.732661, abs=5e-7)
    assert cronbach_alpha(wide_missing, missing="listwise") == pytest.approx(0.801695, abs=5e-7)
    scale = reliability_table(wide_missing).scale
    assert scale["alpha_pairwise"] == pytest.approx(0.732661, abs=5e-7)
    assert scale["alpha_listwise"] == pytest.approx(0.801695, abs=5e-7)
    assert scale["n_complete"] == 9 and scale["n"] == 12


def test_listwise_equals_alpha_of_complete_cases(wide_missing):
    complete = wide_missing.dropna()
    assert cronbach_alpha(wide_missing, missing="listwise") == pytest.approx(cronbach_alpha(complete))


# -- hand-derivable cases -------------------------------------------------

def test_parallel_items_alpha_is_spearman_brown():
    """k parallel items with inter-item correlation r: alpha = k r / (1 + (k-1) r) (Lord & Novick, 1968)."""
    k, r = 4, 0.3
    corr = np.full((k, k), r)
    np.fill_diagonal(corr, 1)
    df = exact_sample(corr, sd=[2.0] * k)
    expected = k * r / (1 + (k - 1) * r)  # 0.631579
    assert cronbach_alpha(df) == pytest.approx(expected, abs=1e-12)
    scale = reliability_table(df).scale
    assert scale["alpha_std"] == pytest.approx(expected, abs=1e-12)
    # parallel items fit one factor exactly, so omega = alpha (McDonald, 1999, ch. 6)
    assert scale["omega"] == pytest.approx(expected, abs=1e-4)


def test_identical_items_alpha_is_one():
    x = np.array([1, 2, 3, 4, 5, 3, 2.0])
    df = pd.DataFrame({"a": x, "b": x, "c": x})
    assert cronbach_alpha(df) == pytest.approx(1.0)


def test_alpha_can_be_negative_when_items_disagree():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5.0], "b": [5, 4, 3, 2, 1.0]})
    # C = [[2.5, -2.5], [-2.5, 2.5]]: sum(C) = 0 -> undefined
    assert np.isnan(cronbach_alpha(df))


# -- omega total ----------------------------------------------------------
#> R <- psych::sim.congeneric()   # loadings .8 .7 .6 .5
#>      V1   V2   V3   V4
#> V1 1.00 0.56 0.48 0.40
#> V2 0.56 1.00 0.42 0.35
#> V3 0.48 0.42 1.00 0.30
#> V4 0.40 0.35 0.30 1.00
#> fa(R)   # MR1 loadings 0.8 0.7 0.6 0.5; u2 0.36 0.51 0.64 0.75
# omega_t = (sum lambda)^2 / ((sum lambda)^2 + sum u2) = 2.6^2 / (6.76 + 2.26) = 0.749446
LAMBDA = np.array([0.8, 0.7, 0.6, 0.5])


def _congeneric():
    corr = np.outer(LAMBDA, LAMBDA)
    np.fill_diagonal(corr, 1)
    return corr


def test_omega_recovers_congeneric_population_value():
    df = exact_sample(_congeneric())
    assert omega_total(df) == pytest.approx(2.6**2 / (2.6**2 + 2.26), abs=1e-5)


def test_omega_uses_the_covariance_metric():
    """Unequal item SDs: omega of the raw sum, loadings sd * lambda (McDonald, 1999, eq. 6.20b)."""
    sd = np.array([1.0, 2.0, 0.5, 3.0])
    df = exact_sample(_congeneric(), sd=sd)
    lam, psi = LAMBDA * sd, (1 - LAMBDA**2) * sd**2
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum())  # 0.632161
    assert omega_total(df) == pytest.approx(expected, abs=1e-5)


def test_omega_three_items_closed_form_on_bfi(agree):
    """With 3 items one factor is just identified: lambda_1^2 = c12 c13 / c23 for any estimator
    (ML, minres, lavaan CFA), so omega has a closed form."""
    d = agree[["A2", "A3", "A4"]]
    c = d.cov().to_numpy()  # pairwise, as omega_total(missing="pairwise")
    lam = np.sqrt([c[0, 1] * c[0, 2] / c[1, 2], c[0, 1] * c[1, 2] / c[0, 2], c[0, 2] * c[1, 2] / c[0, 1]])
    psi = np.diag(c) - lam**2
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum())
    assert omega_total(d) == pytest.approx(expected, abs=1e-6)


def test_omega_bfi_agreeableness_is_plausible(agree):
    """No published one-factor ML omega for these items was found (psych::omega uses minres
    and the observed variance, see omega_total's docstring), so only a sanity check: with
    unequal loadings alpha underestimates omega (Raykov, 1997), and omega < 1."""
    om = omega_total(agree)
    assert cronbach_alpha(agree) < om < 1


def test_omega_needs_three_items():
    df = pd.DataFrame({"a": [1, 2, 3, 4.0], "b": [2, 3, 3, 5.0]})
    assert np.isnan(omega_total(df))


# -- arguments --------------------------------------------------------------

@pytest.mark.parametrize("func", [cronbach_alpha, omega_total, reliability_table])
def test_missing_argument_is_checked(func, wide_missing):
    with pytest.raises(ValueError, match=r"`missing` must be one of \['pairwise', 'listwise'\], but 'casewise'"):
        func(wide_missing, missing="casewise")


def test_items_must_be_a_frame_with_two_numeric_columns():
    with pytest.raises(TypeError, match="DataFrame"):
        cronbach_alpha(pd.Series([1, 2, 3]))
    with pytest.raises(ValueError, match="at least 2 items"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(TypeError, match=r"non-numeric column\(s\): \['b'\]"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))


# -- scale_reliability on a Round -------------------------------------------

def test_scale_reliability_of_tiny_round(tiny_round):
    from peo_lib.stats.scoring import reverse_keyed

    out = scale_reliability(tiny_round)
    assert out.columns.tolist()[:6] == ["scale", "label", "k", "n", "n_complete", "alpha"]
    assert out["scale"].tolist() == ["professionele_ruimte"]
    row = out.iloc[0]
    assert row["label"] == "Ervaren professionele ruimte" and row["k"] == 4
    items = reverse_keyed(tiny_round, scale="professionele_ruimte")
    assert row["alpha"] == pytest.approx(cronbach_alpha(items))
    assert row["alpha_listwise"] == pytest.approx(cronbach_alpha(items, missing="listwise"))
    assert row["n_complete"] == int(items.notna().all(axis=1).sum())
    assert row["weakest_item"] in items.columns


# -- listwise item statistics: as psych::alpha(use="complete.obs") ----------------------------
# R 4.2.2, psych 2.2.9 (Debian r-cran-psych), run once:
#> x <- read.csv("tests/data/cronbach_wide_missing.csv", comment.char = "#")
#> a <- alpha(x, use = "complete.obs", warnings = FALSE)
#> print(a$item.stats[, c("n", "mean", "sd", "r.drop")])       # options(digits = 15)
#>      n               mean                sd            r.drop
#> Q1  11 0.8181818181818182 0.404519917477945 0.118887659655553
#> Q2  12 0.7500000000000000 0.452267016866645 0.399291825942068
#> Q3  11 0.7272727272727273 0.467099366496914 0.428571428571429
#> Q4  12 0.7500000000000000 0.452267016866645 0.000000000000000
#> Q5  11 0.6363636363636364 0.504524979109513 0.518562978841732
#> Q6  12 0.5000000000000000 0.522232967867094 0.780670868297450
#> Q7  12 0.4166666666666667 0.514928650544437 0.554478862095426
#> Q8  12 0.4166666666666667 0.514928650544437 0.780670868297450
#> Q9  11 0.3636363636363636 0.504524979109513 0.448129079765136
#> Q10 12 0.2500000000000000 0.452267016866645 0.448129079765136
#> Q11 12 0.0833333333333333 0.288675134594813 0.614192268639994
#> a$total$raw_alpha
#> [1] 0.801694915254237
#> xc <- x[complete.cases(x), ]; colMeans(xc)[1:2]; apply(xc, 2, sd)[1:2]   # NOT what psych prints
#>  Q1 0.888888888888889  Q2 0.888888888888889 ;  Q1 0.333333333333333  Q2 0.333333333333333
LISTWISE_ITEMS = pd.DataFrame({
    "n": [11, 12, 11, 12, 11, 12, 12, 12, 11, 12, 12],
    "mean": [0.8181818181818182, 0.75, 0.7272727272727273, 0.75, 0.6363636363636364, 0.5, 0.4166666666666667,
             0.4166666666666667, 0.3636363636363636, 0.25, 0.0833333333333333],
    "sd": [0.404519917477945, 0.452267016866645, 0.467099366496914, 0.452267016866645, 0.504524979109513,
           0.522232967867094, 0.514928650544437, 0.514928650544437, 0.504524979109513, 0.452267016866645,
           0.288675134594813],
    "r.drop": [0.118887659655553, 0.399291825942068, 0.428571428571429, 0.0, 0.518562978841732, 0.780670868297450,
               0.554478862095426, 0.780670868297450, 0.448129079765136, 0.448129079765136, 0.614192268639994],
}, index=[f"Q{i}" for i in range(1, 12)])


def test_listwise_item_table_matches_psych_complete_obs(wide_missing):
    """psych reports item n, mean and sd on every available answer also with use="complete.obs";
    only the correlations (r.drop) and alphas use the complete cases."""
    rt = reliability_table(wide_missing, missing="listwise")
    it = rt.items
    assert it["n"].tolist() == LISTWISE_ITEMS["n"].tolist()
    np.testing.assert_allclose(it["mean"], LISTWISE_ITEMS["mean"], atol=1e-15)
    np.testing.assert_allclose(it["sd"], LISTWISE_ITEMS["sd"], atol=1e-14)
    np.testing.assert_allclose(it["item_rest"], LISTWISE_ITEMS["r.drop"], atol=1e-14)
    assert rt.scale["alpha"] == pytest.approx(0.801694915254237, abs=1e-14)
    assert rt.scale["n_complete"] == 9
    # the complete cases describe themselves with reliability_table(items.dropna())
    assert reliability_table(wide_missing.dropna()).items["mean"].iloc[0] == pytest.approx(0.888888888888889)


# -- omega: improper solutions are NaN with a reason --------------------------------------------
# R 4.2.2, run once:
#> R <- matrix(c(1, .6, .6, .6, 1, .3, .6, .3, 1), 3, dimnames = list(paste0("V", 1:3), paste0("V", 1:3)))
#> f <- factanal(covmat = R, factors = 1, n.obs = 200); print(f$uniquenesses)   # options(digits = 15)
#>                V1                V2                V3
#> 0.005000000000000 0.638541746343217 0.638541746343217
#> .6 * .6 / .3          # closed form lambda_1^2 = r12 r13 / r23 = 1.2 > 1: a Heywood case
#> [1] 1.2

def test_heywood_case_is_nan_with_a_reason():
    from peo_lib.stats.reliability import omega_diagnostics

    corr = np.array([[1, 0.6, 0.6], [0.6, 1, 0.3], [0.6, 0.3, 1]])
    df = exact_sample(corr)
    fit = omega_diagnostics(df)
    assert np.isnan(fit.omega) and np.isnan(omega_total(df))
    assert fit.reason.startswith("improper solution (Heywood case): the uniqueness of V1 is at its bound 0.005")
    np.testing.assert_allclose(fit.uniquenesses, [0.005, 0.638541746343217, 0.638541746343217], atol=1e-6)
    value, reason = omega_total(df, return_reason=True)
    assert np.isnan(value) and reason == fit.reason
    assert reliability_table(df).scale["omega_reason"] == fit.reason


def test_omega_reason_is_none_for_a_proper_solution_and_says_why_otherwise(agree, wide_missing):
    value, reason = omega_total(agree, return_reason=True)
    assert 0 < value < 1 and reason is None
    assert omega_total(agree[["A1", "A2"]], return_reason=True)[1] == "2 items: one factor needs at least 3 items"
    _, reason = omega_total(wide_missing, return_reason=True)   # 12 respondents, 11 items, pairwise
    assert "not positive definite" in reason
    with pytest.raises(ValueError, match=r"`return_reason` must be one of \[True, False\]"):
        omega_total(agree, return_reason="yes")


def test_scale_reliability_has_the_omega_reason(tiny_round):
    out = scale_reliability(tiny_round)
    assert out.columns[-1] == "omega_reason"
    row = out.iloc[0]
    assert (row["omega_reason"] is None) == bool(np.isfinite(row["omega"]))
