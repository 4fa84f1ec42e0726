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
