"""Population shares for weighting: ``DATA_DIR/populatie.yml``.

The file lists, per round or from a round on, the population shares of one or
more background variables and where the figures come from::

    - vanaf_ronde: "2021-1"        # valid from this round on, until a later entry
      bron: Arbeidsmarktmonitor jeugdzorg Haaglanden 2020, peildatum 31-12-2020
      marges:
        functie: {Jeugdhulpverlener: 0.55, Gedragswetenschapper: 0.20, Teamleider: 0.15, Anders: 0.10}
        organisatie: {Wijkteam: 35, Jeugdzorgaanbieder: 50, Gemeente: 15}   # percentages are fine too
    - ronde: "2022-2"              # for this round only (wins over vanaf_ronde)
      bron: Registratie gemeenten, telling maart 2022
      marges:
        functie: {Jeugdhulpverlener: 0.52, Gedragswetenschapper: 0.22, Teamleider: 0.16, Anders: 0.10}

Keys: exactly one of ``ronde`` / ``vanaf_ronde`` (a round id in quotes),
``bron`` (the source, shown beside weighted figures), ``marges`` (variable ->
category label -> share), optional ``toelichting``. The categories are the
value *labels* of the codebook's background variable (``functie``,
``organisatie``, ``gemeente``, ``ervaringsgroep``: ``startend``/``ervaren``).
Shares may be fractions that add up to 1 or percentages that add up to 100
(published figures are rounded: a sum within 0.01 of 1, or 1 of 100, is
accepted and rescaled to exactly 1).

:func:`read_population` checks the file itself; whether the variables and
categories exist in a round is checked when weights are made
(:func:`peo_lib.stats.weighting.rake_weights`), against that round's codebook.
Every problem is one line: ``populatie.yml: populatie[2].marges.functie: ...``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from peo_lib.data.codebook import ROUND_PATTERN, read_yaml
from peo_lib.errors import PopulationError

__all__ = ["POPULATION_FILE", "PopulationEntry", "Population", "PopulationError", "read_population",
           "parse_population", "population_path"]

#: The file name beside the codebooks folder (``DATA_DIR/populatie.yml``).
POPULATION_FILE = "populatie.yml"
_TOP_KEY = "populatie"
#: How far published shares may be off 1 (or 100) through rounding.
SUM_TOLERANCE = 0.01


class PopulationEntry(BaseModel):
    """Population shares valid for one round (``ronde``) or from a round on (``vanaf_ronde``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ronde: str | None = Field(None, pattern=ROUND_PATTERN)
    vanaf_ronde: str | None = Field(None, pattern=ROUND_PATTERN)
    bron: str = Field(min_length=1)
    toelichting: str | None = None
    marges: dict[str, dict[str, float]] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_round_key(self):
        if (self.ronde is None) == (self.vanaf_ronde is None):
            raise ValueError("give exactly one of 'ronde' (this round only) and 'vanaf_ronde' (from this round on)")
        return self

    @property
    def fingerprint(self) -> str:
        """sha256 of the shares (what the weights depend on): a stored weighted aggregate is only
        used while its round's entry still has the shares it was computed with."""
        import json

        return hashlib.sha256(json.dumps(self.marges, sort_keys=True).encode()).hexdigest()

    @property
    def valid_for(self) -> str:
        """``"2022-2"`` or ``"vanaf 2021-1"``: for the sentence that says what the figures are weighted to."""
        return self.ronde if self.ronde is not None else f"vanaf {self.vanaf_ronde}"


@dataclass(frozen=True)
class Population:
    """A validated population file: entries in file order, plus where it came from."""

    entries: tuple
    path: Path | None = None
    sha256: str | None = None

    def entry_for(self, round_id: str) -> PopulationEntry | None:
        """The entry for ``round_id``: its own ``ronde`` entry, else the latest ``vanaf_ronde`` <= it."""
        own = [e for e in self.entries if e.ronde == round_id]
        if own:
            return own[0]
        earlier = [e for e in self.entries if e.vanaf_ronde is not None and e.vanaf_ronde <= round_id]
        return max(earlier, key=lambda e: e.vanaf_ronde) if earlier else None

    def margins_for(self, round_id: str) -> tuple[dict, PopulationEntry]:
        """``(margins, entry)`` for a round, or a :class:`PopulationError` saying which rounds are covered."""
        entry = self.entry_for(round_id)
        if entry is None:
            covered = ", ".join(e.valid_for for e in self.entries) or "none"
            raise PopulationError(self.path or POPULATION_FILE,
                                  f"no population figures for round {round_id} (entries: {covered})")
        return {var: dict(shares) for var, shares in entry.marges.items()}, entry


def population_path(data_dir=None) -> Path:
    """``DATA_DIR/populatie.yml`` (``data_dir`` defaults to the workspace's data dir)."""
    from peo_lib import paths

    return Path(data_dir or paths.DATA_DIR) / POPULATION_FILE


def _message(err) -> str:
    loc = [str(p) for p in err["loc"]]
    if err["type"] == "extra_forbidden":
        return f"unknown key (allowed: {', '.join(PopulationEntry.model_fields)})"
    if err["type"] == "missing":
        return "required key is missing"
    if err["type"] == "string_pattern_mismatch":
        return f"{err['input']!r} is not a round id like '2021-1' (YYYY-1 spring, YYYY-2 autumn)"
    if err["type"] == "string_type" and loc and loc[0] in ("ronde", "vanaf_ronde"):
        return f"YAML read {err['input']!r} as a number or date: put the round id in quotes, e.g. \"2021-1\""
    if err["type"] in ("float_parsing", "float_type"):
        return f"{err['input']!r} is not a share: give a number such as 0.35 or 35"
    return err["msg"].removeprefix("Value error, ")


def _normalised(prefix: str, var: str, shares: dict, problems: list) -> dict:
    """Shares rescaled to add up to 1; problems appended for negative shares or a wrong total."""
    where = f"{prefix}.marges.{var}"
    negative = [c for c, v in shares.items() if v < 0]
    if negative:
        problems.append(f"{where}: negative share for {negative}")
        return shares
    total = sum(shares.values())
    if abs(total - 1) <= SUM_TOLERANCE:
        return {c: v / total for c, v in shares.items()}
    if abs(total - 100) <= 100 * SUM_TOLERANCE:
        return {c: v / total for c, v in shares.items()}
    problems.append(f"{where}: the shares add up to {total:g}; they must add up to 1 (or 100 for percentages)")
    return shares


def parse_population(data, *, path=POPULATION_FILE, sha256: str | None = None) -> Population:
    """Validate loaded YAML content (a list of entries, or ``{"populatie": [...]}``).

    Returns
    -------
    Population
        Shares rescaled to add up to exactly 1 per variable.

    Raises
    ------
    PopulationError
        One line listing every problem as ``populatie[k].key: message``.
    """
    if isinstance(data, dict) and set(data) == {_TOP_KEY}:
        data = data[_TOP_KEY]
    if not isinstance(data, list) or not data:
        raise PopulationError(path, "expected a list of entries, each starting with '- vanaf_ronde: \"YYYY-N\"' "
                                    "or '- ronde: \"YYYY-N\"' and with keys bron and marges")
    problems: list[str] = []
    entries: list[PopulationEntry] = []
    seen: dict[tuple, int] = {}
    for k, raw in enumerate(data):
        prefix = f"{_TOP_KEY}[{k + 1}]"
        if not isinstance(raw, dict):
            problems.append(f"{prefix}: expected a mapping with keys vanaf_ronde (or ronde), bron, marges")
            continue
        try:
            entry = PopulationEntry.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                problems.append(f"{prefix}{'.' + loc if loc else ''}: {_message(err)}")
            continue
        key = ("ronde", entry.ronde) if entry.ronde else ("vanaf_ronde", entry.vanaf_ronde)
        if key in seen:
            problems.append(f"{prefix}.{key[0]}: {key[1]!r} is also given in {_TOP_KEY}[{seen[key] + 1}]")
        seen.setdefault(key, k)
        marges = {var: _normalised(prefix, var, shares, problems) for var, shares in entry.marges.items()}
        entries.append(entry.model_copy(update={"marges": marges}))
    if problems:
        raise PopulationError(path, problems)
    return Population(entries=tuple(entries), path=Path(path), sha256=sha256)


def read_population(path=None, *, data_dir=None) -> Population:
    """Read and validate ``populatie.yml``.

    Parameters
    ----------
    path : str or Path, optional
        The file; default :func:`population_path` of ``data_dir``.
    data_dir : str or Path, optional
        The data dir (``--data-dir``) holding the file.

    Returns
    -------
    Population

    Raises
    ------
    PopulationError
        File missing, unreadable or invalid (one line).
    """
    path = Path(path) if path is not None else population_path(data_dir)
    data, raw = read_yaml(path, error=PopulationError, what="population (populatie.yml)")
    return parse_population(data, path=path, sha256=hashlib.sha256(raw).hexdigest())
