"""Banner tables: SPSS column-proportion and column-mean letters, worked by hand in R.

Reference
---------
The formulas of IBM SPSS Statistics Algorithms, CTABLES, "Pairwise comparisons of
proportions" and "of means" (``/COMPARETEST TYPE=PROP|MEAN ADJUST=BONFERRONI``), computed by
hand in R 4.2.2 on the synthetic round of tests/test_weighting.py (same strings, same R
``data.R``), unweighted and with the raked weights of that test (``k.csv`` = ``k$w`` of
weights.R). R was run once; the script and its output are pasted below. Cross-checks with
R's own functions: ``prop.test(correct=FALSE)`` (its X-squared is z^2 of the pooled test) and
``pairwise.t.test(pool.sd=TRUE, p.adjust.method="bonferroni")`` (the unweighted column-means
test). R printed z and p to 12 decimals: tolerance 1e-10.

The worked example by hand (letters.R)::

    letters_for <- function(x, g, w) {
      ok <- !is.na(x) & !is.na(g) & !is.na(w); x <- x[ok]; g <- g[ok]; w <- w[ok]
      G <- nlevels(g); L <- LETTERS[1:G]; m <- G * (G - 1) / 2          # Bonferroni: k(k-1)/2 pairs
      p <- t(sapply(levels(g), function(l) sapply(levels(x), function(k) sum(w[g == l & x == k]) / sum(w[g == l]))))
      e <- sapply(levels(g), function(l) sum(w[g == l])^2 / sum(w[g == l]^2))   # Kish effective base
      out <- matrix("", G, nlevels(x), dimnames = list(levels(g), levels(x)))
      for (i in 1:(G - 1)) for (j in (i + 1):G) for (k in seq_len(nlevels(x))) {
        if (p[i, k] %in% c(0, 1) || p[j, k] %in% c(0, 1)) next              # no test at 0 % or 100 %
        pp <- (e[i] * p[i, k] + e[j] * p[j, k]) / (e[i] + e[j])            # pooled proportion
        z <- (p[i, k] - p[j, k]) / sqrt(pp * (1 - pp) * (1 / e[i] + 1 / e[j]))
        padj <- min(1, m * 2 * pnorm(-abs(z)))
        cat(sprintf("%s-%s cat %d: ... z %.12f  p_bonf %.12f\\n", L[i], L[j], k, z, padj))
        if (padj < 0.05) { if (z > 0) out[i, k] <- paste0(out[i, k], L[j]) else out[j, k] <- paste0(out[j, k], L[i]) }
      }
      list(pct = 100 * p, base_eff = e, letters = out)
    }
    u <- letters_for(d$PR01f, d$functie, rep(1, nrow(d)))     # unweighted
    wt <- letters_for(d$PR01f, d$functie, d$w)                # raked weights
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# the same synthetic round and margins as the weighting tests (R data.R)
from test_weighting import MARGINS, write_round

GROUPS = ["Jeugdhulpverlener", "Gedragswetenschapper", "Teamleider", "Anders"]
LABELS = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]


@pytest.fixture(scope="module")
def rnd(tmp_path_factory):
    from peo_lib import load_round

    return load_round(write_round(tmp_path_factory.mktemp("banner")))


@pytest.fixture(scope="module")
def w(rnd):
    from peo_lib.stats.weighting import rake_weights

    return rake_weights(rnd, MARGINS)


def _wide(tab, col):
    return tab.pivot(index="group", columns="category", values=col).loc[tab["group"].unique(), LABELS]


def _tests(tab):
    from peo_lib.stats.crosstab import proportion_tests

    groups = tab.drop_duplicates("group")
    return proportion_tests(_wide(tab, "pct").to_numpy() / 100, groups["base_eff"].to_numpy(),
                            ~groups["suppressed"].to_numpy(), counts=_wide(tab, "n").to_numpy(),
                            bases=groups["base"].to_numpy())


# -- unweighted -------------------------------------------------------------------------------
#> u <- letters_for(d$PR01f, d$functie, rep(1, nrow(d))); print(u)
#> A-B cat 1: p 0.051282051282051 0.161290322580645  n 39 31  z -1.523941218855  p_bonf 0.765140373627
#> A-B cat 2: p 0.076923076923077 0.483870967741935  n 39 31  z -3.869573034570  p_bonf 0.000654156711
#> A-B cat 4: p 0.487179487179487 0.225806451612903  n 39 31  z  2.248070568756  p_bonf 0.147430142549
#> A-C cat 5: p 0.153846153846154 0.392857142857143  n 39 28  z -2.217466801883  p_bonf 0.159547255263
#> B-C cat 5: p 0.064516129032258 0.392857142857143  n 31 28  z -3.038508189749  p_bonf 0.014265158541
#> B-D cat 3: p 0.064516129032258 0.400000000000000  n 31 10  z -2.609965540556  p_bonf 0.054330806154
#> C-D cat 5: p 0.392857142857143 0.100000000000000  n 28 10  z  1.710209592365  p_bonf 0.523362735216
#>   (24 more lines, none with p_bonf < 0.05)
#> $pct
#>                                     1                 2                 3                4                 5
#> Jeugdhulpverlener     5.12820512820513  7.69230769230769 23.07692307692308 48.7179487179487 15.38461538461539
#> Gedragswetenschapper 16.12903225806452 48.38709677419355  6.45161290322581 22.5806451612903  6.45161290322581
#> Teamleider            3.57142857142857 21.42857142857143 10.71428571428571 25.0000000000000 39.28571428571428
#> Anders               20.00000000000000 10.00000000000000 40.00000000000000 20.0000000000000 10.00000000000000
#> $base_eff
#>    Jeugdhulpverlener Gedragswetenschapper           Teamleider               Anders
#>                   39                   31                   28                   10
#> $letters
#>                      1  2   3  4  5
#> Jeugdhulpverlener    "" ""  "" "" ""
#> Gedragswetenschapper "" "A" "" "" ""
#> Teamleider           "" ""  "" "" "B"
#> Anders               "" ""  "" "" ""
UNWEIGHTED_PCT = [
    [5.12820512820513, 7.69230769230769, 23.07692307692308, 48.7179487179487, 15.38461538461539],
    [16.12903225806452, 48.38709677419355, 6.45161290322581, 22.5806451612903, 6.45161290322581],
    [3.57142857142857, 21.42857142857143, 10.71428571428571, 25.0, 39.28571428571428],
    [20.0, 10.0, 40.0, 20.0, 10.0],
]


def test_crosstab_is_the_tidy_table_of_design_md(rnd):
    from peo_lib.stats.crosstab import COLUMNS, crosstab

    tab = crosstab(rnd, "PR01", by="functie")
    assert tab.columns.tolist()[:6] == ["group", "category", "n", "pct", "letters", "suppressed"]
    assert tab.columns.tolist() == COLUMNS
    assert tab["group"].tolist() == [g for g in GROUPS for _ in LABELS]       # codebook order
    assert tab["category"].tolist() == LABELS * 4                               # response-set order
    assert tab["letter"].tolist() == [c for c in "ABCD" for _ in LABELS]
    assert tab.groupby("group", sort=False)["n"].sum().tolist() == [39, 31, 28, 10]  # base: no Weet ik niet
    assert tab.groupby("group", sort=False)["pct"].sum().to_numpy() == pytest.approx([100] * 4)
    assert not tab["suppressed"].any()


def test_column_percentages_and_letters_match_the_worked_example(rnd):
    from peo_lib.stats.crosstab import crosstab

    tab = crosstab(rnd, "PR01", by="functie")
    np.testing.assert_allclose(_wide(tab, "pct").to_numpy(), UNWEIGHTED_PCT, atol=1e-12)
    letters = _wide(tab, "letters")
    assert letters.loc["Gedragswetenschapper", "Oneens"] == "A"          # B > A in "Oneens"
    assert letters.loc["Teamleider", "Helemaal eens"] == "B"             # C > B in "Helemaal eens"
    assert (letters != "").sum().sum() == 2


def test_pairwise_z_and_bonferroni_p_match_r(rnd):
    from peo_lib.stats.crosstab import crosstab

    t = _tests(crosstab(rnd, "PR01", by="functie")).set_index(["category", "a", "b"])
    assert len(t) == 30                                  # 6 pairs x 5 categories, none at 0 % / 100 %
    for (cat, a, b), z, p in [((0, "A", "B"), -1.523941218855, 0.765140373627),
                              ((1, "A", "B"), -3.869573034570, 0.000654156711),
                              ((3, "A", "B"), 2.248070568756, 0.147430142549),
                              ((4, "A", "C"), -2.217466801883, 0.159547255263),
                              ((4, "B", "C"), -3.038508189749, 0.014265158541),
                              ((2, "B", "D"), -2.609965540556, 0.054330806154),
                              ((4, "C", "D"), 1.710209592365, 0.523362735216)]:
        assert t.loc[(cat, a, b), "z"] == pytest.approx(z, abs=1e-10)
        assert t.loc[(cat, a, b), "p_adjusted"] == pytest.approx(p, abs=1e-10)
    assert t["significant"].sum() == 2


#> tab <- table(d$functie, d$PR01f)
#> prop.test(tab[1:2, 2], rowSums(tab[1:2, ]), correct = FALSE)$statistic
#>        X-squared
#> 14.9735954698734

def test_unweighted_z_is_the_two_sample_prop_test(rnd):
    from peo_lib.stats.crosstab import crosstab

    t = _tests(crosstab(rnd, "PR01", by="functie")).set_index(["category", "a", "b"])
    assert t.loc[(1, "A", "B"), "z"] ** 2 == pytest.approx(14.9735954698734, abs=1e-10)


# -- weighted (Kish effective bases, also in the pooled proportion) -----------------------------
#> wt <- letters_for(d$PR01f, d$functie, d$w); print(wt)
#> A-B cat 2: p 0.076622422216832 0.497332681125884  n 28.486798162198 23.617382767885  z -3.415956068865  p_bonf 0.003813509986
#> A-C cat 5: p 0.172090655072121 0.453049614285638  n 28.486798162198 19.912836996647  z -2.124789412331  p_bonf 0.201625132075
#> B-C cat 5: p 0.073377803384127 0.453049614285638  n 23.617382767885 19.912836996647  z -2.893443970341  p_bonf 0.022862536070
#> B-D cat 2: p 0.497332681125884 0.062231529735419  n 23.617382767885 8.222611558371  z  2.208326014541  p_bonf 0.163329330830
#> A-D cat 1: p 0.076622422216832 0.275111157331898  n 28.486798162198 8.222611558371  z -1.536948933973  p_bonf 0.745834890305
#>   (22 more lines, none significant; no line "A-C cat 1", "B-C cat 1", "C-D cat 1": Teamleider has 0 % there)
#> $pct
#>                                     1                 2                 3                4                 5
#> Jeugdhulpverlener     7.66224222168325  7.66224222168325 19.13447070152168 48.3319793478998 17.20906550721207
#> Gedragswetenschapper 16.24672920628941 49.73326811258843  5.21774656821005 21.4644757744995  7.33778033841266
#> Teamleider            0.00000000000000 22.34423697047259 10.00656463049101 22.3442369704726 45.30496142856381
#> Anders               27.51111573318979  6.22315297354188 24.99905769348365 27.5111157331898 13.75555786659489
#> $base_eff
#>    Jeugdhulpverlener Gedragswetenschapper           Teamleider               Anders
#>     28.4867981621980     23.6173827678853     19.9128369966469      8.2226115583706
#> $letters   (the same cells as unweighted: B "A" in category 2, C "B" in category 5)
WEIGHTED_PCT = [
    [7.66224222168325, 7.66224222168325, 19.13447070152168, 48.3319793478998, 17.20906550721207],
    [16.24672920628941, 49.73326811258843, 5.21774656821005, 21.4644757744995, 7.33778033841266],
    [0.0, 22.34423697047259, 10.00656463049101, 22.3442369704726, 45.30496142856381],
    [27.51111573318979, 6.22315297354188, 24.99905769348365, 27.5111157331898, 13.75555786659489],
]


def test_weighted_crosstab_matches_the_worked_example(rnd, w):
    from peo_lib.stats.crosstab import crosstab

    tab = crosstab(rnd, "PR01", by="functie", weights=w)
    np.testing.assert_allclose(_wide(tab, "pct").to_numpy(), WEIGHTED_PCT, atol=1e-9)
    np.testing.assert_allclose(tab.drop_duplicates("group")["base_eff"],
                               [28.4867981621980, 23.6173827678853, 19.9128369966469, 8.2226115583706], atol=1e-9)
    # n stays the unweighted count, of the respondents that have a weight
    assert tab.groupby("group", sort=False)["n"].sum().tolist() == [35, 31, 26, 10]
    assert tab.loc[(tab["group"] == "Teamleider") & (tab["category"] == "Helemaal oneens"), "n"].item() == 0
    t = _tests(tab).set_index(["category", "a", "b"])
    assert len(t) == 27 and (0, "A", "C") not in t.index and (0, "C", "D") not in t.index   # 0 %: not compared
    for (cat, a, b), z, p in [((1, "A", "B"), -3.415956068865, 0.003813509986),
                              ((4, "A", "C"), -2.124789412331, 0.201625132075),
                              ((4, "B", "C"), -2.893443970341, 0.022862536070),
                              ((1, "B", "D"), 2.208326014541, 0.163329330830),
                              ((0, "A", "D"), -1.536948933973, 0.745834890305)]:
        assert t.loc[(cat, a, b), "z"] == pytest.approx(z, abs=1e-9)
        assert t.loc[(cat, a, b), "p_adjusted"] == pytest.approx(p, abs=1e-9)
    letters = _wide(tab, "letters")
    assert letters.loc["Gedragswetenschapper", "Oneens"] == "A" and letters.loc["Teamleider", "Helemaal eens"] == "B"
    assert (letters != "").sum().sum() == 2


def test_no_comparison_at_zero_or_hundred_percent():
    from peo_lib.stats.crosstab import proportion_letters, proportion_tests

    pct = np.array([[0.0, 1.0], [0.6, 0.4], [0.1, 0.9]])
    counts = np.array([[0, 50], [30, 20], [5, 45]])
    tested = np.array([True, True, True])
    t = proportion_tests(pct, [50, 50, 50], tested, counts=counts, bases=[50, 50, 50])
    assert set(zip(t["category"], t["a"], t["b"])) == {(0, "B", "C"), (1, "B", "C")}
    letters = proportion_letters(pct, [50, 50, 50], tested, counts=counts, bases=[50, 50, 50])
    assert letters.tolist() == [["", ""], ["C", ""], ["", "B"]]   # A (0 % / 100 %) is never lettered


# -- small groups: blanked, not tested, and not counted in Bonferroni --------------------------------

def test_small_groups_are_blanked_and_not_tested(rnd):
    from peo_lib.privacy.disclosure import group_size_mask
    from peo_lib.stats.crosstab import crosstab, proportion_letters

    tab = crosstab(rnd, "PR01", by="gemeente")
    groups = tab.drop_duplicates("group").set_index("group")
    bases = [int(rnd.items["PR01"][rnd.background["gemeente"] == g].notna().sum()) for g in groups.index]
    hidden, _ = group_size_mask(bases, min_n=5, total=True)       # Westland (3) and its complement
    assert groups["suppressed"].tolist() == hidden.tolist() == [False, False, True, False, True]
    small = tab[tab["suppressed"]]
    assert small[["n", "pct", "base", "base_eff"]].isna().all().all() and (small["letters"] == "").all()
    assert small["letter"].unique().tolist() == ["C", "E"]         # they keep their letters
    # letters come from the 3 tested groups only (Bonferroni over 3 pairs)
    shown = tab[~tab["suppressed"]]
    pct = shown.pivot(index="letter", columns="category", values="pct")[LABELS].to_numpy()
    counts = shown.pivot(index="letter", columns="category", values="n")[LABELS].to_numpy()
    base = shown.drop_duplicates("group")["base"].to_numpy()
    expected = proportion_letters(pct / 100, base, [True] * 3, counts=counts, bases=base)
    expected = np.vectorize(lambda s: s.translate(str.maketrans("ABC", "ABD")))(expected)
    assert shown.pivot(index="letter", columns="category", values="letters")[LABELS].to_numpy().tolist() \
        == expected.tolist()


def test_min_n_is_the_codebooks_unless_given(rnd):
    from peo_lib.stats.crosstab import crosstab

    assert crosstab(rnd, "PR01", by="gemeente", min_n=1)["suppressed"].sum() == 0
    assert crosstab(rnd, "PR01", by="functie", min_n=11)["suppressed"].sum() > 0
    with pytest.raises(ValueError, match=r"`min_n` must be a positive integer"):
        crosstab(rnd, "PR01", by="functie", min_n=0)


# -- compare column means ----------------------------------------------------------------------
#> pairwise.t.test(d$WD01, d$functie, pool.sd = TRUE, p.adjust.method = "bonferroni")
#>                      Jeugdhulpverlener Gedragswetenschapper Teamleider
#> Gedragswetenschapper 0.0005683511697   -                    -
#> Teamleider           1.0000000000000   0.0010037153544      -
#> Anders               1.0000000000000   0.2518781134034      1.0000000000000
#> P value adjustment method: bonferroni
#> tapply(d$WD01, d$functie, mean)
#>    3.17391304347826     2.26470588235294     3.23333333333333     3.00000000000000

def test_column_means_unweighted_match_pairwise_t_test(rnd):
    from peo_lib.stats.crosstab import MEAN_COLUMNS, crosstab_means, mean_tests

    tab = crosstab_means(rnd, "WD01", by="functie")
    assert tab.columns.tolist() == MEAN_COLUMNS and tab["group"].tolist() == GROUPS
    np.testing.assert_allclose(tab["mean"], [3.17391304347826, 2.26470588235294, 3.23333333333333, 3.0], atol=1e-12)
    assert tab["letters"].tolist() == ["B", "", "B", ""]
    t = mean_tests(tab["mean"], tab["sd"] ** 2, tab["n_eff"], ~tab["suppressed"]).set_index(["a", "b"])
    assert t.loc[("A", "B"), "p_adjusted"] == pytest.approx(0.0005683511697, abs=1e-12)
    assert t.loc[("B", "C"), "p_adjusted"] == pytest.approx(0.0010037153544, abs=1e-12)
    assert t.loc[("B", "D"), "p_adjusted"] == pytest.approx(0.2518781134034, abs=1e-12)
    assert t.loc[("A", "C"), "p_adjusted"] == 1.0 and t["df"].unique().tolist() == [116.0]


#> ok <- !is.na(d$w); y <- d$WD01[ok]; g <- d$functie[ok]; ww <- d$w[ok]
#> mu <- tapply(ww * y, g, sum) / tapply(ww, g, sum)
#> e <- tapply(ww, g, sum)^2 / tapply(ww^2, g, sum)
#> s2 <- sapply(levels(g), function(l) { i <- g == l; sum(ww[i] * (y[i] - mu[l])^2) / sum(ww[i]) * e[l] / (e[l] - 1) })
#> sp <- sum((e - 1) * s2) / sum(e - 1); df <- sum(e - 1)
#>        Jeugdhulpverlener Gedragswetenschapper         Teamleider            Anders
#> mean   3.244161167234009     2.17620968134072  3.170959225615237 2.899922754090347
#> n_eff 33.195729462606231    25.94351804422466 21.081806960973346 8.222611558370602
#> var    0.695017904520439     1.20103228563364  0.934506716151089 0.586402073267278
#> pooled var 0.892151185861195 df 84.4436660261748
#> A-B t 4.314693404454 p_bonf 0.000259114743
#> B-C t -3.591674468517 p_bonf 0.003305618307
#> B-D t -1.914558399528 p_bonf 0.353611073658
#> A-D t 0.935598998403 p_bonf 1.000000000000

def test_column_means_weighted_match_r_by_hand(rnd, w):
    from peo_lib.stats.crosstab import crosstab_means, mean_tests

    tab = crosstab_means(rnd, "WD01", by="functie", weights=w)
    np.testing.assert_allclose(tab["mean"], [3.244161167234009, 2.17620968134072, 3.170959225615237,
                                             2.899922754090347], atol=1e-9)
    np.testing.assert_allclose(tab["n_eff"], [33.195729462606231, 25.94351804422466, 21.081806960973346,
                                              8.222611558370602], atol=1e-8)
    np.testing.assert_allclose(tab["sd"] ** 2, [0.695017904520439, 1.20103228563364, 0.934506716151089,
                                                0.586402073267278], atol=1e-9)
    t = mean_tests(tab["mean"], tab["sd"] ** 2, tab["n_eff"], ~tab["suppressed"]).set_index(["a", "b"])
    assert t["df"].iloc[0] == pytest.approx(84.4436660261748, abs=1e-8)
    for (a, b), tv, p in [(("A", "B"), 4.314693404454, 0.000259114743), (("B", "C"), -3.591674468517, 0.003305618307),
                          (("B", "D"), -1.914558399528, 0.353611073658), (("A", "D"), 0.935598998403, 1.0)]:
        assert t.loc[(a, b), "t"] == pytest.approx(tv, abs=1e-9)
        assert t.loc[(a, b), "p_adjusted"] == pytest.approx(p, abs=1e-9)
    assert tab["letters"].tolist() == ["B", "", "B", ""]


def test_column_means_of_a_scale_and_small_groups(tiny_round):
    from peo_lib.stats.crosstab import crosstab_means
    from peo_lib.stats.scoring import score_scales

    tab = crosstab_means(tiny_round, "professionele_ruimte", by="gemeente")
    scores = score_scales(tiny_round)["professionele_ruimte"]
    dh = scores[tiny_round.background["gemeente"] == "Den Haag"].dropna()
    assert tab.loc[tab["group"] == "Den Haag", "mean"].item() == pytest.approx(dh.mean())
    westland = tab[tab["group"] == "Westland"]
    assert westland["suppressed"].item() and np.isnan(westland["mean"].item())


# -- net scores and banners --------------------------------------------------------------------------

def test_net_score_is_agree_minus_disagree(rnd, w):
    from peo_lib.stats.crosstab import NET_LABEL, crosstab

    tab = crosstab(rnd, "PR01", by="functie", weights=w, net=True)
    assert tab["category"].tolist()[:6] == [*LABELS, NET_LABEL]
    pct = tab.pivot(index="group", columns="category", values="pct")
    expected = pct["Eens"] + pct["Helemaal eens"] - pct["Oneens"] - pct["Helemaal oneens"]
    np.testing.assert_allclose(pct[NET_LABEL], expected, atol=1e-12)
    net = tab[tab["category"] == NET_LABEL]
    assert (net["letters"] == "").all() and net["n"].tolist() == net["base"].tolist()
    explicit = crosstab(rnd, "PR01", by="functie", weights=w, net=([1], [5]))
    pct = explicit.pivot(index="group", columns="category", values="pct")
    np.testing.assert_allclose(pct[NET_LABEL], pct["Helemaal eens"] - pct["Helemaal oneens"], atol=1e-12)
    with pytest.raises(ValueError, match=r"`net` must be True"):
        crosstab(rnd, "PR01", by="functie", net=([1], [6]))


def test_banner_stacks_crosstabs(rnd, w):
    from peo_lib.stats.crosstab import COLUMNS, banner, crosstab

    tab = banner(rnd, ["PR01", "WD01"], by=["functie", "gemeente"], weights=w)
    assert tab.columns.tolist() == ["item", "by", *COLUMNS]
    one = tab[(tab["item"] == "WD01") & (tab["by"] == "gemeente")].drop(columns=["item", "by"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(one, crosstab(rnd, "WD01", by="gemeente", weights=w))
    default = banner(rnd)
    assert default["by"].unique().tolist() == ["ervaringsgroep", "functie", "organisatie", "gemeente"]


def test_group_letters_follow_the_codebook(rnd, tiny_round):
    from peo_lib.stats.crosstab import group_letters

    assert group_letters(rnd, "functie") == dict(zip(GROUPS, "ABCD"))
    assert group_letters(tiny_round) == {"startend": "A", "ervaren": "B"}


def test_arguments_are_checked(rnd, w):
    from peo_lib.stats.crosstab import crosstab, crosstab_means

    with pytest.raises(ValueError, match=r"`by` must be one of \['functie', 'organisatie', 'gemeente', "
                                         r"'ervaringsgroep'\], but 'regio' was passed"):
        crosstab(rnd, "PR01", by="regio")
    with pytest.raises(ValueError, match=r"`item` must be one of \['PR01', 'WD01'\], but 'PR99'"):
        crosstab(rnd, "PR99", by="functie")
    with pytest.raises(ValueError, match=r"`alpha` must be a significance level"):
        crosstab(rnd, "PR01", by="functie", alpha=5)
    with pytest.raises(ValueError, match=r"one weight per respondent \(120\)"):
        crosstab(rnd, "PR01", by="functie", weights=np.ones(3))
    with pytest.raises(ValueError, match=r"`var` must be one of"):
        crosstab_means(rnd, "XX", by="functie")


def test_scale_is_refused_by_crosstab(tiny_round):
    from peo_lib.stats.crosstab import crosstab

    with pytest.raises(ValueError, match="is a scale of round 2099-1: use crosstab_means"):
        crosstab(tiny_round, "professionele_ruimte")


def test_crosstab_is_a_lazy_public_name_and_import_stays_light():
    import subprocess
    import sys

    import peo_lib
    from peo_lib.stats.crosstab import crosstab

    assert peo_lib.crosstab is crosstab
    code = "import sys, peo_lib; peo_lib.__dir__(); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
