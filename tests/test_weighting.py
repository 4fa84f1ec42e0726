"""Weighting against R ``survey`` (raking, trimming, svymean, svyby) and the population file.

Reference
---------
R 4.2.2, package survey 4.1-1 (Lumley), Debian ``r-cran-survey``; run once, output pasted
below (CI does not run R). The data are a synthetic round of 120 respondents, typed in below
as strings (one character per respondent, ``0`` = blank): functie 1-4, organisatie 1-3
(4 blanks: unknown, so no weight), gemeente 1-5, PR01 (eens5, ``9`` = Weet ik niet) and WD01.
The same strings are in the R script (``data.R``)::

    chars <- function(s) as.integer(strsplit(s, "")[[1]])
    d <- data.frame(functie = chars(FUNCTIE), organisatie = chars(ORGANISATIE), gemeente = chars(GEMEENTE),
                    PR01 = chars(PR01), WD01 = chars(WD01))
    d$organisatie[d$organisatie == 0] <- NA
    d$PR01[d$PR01 %in% c(0, 9)] <- NA
    d$functie <- factor(d$functie, 1:4, c("Jeugdhulpverlener", "Gedragswetenschapper", "Teamleider", "Anders"))
    d$organisatie <- factor(d$organisatie, 1:3, c("Wijkteam", "Jeugdzorgaanbieder", "Gemeente"))
    d$PR01f <- factor(d$PR01, 1:5)

Tolerances: R prints 15 significant digits. Raking in R ran to ``epsilon = 1e-14`` (relative),
here to 1e-10 in shares, so weights agree to about 1e-12 (1e-9 asserted); standard errors
and means to 1e-9.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

FUNCTIE = "133422324112122111111323111332124312122233133111232231122131133234121223111112311311432131132142441322142412121323233231"
GEMEENTE = "214121233123342311111212141121214311141434111114423141321511311441235122311132333114242143112212443221413144411341531313"
ORGANISATIE = "213233013013023303111310122213223311123211221111223131112133331232221123111113330311321321321221223223311213233232233320"
PR01 = "224314433041442433254491444552323052314242454444145254520934905251123253314902234253354424333514440541422552429544255922"
WD01 = "213421414142423233444345442454442522223113433434242244414432332132334425432342323344432433442332332312231224333413141423"

CODEBOOK = textwrap.dedent("""\
    round: "2098-2"
    title: Weegtest
    theme: werkdruk
    source: {file: weeg.csv, format: csv}
    respondent_id: id
    privacy: {min_n: 5, min_n_open: 10}
    response_sets:
      eens5:
        values: {1: Helemaal oneens, 2: Oneens, 3: Neutraal, 4: Eens, 5: Helemaal eens}
        missing: {9: Weet ik niet}
    items:
      PR01: {column: q1, text: Ik heb voldoende ruimte., response_set: eens5, block: kern}
      WD01: {column: q2, text: Ik heb te veel werk., response_set: eens5, block: werkdruk}
    background:
      functie: {column: f, values: {1: Jeugdhulpverlener, 2: Gedragswetenschapper, 3: Teamleider, 4: Anders}}
      organisatie: {column: o, values: {1: Wijkteam, 2: Jeugdzorgaanbieder, 3: Gemeente}}
      gemeente: {column: g, values: {1: Den Haag, 2: Delft, 3: Zoetermeer, 4: Rijswijk, 5: Westland}}
    """)

MARGINS = {
    "functie": {"Jeugdhulpverlener": 0.55, "Gedragswetenschapper": 0.20, "Teamleider": 0.15, "Anders": 0.10},
    "organisatie": {"Wijkteam": 0.35, "Jeugdzorgaanbieder": 0.50, "Gemeente": 0.15},
}
CATEGORIES = [1.0, 2.0, 3.0, 4.0, 5.0]


def write_round(data_dir):
    (data_dir / "codebooks").mkdir(parents=True)
    (data_dir / "raw").mkdir()
    (data_dir / "codebooks" / "2098-2.yml").write_text(CODEBOOK, encoding="utf-8")
    blank = lambda c: "" if c == "0" else c
    rows = ["id,f,o,g,q1,q2"] + [f"{i + 1},{f},{blank(o)},{g},{blank(q)},{w}" for i, (f, o, g, q, w)
                                 in enumerate(zip(FUNCTIE, ORGANISATIE, GEMEENTE, PR01, WD01))]
    (data_dir / "raw" / "weeg.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return data_dir / "codebooks" / "2098-2.yml"


@pytest.fixture(scope="module")
def rnd(tmp_path_factory):
    from peo_lib import load_round

    return load_round(write_round(tmp_path_factory.mktemp("weeg")))


@pytest.fixture(scope="module")
def w(rnd):
    from peo_lib.stats.weighting import rake_weights

    return rake_weights(rnd, MARGINS)


def _per_cell(rnd, w):
    df = pd.concat([rnd.background[["organisatie", "functie"]], w], axis=1).dropna()
    return df.groupby(["organisatie", "functie"], observed=True)["weight"]


# -- survey::rake ---------------------------------------------------------------------------
#> k <- d[!is.na(d$organisatie), ]            # respondents with every margin variable known
#> N <- nrow(k)                                # 113
#> pop.f <- data.frame(functie = levels(d$functie), Freq = N * c(0.55, 0.20, 0.15, 0.10))
#> pop.o <- data.frame(organisatie = levels(d$organisatie), Freq = N * c(0.35, 0.50, 0.15))
#> rk <- rake(svydesign(ids = ~1, weights = ~1, data = k), list(~functie, ~organisatie), list(pop.f, pop.o),
#>            control = list(maxit = 1000, epsilon = 1e-14))
#> k$w <- weights(rk) / mean(weights(rk))
#> aggregate(w ~ organisatie + functie, data = k, FUN = function(x) c(w = x[1], n = length(x)))
#>           organisatie              functie                w.w                w.n
#> 1            Wijkteam    Jeugdhulpverlener  1.330679119111112 23
#> 2  Jeugdzorgaanbieder    Jeugdhulpverlener  2.941311856324917  8
#> 3            Gemeente    Jeugdhulpverlener  0.801388540984501 10
#> 4            Wijkteam Gedragswetenschapper  0.536264945572642 10
#> 5  Jeugdzorgaanbieder Gedragswetenschapper  1.185351464444631 11
#> 6            Gemeente Gedragswetenschapper  0.322960341183281 13
#> 7            Wijkteam           Teamleider  0.479752419784628  6
#> 8  Jeugdzorgaanbieder           Teamleider  1.060437080695836 10
#> 9            Gemeente           Teamleider  0.288926222861158 12
#> 10           Wijkteam               Anders  0.703216286010236  1
#> 11 Jeugdzorgaanbieder               Anders  1.554378038925227  6
#> 12           Gemeente               Anders  0.423505160146145  3
#> cat("n_eff =", sum(k$w)^2 / sum(k$w^2), " deff =", N * sum(k$w^2) / sum(k$w)^2, "\n")
#> n_eff = 77.2925444445403  deff = 1.46197800592631
RAKED = {
    ("Wijkteam", "Jeugdhulpverlener"): (1.330679119111112, 23),
    ("Jeugdzorgaanbieder", "Jeugdhulpverlener"): (2.941311856324917, 8),
    ("Gemeente", "Jeugdhulpverlener"): (0.801388540984501, 10),
    ("Wijkteam", "Gedragswetenschapper"): (0.536264945572642, 10),
    ("Jeugdzorgaanbieder", "Gedragswetenschapper"): (1.185351464444631, 11),
    ("Gemeente", "Gedragswetenschapper"): (0.322960341183281, 13),
    ("Wijkteam", "Teamleider"): (0.479752419784628, 6),
    ("Jeugdzorgaanbieder", "Teamleider"): (1.060437080695836, 10),
    ("Gemeente", "Teamleider"): (0.288926222861158, 12),
    ("Wijkteam", "Anders"): (0.703216286010236, 1),
    ("Jeugdzorgaanbieder", "Anders"): (1.554378038925227, 6),
    ("Gemeente", "Anders"): (0.423505160146145, 3),
}


def test_rake_weights_match_survey_rake(rnd, w):
    cells = _per_cell(rnd, w)
    assert cells.nunique().max() == 1  # one weight per cell: raking multiplies cell factors
    got = cells.agg(["first", "size"])
    assert len(got) == len(RAKED)
    for key, (weight, n) in RAKED.items():
        assert got.loc[key, "size"] == n
        assert got.loc[key, "first"] == pytest.approx(weight, abs=1e-9)


def test_weights_meet_the_margins_have_mean_one_and_nan_for_unknown(rnd, w):
    assert w.name == "weight" and w.index.equals(rnd.items.index)
    unknown = rnd.background["organisatie"].isna()
    assert unknown.sum() == 7 and w[unknown].isna().all() and w[~unknown].notna().all()
    assert w.mean() == pytest.approx(1.0, abs=1e-14)
    for var, shares in MARGINS.items():
        got = w.groupby(rnd.background[var], observed=True).sum() / w.sum()
        for cat, share in shares.items():
            assert abs(got[cat] - share) < 1e-10


def test_kish_effective_n_and_design_effect_match_r(w):
    from peo_lib.stats.weighting import (
        design_effect,
        kish_effective_n,
        weighting_summary,
    )

    assert kish_effective_n(w) == pytest.approx(77.2925444445403, abs=1e-8)
    assert design_effect(w) == pytest.approx(1.46197800592631, abs=1e-10)
    s = weighting_summary(w)
    assert s["n"] == 113 and s["n_unweighted"] == 7
    assert s["n_eff"] == pytest.approx(77.2925444445403, abs=1e-8)
    assert s["max_margin_error"] < 1e-10 and s["trim"] is None and s["passes"] > 1
    # Kish (1965): equal weights lose nothing; deff = 1 + CV^2 (n divisor)
    assert kish_effective_n(np.ones(40)) == pytest.approx(40) and design_effect(np.full(9, 2.5)) == pytest.approx(1)
    x = np.array([0.5, 1, 1, 1.5, 3, np.nan])
    v = x[~np.isnan(x)]
    assert design_effect(x) == pytest.approx(1 + v.std(ddof=0) ** 2 / v.mean() ** 2)


def test_raking_runs_to_convergence_not_a_fixed_number_of_passes(rnd):
    from peo_lib.stats.weighting import WeightingError, rake_weights

    w = rake_weights(rnd, MARGINS)
    assert w.attrs["raking"]["passes"] > 3  # survey::rake stops after 10 passes / a change below 1 by default
    with pytest.raises(WeightingError, match=r"did not converge in 2 passes \(largest margin error"):
        rake_weights(rnd, MARGINS, max_passes=2)


# -- survey::trimWeights --------------------------------------------------------------------
#> tr <- trimWeights(svydesign(ids = ~1, weights = ~w, data = k), upper = 2, strict = TRUE)
#> k$wt <- weights(tr)
#> aggregate(wt ~ organisatie + functie, data = k, FUN = function(x) x[1])
#>           organisatie              functie                wt
#> 1            Wijkteam    Jeugdhulpverlener 1.402398117688248
#> 2  Jeugdzorgaanbieder    Jeugdhulpverlener 2.000000000000000
#> 3            Gemeente    Jeugdhulpverlener 0.873107539561638
#> 4            Wijkteam Gedragswetenschapper 0.607983944149779
#> 5  Jeugdzorgaanbieder Gedragswetenschapper 1.257070463021768
#> 6            Gemeente Gedragswetenschapper 0.394679339760418
#> 7            Wijkteam           Teamleider 0.551471418361764
#> 8  Jeugdzorgaanbieder           Teamleider 1.132156079272973
#> 9            Gemeente           Teamleider 0.360645221438295
#> 10           Wijkteam               Anders 0.774935284587372
#> 11 Jeugdzorgaanbieder               Anders 1.626097037502364
#> 12           Gemeente               Anders 0.495224158723281
TRIMMED = [1.402398117688248, 2.0, 0.873107539561638, 0.607983944149779, 1.257070463021768, 0.394679339760418,
           0.551471418361764, 1.132156079272973, 0.360645221438295, 0.774935284587372, 1.626097037502364,
           0.495224158723281]


def test_trim_matches_survey_trimweights_and_records_the_cap(rnd):
    from peo_lib.stats.weighting import rake_weights, weighting_summary

    wt = rake_weights(rnd, MARGINS, trim=2)
    got = _per_cell(rnd, wt).first()
    for key, expected in zip(RAKED, TRIMMED):
        assert got.loc[key] == pytest.approx(expected, abs=1e-9)
    assert wt.max() == pytest.approx(2.0) and wt.mean() == pytest.approx(1.0, abs=1e-14)
    s = weighting_summary(wt)
    assert s["trim"] == (0.0, 2.0) and s["n_trimmed"] == 8      # the 8 Jeugdhulpverleners at Jeugdzorgaanbieder
    assert 1e-3 < s["max_margin_error"] < 0.1                   # trimming gives up exact margins (recorded)


@pytest.mark.parametrize("trim", [1.0, 0.5, (1.2, 3), (-0.1, 3), float("inf")])
def test_trim_must_leave_room_around_the_mean(rnd, trim):
    from peo_lib.stats.weighting import rake_weights

    with pytest.raises(ValueError, match=r"`trim` must be an upper cap above 1"):
        rake_weights(rnd, MARGINS, trim=trim)


# -- svymean / svyby ------------------------------------------------------------------------
#> des <- svydesign(ids = ~1, weights = ~w, data = k)
#> m <- svymean(~PR01f, des, na.rm = TRUE); print(cbind(mean = coef(m), SE = SE(m)))
#>                     mean                 SE
#> PR01f1 0.103098576506472 0.0389357892344303
#> PR01f2 0.181343281579716 0.0428172165366859
#> PR01f3 0.155834715698926 0.0423973473682740
#> PR01f4 0.366661987889329 0.0596872912404398
#> PR01f5 0.193061438325557 0.0462360547318636
#> m <- svymean(~WD01, des); print(cbind(mean = coef(m), SE = SE(m)))
#>                  mean                SE
#> WD01 2.98516673749817 0.104169615209017

def test_weighted_proportions_match_svymean(rnd, w):
    from peo_lib.stats.weighting import weighted_proportions

    got = weighted_proportions(rnd.items["PR01"], w, categories=CATEGORIES)
    assert got.columns.tolist() == ["category", "n", "base", "n_eff", "prop", "se", "ci_low", "ci_high"]
    np.testing.assert_allclose(got["prop"], [0.103098576506472, 0.181343281579716, 0.155834715698926,
                                             0.366661987889329, 0.193061438325557], atol=1e-9)
    np.testing.assert_allclose(got["se"], [0.0389357892344303, 0.0428172165366859, 0.0423973473682740,
                                           0.0596872912404398, 0.0462360547318636], atol=1e-9)
    # confint(svymean(...)): Wald with the normal quantile
    np.testing.assert_allclose(got["ci_high"] - got["prop"], 1.959963984540054 * got["se"], rtol=1e-12)
    assert got["base"].unique().tolist() == [102] and got["n"].sum() == 102


def test_weighted_mean_matches_svymean(rnd, w):
    from peo_lib.stats.weighting import weighted_mean

    got = weighted_mean(rnd.items["WD01"], w).iloc[0]
    assert got["mean"] == pytest.approx(2.98516673749817, abs=1e-9)
    assert got["se"] == pytest.approx(0.104169615209017, abs=1e-9)
    assert got["n"] == 113


#> svyby(~WD01, ~functie, des, svymean)
#>                                   functie             WD01                se
#> Jeugdhulpverlener       Jeugdhulpverlener 3.24416116723401 0.140465313295355
#> Gedragswetenschapper Gedragswetenschapper 2.17620968134072 0.212963612155451
#> Teamleider                     Teamleider 3.17095922561524 0.179256647823485
#> Anders                             Anders 2.89992275409035 0.243340213180362
#> b <- svyby(~PR01f, ~functie, des, svymean, na.rm = TRUE); coef(b); SE(b)
#>   (coef(b) listed group-major below; SE(b) as printed)
SVYBY_PROP = [
    [0.0766224222168324, 0.0766224222168324, 0.1913447070152168, 0.4833197934789976, 0.1720906550721207],
    [0.1624672920628941, 0.4973326811258843, 0.0521774656821005, 0.2146447577449946, 0.0733778033841266],
    [0.0000000000000000, 0.2234423697047259, 0.1000656463049101, 0.2234423697047259, 0.4530496142856381],
    [0.2751111573318978, 0.0622315297354189, 0.2499905769348365, 0.2751111573318978, 0.1375555786659489],
]
#>                               se.PR01f1          se.PR01f2          se.PR01f3          se.PR01f4          se.PR01f5
#> Jeugdhulpverlener    0.0554279204767281 0.0554279204767281 0.0695362169592187 0.0940665205952471 0.0691012774068977
#> Gedragswetenschapper 0.0784971218187105 0.1033476811495636 0.0366930656971835 0.0837137241561937 0.0574910642439421
#> Teamleider           0.0000000000000000 0.0922927263452034 0.0662993998578958 0.0922927263452034 0.1125506327417502
#> Anders               0.1626645749373217 0.0624196809307165 0.1390672825524852 0.1626645749373217 0.1271226995632958
SVYBY_SE = [
    [0.0554279204767281, 0.0554279204767281, 0.0695362169592187, 0.0940665205952471, 0.0691012774068977],
    [0.0784971218187105, 0.1033476811495636, 0.0366930656971835, 0.0837137241561937, 0.0574910642439421],
    [0.0000000000000000, 0.0922927263452034, 0.0662993998578958, 0.0922927263452034, 0.1125506327417502],
    [0.1626645749373217, 0.0624196809307165, 0.1390672825524852, 0.1626645749373217, 0.1271226995632958],
]


def test_weighted_mean_by_group_matches_svyby(rnd, w):
    from peo_lib.stats.weighting import weighted_mean

    got = weighted_mean(rnd.items["WD01"], w, by=rnd.background["functie"])
    assert got["group"].tolist() == ["Jeugdhulpverlener", "Gedragswetenschapper", "Teamleider", "Anders"]
    np.testing.assert_allclose(got["mean"], [3.24416116723401, 2.17620968134072, 3.17095922561524,
                                             2.89992275409035], atol=1e-9)
    np.testing.assert_allclose(got["se"], [0.140465313295355, 0.212963612155451, 0.179256647823485,
                                           0.243340213180362], atol=1e-9)


def test_weighted_proportions_by_group_match_svyby(rnd, w):
    from peo_lib.stats.weighting import weighted_proportions

    got = weighted_proportions(rnd.items["PR01"], w, by=rnd.background["functie"], categories=CATEGORIES)
    np.testing.assert_allclose(got["prop"].to_numpy().reshape(4, 5), SVYBY_PROP, atol=1e-9)
    np.testing.assert_allclose(got["se"].to_numpy().reshape(4, 5), SVYBY_SE, atol=1e-9)


#> des1 <- svydesign(ids = ~1, data = d)          # unweighted: every weight 1, all 120 respondents
#> svyby(~WD01, ~functie, des1, svymean)
#>                                   functie             WD01                se
#> Jeugdhulpverlener       Jeugdhulpverlener 3.17391304347826 0.128425695543026
#> Gedragswetenschapper Gedragswetenschapper 2.26470588235294 0.183540170078096
#> Teamleider                     Teamleider 3.23333333333333 0.199064103427956
#> Anders                             Anders 3.00000000000000 0.245976018507236
#> m <- svymean(~PR01f, des1, na.rm = TRUE); print(cbind(mean = coef(m), SE = SE(m)))
#> PR01f1 0.0925925925925926 0.0280088028695380
#> PR01f4 0.3240740740740741 0.0452248319066128

def test_unweighted_estimates_match_svymean_without_weights(rnd):
    """Without weights the SE is survey's domain SE: N/(N-1) with N = all respondents, not sd/sqrt(n_g)."""
    from peo_lib.stats.weighting import weighted_mean, weighted_proportions

    got = weighted_mean(rnd.items["WD01"], by=rnd.background["functie"])
    np.testing.assert_allclose(got["mean"], [3.17391304347826, 2.26470588235294, 3.23333333333333, 3.0], atol=1e-12)
    np.testing.assert_allclose(got["se"], [0.128425695543026, 0.183540170078096, 0.199064103427956,
                                           0.245976018507236], atol=1e-12)
    props = weighted_proportions(rnd.items["PR01"], categories=CATEGORIES).set_index("category")
    assert props.loc[1.0, "se"] == pytest.approx(0.0280088028695380, abs=1e-12)
    assert props.loc[4.0, "prop"] == pytest.approx(0.3240740740740741, abs=1e-12)
    assert props.loc[4.0, "se"] == pytest.approx(0.0452248319066128, abs=1e-12)


