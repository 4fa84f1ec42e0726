"""Descriptive tables: largest remainder, Wilson and t intervals, distributions, groups."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peo_lib.data.codebook import parse_codebook
from peo_lib.stats.descriptives import (
    item_descriptives,
    item_distribution,
    largest_remainder,
    mean_ci,
    scale_descriptives,
    wilson_ci,
)
from peo_lib.data.readers import RawTable
from peo_lib.data.rounds import round_from_table
from peo_lib.stats.scoring import score_scales

EENS5 = {
    "values": {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"},
    "missing": {8: "Niet van toepassing", 9: "Weet ik niet"},
}


def make_round(columns: dict, *, min_n=5):
    """In-memory round: items I1..I3 (scale S, I3 reversed), background ervaring_jaren and regio."""
    n = len(next(iter(columns.values())))
    cb = parse_codebook({
        "round": "2099-2", "title": "Test", "theme": "werkdruk", "source": {"file": "mem.csv"},
        "respondent_id": "id", "privacy": {"min_n": min_n},
        "response_sets": {"eens5": EENS5},
        "items": {f"I{k}": {"column": f"q{k}", "text": f"Stelling {k}.", "response_set": "eens5"}
                  for k in (1, 2, 3)},
        "scales": {"S": {"label": "Schaal S", "items": ["I1", "I2", "I3"], "reverse": ["I3"], "min_valid": 2}},
        "background": {
            "ervaring_jaren": {"column": "jaren", "type": "number"},
            "regio": {"column": "regio", "values": {1: "Noord", 2: "Midden", 3: "Zuid"}},
        },
    })
    data = {"id": [f"R{i}" for i in range(n)], "jaren": [1] * n, "regio": [1] * n}
    data.update(columns)
    df = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    return round_from_table(cb, RawTable(data=df, path=Path("mem.csv"), format="csv"))


# -- largest remainder --------------------------------------------------------

def test_largest_remainder_examples():
    np.testing.assert_array_equal(largest_remainder([1, 1, 1]), [34, 33, 33])
    np.testing.assert_array_equal(largest_remainder([1, 1, 1], decimals=1), [33.4, 33.3, 33.3])
    # 2/7 = 28.57, 5/7 = 71.43 -> plain rounding already adds up
    np.testing.assert_array_equal(largest_remainder([2, 5]), [29, 71])
    # plain rounding of 1/8 each would give 8 x 13 = 104
    assert largest_remainder([1] * 8).sum() == 100
    assert np.isnan(largest_remainder([0, 0])).all()
    s = largest_remainder(pd.Series([3, 1], index=["ja", "nee"]))
    assert s.index.tolist() == ["ja", "nee"] and s.tolist() == [75.0, 25.0]


def test_largest_remainder_rejects_bad_counts():
    with pytest.raises(ValueError, match="non-negative"):
        largest_remainder([3, -1])
    with pytest.raises(ValueError, match="decimals=-1"):
        largest_remainder([3, 1], decimals=-1)


@settings(max_examples=300, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12).filter(lambda c: sum(c) > 0),
    decimals=st.integers(min_value=0, max_value=2),
)
def test_largest_remainder_sums_to_100_and_stays_within_one_unit(counts, decimals):
    out = largest_remainder(counts, decimals=decimals)
    unit = 10.0**-decimals
    exact = 100 * np.asarray(counts, dtype=float) / sum(counts)
    assert round(out.sum(), decimals) == 100
    assert np.all(np.abs(out - exact) < unit + 1e-9)
    # multiples of the unit, and never below the floor
    np.testing.assert_allclose(out / unit, np.round(out / unit), atol=1e-6)
    assert np.all(out >= np.floor(exact / unit + 1e-9) * unit - 1e-9)
    assert np.all(out[np.asarray(counts) == 0] == 0)


# -- intervals ------------------------------------------------------------------
# Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
# comparison of seven methods. Statistics in Medicine 17, 857-872, Table I, method 3
# (Wilson score interval without continuity correction):
#   81/263 -> 0.2553, 0.3662     15/148 -> 0.0624, 0.1605
#    0/20  -> 0.0000, 0.1611      1/29  -> 0.0061, 0.1718
@pytest.mark.parametrize("count, nobs, low, high", [
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998(count, nobs, low, high):
    lo, hi = wilson_ci(count, nobs)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_vectorised_and_empty_base():
    lo, hi = wilson_ci(np.array([81, 0]), np.array([263, 0]))
    assert lo[0] == pytest.approx(0.2553, abs=5e-5) and np.isnan(lo[1]) and np.isnan(hi[1])


def test_mean_ci_matches_t_table():
    # Lakens (2013), Front. Psychol. 4:863, Table 1, movie 1 ratings: M = 8.7, SD = 0.82.
    x = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
    n, m, sd, lo, hi = mean_ci(x)
    assert (n, m) == (10, pytest.approx(8.7))
    assert sd == pytest.approx(0.82, abs=0.005)
    # t(0.975; df = 9) = 2.262 (any t table, e.g. Moore & McCabe, Table D)
    half = 2.262 * sd / np.sqrt(10)
    assert lo == pytest.approx(8.7 - half, abs=2e-4)
    assert hi == pytest.approx(8.7 + half, abs=2e-4)


# -- distributions ------------------------------------------------------------

def test_distribution_excludes_missing_reasons_from_base(tiny_round):
    out = item_distribution(tiny_round, "PR01")
    codes = tiny_round.items["PR01"]
    reasons = tiny_round.missing["PR01"]
    answers = out[out["kind"] == "answer"]
    assert answers["label"].tolist() == ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    assert (answers["base"] == codes.notna().sum()).all()
    assert answers["n"].tolist() == [int((codes == c).sum()) for c in (1, 2, 3, 4, 5)]
    np.testing.assert_allclose(answers["pct"], 100 * answers["n"] / codes.notna().sum())
    assert answers["pct_rounded"].sum() == 100
    miss = out[out["kind"] == "missing"].set_index("label")
    assert miss.loc["Weet ik niet", "n"] == int((reasons == "Weet ik niet").sum()) > 0
    assert (miss["base"] == tiny_round.n).all()
    assert miss.loc["Weet ik niet", "pct"] == pytest.approx(100 * miss.loc["Weet ik niet", "n"] / tiny_round.n)
    assert out["n"].sum() == tiny_round.n  # answers + reasons + blanks = everyone


def test_distribution_by_group_keeps_order_and_empty_groups():
    # regio: nobody in 'Midden'
    rnd = make_round({"q1": ["1", "2", "Weet ik niet", "5", "4", None], "q2": ["1"] * 6, "q3": ["2"] * 6,
                      "regio": ["Noord", "Noord", "Zuid", "Zuid", "Zuid", "Noord"]})
    out = item_distribution(rnd, "I1", by="regio")
    assert out["group"].cat.categories.tolist() == ["Noord", "Midden", "Zuid"]
    assert out["group"].unique().tolist() == ["Noord", "Midden", "Zuid"]
    midden = out[out["group"] == "Midden"]
    assert (midden["n"] == 0).all() and midden["pct"].isna().all()
    zuid = out[(out["group"] == "Zuid") & (out["kind"] == "answer")]
    assert zuid["base"].iloc[0] == 2 and zuid.set_index("code").loc[5.0, "pct"] == 50
    assert out.attrs["by"] == "regio"


def test_by_is_checked_with_allowed_names(tiny_round):
    with pytest.raises(ValueError, match=r"`by` must be one of \['functie', 'gemeente', 'ervaringsgroep'\] or None, but 'organisatie'"):
        item_descriptives(tiny_round, by="organisatie")
    with pytest.raises(ValueError, match="numeric"):
        scale_descriptives(tiny_round, by="ervaring_jaren")
    with pytest.raises(ValueError, match="unknown item"):
        item_distribution(tiny_round, "XX99")


# -- item and scale descriptives --------------------------------------------------

def test_item_descriptives_counts_and_statistics(tiny_round):
    out = item_descriptives(tiny_round)
    assert out["item"].tolist() == list(tiny_round.codebook.items)
    assert (out["n_valid"] + out["n_missing_reason"] + out["n_no_answer"] == tiny_round.n).all()
    row = out.set_index("item").loc["PR02"]
    x = tiny_round.items["PR02"].dropna()
    assert row["mean"] == pytest.approx(x.mean()) and row["sd"] == pytest.approx(x.std())
    n, m, sd, lo, hi = mean_ci(x)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    top2 = int((x >= 4).sum())
    assert row["top2_n"] == top2 and row["top2_pct"] == pytest.approx(100 * top2 / len(x))
    wl, wh = wilson_ci(top2, len(x))
    assert row["top2_ci_low"] == pytest.approx(100 * wl) and row["top2_ci_high"] == pytest.approx(100 * wh)
    assert row["missing_reasons"]["Weet ik niet"] == row["n_missing_reason"]


def test_item_descriptives_by_group_includes_empty_groups():
    rnd = make_round({"q1": ["1", "2", "3", "4"], "q2": ["5", "4", None, "Weet ik niet"], "q3": ["1"] * 4,
                      "regio": ["Noord", "Noord", "Zuid", "Zuid"]})
    out = item_descriptives(rnd, items=["I1", "I2"], by="regio")
    assert out["group"].astype(str).tolist() == ["Noord", "Noord", "Midden", "Midden", "Zuid", "Zuid"]
    midden = out[out["group"] == "Midden"]
    assert (midden["n"] == 0).all() and midden["mean"].isna().all() and midden["top2_ci_low"].isna().all()
    zuid_i2 = out[(out["group"] == "Zuid") & (out["item"] == "I2")].iloc[0]
    assert (zuid_i2["n_valid"], zuid_i2["n_missing_reason"], zuid_i2["n_no_answer"]) == (0, 1, 1)
    noord_i1 = out[(out["group"] == "Noord") & (out["item"] == "I1")].iloc[0]
    assert noord_i1["mean"] == 1.5 and noord_i1["top2_n"] == 0


def test_scale_descriptives_match_groupby(tiny_round):
    out = scale_descriptives(tiny_round, by="ervaringsgroep")
    assert out["group"].astype(str).tolist() == ["startend", "ervaren"]
    scores = score_scales(tiny_round)["professionele_ruimte"]
    grp = tiny_round.background["ervaringsgroep"]
    for _, row in out.iterrows():
        x = scores[grp == row["group"]].dropna()
        n, m, sd, lo, hi = mean_ci(x)
        assert row["n_scored"] == n and row["mean"] == pytest.approx(m) and row["sd"] == pytest.approx(sd)
        assert row["ci_low"] == pytest.approx(lo) and row["ci_high"] == pytest.approx(hi)
    assert scale_descriptives(tiny_round)["n"].tolist() == [tiny_round.n]
