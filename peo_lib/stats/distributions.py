"""A round's stored distributions: compare with an earlier round without its raw file.

Every ``peo report`` stores, beside the codebooks, the distribution of each core item (how many
respondents gave each code) and of each scale score (how many had each score) of the round:
``DATA_DIR/aggregaten/ROUND.json``. That is all a two-group comparison of independent rounds
needs: Welch's t, Cohen's d, Mann-Whitney U and the rank-biserial r of two samples depend only
on the two samples' value counts, not on who gave which value. So when the raw file of the
previous round is gone (retention, a colleague's checkout without raw data) the comparison
"Wat is veranderd" is computed from this file and gives the same numbers as from the raw file.

The file holds counts only: no respondent ids, no open answers, no background variables, and it
lives in the data dir (private, like the raw data), never in an output folder. It is only used
while the round's codebook is the one it was stored with (its sha256); otherwise the codes may
mean something else and the comparison is not made.

A round that ``populatie.yml`` weights also gets, per value, the count, the sum of the weights and
the sum of the squared weights of the respondents with a weight. The weighted means, the
design-based t-test and the weighted rank test with mid-point ties (:func:`peo_lib.stats.compare.
compare_samples`) depend on nothing else, so a weighted comparison from the stored file equals
the one from the raw file too. Those sums are only used while the round's entry in
``populatie.yml`` has the shares they were computed with (its fingerprint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from peo_lib.errors import PEOError
from peo_lib.paths import distributions_path

__all__ = ["DISTRIBUTIONS_VERSION", "RoundDistributions", "round_distributions", "write_distributions",
           "read_distributions", "distributions_path", "DistributionsError"]

#: Bumped when the layout of the file changes; 2 adds the weighted sums of a weighted round.
DISTRIBUTIONS_VERSION = 2
#: The layouts that can be read (a version-1 file is one of a round that was not weighted).
READABLE_VERSIONS = (1, 2)
class DistributionsError(PEOError):
    """A stored distribution file that is missing, unreadable or made for another codebook."""


def _counts(values) -> list[list[float]]:
    """``[[value, count], ...]`` of the non-missing values, sorted by value."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    vals, counts = np.unique(x, return_counts=True)
    return [[float(v), int(c)] for v, c in zip(vals, counts)]


def _weighted_sums(values, weights) -> list[list[float]]:
    """``[[value, count, sum of weights, sum of squared weights], ...]`` of the respondents with a
    value and a weight, sorted by value."""
    x, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    ok = np.isfinite(x) & np.isfinite(w)
    vals, index = np.unique(x[ok], return_inverse=True)
    count = np.bincount(index, minlength=len(vals))
    total = np.bincount(index, weights=w[ok], minlength=len(vals))
    squares = np.bincount(index, weights=w[ok] ** 2, minlength=len(vals))
    return [[float(v), int(c), float(t), float(q)] for v, c, t, q in zip(vals, count, total, squares)]


def _expand_weighted(rows) -> tuple[np.ndarray, np.ndarray]:
    """A weighted sample with each value's count ``c``, weight sum ``W`` and squared-weight sum ``Q``.

    The respondents of a value get ``c - 1`` equal weights ``b`` and one weight ``a`` such that
    ``a + (c - 1) b = W`` and ``a^2 + (c - 1) b^2 = Q``: ``a = (W + sqrt((c - 1)(cQ - W^2))) / c``
    (real and ``b >= 0`` because ``W^2 / c <= Q <= W^2`` for positive weights). The statistics used
    depend only on these three sums per value, so they equal those of the real respondents.
    """
    values, weights = [], []
    for v, c, total, squares in rows:
        c = int(c)
        if c == 1:
            ws = [total]
        else:
            a = (total + np.sqrt(max((c - 1) * (c * squares - total ** 2), 0.0))) / c
            ws = [a] + [(total - a) / (c - 1)] * (c - 1)
        values += [float(v)] * c
        weights += ws
    return np.asarray(values, dtype=float), np.asarray(weights, dtype=float)


