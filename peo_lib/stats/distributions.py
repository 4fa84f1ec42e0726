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

#: Bumped when the layout of the file changes (an older file is then not used).
DISTRIBUTIONS_VERSION = 1
class DistributionsError(PEOError):
    """A stored distribution file that is missing, unreadable or made for another codebook."""


def _counts(values) -> list[list[float]]:
    """``[[value, count], ...]`` of the non-missing values, sorted by value."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    vals, counts = np.unique(x, return_counts=True)
    return [[float(v), int(c)] for v, c in zip(vals, counts)]


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
    """

    id: str
    codebook: object
    n: int
    items: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    source: str = "raw"

    def item_values(self, item: str) -> np.ndarray:
        """The valid codes of ``item`` as a sample (empty when the round did not ask it)."""
        return _expand(self.items.get(item, []))

    def scale_values(self, scale: str) -> np.ndarray:
        """The scale scores of ``scale`` as a sample (empty when the round has no such scale)."""
        return _expand(self.scales.get(scale, []))

    def to_json(self) -> str:
        body = {"version": DISTRIBUTIONS_VERSION, "round": self.id, "codebook_sha256": self.codebook.sha256,
                "n": self.n, "items": self.items, "scales": self.scales}
        return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def round_distributions(rnd) -> RoundDistributions:
    """The core items' and the scales' value counts of a loaded round."""
    from peo_lib.data.codebook import CORE_BLOCK
    from peo_lib.stats.scoring import score_scales

    cb = rnd.codebook
    items = {i: _counts(rnd.items[i]) for i in cb.items_in_block(CORE_BLOCK) if i in rnd.items.columns}
    scores = score_scales(rnd) if cb.scales else None
    scales = {s: _counts(scores[s]) for s in cb.scales} if scores is not None else {}
    return RoundDistributions(id=rnd.id, codebook=cb, n=int(rnd.n), items=items, scales=scales, source="raw")


def write_distributions(rnd, *, data_dir=None) -> Path | None:
    """Store the round's distributions in ``DATA_DIR/aggregaten/ROUND.json`` (atomic; unchanged: untouched).

    Returns the path, or None (and a warning) when the data dir cannot be written: the report does
    not depend on it, only a later comparison without this round's raw file does.
    """
    import warnings

    from peo_lib.fileio import atomic_write
    from peo_lib.paths import data_dir_of

    path = distributions_path(rnd.id, data_dir=data_dir if data_dir is not None else data_dir_of(rnd))
    text = round_distributions(rnd).to_json()
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
        When the file is missing, unreadable, of another layout version, of another round, or stored
        with another version of the codebook (the codes may then mean something else).
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
    if not isinstance(body, dict) or body.get("version") != DISTRIBUTIONS_VERSION or body.get("round") != str(round_id):
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
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DistributionsError(f"{path}: damaged (items, scales or n unreadable); run `peo report {round_id}` "
                                 "again while its raw file is there") from None
    return RoundDistributions(id=str(round_id), codebook=codebook, n=n, items=items, scales=scales, source="stored")