def test_weights_must_cover_every_respondent(rnd, w):
    from peo_lib.stats.weighting import weighted_mean

    with pytest.raises(ValueError, match="must have a weight"):
        weighted_mean(rnd.items["WD01"], w.iloc[:50])
    with pytest.raises(ValueError, match="must not be negative"):
        weighted_mean(rnd.items["WD01"], -w)
    with pytest.raises(TypeError, match="weighted_proportions"):
        weighted_mean(rnd.background["functie"], w)


# -- margins that do not fit ------------------------------------------------------------------

@pytest.mark.parametrize("margins, message", [
    ({"funktie": {"Anders": 1.0}}, (r"margin variable 'funktie' is not a background variable of round 2098-2 "
                                    r"\(did you mean 'functie'\?\)")),
    ({"ervaringsgroep": {"startend": 1.0}}, r"nobody in round 2098-2 is 'startend'"),
    ({"functie": {**MARGINS["functie"], "Teamleiders": 0.0}},
     r"margins\.functie: 'Teamleiders' is not a value of functie in round 2098-2 \(did you mean 'Teamleider'\?\)"),
    ({"functie": {"Jeugdhulpverlener": 0.7, "Gedragswetenschapper": 0.2, "Teamleider": 0.1}},
     r"margins\.functie: 10 respondent\(s\) are 'Anders' but it has no population share"),
])
def test_margins_that_do_not_fit_the_round_are_one_line(rnd, margins, message):
    from peo_lib.errors import PEOError
    from peo_lib.stats.weighting import rake_weights

    with pytest.raises(PEOError, match=message) as exc:
        rake_weights(rnd, margins)
    assert "\n" not in str(exc.value)


