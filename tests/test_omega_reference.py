"""omega_total against published MBESS output on a public data set.

Reference
---------
Sonja D. Winter, "ESCP 8082 R Labs", chapter 5 "Reliability" (Quarto book, executed R
output printed in the page):
https://winterstat.github.io/escp8082_rlabs/reliability.html, source repository
https://github.com/winterstat/escp8082_rlabs (reliability.html and data/reliability.R,
commit 56d8c37e48775d40a2bb2254d45ad5b74c3b5f9f; page last changed in 0c06b060, 2024-09-05).

Data: R's built-in ``datasets::attitude`` (Chatterjee & Price, 1977), 30 rows x 7 items,
no missing values -> tests/data/attitude.csv (source and licence in its header).

Why the values are comparable
-----------------------------
``MBESS::ci.reliability(data, type = "omega")`` fits, with lavaan, the one-factor model
``f1 =~ a1*y1 + ... + ak*yk; f1 ~~ 1*f1; yi ~~ bi*yi`` and reports
``relia := (sum a)^2 / ((sum a)^2 + sum b)`` (MBESS R/ci.reliability.R, ``.run.cfa``).
For the point estimate it uses ``estimator = "mlr", missing = "ml"``: with complete data
these are the ordinary ML estimates (MLR changes only the standard errors, FIML without
missing values is ML). That is the estimator and the formula of :func:`omega_total`
(one-factor ML on the correlation matrix, rescaled by the item SDs; ML is scale
invariant and omega does not depend on the n vs n-1 divisor). So the values must agree
up to the printed precision and optimizer tolerance, not merely "approximately".

The whole 7-item scale and the 4-item part are over-identified one-factor models
(iterative ML); the 3-item part is just-identified (closed form), so all three paths
of omega_total are exercised.

Tolerance: R prints 7 significant digits (rounding error <= 5e-8); 1e-6 leaves room
for the convergence tolerances of two different optimizers (lavaan nlminb vs
statsmodels) and is still four orders of magnitude below the differences between
neighbouring estimators on these data (standardized omega 0.8405, omega with the
observed total variance in the denominator 0.8263, vs 0.8563 published).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peo_lib.stats.reliability import cronbach_alpha, omega_total, reliability_table

DATA = Path(__file__).parent / "data"
TOL = 1e-6

PART1 = ["rating", "complaints", "privileges", "learning"]  # attitude[, c(1:4)]
PART2 = ["raises", "critical", "advance"]                    # attitude[, c(5:7)]


@pytest.fixture(scope="module")
def attitude():
    return pd.read_csv(DATA / "attitude.csv", comment="#").astype(float)


def test_attitude_data_matches_the_published_describe_output(attitude):
    """Guard the data file: the page prints ``psych::describe(attitude)``.

    > describe(attitude)
    #>            vars  n  mean    sd median ...
    #> rating        1 30 64.63 12.17   65.5
    #> complaints    2 30 66.60 13.31   65.0
    #> privileges    3 30 53.13 12.24   51.5
    #> learning      4 30 56.37 11.74   56.5
    #> raises        5 30 64.63 10.40   63.5
    #> critical      6 30 74.77  9.89   77.5
    #> advance       7 30 42.93 10.29   41.0
    """
    assert list(attitude.columns) == PART1 + PART2
    assert attitude.shape == (30, 7) and not attitude.isna().any().any()
    printed = pd.DataFrame(
        {
            "mean": [64.63, 66.60, 53.13, 56.37, 64.63, 74.77, 42.93],
            "sd": [12.17, 13.31, 12.24, 11.74, 10.40, 9.89, 10.29],
            "median": [65.5, 65.0, 51.5, 56.5, 63.5, 77.5, 41.0],
        },
        index=PART1 + PART2,
    )
    assert attitude.mean().to_numpy() == pytest.approx(printed["mean"].to_numpy(), abs=0.005)
    assert attitude.std(ddof=1).to_numpy() == pytest.approx(printed["sd"].to_numpy(), abs=0.005)
    assert attitude.median().to_numpy() == pytest.approx(printed["median"].to_numpy(), abs=1e-12)


def test_omega_all_seven_items_matches_mbess(attitude):
    """Over-identified one-factor model (k = 7, df = 14).

    > library(MBESS)
    > ci.reliability(attitude, type = "omega",
    +                conf.level = 0.95,
    +                interval.type = "mlr")
    #> $est
    #> [1] 0.8563268
    #> $se
    #> [1] 0.04619404
    #> ...
    #> $type
    #> [1] "omega"
    #> $interval.type
    #> [1] "robust maximum likelihood (wald ci)"
    """
    assert omega_total(attitude) == pytest.approx(0.8563268, abs=TOL)
    # complete data: pairwise and listwise covariance matrices coincide
    assert omega_total(attitude, missing="listwise") == pytest.approx(0.8563268, abs=TOL)
    assert reliability_table(attitude).scale["omega"] == pytest.approx(0.8563268, abs=TOL)


def test_omega_four_item_part_matches_mbess(attitude):
    """Over-identified one-factor model (k = 4, df = 2); MBESS defaults (type = "omega";
    for data input the point estimate is the same ML fit whatever interval.type is).

    > part1 <- attitude[,c(1:4)]
    > omega1 <- ci.reliability(part1)$est
    > omega1
    #> [1] 0.8615586
    """
    assert omega_total(attitude[PART1]) == pytest.approx(0.8615586, abs=TOL)


def test_omega_three_item_part_matches_mbess(attitude):
    """Just-identified one-factor model (k = 3): closed-form loadings.

    > part2 <- attitude[,c(5:7)]
    > omega2 <- ci.reliability(part2)$est
    > omega2
    #> [1] 0.7097988
    """
    assert omega_total(attitude[PART2]) == pytest.approx(0.7097988, abs=TOL)


def test_alpha_on_the_same_data_matches_mbess_and_psych(attitude):
    """Same page, same data: coefficient alpha (a formula, no model fit).

    > ci.reliability(attitude, type = "alpha",
    +                conf.level = 0.95, interval.type = "feldt")
    #> $est
    #> [1] 0.8431428
    > summary(alpha(attitude))            # psych
    #>  raw_alpha std.alpha G6(smc) average_r S/N   ase mean  sd median_r
    #>       0.84      0.84    0.88      0.43 5.2 0.042   60 8.2     0.45
    """
    assert cronbach_alpha(attitude) == pytest.approx(0.8431428, abs=TOL)
    scale = reliability_table(attitude).scale
    assert round(scale["alpha_std"], 2) == 0.84
    assert round(scale["g6"], 2) == 0.88
    assert round(scale["average_r"], 2) == 0.43


# -- a weak scale whose likelihood has local optima ---------------------------------------------
# 74 respondents x 6 items (codes 1-5, "." = missing, 42 complete cases), pairwise covariances:
# a synthetic weak scale (loadings about 0.0-0.6) like the one in issue 14, where statsmodels'
# Factor(method="ml") from random starts landed in a local optimum in about 15% of calls
# (omega about 0.262 or 0.312 instead of 0.297). R 4.2.2, lavaan 0.6-14 (Debian), run once:
#> s <- c(W1 = "...", ...)                                   # the strings of WEAK below
#> x <- as.data.frame(lapply(s, function(v) suppressWarnings(as.numeric(strsplit(v, "")[[1]]))))
#> C <- cov(x, use = "pairwise"); sd <- sqrt(diag(C)); options(digits = 15)
#> omega <- function(f) { l <- f$loadings[, 1] * sd; u <- f$uniquenesses * sd^2; sum(l)^2 / (sum(l)^2 + sum(u)) }
#> full <- list(opt = list(factr = 1, pgtol = 0, maxit = 10000))          # factanal at full convergence
#> f0 <- factanal(covmat = C, factors = 1, n.obs = 74)
#> f1 <- factanal(covmat = C, factors = 1, n.obs = 74, control = full)
#> c(default = omega(f0), full = omega(f1), objective = f1$criteria[["objective"]])
#>           default              full         objective
#> 0.296976987761696 0.296977049889758 0.205470262627069
#> f1$uniquenesses
#>                W1                W2                W3                W4                W5                W6
#> 0.928850329554597 0.966333641479834 0.254402037242257 0.961375904799393 0.898854024299603 0.993654015852716
#> fl <- factanal(covmat = C, factors = 1, n.obs = 74, start = c(0.02, 0.9, 0.9, 0.9, 0.9, 0.9), control = full)
#> c(local = omega(fl), objective = fl$criteria[["objective"]]); fl$uniquenesses[1]
#>             local         objective
#> 0.311208072950242 0.278972617048778                  # W1 0.005: a Heywood local optimum
#> fit <- cfa("f =~ W1 + W2 + W3 + W4 + W5 + W6", sample.cov = C, sample.nobs = 74, std.lv = TRUE)
#> pe <- parameterEstimates(fit); l <- pe$est[pe$op == "=~"]; u <- pe$est[pe$op == "~~" & pe$lhs != "f"]
#> c(lavaan = sum(l)^2 / (sum(l)^2 + sum(u)))
#>            lavaan
#> 0.296977375495393
WEAK = {
    "W1": "5.23533223543442513533242544242434334334122432443343433333.24.233324334323",
    "W2": "432122.424.4424434332241.45332334411124222324333.32424.3442.443.35244234..",
    "W3": "5444523332355.233133213145533444355423313222231324.44442322222.231245.5523",
    "W4": "543515334..3322353334435.4422121.5534344232342.323421.24444444334244322354",
    "W5": "3332.2.3334541322433333.323213443443452214.3..2.32253443345324323434455511",
    "W6": "44133434.4.1344431234.14343.32332.3.12341431433331443252452344224323.323.4",
}
WEAK_UNIQUENESSES = [0.928850329554597, 0.966333641479834, 0.254402037242257, 0.961375904799393,
                     0.898854024299603, 0.993654015852716]


@pytest.fixture(scope="module")
def weak():
    return pd.DataFrame({k: [float("nan") if c == "." else float(c) for c in v] for k, v in WEAK.items()})


def test_weak_scale_omega_is_the_ml_optimum_of_factanal_and_lavaan(weak):
    from peo_lib.stats.reliability import omega_diagnostics

    assert weak.shape == (74, 6) and len(weak.dropna()) == 42
    fit = omega_diagnostics(weak)
    assert fit.reason is None and fit.converged
    assert fit.omega == pytest.approx(0.296977049889758, abs=TOL)     # factanal, full convergence
    assert fit.omega == pytest.approx(0.296976987761696, abs=TOL)     # factanal, defaults
    assert fit.omega == pytest.approx(0.296977375495393, abs=TOL)     # lavaan
    assert fit.objective == pytest.approx(0.205470262627069, abs=1e-12)
    np.testing.assert_allclose(fit.uniquenesses, WEAK_UNIQUENESSES, atol=1e-6)
    # the likelihood has other optima (the one R reaches from a start near W1 among them): the best is kept
    assert fit.n_optima > 1 and fit.objective < 0.278972617048778
    assert abs(fit.omega - 0.311208072950242) > 0.01


def test_weak_scale_omega_is_the_same_every_call(weak):
    values = {omega_total(weak) for _ in range(200)}
    assert len(values) == 1
    assert values.pop() == pytest.approx(0.296977049889758, abs=TOL)


def test_omega_does_not_depend_on_the_order_of_the_items(weak):
    reference = omega_total(weak)
    for order in (["W6", "W5", "W4", "W3", "W2", "W1"], ["W3", "W1", "W5", "W2", "W6", "W4"]):
        assert omega_total(weak[order]) == pytest.approx(reference, abs=1e-9)
