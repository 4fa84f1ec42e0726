"""The register of improvement actions (*verbeteracties*) of the PJH.

``data/verbeteracties.yml`` lists the actions the professionals' workgroup
started, so that reports can mark their start on trend lines and show the
related indicators before and after::

    - id: VA-2021-01
      titel: Eén aanvraagformulier voor verlengingen in de hele regio
      ronde_start: "2021-1"          # round id, YYYY-1 / YYYY-2 (quote it)
      eigenaar: PJH werkgroep regels en eisen
      status: afgerond               # gepland | lopend | afgerond
      schalen: [regels_en_eisen]     # scale ids of the codebooks
      items: [RE01, RE02]            # item ids of the codebooks

The file is a list of actions; a mapping with the single key
``verbeteracties`` holding that list is accepted too. Validation works like
the codebooks': pydantic checks each key, then cross-checks run (unique ids;
with codebooks: referenced scales and items exist in at least one round).
Every problem is one ``key.path: message`` line of a
:class:`~peo_lib.errors.RegisterError` naming the file; actions are numbered
from 1 in the order of the file and the id is added when known.

Before/after (:func:`actions_before_after`)
-------------------------------------------
``ronde_start`` is read as *the first round whose fieldwork can show an
effect of the action*. "Before" is the latest round before ``ronde_start``
that measured the indicator, "after" the latest round from ``ronde_start`` on
(none for a planned action, status ``gepland``).
The comparison is descriptive: many other things change between rounds, so
the table does not prove that an action worked.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peo_lib.data.codebook import ROUND_PATTERN, Codebook, read_yaml
from peo_lib.errors import RegisterError

__all__ = ["Action", "Register", "read_register", "parse_register", "actions_before_after", "STATUSES"]

STATUSES = ("gepland", "lopend", "afgerond")
_TOP_KEY = "verbeteracties"


class Action(BaseModel):
    """One improvement action (see the module docstring for the keys)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    titel: str = Field(min_length=1)
    ronde_start: str = Field(pattern=ROUND_PATTERN)
    eigenaar: str = Field(min_length=1)
    status: Literal["gepland", "lopend", "afgerond"]
    schalen: list[str] = []
    items: list[str] = []


@dataclass
class Register:
    """A validated register: the actions in file order, plus where it came from."""

    actions: list[Action]
    path: Path | None = None
    sha256: str | None = None
    problems: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.actions)

    def __iter__(self):
        return iter(self.actions)

    def to_frame(self) -> pd.DataFrame:
        """One row per action: id, titel, ronde_start, eigenaar, status, schalen, items (comma separated)."""
        rows = [dict(id=a.id, titel=a.titel, ronde_start=a.ronde_start, eigenaar=a.eigenaar, status=a.status,
                     schalen=", ".join(a.schalen), items=", ".join(a.items)) for a in self.actions]
        return pd.DataFrame(rows, columns=["id", "titel", "ronde_start", "eigenaar", "status", "schalen", "items"])


def _where(k: int, entry) -> tuple[str, str]:
    """Key path prefix of the k-th action (0-based) and an id suffix for messages."""
    ident = entry.get("id") if isinstance(entry, dict) else None
    return f"{_TOP_KEY}[{k + 1}]", (f" (actie {ident})" if isinstance(ident, str) and ident else "")


def _message(err) -> str:
    loc = [str(p) for p in err["loc"]]
    if err["type"] == "extra_forbidden":
        return f"unknown key (allowed: {', '.join(Action.model_fields)})"
    if err["type"] == "missing":
        return "required key is missing"
    if err["type"] == "string_pattern_mismatch" and loc and loc[0] == "ronde_start":
        return f"{err['input']!r} is not a round id like '2021-1' (YYYY-1 spring, YYYY-2 autumn)"
    if err["type"] == "literal_error" and loc and loc[0] == "status":
        return f"{err['input']!r} is not one of {', '.join(STATUSES)}"
    if err["type"] == "string_type" and loc and loc[0] == "ronde_start" and isinstance(err["input"], (int, float)):
        return (f"YAML read {err['input']!r} as a number (YAML reads 2021-1 unquoted as a date or number): "
                "put the round id in quotes, e.g. \"2021-1\"")
    if err["type"] == "string_type" and not isinstance(err["input"], (dict, list)):
        return f"expected text, got {err['input']!r}: put it in quotes"
    if err["type"] == "list_type":
        return f"expected a list of ids, e.g. [PR01, PR02], got {err['input']!r}"
    return err["msg"]