def test_a_number_is_not_a_margin_variable(tiny_round):
    from peo_lib.stats.weighting import WeightingError, rake_weights

    with pytest.raises(WeightingError, match="is a number, not a categorical variable"):
        rake_weights(tiny_round, {"ervaring_jaren": {"1": 1.0}})
    with pytest.raises(ValueError, match="non-empty dict"):
        rake_weights(tiny_round, {"functie": {}})


# -- DATA_DIR/populatie.yml -------------------------------------------------------------------
POPULATIE = textwrap.dedent("""\
    - vanaf_ronde: "2090-1"
      bron: Arbeidsmarktmonitor jeugdzorg Haaglanden 2089
      marges:
        functie: {Jeugdhulpverlener: 55, Gedragswetenschapper: 20, Teamleider: 15, Anders: 10}
        organisatie: {Wijkteam: 0.35, Jeugdzorgaanbieder: 0.50, Gemeente: 0.15}
    - vanaf_ronde: "2099-1"
      bron: Telling 2098
      marges:
        functie: {Jeugdhulpverlener: 0.5, Gedragswetenschapper: 0.2, Teamleider: 0.2, Anders: 0.1}
    - ronde: "2095-2"
      bron: Registratie gemeenten
      marges:
        functie: {Jeugdhulpverlener: 0.6, Gedragswetenschapper: 0.2, Teamleider: 0.1, Anders: 0.1}
    """)


def test_population_file_gives_the_margins_of_a_round(tmp_path):
    from peo_lib.data.population import read_population

    (tmp_path / "populatie.yml").write_text(POPULATIE, encoding="utf-8")
    pop = read_population(data_dir=tmp_path)
    margins, entry = pop.margins_for("2098-2")
    assert entry.bron == "Arbeidsmarktmonitor jeugdzorg Haaglanden 2089" and entry.valid_for == "vanaf 2090-1"
    assert margins["functie"]["Jeugdhulpverlener"] == pytest.approx(0.55)  # percentages rescaled to shares
    assert pop.entry_for("2095-2").bron == "Registratie gemeenten"        # its own round wins
    assert pop.entry_for("2099-2").bron == "Telling 2098"                 # the latest vanaf_ronde
    assert pop.entry_for("2089-2") is None and len(pop.sha256) == 64


def test_rake_weights_reads_populatie_yml_and_records_the_source(rnd, w, tmp_path):
    from peo_lib.stats.weighting import rake_weights, weighting_summary

    (tmp_path / "populatie.yml").write_text(POPULATIE, encoding="utf-8")
    from_file = rake_weights(rnd, data_dir=tmp_path)
    np.testing.assert_allclose(from_file.to_numpy(), w.to_numpy(), atol=1e-12)
    s = weighting_summary(from_file)
    assert s["source"]["bron"] == "Arbeidsmarktmonitor jeugdzorg Haaglanden 2089"
    assert s["source"]["geldig"] == "vanaf 2090-1"


