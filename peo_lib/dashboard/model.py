"""The privacy-checked tables behind the dashboard's figures.

:class:`_Model` turns the count tables of :mod:`peo_lib.dashboard.tables` into
the rows a figure shows: a distribution, means with a 95% t-interval, or a
trend over rounds, for one subject and breakdown. Every number it returns has
passed the suppression rule of the reports:

* distributions: :func:`peo_lib.privacy.disclosure.distribution_mask` on the
  group x category counts (a group under ``min_n`` is hidden whole, plus its
  complement where the shown total would reveal it; single answer categories
  of a visible group are not hidden);
* means and trends: :func:`peo_lib.privacy.disclosure.group_size_mask` on the
  group sizes (valid answers);
* the t quantile of the interval comes from
  :func:`peo_lib.stats.intervals.t_quantile`.

A hidden row keeps only its ``n<5`` label; its numbers are NaN.
``Totaal`` in a breakdown is the round's total, the same number as without a
breakdown (the report's total): respondents whose group is unknown are
counted in it and shown as their own ``Onbekend`` row, which goes through the
same mask as every group. So ``Totaal`` minus the groups shown is never a
hidden figure: when 1-4 people left their group blank, their row is hidden
and so is its complement (the next-smallest group), exactly as for any
small group. (Before issue 13 the total counted only the known groups, so
``Totaal`` said 171 where the report said 177.)

Distributions also carry the missing answers *with a reason* ("Weet ik
niet", "Niet van toepassing") of each visible row, as a share of everyone in
the group (the report's base for them, see
:func:`peo_lib.stats.descriptives.item_distribution`): columns named by the
reason, listed in ``attrs["missing"]``; NaN in a hidden row.

With weights (``RoundTables.weighted``: the round is weighted as its report is) the percentages
are weighted shares and the means weighted means with the ``svymean`` Wald interval (Taylor
linearisation, each row a domain of the design: :func:`peo_lib.stats.weighting.weighted_mean`);
``n`` and every suppression decision stay on the unweighted counts.

Results are cached per selection; the dashboard fills the cache from a
background thread while the presenter talks (the LP audit behind the masks can
take 100 ms).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peo_lib.dashboard.tables import NO_BREAKDOWN, RoundTables
from peo_lib.privacy.disclosure import distribution_mask, group_size_mask, label_small
from peo_lib.stats.intervals import t_quantile
from peo_lib.vocab import TOTAL_LABEL, UNKNOWN_LABEL


class _Model:
    """Privacy-checked tables per selection, cached; thread-safe."""

    def __init__(self, tables: dict[str, RoundTables]):
        self.tables = tables
        self._cache = {}

    def _cached(self, key, fn):
        hit = self._cache.get(key)
        if hit is None:  # pure computation: a rare double computation by two threads is harmless
            hit = fn()
            self._cache[key] = hit
        return hit

    def has(self, key) -> bool:
        return key in self._cache

    # -- distribution -------------------------------------------------
    def distribution(self, round_id: str, subject: str, breakdown: str) -> pd.DataFrame:
        """Rows Totaal (+ groups): n label, visible percentages, hidden share."""
        return self._cached(("dist", round_id, subject, breakdown),
                            lambda: self._distribution(round_id, subject, breakdown))

    def _distribution(self, round_id, subject, breakdown):
        t = self.tables[round_id]
        s = t.subject_index(subject)
        meta = t.subjects[subject]
        cats = meta["categories"]
        reasons = [r for r in meta.get("missing", []) if r not in cats]
        K = len(cats)
        label = label_small(t.min_n)
        labels = t.groups[breakdown] if breakdown != NO_BREAKDOWN else [TOTAL_LABEL]
        counts = t.counts[breakdown][:, s, :K]
        miss = _missing_counts(t, breakdown, s, len(reasons))
        sizes = _sizes(t, breakdown, counts, miss)
        weighted = getattr(t, "weighted", None)
        shares = weighted["counts"][breakdown][:, s, :K] if weighted else counts  # percentages come from these
        if breakdown == NO_BREAKDOWN:
            cell, row, _, _ = distribution_mask(counts, min_n=t.min_n)
            entries = [(TOTAL_LABEL, counts[0], shares[0], miss[0], sizes[0], cell[0], row[0])]
        else:
            cell, row, tcell, thidden = distribution_mask(counts, min_n=t.min_n)
            entries = [(TOTAL_LABEL, counts.sum(axis=0), shares.sum(axis=0), miss.sum(axis=0), sizes.sum(), tcell,
                        thidden)]
            entries += [(lab, counts[g], shares[g], miss[g], sizes[g], cell[g], row[g]) for g, lab in enumerate(labels)
                        if counts[g].sum() > 0]
        rows = [_dist_record(lab, c, m, size, hidden, row_hidden, cats, reasons, label, shares=w)
                for lab, c, w, m, size, hidden, row_hidden in entries]
        out = pd.DataFrame(rows)
        out.attrs.update(categories=list(cats), missing=reasons, round=round_id, subject=subject,
                         breakdown=breakdown)
        return out

    # -- means ----------------------------------------------------------
    def means(self, round_id: str, subject: str, breakdown: str) -> pd.DataFrame:
        """Rows Totaal (+ groups): n label, mean, 95% t-interval (NaN where hidden)."""
        return self._cached(("mean", round_id, subject, breakdown),
                            lambda: self._means(round_id, subject, breakdown))

    def _means(self, round_id, subject, breakdown):
        t = self.tables[round_id]
        s = t.subject_index(subject)
        label = label_small(t.min_n)
        b = breakdown
        labels = t.groups[b] if b != NO_BREAKDOWN else [TOTAL_LABEL]
        n = t.valid[b][:, s].astype(float)
        s1 = t.sums[b][:, s]
        s2 = t.sumsq[b][:, s]
        if b == NO_BREAKDOWN:
            hidden, _ = group_size_mask(n, min_n=t.min_n)
            names, rows_n, rows_s1, rows_s2, rows_h = [TOTAL_LABEL], n, s1, s2, hidden
        else:  # Totaal: the round's total (the Onbekend group included, and masked like any group)
            hidden, thidden = group_size_mask(n, min_n=t.min_n)
            keep = n > 0
            names = [TOTAL_LABEL] + [lab for g, lab in enumerate(labels) if keep[g]]
            rows_n = np.concatenate([[n.sum()], n[keep]])
            rows_s1 = np.concatenate([[s1.sum()], s1[keep]])
            rows_s2 = np.concatenate([[s2.sum()], s2[keep]])
            rows_h = np.concatenate([[thidden], hidden[keep]])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(rows_n > 0, rows_s1 / rows_n, np.nan)
            var = np.where(rows_n > 1, (rows_s2 - rows_n * mean ** 2) / (rows_n - 1), np.nan)
            half = t_quantile(rows_n - 1) * np.sqrt(np.clip(var, 0, None)) / np.sqrt(rows_n)
        if getattr(t, "weighted", None):
            mean, half = _weighted_mean_half(t.weighted, b, s, keep if b != NO_BREAKDOWN else None)
        rows_h = rows_h | (rows_n == 0)
        out = pd.DataFrame({
            "rij": names,
            "n": np.where(rows_h, np.nan, rows_n),
            "n_label": [label if h and k > 0 else ("n=0" if k == 0 else f"n={int(k)}")
                        for h, k in zip(rows_h, rows_n)],
            "gemiddelde": np.where(rows_h, np.nan, mean),
            "ci_laag": np.where(rows_h, np.nan, mean - half),
            "ci_hoog": np.where(rows_h, np.nan, mean + half),
            "verborgen_rij": rows_h,
        })
        out.attrs.update(round=round_id, subject=subject, breakdown=breakdown)
        return out

    # -- trend ----------------------------------------------------------
    def trend(self, subject: str, breakdown: str) -> pd.DataFrame:
        """Tidy: round x row (Totaal + groups) with mean, interval, n label."""
        frames = []
        for rid, t in self.tables.items():
            if subject not in t.subjects or (breakdown != NO_BREAKDOWN and breakdown not in t.groups):
                continue
            m = self.means(rid, subject, breakdown).copy()
            m.insert(0, "ronde", rid)
            frames.append(m)
        if not frames:
            return pd.DataFrame(columns=["ronde", "rij", "n", "n_label", "gemiddelde", "ci_laag", "ci_hoog",
                                         "verborgen_rij"])
        return pd.concat(frames, ignore_index=True)


def _missing_counts(t, breakdown, s, m):
    """Group x reason counts of missing answers with a reason (zeros for tables without them)."""
    arr = getattr(t, "missing", {}).get(breakdown)
    G = t.counts[breakdown].shape[0]
    if arr is None or m == 0:
        return np.zeros((G, m), dtype=np.int64)
    return arr[:, s, :m]


def _sizes(t, breakdown, counts, miss):
    """Respondents per group (the base of the missing reasons): stored sizes, else valid + reasons."""
    arr = getattr(t, "sizes", {}).get(breakdown)
    if arr is None:
        return counts.sum(axis=1) + miss.sum(axis=1)
    return np.asarray(arr, dtype=np.int64)


def _weighted_mean_half(weighted, b, s, keep):
    """Weighted means and the half width of their ``svymean`` Wald interval, rows as in ``_means``.

    ``se^2 = N / (N - 1) * sum(w^2 (y - m)^2) / W^2`` over the row's valid values (the row a domain of
    the design of ``N`` respondents with a weight), from the stored sums of w, w y, w^2, w^2 y, w^2 y^2.
    """
    from scipy.stats import norm

    def rows(key):
        a = weighted[key][b][:, s]
        return a if keep is None else np.concatenate([[a.sum()], a[keep]])

    w, wy, w2, w2y, w2y2 = (rows(k) for k in ("w", "wy", "w2", "w2y", "w2y2"))
    N = weighted["n_design"]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(w > 0, wy / w, np.nan)
        ss = np.clip(w2y2 - 2 * m * w2y + m ** 2 * w2, 0, None)
        se = np.sqrt(N / (N - 1) * ss) / w if N > 1 else np.full(len(w), np.nan)
    return m, float(norm.ppf(0.975)) * se


def _dist_record(lab, c, m, size, hidden, row_hidden, cats, reasons, small, *, shares=None):
    """One row of a distribution table: n label, visible percentages, hidden share, missing reasons.

    ``shares`` (weighted counts) give the percentages when the round is weighted; ``c`` stays the
    count behind ``n`` and the suppression."""
    n = int(c.sum())
    rec = {"rij": lab}
    if row_hidden or n == 0:
        rec.update({"n": np.nan, "n_label": small if n else "n=0", "verborgen_rij": True, "verborgen_pct": np.nan})
        rec.update({cat: np.nan for cat in cats})
        rec.update({r: np.nan for r in reasons})
        return rec
    base = c if shares is None else np.asarray(shares, dtype=float)
    pct = 100.0 * base / base.sum() if base.sum() > 0 else np.full(len(c), np.nan)
    hidden = np.asarray(hidden, dtype=bool)
    rec.update({"n": n, "n_label": f"n={n}", "verborgen_rij": False,
                "verborgen_pct": float(pct[hidden].sum()) if hidden.any() else 0.0})
    rec.update({cat: (np.nan if hidden[k] else float(pct[k])) for k, cat in enumerate(cats)})
    rec.update({r: (100.0 * float(m[k]) / size if size else np.nan) for k, r in enumerate(reasons)})
    return rec


def _known(labels):
    """Labels and index of the known groups (``Onbekend`` left out, see the module notes)."""
    if labels and labels[-1] == UNKNOWN_LABEL:
        return labels[:-1], slice(0, len(labels) - 1)
    return labels, slice(None)