def _known_ids(codebooks) -> tuple[set, set]:
    scales, items = set(), set()
    for cb in codebooks:
        cb = getattr(cb, "codebook", cb)
        if not isinstance(cb, Codebook):
            raise TypeError(f"codebooks: expected Codebook or Round objects, got {type(cb).__name__}")
        scales |= set(cb.scales)
        items |= set(cb.items)
    return scales, items


def _unknown(kind: str, ids: list[str], known: set) -> str:
    parts = []
    for i in ids:
        close = difflib.get_close_matches(i, sorted(known), n=1)
        parts.append(f"{i!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return f"unknown {kind} {', '.join(parts)}; not in any codebook given"


def parse_register(data, *, path="<register>", codebooks=None, sha256: str | None = None) -> Register:
    """Validate an already-loaded register (a list of action mappings).

    Parameters
    ----------
    data : list or dict
        The YAML content: a list of actions, or ``{"verbeteracties": [...]}``.
    path : str or Path
        Named in errors.
    codebooks : iterable of Codebook or Round, or dict of them, optional
        When given, ``schalen`` and ``items`` must exist in at least one.

    Returns
    -------
    Register

    Raises
    ------
    RegisterError
        Every problem as ``verbeteracties[k].key: message``.
    """
    if isinstance(data, dict) and set(data) == {_TOP_KEY}:
        data = data[_TOP_KEY]
    if data is None:
        data = []
    if not isinstance(data, list):
        raise RegisterError(path, f"expected a list of actions (each starting with '- id: ...'), "
                                  f"found {type(data).__name__}")
    problems: list[str] = []
    actions: list[Action] = []
    first_of: dict[str, int] = {}
    if isinstance(codebooks, dict):
        codebooks = list(codebooks.values())
    known = _known_ids(codebooks) if codebooks is not None else None
    for k, entry in enumerate(data):
        prefix, suffix = _where(k, entry)
        if not isinstance(entry, dict):
            problems.append(f"{prefix}: expected a mapping with keys id, titel, ronde_start, ..., "
                            f"found {type(entry).__name__} {entry!r}")
            continue
        try:
            action = Action.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                problems.append(f"{prefix}.{loc}: {_message(err)}{suffix}")
            continue
        if action.id in first_of:
            problems.append(f"{prefix}.id: {action.id!r} is also the id of {_TOP_KEY}[{first_of[action.id] + 1}]; "
                            "ids must be unique")
        else:
            first_of[action.id] = k
        for key in ("schalen", "items"):
            dup = sorted({x for x in getattr(action, key) if getattr(action, key).count(x) > 1})
            if dup:
                problems.append(f"{prefix}.{key}: {dup} listed twice{suffix}")
        if known is not None:
            scales, items = known
            bad = [s for s in action.schalen if s not in scales]
            if bad:
                problems.append(f"{prefix}.schalen: {_unknown('scale(s)', bad, scales)}{suffix}")
            bad = [i for i in action.items if i not in items]
            if bad:
                problems.append(f"{prefix}.items: {_unknown('item(s)', bad, items)}{suffix}")
        actions.append(action)
    if problems:
        raise RegisterError(path, problems)
    return Register(actions=actions, path=Path(path) if path else None, sha256=sha256)


def read_register(path, *, codebooks=None) -> Register:
    """Read and validate the register of improvement actions.

    Parameters
    ----------
    path : str or Path
        Usually ``DATA_DIR/verbeteracties.yml``.
    codebooks : iterable of Codebook or Round, or dict of them, optional
        Check that every referenced scale and item exists in at least one.

    Returns
    -------
    Register

    Raises
    ------
    RegisterError
        File missing, not UTF-8, YAML syntax error (line and column),
        duplicate keys, or invalid content (with the key path).
    """
    path = Path(path)
    data, raw = read_yaml(path, error=RegisterError, what="register")
    return parse_register(data, path=path, codebooks=codebooks, sha256=hashlib.sha256(raw).hexdigest())


# -- before / after -------------------------------------------------------------

def _indicator_values(rnd, kind: str, ident: str):
    """Per-respondent values of a scale score or an item's agree indicator (None if not asked)."""
    from peo_lib.stats.scoring import score_scales

    cb = rnd.codebook
    if kind == "scale":
        if ident not in cb.scales:
            return None
        return score_scales(rnd, scales=[ident])[ident].to_numpy(dtype=float)
    if ident not in cb.items:
        return None
    codes = rnd.items[ident].to_numpy(dtype=float)
    top = sorted(cb.response_set_of(ident).values)[-2:]
    return np.where(np.isnan(codes), np.nan, np.isin(codes, top) * 100.0)


def actions_before_after(rounds, register, *, level: float = 0.95, weights=None) -> pd.DataFrame:
    """Related indicators before and after each action's start round.

    Parameters
    ----------
    rounds : dict of Round or list of Round
        From :func:`~peo_lib.data.rounds.load_rounds`.
    register : Register or str or Path
        From :func:`read_register` (or its path).
    level : float, default 0.95
        For the interval of the change.
    weights : dict, optional
        ``{round id: weights or None}`` (:func:`peo_lib.stats.weighting.round_weights` per round):
        a weighted round's value is its weighted mean (share), and a pair with a weighted round
        is tested as R ``svyttest`` on the two rounds stacked as one design
        (:func:`peo_lib.stats.compare.svy_mean_difference`); ``n`` stays the respondents.

    Returns
    -------
    DataFrame
        One row per action and indicator (its ``schalen`` then ``items``):
        ``id``, ``titel``, ``status``, ``ronde_start`` (from the register),
        ``kind`` (``scale``/``item``), ``indicator`` (id), ``label`` (scale
        label or item text), ``measure`` (``mean`` for a scale, ``pct_agree``
        for an item: percentage of valid answers in the two highest codes),
        ``round_before``, ``n_before``, ``before``, ``round_after``,
        ``n_after``, ``after``, ``diff``, ``ci_low``, ``ci_high``, ``p``
        (Welch t test, R ``t.test(after, before)``; on the 0/100 agree
        indicator this is the unpooled large-sample test of two
        proportions), ``comparable`` (False when the indicator's wording or
        items changed between the two rounds: then no test). NaN/None when
        there is no round before or after; a planned action (``gepland``)
        has no "after" even when later rounds exist.

    Notes
    -----
    See the module docstring for how ``ronde_start`` is read. Apply
    disclosure control (``peo_lib.privacy.disclosure``) before showing ``n`` below the
    round's ``min_n``.
    """
    from peo_lib.stats.trends import _as_rounds, _series_ids, round_mean, round_pair_change

    rounds = _as_rounds(rounds)
    if not isinstance(register, Register):
        register = read_register(register, codebooks=[r.codebook for r in rounds.values()])
    ids = list(rounds)
    cbs = [r.codebook for r in rounds.values()]
    from peo_lib.stats.weighting import design_weights

    weights = weights or {}
    w_of = {rid: (design_weights(rounds[rid], weights[rid]) if weights.get(rid) is not None else None) for rid in ids}
    rows = []
    for action in register.actions:
        indicators = [("scale", s) for s in action.schalen] + [("item", i) for i in action.items]
        for kind, ident in indicators:
            values = {rid: _indicator_values(rounds[rid], kind, ident) for rid in ids}
            asked = [rid for rid in ids if values[rid] is not None]
            before = [rid for rid in asked if rid < action.ronde_start]
            after = [rid for rid in asked if rid >= action.ronde_start]
            rb = before[-1] if before else None
            ra = after[-1] if after and action.status != "gepland" else None
            label = ident
            for rid in reversed(asked):
                cb = rounds[rid].codebook
                label = cb.scales[ident].label if kind == "scale" else cb.items[ident].text
                break
            row = dict(id=action.id, titel=action.titel, status=action.status, ronde_start=action.ronde_start,
                       kind=kind, indicator=ident, label=label,
                       measure="mean" if kind == "scale" else "pct_agree",
                       round_before=rb, n_before=np.nan, before=np.nan, round_after=ra, n_after=np.nan,
                       after=np.nan, diff=np.nan, ci_low=np.nan, ci_high=np.nan, p=np.nan, comparable=None)
            for side, rid in (("before", rb), ("after", ra)):
                if rid is not None:
                    x, wx = values[rid], w_of[rid]
                    row[f"n_{side}"] = int((np.isfinite(x) & (np.isfinite(wx) if wx is not None else True)).sum())
                    row[side] = round_mean(x, wx)
            if rb is not None and ra is not None:
                series = (_series_ids(cbs, scale=ident) if kind == "scale" else _series_ids(cbs, item=ident))
                row["comparable"] = bool(series[rb] == series[ra])
                if row["comparable"]:
                    w = round_pair_change(values[rb], values[ra], w_before=w_of[rb], w_after=w_of[ra], level=level)
                    row.update(diff=w["diff"], ci_low=w["ci_low"], ci_high=w["ci_high"], p=w["p"])
            rows.append(row)
    cols = ["id", "titel", "status", "ronde_start", "kind", "indicator", "label", "measure", "round_before",
            "n_before", "before", "round_after", "n_after", "after", "diff", "ci_low", "ci_high", "p", "comparable"]
    return pd.DataFrame(rows, columns=cols)
