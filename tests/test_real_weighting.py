"""Weighting on a real survey file against R ``survey``: the FiveThirtyEight Oxford-comma poll.

What is tested
--------------
:mod:`peo_lib.stats.weighting` (``rake_weights``, ``weighting_summary``, ``kish_effective_n``,
``design_effect``, ``weighted_mean`` with and without ``by``, ``weighted_proportions``,
``weighted_quantiles``) and :mod:`peo_lib.stats.compare` with weights (``svy_mean_difference``,
``compare_samples``, ``compare_groups``, ``svy_kruskal_wallis``) on a file nobody on the team wrote:
``tests/data/real/fivethirtyeight_comma`` (FiveThirtyEight, 2014, CC BY 4.0; see its ``SOURCE``),
1,129 respondents, loaded with ``load_round`` from its hand-written codebook.

Reference
---------
R 4.2.2 Patched (2022-11-10 r83330), package survey 4.1-1 (Lumley; ``packageVersion`` prints
4.1.1), Debian ``r-base-core`` and ``r-cran-survey``, run once on the same CSV (script and output
pasted below as ``#>`` lines; CI does not run R). R reads the raw file itself with
``read.csv(na.strings = "")`` and codes it as the codebook does (blank cell = unanswered; labels to
the codebook's codes; ``taalzorg`` = mean of COM02 and DAT02 when both are answered,
``min_valid: 2``). The respondent sets agree: 1,129 rows, the same
92 respondents without gender and without age (no weight, as ``survey::rake`` on the respondents
with every margin variable known), 1,037 raked. None of the 1,037 left an item blank, so every
item's base is the whole design; the income domain (201 of the 1,037 unknown) is where a partly
unknown grouping is tested.

Population margins
------------------
US adults (18+) on 1 July 2014 (the poll ran in June 2014), U.S. Census Bureau, Population Division,
"Annual Estimates of the Resident Population by Single Year of Age and Sex for the United States:
April 1, 2010 to July 1, 2014" (Vintage 2014, file NC-EST2014-AGESEX-RES.csv, column
POPESTIMATE2014; published at www.census.gov/popest/data/national/asrh/2014/files/; read from the
copy in github.com/PSLmodels/taxdata, stage_one/NC-EST2014-AGESEX-RES.csv, blob 02722b36). Single
years of age are used instead of the ACS table B01001 because the poll's bands split at 60/61
("45-60", "> 60") and B01001 has one cell "60 and 61 years". Of 245,273,438 adults:

    gender  Male 119,352,940 (0.48661)  Female 125,920,498 (0.51339)         -> 0.487, 0.513
    age     18-29 53,452,096 (0.21793)  30-44 62,041,699 (0.25295)
            45-60 68,955,667 (0.28114)  61+  60,823,976 (0.24798)          -> 0.218, 0.253, 0.281, 0.248

rounded to 3 decimals; each margin adds up to 1.000. ``rake_weights`` takes any *categorical*
background variable of the round as a margin (it looks the name up in ``rnd.background`` and
refuses a numeric one); its docstring names only the youth-care variables (functie, organisatie,
gemeente, ervaringsgroep) as examples, but gender and age of this round work unchanged.

Tolerance
---------
Every number is asserted to a relative 1e-6 (``rel=1e-6``), i.e. six significant digits, so the
small standard errors and p-values are held as tightly as the means; counts and degrees of freedom
exactly. R printed 15 digits; raking in R ran to ``epsilon = 1e-14``, here to 1e-10 in shares. Every
number but one agrees to better than 1e-9 relative (most far better); the COM02 quantile at p =
0.1115 (inside a gap, where a step of 1 in the answer spans 0.0009 in p) agrees to 1.4e-9, the
weights' tiny difference magnified. The weights are close to 1 (deff 1.002), so two checks show
that 1e-6 still tells weighted from unweighted and the weights-as-given SE from the raked design's.

Known difference (not a failure): ``weighted_mean`` gives the SE of ``svydesign(ids = ~1, weights =
~w)`` on the raked weights, as its docstring says; ``svymean`` on the raked design ``rk`` itself
credits the calibration and is smaller (COM02 0.0296465 instead of 0.0298695). The reference
values below are the former.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent / "data" / "real" / "fivethirtyeight_comma"
SHA256 = "ca41a94aea9b7845b1f03c79590d540814431eb8c124905af0950885aa7e867b"
MARGINS = {
    "gender": {"Male": 0.487, "Female": 0.513},
    "age": {"18-29": 0.218, "30-44": 0.253, "45-60": 0.281, "> 60": 0.248},
}
REL = 1e-6

# -- the R script (saved as comma_weighting.R, run from the repository root with Rscript) ---------
#> options(digits = 15, width = 200)
#> suppressMessages(library(survey))
#> cat(R.version.string, "| survey", as.character(packageVersion("survey")), "\n")
#> f <- "tests/data/real/fivethirtyeight_comma/raw/comma-survey.csv"
#> cat("sha256", system(paste("sha256sum", f), intern = TRUE), "\n")
#> d <- read.csv(f, check.names = FALSE, colClasses = "character", na.strings = "", encoding = "UTF-8")
#> col <- function(prefix) d[[grep(prefix, names(d), fixed = TRUE)]]
#> care <- c("Not at all" = 1, "Not much" = 2, "Some" = 3, "A lot" = 4)
#> imp <- c("Very unimportant" = 1, "Somewhat unimportant" = 2, "Neither important nor unimportant (neutral)" = 3,
#>          "Somewhat important" = 4, "Very important" = 5)
#> yn <- c("No" = 0, "Yes" = 1)
#> code <- function(x, map) { stopifnot(all(is.na(x) | x %in% names(map))); unname(map[x]) }
#> d$COM01 <- code(col("had you heard of the serial"), yn)
#> d$COM02 <- code(col("do you care about the use"), care)
#> d$GRA01 <- code(col("how important or unimportant is proper"), imp)
#> d$DAT01 <- code(col("have you ever spent time considering"), yn)
#> d$DAT02 <- code(col("do you care about the debate"), care)
#> d$gender <- factor(d$Gender, c("Male", "Female"))
#> d$age <- factor(d$Age, c("18-29", "30-44", "45-60", "> 60"))
#> d$income <- factor(d[["Household Income"]], c("$0 - $24,999", "$25,000 - $49,999", "$50,000 - $99,999",
#>                                               "$100,000 - $149,999", "$150,000+"))
#> stopifnot(sum(is.na(d$gender)) == sum(is.na(d$Gender)), sum(is.na(d$age)) == sum(is.na(d$Age)))
#> d$taalzorg <- ifelse(is.na(d$COM02) | is.na(d$DAT02), NA, (d$COM02 + d$DAT02) / 2)   # min_valid: 2 of 2
#> cat("rows", nrow(d), " gender NA", sum(is.na(d$gender)), " age NA", sum(is.na(d$age)),
#>     " taalzorg n", sum(!is.na(d$taalzorg)), "\n")
#>
#> k <- d[!is.na(d$gender) & !is.na(d$age), ]          # respondents with every margin variable known, file order
#> N <- nrow(k)
#> cat("N raked", N, " NA among them:", sapply(k[c("COM01", "COM02", "GRA01", "DAT01", "DAT02", "taalzorg")],
#>                                            function(x) sum(is.na(x))), "\n")
#> pop.g <- data.frame(gender = levels(d$gender), Freq = N * c(0.487, 0.513))
#> pop.a <- data.frame(age = levels(d$age), Freq = N * c(0.218, 0.253, 0.281, 0.248))
#> rk <- rake(svydesign(ids = ~1, weights = ~1, data = k), list(~gender, ~age), list(pop.g, pop.a),
#>            control = list(maxit = 1000, epsilon = 1e-14))
#> k$w <- weights(rk) / mean(weights(rk))
#> print(aggregate(w ~ age + gender, data = k, FUN = function(x) c(w = x[1], n = length(x), sd = sd(x))))
#> cat("n_eff =", sum(k$w)^2 / sum(k$w^2), " deff =", N * sum(k$w^2) / sum(k$w)^2, "\n")
#> print(svytable(~gender, rk) / N); print(svytable(~age, rk) / N)
#>
#> des <- svydesign(ids = ~1, weights = ~w, data = k)
#> for (v in c("COM02", "taalzorg")) {
#>   m <- svymean(as.formula(paste0("~", v)), des, na.rm = TRUE); print(cbind(mean = coef(m), SE = SE(m)))
#> }
#> cat("-- the same on the raked design itself (SE credits the calibration)\n")
#> for (v in c("COM02", "taalzorg")) {
#>   m <- svymean(as.formula(paste0("~", v)), rk, na.rm = TRUE); print(cbind(mean = coef(m), SE = SE(m)))
#> }
#> print(svyby(~COM02, ~gender, des, svymean, na.rm = TRUE))
#> cat("income unknown among the raked:", sum(is.na(k$income)), "\n")
#> print(svyby(~COM02, ~income, des, svymean, na.rm.by = TRUE))   # income: a domain with unknowns left out
#> cat("unweighted mean COM02 of the raked respondents", mean(k$COM02), "\n")
#> m <- svymean(~factor(GRA01), des, na.rm = TRUE); print(cbind(prop = coef(m), SE = SE(m)))
#> tt <- svyttest(COM02 ~ gender, des)
#> print(unclass(tt)[c("statistic", "parameter", "p.value", "estimate", "conf.int")])
#> tt <- svyttest(taalzorg ~ gender, des)
#> print(unclass(tt)[c("statistic", "parameter", "p.value", "estimate")])
#> for (v in c("COM01", "COM02", "GRA01", "DAT01", "DAT02")) {
#>   r <- svyranktest(as.formula(paste(v, "~ gender")), des)
#>   cat(v, "svyranktest t", r$statistic, " df", r$parameter, " p", r$p.value, " est", r$estimate, "\n")
#> }
#> for (v in c("COM02", "taalzorg")) {
#>   r <- svyranktest(as.formula(paste(v, "~ age")), des, test = "KruskalWallis")
#>   # multiranktest returns the chi-square in $parameter and its df in $statistic
#>   cat(v, "~ age KruskalWallis chisq", r$parameter, " ndf", r$statistic, " ddf", r$ddf, " p", r$p.value, "\n")
#> }
#> # quartiles, and probabilities inside the gaps between two answers, where hf7 interpolates
#> # (there the result depends on the weight of the respondent at the edge of a tie)
#> print(svyquantile(~COM02, des, quantiles = c(0.25, 0.5, 0.75, 0.1115, 0.352, 0.7302), qrule = "hf7", ci = FALSE))
#> print(svyquantile(~taalzorg, des, quantiles = c(0.25, 0.5, 0.75, 0.0686, 0.146, 0.3305, 0.552, 0.7958, 0.929),
#>                   qrule = "hf7", ci = FALSE))


def close(want):
    """``pytest.approx`` at the tolerance of this file (relative 1e-6, no absolute slack)."""
    return pytest.approx(want, rel=REL, abs=0)


@pytest.fixture(scope="module")
def rnd():
    from peo_lib import load_round

    (codebook,) = sorted((HERE / "codebooks").glob("*.yml"))
    return load_round(codebook, raw_dir=HERE / "raw")


@pytest.fixture(scope="module")
def w(rnd):
    from peo_lib.stats.weighting import rake_weights

    return rake_weights(rnd, MARGINS)


@pytest.fixture(scope="module")
def scores(rnd):
    from peo_lib.stats.scoring import score_scales

    return score_scales(rnd)


@pytest.fixture(scope="module")
def wv(rnd, w):
    """The weights as an array in respondent (file) order, NaN for the 92 without a weight."""
    return w.reindex(rnd.items.index).to_numpy(dtype=float)


# -- the respondents ---------------------------------------------------------------------------
#> R version 4.2.2 Patched (2022-11-10 r83330) | survey 4.1.1
#> sha256 ca41a94aea9b7845b1f03c79590d540814431eb8c124905af0950885aa7e867b  tests/data/real/fivethirtyeight_comma/raw/comma-survey.csv
#> rows 1129  gender NA 92  age NA 92  taalzorg n 1091
#> N raked 1037  NA among them: 0 0 0 0 0 0

def test_the_library_keeps_the_respondents_r_keeps(rnd, w, scores):
    raw = HERE / "raw" / "comma-survey.csv"
    assert hashlib.sha256(raw.read_bytes()).hexdigest() == SHA256  # the bytes R read
    assert rnd.n == 1129 and rnd.items.index.is_unique
    bg = rnd.background
    assert bg["gender"].isna().sum() == 92 and bg["age"].isna().sum() == 92
    assert (bg["gender"].isna() == bg["age"].isna()).all()
    assert int(scores["taalzorg"].notna().sum()) == 1091
    known = w.notna()
    assert known.sum() == 1037 and w[bg["gender"].isna()].isna().all()
    assert rnd.items[known].isna().sum().sum() == 0 and scores["taalzorg"][known].notna().all()


# -- survey::rake ------------------------------------------------------------------------------
#>     age gender                 w.w                 w.n                w.sd
#> 1 18-29   Male   1.055553151408435 106.000000000000000   0.000000000000000
#> 2 30-44   Male   1.066851841604652 118.000000000000000   0.000000000000000
#> 3 45-60   Male   1.036671447815168 140.000000000000000   0.000000000000000
#> 4  > 60   Male   0.976862767577867 125.000000000000000   0.000000000000000
#> 5 18-29 Female   0.992846660440921 115.000000000000000   0.000000000000000
#> 6 30-44 Female   1.003474137431257 136.000000000000000   0.000000000000000
#> 7 45-60 Female   0.975086648705844 150.000000000000000   0.000000000000000
#> 8  > 60 Female   0.918830979950793 147.000000000000000   0.000000000000000
#> n_eff = 1034.82576282042  deff = 1.00210106595497
#> gender
#>   Male Female
#>  0.487  0.513
#> age
#> 18-29 30-44 45-60  > 60
#> 0.218 0.253 0.281 0.248
RAKED = {  # (age, gender): (weight, respondents)
    ("18-29", "Male"): (1.055553151408435, 106),
    ("30-44", "Male"): (1.066851841604652, 118),
    ("45-60", "Male"): (1.036671447815168, 140),
    ("> 60", "Male"): (0.976862767577867, 125),
    ("18-29", "Female"): (0.992846660440921, 115),
    ("30-44", "Female"): (1.003474137431257, 136),
    ("45-60", "Female"): (0.975086648705844, 150),
    ("> 60", "Female"): (0.918830979950793, 147),
}
N_EFF, DEFF = 1034.82576282042, 1.00210106595497


def test_rake_weights_per_cell_match_survey_rake(rnd, w):
    df = pd.concat([rnd.background[["age", "gender"]], w], axis=1).dropna()
    cells = df.groupby(["age", "gender"], observed=True)["weight"]
    assert cells.nunique().max() == 1  # one weight per age x gender cell, as in R (sd 0)
    got = cells.agg(["first", "size"])
    assert len(got) == len(RAKED)
    for key, (weight, n) in RAKED.items():
        assert got.loc[key, "size"] == n
        assert got.loc[key, "first"] == close(weight)


def test_weights_meet_the_census_margins_with_mean_one(rnd, w):
    assert w.mean() == pytest.approx(1.0, abs=1e-12)
    for var, shares in MARGINS.items():
        got = w.groupby(rnd.background[var], observed=True).sum() / w.sum()
        for cat, share in shares.items():
            assert abs(got[cat] - share) < 1e-10


def test_kish_effective_n_and_design_effect_match_r(w):
    from peo_lib.stats.weighting import design_effect, kish_effective_n, weighting_summary

    assert kish_effective_n(w) == close(N_EFF)
    assert design_effect(w) == close(DEFF)
    s = weighting_summary(w)
    assert (s["n"], s["n_unweighted"]) == (1037, 92)
    assert s["n_eff"] == close(N_EFF) and s["deff"] == close(DEFF)
    assert s["min"] == close(0.918830979950793) and s["max"] == close(1.066851841604652)
    assert s["max_margin_error"] < 1e-10 and s["trim"] is None


# -- svymean -----------------------------------------------------------------------------------
#>                   mean              COM02
#> COM02 2.80599473089551 0.0298695491460383
#>                      mean           taalzorg
#> taalzorg 2.58898121973958 0.0246296128849665
#> -- the same on the raked design itself (SE credits the calibration)
#>                   mean              COM02
#> COM02 2.80599473089551 0.0296465270505106
#>                      mean           taalzorg
#> taalzorg 2.58898121973958 0.0245126139105873
#> unweighted mean COM02 of the raked respondents 2.80713596914176

@pytest.mark.parametrize("what, mean, se", [
    ("COM02", 2.80599473089551, 0.0298695491460383),
    ("taalzorg", 2.58898121973958, 0.0246296128849665),
])
def test_weighted_mean_matches_svymean(rnd, w, scores, what, mean, se):
    from peo_lib.stats.weighting import weighted_mean

    y = scores[what] if what in scores else rnd.items[what]
    got = weighted_mean(y, w).iloc[0]
    assert got["n"] == 1037
    assert got["mean"] == close(mean)
    assert got["se"] == close(se)
    assert got["ci_high"] - got["mean"] == close(1.959963984540054 * se)  # confint(): Wald, normal quantile


def test_the_tolerance_tells_weighted_from_unweighted_and_weights_as_given_from_the_raked_design(rnd, w):
    """The weights are near 1 (deff 1.002), yet 1e-6 separates the figures R gives in each case."""
    from peo_lib.stats.weighting import weighted_mean

    com02 = rnd.items["COM02"][w.notna()]
    unweighted = weighted_mean(com02).iloc[0]
    assert unweighted["mean"] == close(2.80713596914176)       # R: mean(k$COM02)
    assert unweighted["mean"] != close(2.80599473089551)       # ... is not the weighted svymean
    weighted = weighted_mean(rnd.items["COM02"], w).iloc[0]
    assert weighted["se"] != close(0.0296465270505106)         # svymean(~COM02, rk): the calibrated SE


# -- svyby -------------------------------------------------------------------------------------
#>        gender            COM02                 se
#> Male     Male 2.72945293685747 0.0453170278575942
#> Female Female 2.87865721373474 0.0389757072311347
#> income unknown among the raked: 201
#>                                  income            COM02                 se
#> $0 - $24,999               $0 - $24,999 2.92090109417757 0.0878018449913260
#> $25,000 - $49,999     $25,000 - $49,999 2.83308155532837 0.0747224176027828
#> $50,000 - $99,999     $50,000 - $99,999 2.69077210096152 0.0532350949444918
#> $100,000 - $149,999 $100,000 - $149,999 2.86877982953186 0.0786778979997234
#> $150,000+                     $150,000+ 2.89108832208610 0.0941807824646198

def test_weighted_mean_by_gender_matches_svyby(rnd, w):
    from peo_lib.stats.weighting import weighted_mean

    got = weighted_mean(rnd.items["COM02"], w, by=rnd.background["gender"])
    assert got["group"].tolist() == ["Male", "Female"] and got["n"].tolist() == [489, 548]
    assert got["mean"].tolist() == close([2.72945293685747, 2.87865721373474])
    assert got["se"].tolist() == close([0.0453170278575942, 0.0389757072311347])


def test_weighted_mean_by_income_with_unknowns_matches_svyby(rnd, w):
    """Income is unknown for 201 of the 1,037: each income group is a domain of the whole design."""
    from peo_lib.stats.weighting import weighted_mean

    got = weighted_mean(rnd.items["COM02"], w, by=rnd.background["income"])
    assert got["group"].tolist() == ["$0 - $24,999", "$25,000 - $49,999", "$50,000 - $99,999",
                                     "$100,000 - $149,999", "$150,000+"]
    assert got["n"].sum() == 1037 - 201
    assert got["mean"].tolist() == close([2.92090109417757, 2.83308155532837, 2.69077210096152,
                                          2.86877982953186, 2.89108832208610])
    assert got["se"].tolist() == close([0.0878018449913260, 0.0747224176027828, 0.0532350949444918,
                                        0.0786778979997234, 0.0941807824646198])


# -- svymean(~factor(GRA01)) -------------------------------------------------------------------
#>                               prop                  SE
#> factor(GRA01)1 0.00509303899116812 0.00227278986962427
#> factor(GRA01)2 0.00605046103595204 0.00246422155600905
#> factor(GRA01)3 0.02532880751083636 0.00491225528583047
#> factor(GRA01)4 0.31926249567838133 0.01452240130966268
#> factor(GRA01)5 0.64426519678366223 0.01491499146298764

def test_weighted_proportions_match_svymean_of_the_factor(rnd, w):
    from peo_lib.stats.weighting import weighted_proportions

    got = weighted_proportions(rnd.items["GRA01"], w, categories=[1.0, 2.0, 3.0, 4.0, 5.0])
    assert got["n"].tolist() == [5, 6, 26, 329, 671] and got["base"].unique().tolist() == [1037]
    assert got["prop"].tolist() == close([0.00509303899116812, 0.00605046103595204, 0.02532880751083636,
                                          0.31926249567838133, 0.64426519678366223])
    assert got["se"].tolist() == close([0.00227278986962427, 0.00246422155600905, 0.00491225528583047,
                                        0.01452240130966268, 0.01491499146298764])


# -- svyttest(COM02 ~ gender), svyttest(taalzorg ~ gender) --------------------------------------
# R's estimate is the coefficient genderFemale: Female minus Male. Here group 1 = Female, so the
# library's "group 1 minus group 2" has the same sign.
#> $statistic
#>                t
#> 2.49620725389772
#>
#> $parameter
#>   df
#> 1035
#>
#> $p.value
#>       genderFemale
#> 0.0127075835229735
#>
#> $estimate
#> difference in mean
#>  0.149204276877272
#>
#> $conf.int
#>                          2.5 %            97.5 %
#> genderFemale 0.031915383648558 0.266493170105985
#> attr(,"conf.level")
#> [1] 0.95
#>
#> $statistic
#>                t
#> 2.16091431412934
#>
#> $parameter
#>   df
#> 1035
#>
#> $p.value
#>       genderFemale
#> 0.0309308003780701
#>
#> $estimate
#> difference in mean
#>  0.106631877071726
#>

def _by_gender(rnd, wv, y):
    g = rnd.background["gender"].astype(object).to_numpy()
    female, male = (g == "Female") & np.isfinite(wv), (g == "Male") & np.isfinite(wv)
    return y[female], wv[female], y[male], wv[male]


def test_svy_mean_difference_matches_svyttest(rnd, wv):
    from peo_lib.stats.compare import svy_mean_difference

    got = svy_mean_difference(*_by_gender(rnd, wv, rnd.items["COM02"].to_numpy(dtype=float)),
                              n_design=int(np.isfinite(wv).sum()))
    assert got["df"] == 1035
    assert got["t"] == close(2.49620725389772)
    assert got["p"] == close(0.0127075835229735)
    assert got["diff"] == close(0.149204276877272)
    assert (got["ci_low"], got["ci_high"]) == close((0.031915383648558, 0.266493170105985))


def test_compare_samples_with_weights_gives_svyttest(rnd, wv, scores):
    from peo_lib.stats.compare import compare_samples

    both = rnd.background["gender"].notna().to_numpy() & np.isfinite(wv)
    female = (rnd.background["gender"] == "Female").to_numpy()[both]
    samples = [("scale", s, s, values[both], wv[both], female, int(np.isfinite(wv).sum()))
               for s, values in (("COM02", rnd.items["COM02"].to_numpy(dtype=float)),
                                 ("taalzorg", scores["taalzorg"].to_numpy(dtype=float)))]
    got = compare_samples(samples, groups=("Female", "Male"), by="gender", min_n=5).set_index("id")
    assert got["test"].tolist() == ["svy_t", "svy_t"] and got["n1"].tolist() == [548, 548]
    assert got.loc["COM02", "statistic"] == close(2.49620725389772)
    assert got.loc["COM02", "p"] == close(0.0127075835229735)
    assert got.loc["taalzorg", "statistic"] == close(2.16091431412934)
    assert got.loc["taalzorg", "p"] == close(0.0309308003780701)
    assert got.loc["taalzorg", "diff"] == close(0.106631877071726)


# -- svyranktest(item ~ gender) ----------------------------------------------------------------
#> COM01 svyranktest t 0.570012380244182  df 1035  p 0.568793006467934  est 0.00868890913890845
#> COM02 svyranktest t 2.12998619184345  df 1035  p 0.033408130045452  est 0.0365590215245859
#> GRA01 svyranktest t 3.2246020824834  df 1035  p 0.0013009472546513  est 0.0485642606498204
#> DAT01 svyranktest t -0.0855906651057932  df 1035  p 0.931808372996467  est -0.00133231417329481
#> DAT02 svyranktest t 0.961026056038487  df 1035  p 0.336763522328084  est 0.0164723160082863
RANKTEST = {  # item: (t, p); df 1035 for each
    "COM01": (0.570012380244182, 0.568793006467934),
    "COM02": (2.12998619184345, 0.033408130045452),
    "GRA01": (3.2246020824834, 0.0013009472546513),
    "DAT01": (-0.0855906651057932, 0.931808372996467),
    "DAT02": (0.961026056038487, 0.336763522328084),
}


def test_compare_groups_with_weights_matches_svyttest_and_svyranktest(rnd, w):
    from peo_lib.stats.compare import compare_groups

    got = compare_groups(rnd, by="gender", groups=("Female", "Male"), weights=w).set_index("id")
    assert got.index.tolist() == ["taalzorg", *RANKTEST]
    assert got.loc["taalzorg", "test"] == "svy_t"
    assert got.loc["taalzorg", "statistic"] == close(2.16091431412934)
    assert got.loc["taalzorg", "p"] == close(0.0309308003780701)
    for item, (t, p) in RANKTEST.items():
        assert got.loc[item, "test"] == "svy_wilcoxon"
        assert got.loc[item, "statistic"] == close(t), item
        assert got.loc[item, "p"] == close(p), item
    # the weighted group means are svyby's (above); counts stay unweighted respondents
    assert (got.loc["COM02", "mean1"], got.loc["COM02", "mean2"]) == close((2.87865721373474, 2.72945293685747))
    assert (got.loc["COM02", "n1"], got.loc["COM02", "n2"]) == (548, 489)


# -- svyranktest(y ~ age, test = "KruskalWallis") ------------------------------------------------
#> COM02 ~ age KruskalWallis chisq 8.90136211901419  ndf 3  ddf 1033  p 0.0311052093299555
#> taalzorg ~ age KruskalWallis chisq 5.65546827540558  ndf 3  ddf 1033  p 0.130344380967825

@pytest.mark.parametrize("what, chisq, p", [
    ("COM02", 8.90136211901419, 0.0311052093299555),
    ("taalzorg", 5.65546827540558, 0.130344380967825),
])
def test_svy_kruskal_wallis_by_age_matches_svyranktest(rnd, wv, scores, what, chisq, p):
    from peo_lib.stats.compare import svy_kruskal_wallis

    y = (scores[what] if what in scores else rnd.items[what]).to_numpy(dtype=float)
    age = rnd.background["age"].astype(object).to_numpy()
    ok = np.isfinite(wv)  # everyone with a weight has an age; respondent (file) order as in R
    got = svy_kruskal_wallis(y[ok], wv[ok], age[ok], n_design=int(ok.sum()))
    assert (got["ndf"], got["ddf"]) == (3, 1033)
    assert got["chisq"] == close(chisq)
    assert got["p"] == close(p)


# -- svyquantile(qrule = "hf7") ----------------------------------------------------------------
#> $COM02
#>      0.25 0.5 0.75          0.1115            0.352           0.7302
#> [1,]    2   3    4 1.5547897003152 2.39202763414408 3.44450955331595
#>
#> attr(,"hasci")
#> [1] FALSE
#> attr(,"class")
#> [1] "newsvyquantile"
#> $taalzorg
#>      0.25 0.5 0.75           0.0686            0.146           0.3305            0.552          0.7958            0.929
#> [1,]    2 2.5    3 1.21675111472458 1.87567271954851 2.24451316842682 2.76291650211145 3.2299808052708 3.68775483671798
#>
#> attr(,"hasci")
#> [1] FALSE
#> attr(,"class")
#> [1] "newsvyquantile"

@pytest.mark.parametrize("what, probs, want", [
    ("COM02", [0.25, 0.5, 0.75, 0.1115, 0.352, 0.7302],
     [2, 3, 4, 1.5547897003152, 2.39202763414408, 3.44450955331595]),
    ("taalzorg", [0.25, 0.5, 0.75, 0.0686, 0.146, 0.3305, 0.552, 0.7958, 0.929],
     [2, 2.5, 3, 1.21675111472458, 1.87567271954851, 2.24451316842682, 2.76291650211145, 3.2299808052708,
      3.68775483671798]),
])
def test_weighted_quantiles_match_svyquantile_hf7(rnd, wv, scores, what, probs, want):
    """Quartiles, and probabilities inside the gap between two answers (found from R's hf7 positions),
    where the result is an interpolation that depends on the weight of the respondent at the edge of
    a tie: respondent order and the rule must both be R's."""
    from peo_lib.stats.weighting import weighted_quantiles

    y = (scores[what] if what in scores else rnd.items[what]).to_numpy(dtype=float)
    got = weighted_quantiles(y, wv, probs)
    assert got.tolist() == close(want)


# -- the whole report on the real file, weighted through populatie.yml ---------------------------
POPULATIE = """\
- ronde: "2033-2"
  bron: U.S. Census Bureau, NC-EST2014-AGESEX-RES, 1 juli 2014
  marges:
    gender: {Male: 0.487, Female: 0.513}
    age: {"18-29": 0.218, "30-44": 0.253, "45-60": 0.281, "> 60": 0.248}
"""


@pytest.mark.parametrize("audience", [None, "onderwijs", "professionals", "aanbieders", "gemeenten"])
def test_every_summary_of_the_weighted_real_round_is_weighted_and_says_so_at_the_top(tmp_path, audience):
    """populatie.yml beside the real file: every summary's scale mean and interval are R's svymean
    (taalzorg, above: 2.58898121973958, SE 0.0246296128849665, normal interval as confint), its count
    stays the unweighted one, and its title says to what it is weighted."""
    import shutil
    import warnings

    from scipy.stats import norm

    from peo_lib.report.round import build_report

    for part in ("codebooks", "raw"):
        shutil.copytree(HERE / part, tmp_path / part)
    (tmp_path / "populatie.yml").write_text(POPULATIE, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report("2033-2", data_dir=tmp_path, audience=audience)
    row = rep.scales.set_index("scale").loc["taalzorg"]
    half = norm.ppf(0.975) * 0.0246296128849665
    assert row["mean"] == pytest.approx(2.58898121973958, rel=REL)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(2.58898121973958 - half, rel=REL),
                                               pytest.approx(2.58898121973958 + half, rel=REL))
    both = rep.rnd.items[["COM02", "DAT02"]].notna().all(axis=1)
    assert row["n_scored"] == int(both.sum())  # respondents, not weights
    title = rep.title()._repr_html_()
    assert "zijn gewogen naar gender en age (bron: U.S. Census Bureau" in title
    # the 92 without gender and age (R: "gender NA 92"): in n, not in the weighted mean; said, so n and mean agree
    assert ("92 respondenten hebben geen weegfactor (gender of age onbekend): die tellen mee in de aantallen, "
            "niet in de gewogen cijfers.") in title