@pytest.mark.parametrize("text, message", [
    ('- ronde: "2021-1"\n  vanaf_ronde: "2021-1"\n  bron: x\n  marges: {functie: {A: 1}}\n',
     r"populatie\[1\]: give exactly one of 'ronde'"),
    ("- vanaf_ronde: 2021\n  bron: x\n  marges: {functie: {A: 1}}\n", r"populatie\[1\]\.vanaf_ronde: YAML read 2021 as"),
    ('- vanaf_ronde: "2021-1"\n  marges: {functie: {A: 1}}\n', r"populatie\[1\]\.bron: required key is missing"),
    ('- vanaf_ronde: "2021-1"\n  bron: x\n  marges: {functie: {A: 0.5, B: 0.3}}\n',
     r"populatie\[1\]\.marges\.functie: the shares add up to 0\.8; they must add up to 1 \(or 100"),
    ('- vanaf_ronde: "2021-1"\n  bron: x\n  bronn: y\n  marges: {functie: {A: 1}}\n',
     r"populatie\[1\]\.bronn: unknown key"),
    (('- vanaf_ronde: "2021-1"\n  bron: x\n  marges: {functie: {A: 1}}\n'
      '- vanaf_ronde: "2021-1"\n  bron: y\n  marges: {functie: {A: 1}}\n'),
     r"populatie\[2\]\.vanaf_ronde: '2021-1' is also given in populatie\[1\]"),
    ("functie: 0.5\n", r"expected a list of entries"),
])
def test_population_file_errors_are_one_line(tmp_path, text, message):
    from peo_lib.data.population import PopulationError, read_population
    from peo_lib.errors import PEOError

    path = tmp_path / "populatie.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PopulationError, match=message) as exc:
        read_population(path)
    assert isinstance(exc.value, PEOError) and "\n" not in str(exc.value)
    assert str(exc.value).startswith(str(path))


def test_population_file_missing_or_not_covering_the_round(rnd, tmp_path):
    from peo_lib.data.population import PopulationError
    from peo_lib.stats.weighting import WeightingError, rake_weights

    with pytest.raises(PopulationError, match="populatie.yml: population .* file not found"):
        rake_weights(rnd, data_dir=tmp_path)
    (tmp_path / "populatie.yml").write_text('- vanaf_ronde: "2099-1"\n  bron: x\n  marges: {functie: {A: 1}}\n')
    with pytest.raises(PopulationError, match=r"no population figures for round 2098-2 \(entries: vanaf 2099-1\)"):
        rake_weights(rnd, data_dir=tmp_path)
    (tmp_path / "populatie.yml").write_text('- vanaf_ronde: "2098-1"\n  bron: x\n  marges: {functie: {A: 1}}\n')
    with pytest.raises(WeightingError, match=r"populatie\.yml \(vanaf 2098-1\) marges\.functie: 'A' is not a value"):
        rake_weights(rnd, data_dir=tmp_path)


def test_round_weights_is_none_without_figures_for_the_round_and_never_silently_unweighted(rnd, w, tmp_path):
    from peo_lib.stats.weighting import WeightingError, round_weights

    assert round_weights(rnd, data_dir=tmp_path) is None  # no populatie.yml: unweighted
    (tmp_path / "populatie.yml").write_text('- vanaf_ronde: "2099-1"\n  bron: x\n  marges: {functie: {A: 1}}\n')
    assert round_weights(rnd, data_dir=tmp_path) is None  # figures only for later rounds
    (tmp_path / "populatie.yml").write_text(POPULATIE, encoding="utf-8")
    np.testing.assert_allclose(round_weights(rnd, data_dir=tmp_path).to_numpy(), w.to_numpy(), atol=1e-12)
    (tmp_path / "populatie.yml").write_text('- vanaf_ronde: "2098-1"\n  bron: x\n  marges: {functie: {A: 1}}\n')
    with pytest.raises(WeightingError, match="'A' is not a value"):  # an entry that does not fit: an error
        round_weights(rnd, data_dir=tmp_path)


def test_rake_weights_is_a_lazy_public_name():
    import peo_lib
    from peo_lib.stats.weighting import rake_weights

    assert peo_lib.rake_weights is rake_weights


# -- weighted two-group tests (svyttest / svyranktest) -----------------------------------------------
# The design `des` above; the two groups a domain of it, as survey recommends (subset the design,
# not the data). R 4.2.2, survey 4.1-1:
#> two <- subset(des, functie %in% c("Jeugdhulpverlener", "Gedragswetenschapper"))
#> two$variables$g <- factor(as.character(two$variables$functie), c("Jeugdhulpverlener", "Gedragswetenschapper"))
#> unclass(svyttest(WD01 ~ g, two))[c("statistic", "parameter", "p.value", "estimate")]
#>   t -4.18614619771838   df 73   p 7.82159868918366e-05   difference in mean -1.06795148589329
#> unclass(svyranktest(PR01 ~ g, two))[c("statistic", "parameter", "p.value", "estimate")]
#>   t -3.04677731449971   df 64   p 0.00335850015647682   difference in mean rank score -0.226281874017601
#> unclass(svyranktest(WD01 ~ g, two))[c("statistic", "parameter", "p.value", "estimate")]
#>   t -3.92321716396395   df 73   p 0.000195650683103486  difference in mean rank score -0.269369966550233
# R's coefficient is Gedragswetenschapper minus Jeugdhulpverlener; ours is group 1 minus group 2,
# with group 1 = Jeugdhulpverlener, so the signs flip.
TWO = ("Jeugdhulpverlener", "Gedragswetenschapper")


def test_weighted_rank_test_matches_svyranktest(rnd, w):
    from peo_lib.stats.compare import compare_groups

    got = compare_groups(rnd, by="functie", groups=TWO, weights=w).set_index("id")
    assert got["test"].tolist() == ["svy_wilcoxon", "svy_wilcoxon"]
    assert got.loc["PR01", "statistic"] == pytest.approx(3.04677731449971, abs=1e-9)
    assert got.loc["PR01", "p"] == pytest.approx(0.00335850015647682, rel=1e-8)
    assert got.loc["WD01", "statistic"] == pytest.approx(3.92321716396395, abs=1e-9)
    assert got.loc["WD01", "p"] == pytest.approx(0.000195650683103486, rel=1e-8)
    # weighted means are svyby's (above), counts stay unweighted respondents
    assert got.loc["WD01", "mean1"] == pytest.approx(3.24416116723401, abs=1e-9)
    assert got.loc["WD01", "mean2"] == pytest.approx(2.17620968134072, abs=1e-9)
    assert (got.loc["WD01", "n1"], got.loc["WD01", "n2"]) == (41, 34)
    assert (got.loc["PR01", "n1"], got.loc["PR01", "n2"]) == (35, 31)


# The rank test with mid-point ties (what a comparison with a round's stored sums uses): R's
# svyranktest averages cumsum(w) - w/2 over a tie in respondent order, so here the scores are the
# weighted mid-ranks, computed in R and tested with R's svyttest (same design `two`):
#> midrank <- function(y, w) { ok <- !is.na(y) & w > 0; W <- tapply(w[ok], y[ok], sum)
#>   mid <- (cumsum(W) - W / 2) / sum(W); r <- rep(NA_real_, length(y)); r[ok] <- mid[as.character(y[ok])]; r }
#> v <- two$variables; inn <- weights(two, "sampling") > 0
#> for (item in c("PR01", "WD01")) {
#>   r <- rep(NA_real_, nrow(v)); r[inn] <- midrank(v[[item]][inn], weights(two, "sampling")[inn])
#>   two$variables$r <- r
#>   print(unclass(svyttest(r ~ g, two))[c("statistic", "parameter", "p.value", "estimate")]) }
#>   PR01: t -3.07910638325017  df 64  p 0.00305704199306742  difference in mean -0.23072820366652
#>   WD01: t -3.98485110215671  df 73  p 0.00015826999282144  difference in mean -0.267536189868205
@pytest.mark.parametrize("item, t, p", [("PR01", 3.07910638325017, 0.00305704199306742),
                                        ("WD01", 3.98485110215671, 0.00015826999282144)])
