"""Property tests for recoding, reverse keying and the min-valid rule (design.md).

Rounds are built in memory (parse_codebook + RawTable + round_from_table) so that
hypothesis can try hundreds of cases quickly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peo_lib.data.codebook import normalise_label, parse_codebook
from peo_lib.errors import RawDataError
from peo_lib.data.readers import RawTable
from peo_lib.data.rounds import _as_number, recode_codes, round_from_table
from peo_lib.stats.scoring import reverse_keyed, score_scales

LABELS = {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"}
MISSING = {8: "Niet van toepassing", 9: "Weet ik niet"}
REASONS = list(MISSING)  # reason index k <-> code REASONS[k]

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- strategies --------------------------------------------------------------------

@st.composite
def label_variant(draw, label: str) -> str:
    """The label in any case, with extra inner and surrounding white space."""
    flips = draw(st.lists(st.booleans(), min_size=len(label), max_size=len(label)))
    text = "".join(ch.swapcase() if f else ch for ch, f in zip(label, flips))
    inner = draw(st.sampled_from([" ", "  ", "\t", " \t "]))
    text = text.replace(" ", inner)
    pad = st.sampled_from(["", " ", "  ", "\t"])
    return draw(pad) + text + draw(pad)


@st.composite
def cell(draw):
    """``(raw cell, expected code or NaN, expected reason index or -1)``."""
    kind = draw(st.sampled_from(["int", "float", "str", "str_float", "label", "blank",
                                 "miss_code", "miss_str", "miss_label"]))
    code = draw(st.sampled_from(sorted(LABELS)))
    k = draw(st.integers(0, len(REASONS) - 1))
    if kind == "int":
        return code, float(code), -1
    if kind == "float":
        return float(code), float(code), -1
    if kind == "str":
        return f" {code} " if draw(st.booleans()) else str(code), float(code), -1
    if kind == "str_float":
        return f"{code}.0", float(code), -1
    if kind == "label":
        return draw(label_variant(LABELS[code])), float(code), -1
    if kind == "blank":
        return draw(st.sampled_from([None, np.nan])), np.nan, -1
    if kind == "miss_code":
        return REASONS[k], np.nan, k
    if kind == "miss_str":
        return f"{REASONS[k]}.0" if draw(st.booleans()) else str(REASONS[k]), np.nan, k
    return draw(label_variant(MISSING[REASONS[k]])), np.nan, k


def _is_known(value) -> bool:
    num = _as_number(value)
    if num is not None:
        return num in LABELS or num in MISSING
    known = {normalise_label(v) for v in [*LABELS.values(), *MISSING.values()]}
    return normalise_label(value) in known


bad_value = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéë -", min_size=1, max_size=12).filter(lambda s: s.strip() != ""),
    st.sampled_from([0, 6, 7, 10, 4.5, -1, "6", "4,5", "99"]),
).filter(lambda v: not _is_known(v))


# -- recoding ------------------------------------------------------------------------

@FAST
@given(cells=st.lists(cell(), min_size=1, max_size=30))
def test_recode_maps_codes_labels_blanks_and_missing(cells):
    raw = pd.Series([c[0] for c in cells], dtype=object)
    codes, reason = recode_codes(raw, LABELS, MISSING, column="Q5_1")
    np.testing.assert_array_equal(codes, [c[1] for c in cells])
    np.testing.assert_array_equal(reason, [c[2] for c in cells])


@FAST
@given(values=st.lists(st.sampled_from([1, 2, 3, 4, 5, 8, 9, None]), min_size=1, max_size=30))
def test_recode_numeric_column(values):
    raw = pd.Series([np.nan if v is None else float(v) for v in values])
    codes, reason = recode_codes(raw, LABELS, MISSING, column="Q5_1")
    exp_codes = [float(v) if v in LABELS else np.nan for v in values]
    exp_reason = [REASONS.index(v) if v in MISSING else -1 for v in values]
    np.testing.assert_array_equal(codes, exp_codes)
    np.testing.assert_array_equal(reason, exp_reason)


@FAST
@given(cells=st.lists(cell(), max_size=10), bad=bad_value, data=st.data())
def test_recode_rejects_anything_else_naming_column_and_value(cells, bad, data):
    pos = data.draw(st.integers(0, len(cells)))
    raw = [c[0] for c in cells]
    raw.insert(pos, bad)
    with pytest.raises(RawDataError) as err:
        recode_codes(pd.Series(raw, dtype=object), LABELS, MISSING, column="Q5_1")
    assert err.value.column == "Q5_1"
    shown = int(bad) if isinstance(bad, float) and bad.is_integer() else bad
    assert err.value.value == shown
    assert "'Q5_1'" in str(err.value) and repr(shown) in str(err.value)


# -- scale scores -----------------------------------------------------------------------

def scale_round(matrix, *, min_valid, reverse=("I3",), lo=1, hi=5):
    """Round with items I1..Ik (codes lo..hi, NaN blank) forming scale S."""
    k = matrix.shape[1]
    ids = [f"I{j + 1}" for j in range(k)]
    cb = parse_codebook({
        "round": "2099-2", "title": "Test", "theme": "werkdruk", "source": {"file": "mem.csv"},
        "respondent_id": "id",
        "response_sets": {"rs": {"values": {c: f"waarde {c}" for c in range(lo, hi + 1)},
                                 "missing": {99: "Weet ik niet"}}},
        "items": {i: {"column": f"q{i}", "text": f"Stelling {i}", "response_set": "rs"} for i in ids},
        "scales": {"S": {"label": "Schaal", "items": ids, "reverse": list(reverse), "min_valid": min_valid}},
    })
    df = pd.DataFrame(matrix, columns=[f"q{i}" for i in ids])
    df.insert(0, "id", [f"R{r}" for r in range(len(df))])
    return round_from_table(cb, RawTable(data=df, path=Path("mem.csv"), format="csv"))


@st.composite
def scale_case(draw):
    k = draw(st.integers(2, 5))
    lo = draw(st.sampled_from([0, 1]))
    hi = draw(st.sampled_from([4, 5, 7]))
    n = draw(st.integers(1, 25))
    cells = draw(st.lists(st.lists(st.one_of(st.none(), st.integers(lo, hi)), min_size=k, max_size=k),
                          min_size=n, max_size=n))
    matrix = np.array([[np.nan if v is None else float(v) for v in row] for row in cells], dtype=float)
    reverse = draw(st.lists(st.sampled_from([f"I{j + 1}" for j in range(k)]), unique=True, max_size=k))
    min_valid = draw(st.integers(1, k))
    return matrix, lo, hi, reverse, min_valid


@FAST
@given(case=scale_case())
def test_scale_score_is_mean_of_reverse_keyed_items_with_min_valid(case):
    matrix, lo, hi, reverse, min_valid = case
    rnd = scale_round(matrix, min_valid=min_valid, reverse=reverse, lo=lo, hi=hi)
    keyed = matrix.copy()
    for name in reverse:
        j = int(name[1:]) - 1
        keyed[:, j] = lo + hi - keyed[:, j]          # reverse keying: min + max - code
    np.testing.assert_allclose(reverse_keyed(rnd, scale="S").to_numpy(), keyed)
    score = score_scales(rnd)["S"].to_numpy()
    n_valid = (~np.isnan(matrix)).sum(axis=1)
    # NaN exactly when fewer than min_valid items are valid (SPSS MEAN.k)
    np.testing.assert_array_equal(np.isnan(score), n_valid < min_valid)
    ok = n_valid >= min_valid                       # min_valid >= 1: no empty rows left
    np.testing.assert_allclose(score[ok], np.nanmean(keyed[ok], axis=1))


@FAST
@given(code=st.integers(1, 5))
def test_reverse_keyed_item_scores_min_plus_max_minus_code(code):
    matrix = np.array([[3.0, 3.0, float(code)]])
    rnd = scale_round(matrix, min_valid=1, reverse=("I3",))
    assert reverse_keyed(rnd, scale="S")["I3"].iloc[0] == 6 - code
    assert score_scales(rnd)["S"].iloc[0] == pytest.approx((3 + 3 + 6 - code) / 3)


def test_missing_reason_is_not_a_valid_item():
    """A 'Weet ik niet' answer counts as missing for min_valid (the base excludes it)."""
    rnd = scale_round(np.array([[4.0, 99.0, 2.0]]), min_valid=3)
    assert np.isnan(score_scales(rnd)["S"].iloc[0])
    assert rnd.missing["I2"].iloc[0] == "Weet ik niet"