def _expand(pairs) -> np.ndarray:
    """The sample behind ``[[value, count], ...]`` (sorted; the tests used do not depend on order)."""
    if not pairs:
        return np.empty(0)
    vals, counts = zip(*pairs)
    return np.repeat(np.asarray(vals, dtype=float), np.asarray(counts, dtype=int))


@dataclass
class RoundDistributions:
    """What a comparison between rounds needs of one round, from its data or from its stored file.

    Attributes
    ----------
    id : str
        Round id.
    codebook : Codebook
        The round's codebook (still in ``DATA_DIR/codebooks`` when its raw file is gone).
    n : int
        Respondents of the round.
    items : dict
        Item id -> ``[[code, count], ...]`` of the valid answers (core block).
    scales : dict
        Scale id -> ``[[score, count], ...]`` of the respondents with a score.
    source : {"raw", "stored"}
        Whether the counts come from the loaded raw file or from ``aggregaten/ROUND.json``.
    weighted : dict or None
        For a weighted round: ``n`` (respondents with a weight), ``items`` and ``scales`` as
        ``[[value, count, sum of weights, sum of squared weights], ...]``, ``fingerprint`` (of its
        ``populatie.yml`` shares) and ``bron``; None for a round that is not weighted.
    """

    id: str
    codebook: object
    n: int
    items: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    source: str = "raw"
    weighted: dict | None = None

    @property
    def n_design(self) -> int:
        """Respondents in the round's weighted design (all of them when it is not weighted)."""
        return int(self.weighted["n"]) if self.weighted else self.n

    def weighted_sample(self, kind: str, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(values, weights)`` of item or scale ``key`` (``kind`` ``"item"``/``"scale"``): the round's
        weights when it is weighted, else weight 1 for every respondent with a value."""
        if self.weighted:
            return _expand_weighted(self.weighted["items" if kind == "item" else "scales"].get(key, []))
        values = self.item_values(key) if kind == "item" else self.scale_values(key)
        return values, np.ones(len(values))

    def item_values(self, item: str) -> np.ndarray:
        """The valid codes of ``item`` as a sample (empty when the round did not ask it)."""
        return _expand(self.items.get(item, []))

    def scale_values(self, scale: str) -> np.ndarray:
        """The scale scores of ``scale`` as a sample (empty when the round has no such scale)."""
        return _expand(self.scales.get(scale, []))

    def to_json(self) -> str:
        body = {"version": DISTRIBUTIONS_VERSION, "round": self.id, "codebook_sha256": self.codebook.sha256,
                "n": self.n, "items": self.items, "scales": self.scales, "weighted": self.weighted}
        return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def round_distributions(rnd, *, weights=None, population=None) -> RoundDistributions:
    """The core items' and the scales' value counts of a loaded round.

    Parameters
    ----------
    rnd : Round
    weights : Series, optional
        The round's weights (:func:`peo_lib.stats.weighting.round_weights`): adds the weighted sums.
    population : PopulationEntry, optional
        The ``populatie.yml`` entry the weights come from (its fingerprint and source are kept).
    """
    from peo_lib.data.codebook import CORE_BLOCK
    from peo_lib.stats.scoring import score_scales
    from peo_lib.stats.weighting import design_weights

    cb = rnd.codebook
    core = [i for i in cb.items_in_block(CORE_BLOCK) if i in rnd.items.columns]
    items = {i: _counts(rnd.items[i]) for i in core}
    scores = score_scales(rnd) if cb.scales else None
    scales = {s: _counts(scores[s]) for s in cb.scales} if scores is not None else {}
    weighted = None
    if weights is not None:
        w = design_weights(rnd, weights)
        weighted = {"n": int(np.isfinite(w).sum()),
                    "items": {i: _weighted_sums(rnd.items[i], w) for i in core},
                    "scales": {s: _weighted_sums(scores[s], w) for s in scales},
                    "fingerprint": None if population is None else population.fingerprint,
                    "bron": None if population is None else population.bron}
    return RoundDistributions(id=rnd.id, codebook=cb, n=int(rnd.n), items=items, scales=scales, source="raw",
                              weighted=weighted)


def _population_entry(round_id, data_dir):
    """The round's ``populatie.yml`` entry, or None when the round is not weighted."""
    from peo_lib.data.population import population_path, read_population

    if not population_path(data_dir).is_file():
        return None
    return read_population(data_dir=data_dir).entry_for(str(round_id))


def write_distributions(rnd, *, data_dir=None) -> Path | None:
    """Store the round's distributions in ``DATA_DIR/aggregaten/ROUND.json`` (atomic; unchanged: untouched).

    Returns the path, or None (and a warning) when the data dir cannot be written: the report does
    not depend on it, only a later comparison without this round's raw file does.
    """
    import warnings

    from peo_lib.fileio import atomic_write
    from peo_lib.paths import data_dir_of

    from peo_lib.stats.weighting import round_weights

    data_dir = data_dir if data_dir is not None else data_dir_of(rnd)
    path = distributions_path(rnd.id, data_dir=data_dir)
    weights = round_weights(rnd, data_dir=data_dir)
    entry = _population_entry(rnd.id, data_dir) if weights is not None else None
    text = round_distributions(rnd, weights=weights, population=entry).to_json()
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return path
        return atomic_write(path, text, mode=0o600)
    except OSError as exc:
        warnings.warn(f"could not store the distributions of round {rnd.id} in {path} ({exc.strerror or exc}); "
                      "a later round can then compare with it only while its raw file is there", stacklevel=2)
        return None


def read_distributions(round_id, *, codebook, data_dir=None) -> RoundDistributions:
    """The stored distributions of a round, checked against the round's current codebook.

    Raises
    ------
    DistributionsError
        When the file is missing, unreadable, of another layout version, of another round, stored
        with another version of the codebook (the codes may then mean something else), or when
        ``populatie.yml`` now weights the round with other shares than those it was stored with.
    """
    path = distributions_path(round_id, data_dir=data_dir)
    if not path.is_file():
        raise DistributionsError(f"{path}: no stored distributions of round {round_id} (`peo report {round_id}` "
                                 "stores them while its raw file is there)")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DistributionsError(f"{path}: cannot be read ({exc}); run `peo report {round_id}` again while its "
                                 "raw file is there") from None
    if not isinstance(body, dict) or body.get("version") not in READABLE_VERSIONS or body.get("round") != str(round_id):
        raise DistributionsError(f"{path}: not a version-{DISTRIBUTIONS_VERSION} distribution file of round "
                                 f"{round_id}; run `peo report {round_id}` again while its raw file is there")
    if body.get("codebook_sha256") != codebook.sha256:
        raise DistributionsError(f"{path}: stored with another version of codebooks/{round_id}.yml, so its codes "
                                 f"may mean something else; run `peo report {round_id}` again while its raw file "
                                 "is there")
    try:
        items = {str(k): [[float(v), int(c)] for v, c in pairs] for k, pairs in body["items"].items()}
        scales = {str(k): [[float(v), int(c)] for v, c in pairs] for k, pairs in body["scales"].items()}
        n = int(body["n"])
        weighted = body.get("weighted")
        if weighted is not None:
            weighted = {"n": int(weighted["n"]), "fingerprint": weighted.get("fingerprint"),
                        "bron": weighted.get("bron"),
                        **{part: {str(k): [[float(v), int(c), float(t), float(q)] for v, c, t, q in rows]
                                  for k, rows in weighted[part].items()} for part in ("items", "scales")}}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DistributionsError(f"{path}: damaged (items, scales or n unreadable); run `peo report {round_id}` "
                                 "again while its raw file is there") from None
    entry = _population_entry(round_id, data_dir)
    if entry is None:
        weighted = None  # no longer weighted: its plain counts are what it publishes now
    elif weighted is None or weighted["fingerprint"] != entry.fingerprint:
        raise DistributionsError(f"{path}: stored {'without weights' if weighted is None else 'with other shares'}"
                                 f", but populatie.yml now weights round {round_id} ({entry.valid_for}); run "
                                 f"`peo report {round_id}` again while its raw file is there")
    return RoundDistributions(id=str(round_id), codebook=codebook, n=n, items=items, scales=scales, source="stored",
                              weighted=weighted)