def test_weighted_rank_test_with_midpoint_ties_matches_r(rnd, w, item, t, p):
    from peo_lib.stats.compare import compare_samples

    f = rnd.background["functie"].astype(object).to_numpy()
    wv = w.reindex(rnd.items.index).to_numpy(dtype=float)
    both = np.isin(f, TWO) & np.isfinite(wv)
    sample = ("item", item, item, rnd.items[item].to_numpy(dtype=float)[both], wv[both], (f == TWO[0])[both],
              int(np.isfinite(wv).sum()))
    got = compare_samples([sample], groups=TWO, by="functie", min_n=5, ties="midpoint").iloc[0]
    assert got["test"] == "svy_wilcoxon"
    assert got["statistic"] == pytest.approx(t, abs=1e-9)
    assert got["p"] == pytest.approx(p, rel=1e-8)
    r_order = compare_samples([sample], groups=TWO, by="functie", min_n=5).iloc[0]
    assert abs(r_order["statistic"] - got["statistic"]) > 1e-3  # unequal weights in ties: the choice matters
    with pytest.raises(ValueError, match=r"`ties` must be one of \['respondent_order', 'midpoint'\], but 'mid'"):
        compare_samples([sample], groups=TWO, by="functie", min_n=5, ties="mid")


def test_weighted_t_test_matches_svyttest(rnd, w):
    from peo_lib.stats.compare import compare_samples

    f = rnd.background["functie"].astype(object).to_numpy()
    wv = w.reindex(rnd.items.index).to_numpy(dtype=float)
    both = np.isin(f, TWO) & np.isfinite(wv)
    sample = ("scale", "WD01", "werkdruk", rnd.items["WD01"].to_numpy(dtype=float)[both], wv[both],
              (f == TWO[0])[both], int(np.isfinite(wv).sum()))
    got = compare_samples([sample], groups=TWO, by="functie", min_n=5).iloc[0]
    assert got["test"] == "svy_t"
    assert got["statistic"] == pytest.approx(4.18614619771838, abs=1e-9)
    assert got["p"] == pytest.approx(7.82159868918366e-05, rel=1e-8)
    assert got["diff"] == pytest.approx(1.06795148589329, abs=1e-9)


def test_weights_of_one_give_the_unweighted_effect_sizes(rnd):
    """With every weight 1 the weighted rank-biserial r is the usual one and d uses the same means."""
    from peo_lib.stats.compare import compare_groups

    ones = pd.Series(1.0, index=rnd.items.index)
    plain = compare_groups(rnd, by="functie", groups=TWO).set_index("id")
    weighted = compare_groups(rnd, by="functie", groups=TWO, weights=ones).set_index("id")
    np.testing.assert_allclose(weighted["rank_biserial"], plain["rank_biserial"], atol=1e-12)
    np.testing.assert_allclose(weighted[["mean1", "mean2", "diff"]], plain[["mean1", "mean2", "diff"]], atol=1e-12)
    assert (weighted["p"] < 0.05).tolist() == (plain["p"] < 0.05).tolist()


def test_a_weighted_round_report_weights_its_comparison_and_says_so(demo_dir, tmp_path):
    """populatie.yml covers the round: the starters/experienced comparison uses the weighted tests and
    means, the counts stay unweighted, and the section and the appendix say that it is weighted."""
    import shutil
    import warnings

    from peo_lib.data.rounds import load_round
    from peo_lib.paths import codebook_path, raw_dir
    from peo_lib.report.round import build_report

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "codebooks", data / "codebooks")
    shutil.copytree(demo_dir / "raw", data / "raw")
    rnd = load_round(codebook_path("2021-1", data), raw_dir(data))
    functies = list(rnd.background["functie"].cat.categories)
    shares = {f: (0.7 if k == 0 else 0.3 / (len(functies) - 1)) for k, f in enumerate(functies)}
    (data / "populatie.yml").write_text(
        '- vanaf_ronde: "2020-2"\n  bron: Testtelling\n  marges:\n    functie: {'
        + ", ".join(f"{k}: {v}" for k, v in shares.items()) + "}\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = build_report("2021-1", data_dir=data)
        _ = weighted.weights, weighted.comparison  # read while populatie.yml is there (cached)
        (data / "populatie.yml").unlink()
        plain = build_report("2021-1", data_dir=data)
    assert weighted.weights is not None and plain.weights is None
    w_cmp, p_cmp = weighted.comparison.set_index("id"), plain.comparison.set_index("id")
    shown = ~w_cmp["suppressed"]
    assert set(w_cmp.loc[shown, "test"]) == {"svy_t", "svy_wilcoxon"}
    assert set(p_cmp.loc[shown, "test"]) == {"welch_t", "mann_whitney_u"}
    # n stays the unweighted count of respondents in the weighted analysis: those with a weight
    # (a respondent whose functie is unknown has none, as in survey::rake, and is left out)
    has_w = weighted.weights.reindex(rnd.items.index).notna().to_numpy()
    starters = (rnd.background["ervaringsgroep"] == "startend").to_numpy()
    item = w_cmp.index[w_cmp["kind"] == "item"][0]
    answered = rnd.items[item].notna().to_numpy()
    assert w_cmp.loc[item, "n1"] == (starters & answered & has_w).sum()
    assert p_cmp.loc[item, "n1"] == (starters & answered).sum()
    assert (w_cmp.loc[shown, "mean1"] - p_cmp.loc[shown, "mean1"]).abs().max() > 1e-3  # the weights matter
    section = weighted.comparison_tables()._repr_html_()
    assert "De gemiddelden en toetsen in dit deel zijn gewogen naar functie (bron: Testtelling)." in section
    assert "gewogen" not in plain.comparison_tables()._repr_html_()
    appendix = weighted.appendix()._repr_html_()
    assert "gewogen t-toets" in appendix and "gewogen rangtoets" in appendix


def test_weighted_item_and_scale_descriptives_are_svymean_and_svyby(rnd, w):
    """The report's descriptives with weights: means and SEs as svymean/svyby above (R), shares as
    svymean(~factor(PR01)); counts stay unweighted."""
    from peo_lib.stats.descriptives import item_descriptives, item_distribution

    whole = item_descriptives(rnd, items=["WD01", "PR01"], weights=w).set_index("item")
    assert whole.loc["WD01", "mean"] == pytest.approx(2.98516673749817, abs=1e-9)
    z = 1.959963984540054
    assert whole.loc["WD01", "ci_high"] - whole.loc["WD01", "mean"] == pytest.approx(z * 0.104169615209017, abs=1e-9)
    # top-2 share of PR01 = svymean shares of codes 4 and 5; its SE from R's covariance is not pasted, so
    # the interval is checked against weighted_proportions of the 0/1 indicator (same estimator)
    assert whole.loc["PR01", "top2_pct"] == pytest.approx(100 * (0.366661987889329 + 0.193061438325557), abs=1e-7)
    assert whole.loc["PR01", "n_valid"] == rnd.items["PR01"].notna().sum()  # unweighted
    by = item_descriptives(rnd, items=["WD01"], by="functie", weights=w)
    np.testing.assert_allclose(by["mean"], [3.24416116723401, 2.17620968134072, 3.17095922561524,
                                            2.89992275409035], atol=1e-9)
    np.testing.assert_allclose((by["ci_high"] - by["mean"]) / z, [0.140465313295355, 0.212963612155451,
                                                                  0.179256647823485, 0.243340213180362], atol=1e-9)
    dist = item_distribution(rnd, "PR01", weights=w)
    answers = dist[dist["kind"] == "answer"]
    np.testing.assert_allclose(answers["pct"] / 100, [0.103098576506472, 0.181343281579716, 0.155834715698926,
                                                      0.366661987889329, 0.193061438325557], atol=1e-9)
    assert answers["pct_rounded"].sum() == 100
    assert answers["n"].sum() == rnd.items["PR01"].notna().sum()  # unweighted counts of every respondent


def test_weighted_scale_descriptives_equal_weighted_mean_of_the_scores(demo_dir):
    from peo_lib.stats.descriptives import scale_descriptives
    from peo_lib.stats.scoring import score_scales
    from peo_lib.stats.weighting import weighted_mean

    from peo_lib.data.rounds import load_round
    from peo_lib.paths import codebook_path, raw_dir

    demo_round = load_round(codebook_path("2021-1", demo_dir), raw_dir(demo_dir))
    rng = np.random.default_rng(3)
    w = pd.Series(rng.uniform(0.3, 3, demo_round.n), index=demo_round.items.index)
    w.iloc[:5] = np.nan  # not in the design
    got = scale_descriptives(demo_round, by="ervaringsgroep", weights=w)
    scores = score_scales(demo_round)
    s = scores.columns[0]
    ref = weighted_mean(scores[s], w, by=demo_round.background["ervaringsgroep"])
    mine = got[got["scale"] == s]
    np.testing.assert_allclose(mine["mean"], ref["mean"], rtol=1e-12)
    np.testing.assert_allclose(mine["ci_low"], ref["ci_low"], rtol=1e-12)


def test_a_weighted_round_report_weights_its_tables_and_says_so_once_at_the_top(demo_dir, tmp_path):
    import shutil
    import warnings

    from peo_lib.report.round import build_report
    from peo_lib.stats.descriptives import item_descriptives, scale_descriptives

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "codebooks", data / "codebooks")
    shutil.copytree(demo_dir / "raw", data / "raw")
    (data / "populatie.yml").write_text('- vanaf_ronde: "2020-2"\n  bron: Testtelling\n  marges:\n'
                                        '    ervaringsgroep: {startend: 0.5, ervaren: 0.5}\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report("2021-1", data_dir=data)
        w = rep.weights
        assert w is not None
        scales = rep.scales.set_index("scale")
        ref = scale_descriptives(rep.rnd, weights=w).set_index("scale")
        shown = ~scales["suppressed"]
        np.testing.assert_allclose(scales.loc[shown, "mean"], ref.loc[shown, "mean"], rtol=1e-12)
        plain = scale_descriptives(rep.rnd).set_index("scale")
        assert (scales.loc[shown, "mean"] - plain.loc[shown, "mean"]).abs().max() > 1e-3  # starters weigh more
        assert (scales.loc[shown, "n_scored"] == plain.loc[shown, "n_scored"]).all()     # counts unweighted
        dist = rep.distributions
        item = dist["item"].iloc[0]
        ans = dist[(dist["item"] == item) & (dist["kind"] == "answer")]
        ref_pct = item_descriptives(rep.rnd, items=[item], weights=w)["top2_pct"].iloc[0]
        tops = rep.rnd.codebook.response_set_of(item).top_codes(2)
        assert ans[ans["code"].isin(tops)]["pct"].sum() == pytest.approx(ref_pct, abs=1e-9)
        top = rep.title()._repr_html_()
        html = top + rep.response_overview()._repr_html_()
    assert top.count("gewogen naar ervaring (bron: Testtelling)") == 1  # once, at the top
    assert html.count("gewogen naar ervaring (bron: Testtelling)") == 1


def test_the_dashboard_draws_the_weighted_figures_from_its_count_tables(tmp_path):
    """The dashboard's count tables of a weighted round give the R svyby means and intervals and the
    svymean shares (pasted above); n and the suppression stay on the unweighted counts."""
    from peo_lib import load_round
    from peo_lib.dashboard.model import _Model
    from peo_lib.dashboard.tables import round_tables

    cb_path = write_round(tmp_path)
    (tmp_path / "populatie.yml").write_text(POPULATIE, encoding="utf-8")  # the margins of MARGINS
    rnd = load_round(cb_path, tmp_path / "raw")
    t = round_tables(rnd)
    assert t.weighted is not None and t.weighting.startswith("De percentages en gemiddelden zijn gewogen naar functie")
    model = _Model({rnd.id: t})
    by = model.means(rnd.id, "item:WD01", "functie").set_index("rij")
    groups = ["Jeugdhulpverlener", "Gedragswetenschapper", "Teamleider", "Anders"]
    np.testing.assert_allclose(by.loc[groups, "gemiddelde"], [3.24416116723401, 2.17620968134072,
                                                              3.17095922561524, 2.89992275409035], atol=1e-9)
    z = 1.959963984540054
    np.testing.assert_allclose((by.loc[groups, "ci_hoog"] - by.loc[groups, "gemiddelde"]) / z,
                               [0.140465313295355, 0.212963612155451, 0.179256647823485, 0.243340213180362],
                               atol=1e-9)
    assert by.loc["Totaal", "gemiddelde"] == pytest.approx(2.98516673749817, abs=1e-9)
    assert by.loc["Jeugdhulpverlener", "n"] == (rnd.background["functie"] == "Jeugdhulpverlener").sum()
    dist = model.distribution(rnd.id, "item:PR01", "geen").set_index("rij")
    cats = t.subjects["item:PR01"]["categories"]
    np.testing.assert_allclose(dist.loc["Totaal", cats].astype(float) / 100,
                               [0.103098576506472, 0.181343281579716, 0.155834715698926, 0.366661987889329,
                                0.193061438325557], atol=1e-9)
    assert dist.loc["Totaal", "n"] == rnd.items["PR01"].notna().sum()


# -- weighted trends: two rounds ------------------------------------------------------------------
# The 120 respondents above as two rounds: 1-60 are round 2098-1, 61-120 round 2098-2, with the
# raked weights `w` of the whole (R `k$w` above); a one-item scale `werkdruk` = WD01.
#> d$round <- factor(ifelse(seq_len(nrow(d)) <= 60, "2098-1", "2098-2")); k <- ...; k$w <- ...  (as above)
#> des <- svydesign(ids = ~1, weights = ~w, data = k)               # the two rounds stacked
#> for (r in levels(k$round)) { dr <- svydesign(ids = ~1, weights = ~w, data = k[k$round == r, ])
#>   m <- svymean(~WD01, dr); cat(r, "n", nrow(dr), "mean", coef(m), "se", SE(m), "\n")
#>   print(svyby(~WD01, ~functie, dr, svymean)) }
#> 2098-1 n 55 mean 3.1438057205167 se 0.168133107719045
#>   Jeugdhulpverlener 3.34827443325023 0.225406093634631   Gedragswetenschapper 2.37538384714499 0.304125584845825
#>   Teamleider        3.28871648669446 0.310228708271557   Anders               3.64728307395965 0.378141585323182
#> 2098-2 n 58 mean 2.82991773269058 se 0.118723612407217
#>   Jeugdhulpverlener 3.11501793278438 0.141625041609141   Gedragswetenschapper 1.94854877299691 0.268995244044321
#>   Teamleider        3.08761561606477 0.209530356187594   Anders               2.69823934046096 0.207939948204950
#> tt <- svyttest(WD01 ~ round, des)
#>   t -1.53200817518561  df 111  p 0.128365599968883  difference in mean -0.313887987826111
#>   conf.int -0.719884517215385 0.0921085415631623
#> m0 <- svyglm(WD01 ~ functie, des); pm <- svypredmeans(m0, ~round); coef(pm); SE(pm)
#>   2098-1 3.146317061722  2098-2 2.827460056680;  SE 0.163242696556908 0.109133757544352
#> m <- svyglm(WD01 ~ round + functie, des); coef(summary(m))["round2098-2", ]; m$df.residual; confint(m, parm = 2)
#>   -0.3188570050419589  SE 0.187856952168170  t -1.697339392350611  p 9.25124925772291e-02  df 108
#>   -0.691222074284713 0.0535080642007949
TREND_CODEBOOK = CODEBOOK.replace("\nbackground:", "\nscales:\n  werkdruk: {label: Werkdruk, items: [WD01]}\nbackground:")
assert "werkdruk: {label" in TREND_CODEBOOK


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory, w):
    from peo_lib import load_round

    d = tmp_path_factory.mktemp("weeg2")
    (d / "codebooks").mkdir()
    (d / "raw").mkdir()
    blank = lambda c: "" if c == "0" else c
    rows = [f"{i + 1},{f},{blank(o)},{g},{blank(q)},{x}" for i, (f, o, g, q, x)
            in enumerate(zip(FUNCTIE, ORGANISATIE, GEMEENTE, PR01, WD01))]
    rounds, weights = {}, {}
    for k, rid in enumerate(("2098-1", "2098-2")):
        cb = TREND_CODEBOOK.replace('round: "2098-2"', f'round: "{rid}"').replace("weeg.csv", f"weeg{k}.csv")
        (d / "codebooks" / f"{rid}.yml").write_text(cb, encoding="utf-8")
        (d / "raw" / f"weeg{k}.csv").write_text("\n".join(["id,f,o,g,q1,q2", *rows[60 * k:60 * (k + 1)]]) + "\n",
                                                 encoding="utf-8")
        r = load_round(d / "codebooks" / f"{rid}.yml")
        rounds[rid] = r
        weights[rid] = pd.Series(w.to_numpy()[60 * k:60 * (k + 1)], index=r.items.index)
    return rounds, weights


def test_weighted_scale_trend_is_svymean_of_each_round(two_rounds):
    from peo_lib.stats.trends import scale_trend

    rounds, weights = two_rounds
    got = scale_trend(rounds, scale="werkdruk", weights=weights)
    np.testing.assert_allclose(got["mean"], [3.1438057205167, 2.82991773269058], atol=1e-9)
    np.testing.assert_allclose(got["se"], [0.168133107719045, 0.118723612407217], atol=1e-9)
    np.testing.assert_allclose(got["ci_high"] - got["mean"], 1.959963984540054 * got["se"], rtol=1e-12)
    assert got["n"].tolist() == [55, 58] and got["weighted"].all()  # respondents with a weight
    by = scale_trend(rounds, scale="werkdruk", by="functie", weights=weights)
    np.testing.assert_allclose(by["mean"], [3.34827443325023, 2.37538384714499, 3.28871648669446, 3.64728307395965,
                                            3.11501793278438, 1.94854877299691, 3.08761561606477, 2.69823934046096],
                               atol=1e-9)
    np.testing.assert_allclose(by["se"], [0.225406093634631, 0.304125584845825, 0.310228708271557, 0.378141585323182,
                                          0.141625041609141, 0.268995244044321, 0.209530356187594, 0.207939948204950],
                               atol=1e-9)
    plain = scale_trend(rounds, scale="werkdruk")
    assert not plain["weighted"].any() and plain["n"].tolist() == [60, 60]


def test_weighted_change_between_rounds_is_svyttest_on_the_stacked_rounds(two_rounds):
    from peo_lib.stats.trends import consecutive_changes

    rounds, weights = two_rounds
    got = consecutive_changes(rounds, scale="werkdruk", weights=weights).iloc[0]
    assert got["t"] == pytest.approx(-1.53200817518561, abs=1e-9)
    assert got["df"] == 111
    assert got["p"] == pytest.approx(0.128365599968883, rel=1e-8)
    assert got["diff"] == pytest.approx(-0.313887987826111, abs=1e-9)
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((-0.719884517215385, 0.0921085415631623), abs=1e-9)
    assert got["mean_previous"] == pytest.approx(3.1438057205167, abs=1e-9)


def test_weighted_adjusted_trend_is_svypredmeans_and_its_contrast_svyglm(two_rounds):
    from peo_lib.stats.trends import adjusted_trend, consecutive_changes

    rounds, weights = two_rounds
    adj = adjusted_trend(rounds, scale="werkdruk", covariates=("functie",), weights=weights)
    np.testing.assert_allclose(adj["mean"], [3.146317061722, 2.827460056680], atol=1e-9)
    np.testing.assert_allclose(adj["se"], [0.163242696556908, 0.109133757544352], atol=1e-9)
    assert adj.attrs["weighted"] and adj.attrs["n"] == 113
    ch = consecutive_changes(rounds, scale="werkdruk", method="adjusted", covariates=("functie",),
                             weights=weights).iloc[0]
    assert ch["diff"] == pytest.approx(-0.3188570050419589, abs=1e-9)
    assert ch["t"] == pytest.approx(-1.697339392350611, abs=1e-9)
    assert ch["df"] == 108
    assert ch["p"] == pytest.approx(9.25124925772291e-02, rel=1e-8)
    assert (ch["ci_low"], ch["ci_high"]) == pytest.approx((-0.691222074284713, 0.0535080642007949), abs=1e-9)
    # without weights the same code gives the OLS contrast (statsmodels' own t_test)
    import statsmodels.formula.api as smf
    from peo_lib.stats.series import stack_rounds

    plain = consecutive_changes(rounds, scale="werkdruk", method="adjusted", covariates=("functie",)).iloc[0]
    df = stack_rounds(rounds, items=False).dropna(subset=["werkdruk", "functie"])
    fit = smf.ols("werkdruk ~ C(round) + C(functie)", data=df.assign(round=df["round"].astype(str))).fit()
    assert plain["diff"] == pytest.approx(fit.params["C(round)[T.2098-2]"], abs=1e-12)
    assert plain["p"] == pytest.approx(fit.pvalues["C(round)[T.2098-2]"], rel=1e-9)


def test_a_weighted_trend_report_weights_every_round_it_can_and_says_so(demo_dir, tmp_path):
    """populatie.yml from the second demo round on: that round and later are weighted (svymean per
    round, the stacked svyttest per pair), the first stays plain (t interval), and the report says so."""
    import shutil
    import warnings

    from peo_lib.paths import round_ids
    from peo_lib.report.trends import build_trends_report
    from peo_lib.stats.weighting import weighted_mean

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "codebooks", data / "codebooks")
    shutil.copytree(demo_dir / "raw", data / "raw")
    ids = round_ids(data)
    (data / "populatie.yml").write_text(f'- vanaf_ronde: "{ids[1]}"\n  bron: Testtelling\n  marges:\n'
                                        '    ervaringsgroep: {startend: 0.5, ervaren: 0.5}\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_trends_report(data_dir=data)
        plain = build_trends_report(data_dir=demo_dir)
    assert rep.weights[ids[0]] is None and all(rep.weights[r] is not None for r in ids[1:])
    scale = rep.scales[0]
    raw, raw0 = rep.tables(scale)["raw"].set_index("round"), plain.tables(scale)["raw"].set_index("round")
    assert raw.loc[ids[0], "mean"] == pytest.approx(raw0.loc[ids[0], "mean"], rel=1e-12)  # first round unweighted
    last = rep.rounds[ids[-1]]
    from peo_lib.stats.scoring import score_scales

    ref = weighted_mean(score_scales(last)[scale], rep.weights[ids[-1]]).iloc[0]
    assert raw.loc[ids[-1], "mean"] == pytest.approx(ref["mean"], rel=1e-12)
    assert raw.loc[ids[-1], "ci_low"] == pytest.approx(ref["ci_low"], rel=1e-12)
    assert abs(raw.loc[ids[-1], "mean"] - raw0.loc[ids[-1], "mean"]) > 1e-3  # the weights matter
    ch = rep.tables(scale)["changes"]
    comparable = ch[ch["comparable"] & ~ch["suppressed"]]
    assert len(comparable) and (comparable["df"] == comparable["df"].round()).all()  # svyttest: n - 2, not Welch's
    title = rep.title()._repr_html_()
    assert (f"De gemiddelden en toetsen van {', '.join(ids[1:-1]) + ' en ' + ids[-1] if len(ids) > 2 else ids[1]}"
            " zijn gewogen") in title and f"voor {ids[0]} zijn er geen populatiecijfers" in title
    # respondents whose years of experience are unknown have no weight: counted in n, not in the means
    without = sum(int(rep.weights[r].isna().sum()) for r in ids[1:])
    assert without == sum(int(rep.rounds[r].background["ervaringsgroep"].isna().sum()) for r in ids[1:]) > 0
    assert (f"{without} respondenten hebben geen weegfactor (ervaring onbekend): die tellen mee in de aantallen, "
            "niet in de gewogen cijfers.") in title
    assert "gewogen t-toets" in rep.appendix()._repr_html_()
    assert "gewogen" not in plain.title()._repr_html_()


# -- audience summaries: quantiles and the Kruskal-Wallis test of gemeenten -------------------------
#> d$gemeente <- factor(d$gemeente, 1:5, c("Den Haag", "Delft", "Zoetermeer", "Rijswijk", "Westland"))  (before k)
#> des <- update(des, x2 = WD01 + PR01 / 7 + as.integer(gemeente) / 50 + as.integer(functie) / 310)
#> svyquantile(~x2, des, c(0.1, 0.25, 0.5, 0.75, 0.9), qrule = "hf7", ci = FALSE, na.rm = TRUE)
#>   2.20344490139746 2.60347065478342 3.63153175753836 4.5008759335402 4.65465437788018
#> three <- subset(des, gemeente %in% c("Den Haag", "Delft", "Zoetermeer"))
#> svyranktest(WD01 ~ gemeente, three, test = "KruskalWallis")   Chisq 0.683396828322609  df 2  ddf 85  p 0.711533974991327
#> svyranktest(PR01 ~ gemeente, three, test = "KruskalWallis")   Chisq 0.179388484031733  df 2  ddf 75  p 0.914308583931831
#> svyranktest(WD01 ~ gemeente, des, test = "KruskalWallis")     Chisq 1.92826392930876   df 4  ddf 108 p 0.748844904442906
def test_weighted_quantiles_match_svyquantile_hf7(rnd, w):
    from peo_lib.stats.weighting import weighted_quantiles

    gem = {g: k + 1 for k, g in enumerate(["Den Haag", "Delft", "Zoetermeer", "Rijswijk", "Westland"])}
    fun = {f: k + 1 for k, f in enumerate(["Jeugdhulpverlener", "Gedragswetenschapper", "Teamleider", "Anders"])}
    x2 = (rnd.items["WD01"] + rnd.items["PR01"] / 7 + rnd.background["gemeente"].astype(object).map(gem) / 50
          + rnd.background["functie"].astype(object).map(fun) / 310).to_numpy(dtype=float)
    got = weighted_quantiles(x2, w.reindex(rnd.items.index).to_numpy(), [0.1, 0.25, 0.5, 0.75, 0.9])
    np.testing.assert_allclose(got, [2.20344490139746, 2.60347065478342, 3.63153175753836, 4.5008759335402,
                                     4.65465437788018], atol=1e-12)
    ones = weighted_quantiles(x2, np.ones(len(x2)), [0.1, 0.5, 0.9])
    np.testing.assert_allclose(ones, np.nanquantile(x2, [0.1, 0.5, 0.9]), atol=1e-12)  # type 7


@pytest.mark.parametrize("item, gemeenten, chisq, ddf, p", [
    ("WD01", ["Den Haag", "Delft", "Zoetermeer"], 0.683396828322609, 85, 0.711533974991327),
    ("PR01", ["Den Haag", "Delft", "Zoetermeer"], 0.179388484031733, 75, 0.914308583931831),
    ("WD01", ["Den Haag", "Delft", "Zoetermeer", "Rijswijk", "Westland"], 1.92826392930876, 108, 0.748844904442906),
])
def test_weighted_kruskal_wallis_matches_svyranktest(rnd, w, item, gemeenten, chisq, ddf, p):
    from peo_lib.stats.compare import svy_kruskal_wallis

    g = rnd.background["gemeente"].astype(object).to_numpy()
    wv = w.reindex(rnd.items.index).to_numpy(dtype=float)
    keep = np.isin(g, gemeenten) & np.isfinite(wv)
    got = svy_kruskal_wallis(rnd.items[item].to_numpy(dtype=float)[keep], wv[keep], g[keep],
                             n_design=int(np.isfinite(wv).sum()))
    assert got["chisq"] == pytest.approx(chisq, rel=1e-9)
    assert (got["ndf"], got["ddf"]) == (len(gemeenten) - 1, ddf)
    assert got["p"] == pytest.approx(p, rel=1e-9)


@pytest.fixture(scope="module")
def weighted_demo(demo_dir, tmp_path_factory):
    """The demo rounds with populatie.yml weighting starters and experienced 50/50 from 2020-2 on."""
    import shutil

    data = tmp_path_factory.mktemp("weighted_demo") / "data"
    shutil.copytree(demo_dir / "codebooks", data / "codebooks")
    shutil.copytree(demo_dir / "raw", data / "raw")
    (data / "populatie.yml").write_text('- vanaf_ronde: "2020-2"\n  bron: Testtelling\n  marges:\n'
                                        '    ervaringsgroep: {startend: 0.5, ervaren: 0.5}\n', encoding="utf-8")
    return data


@pytest.mark.parametrize("audience", ["onderwijs", "professionals", "aanbieders", "gemeenten"])
def test_audience_summaries_of_a_weighted_round_are_weighted_and_say_so(weighted_demo, audience):
    import warnings

    from peo_lib.report.round import build_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report("2021-1", data_dir=weighted_demo, audience=audience)
    assert rep.weights is not None
    html = rep.title()._repr_html_()  # at the top of every summary, also those without "Wie deden mee"
    assert "zijn gewogen naar ervaring (bron: Testtelling)" in html and "niet gewogen" not in html
    cmp = rep.comparison
    assert set(cmp.loc[~cmp["suppressed"], "test"]) <= {"svy_t", "svy_wilcoxon"}


def test_weighted_audience_tables_use_the_round_weights(weighted_demo):
    """Each audience table with the weights equals the weighted statistic computed here from the
    scores (bins: weighted shares; quartiles: svyquantile hf7; gemeenten: the design-based
    Kruskal-Wallis test on the gemeenten shown), while the counts stay those of the plain table."""
    import warnings

    from peo_lib.report.audience_tables import (municipal_differences, municipal_scale_means, scale_quartiles,
                                                scale_score_bins)
    from peo_lib.report.round import build_report
    from peo_lib.stats.compare import svy_kruskal_wallis
    from peo_lib.stats.scoring import score_scales
    from peo_lib.stats.weighting import weighted_quantiles

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report("2021-1", data_dir=weighted_demo)
    rnd, w = rep.rnd, rep.weights
    wv = w.reindex(rnd.items.index).to_numpy(dtype=float)
    scores = score_scales(rnd)
    s = scores.columns[0]
    x = scores[s].to_numpy(dtype=float)

    bins, plain_bins = scale_score_bins(rnd, weights=w), scale_score_bins(rnd)
    mine = bins[(bins["scale"] == s) & ~bins["suppressed"]]
    lo = rnd.codebook.response_set_of(rnd.codebook.scales[s].items[0]).min
    ok = np.isfinite(x) & np.isfinite(wv)
    which = np.clip(np.floor(x[ok] + 0.5), lo, None)
    for rec in mine.to_dict("records"):
        assert rec["pct"] == pytest.approx(100 * wv[ok][which == rec["bin"]].sum() / wv[ok].sum(), rel=1e-12)
    assert bins["n"].equals(plain_bins["n"])  # counts unweighted
    assert (bins["pct"] - plain_bins["pct"]).abs().max() > 0.1

    q = scale_quartiles(rnd, weights=w).set_index("scale").loc[s]
    np.testing.assert_allclose([q["q1"], q["median"], q["q3"]], weighted_quantiles(x, wv, [0.25, 0.5, 0.75]),
                               rtol=1e-12)

    table = municipal_scale_means(rnd, weights=w)
    diffs = municipal_differences(rnd, weights=w, table=table).set_index("scale")
    shown = table[(table["scale"] == s) & ~table["suppressed"] & ~table["is_total"]]["group"].tolist()
    assert len(shown) >= 2 and diffs.loc[s, "test"] == "svy_kruskal_wallis"
    g = rnd.background["gemeente"].astype(object).to_numpy()
    inside = np.isin(g, shown) & np.isfinite(wv)
    ref = svy_kruskal_wallis(x[inside], wv[inside], g[inside], n_design=int(np.isfinite(wv).sum()))
    assert diffs.loc[s, "h"] == pytest.approx(ref["chisq"], rel=1e-12)
    assert diffs.loc[s, "p"] == pytest.approx(ref["p"], rel=1e-12)
    assert "gewogen Kruskal-Wallis-toets" in diffs.loc[s, "zin"]
    region = table[(table["scale"] == s) & table["is_total"]].iloc[0]
    known = pd.notna(g) & np.isfinite(x) & np.isfinite(wv)
    assert region["mean"] == pytest.approx(np.average(x[known], weights=wv[known]), rel=1e-12)
    assert region["n_scored"] == (pd.notna(g) & np.isfinite(x)).sum()  # unweighted


def test_weighting_sentence_names_the_respondents_without_a_weight():
    """They count in n but not in the weighted figures: the sentence says how many, or says nothing."""
    from peo_lib.report.banner_tables import weighting_sentence

    def weights(values):
        w = pd.Series(values, dtype=float)
        w.attrs["raking"] = {"margins": {"functie": {}, "gemeente": {}}, "source": {"bron": "Testtelling"}}
        return w

    full = weighting_sentence(weights([1.0, 0.8, 1.2]))
    assert full.endswith("(bron: Testtelling). De aantallen (n) zijn de werkelijke, ongewogen aantallen.")
    one = weighting_sentence(weights([1.0, np.nan, 1.2]))
    assert one.endswith(" 1 respondent heeft geen weegfactor (functie of gemeente onbekend): die tellen mee in de "
                        "aantallen, niet in de gewogen cijfers.")
    many = weighting_sentence(weights([np.nan] * 1200 + [1.0]))
    assert " 1200 respondenten hebben geen weegfactor" in many  # format_nl: no thousands separator
