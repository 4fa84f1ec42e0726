"""``peo check ROUND``: validate a codebook against its raw file before reporting.

Loads the round exactly as a report would (so every error a report would hit
shows up here first) and prints a short summary a researcher can read in ten
seconds: respondents, items mapped, answers per missing reason, and warnings.
No respondent-level data is printed.

Decisions
---------
* A codebook that is still a draft of ``peo init-round`` is refused, with the
  line numbers of what is left: ``CONTROLEER`` markers (comment lines
  included), the placeholder theme id (``thema``, ``nieuw_thema``) and the
  placeholder ``fieldwork: {start: null, end: null}``. Reports run the same
  check, so a draft is never reported.
* Every warning has a key, printed in brackets (``[unused_columns]``,
  ``[no_ervaring_jaren]``, ``[no_fieldwork]``, ``[small_groups:functie]``,
  ``[user_missing]``, ``[unanswered:PR01]``, ...). The codebook's
  ``acknowledged: [key, ...]`` list moves the warnings a researcher has looked
  at to an "acknowledged" block; ``peo check --strict`` fails only on warnings
  that are not acknowledged, so it can gate a round. A key acknowledges its
  sub-keys (``small_groups`` covers ``small_groups:functie``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from peo_lib import paths
from peo_lib.errors import CodebookError
from peo_lib.data.codebook import Codebook, read_codebook, read_yaml
from peo_lib.data.draft import MARKER, PLACEHOLDER_THEMES
from peo_lib.data.rounds import Round, load_round
from peo_lib.vocab import EXPERIENCE

__all__ = ["CheckReport", "check_round", "summarise_round", "draft_leftovers", "warning_key"]

_KEY = re.compile(r"^\[([^\]\s]+)\]\s*")


@dataclass
class CheckReport:
    """Result of :func:`check_round`: ``warnings`` not acknowledged in the codebook, and those that are."""

    round_id: str
    text: str
    warnings: list = field(default_factory=list)
    round: Round | None = None
    acknowledged: list = field(default_factory=list)

    def exit_code(self, *, strict: bool = False) -> int:
        return 1 if strict and self.warnings else 0


def warning_key(warning: str) -> str | None:
    """The key of a warning ``"[key] text"`` (None for a warning without one)."""
    m = _KEY.match(str(warning))
    return m.group(1) if m else None


def _is_acknowledged(warning: str, acknowledged) -> bool:
    key = warning_key(warning)
    return key is not None and any(key == a or key.startswith(f"{a}:") for a in acknowledged)


def _source_line(rnd: Round) -> str:
    table_note = f", {rnd.raw_vintage}" if rnd.raw_vintage else ""
    return (f"  raw file     {rnd.raw_path} [{rnd.raw_format}{table_note}"
            + (f", {rnd.raw_encoding}" if rnd.raw_encoding else "")
            + (f", delimiter {rnd.raw_delimiter!r}" if rnd.raw_delimiter else "") + "]")


def _data_warnings(rnd: Round) -> list[str]:
    """Warnings about the round as loaded: small groups, unused columns, no fieldwork dates."""
    cb, warnings = rnd.codebook, []
    min_n = cb.privacy.min_n
    for var in [c for c in rnd.background.columns if str(rnd.background[c].dtype) == "category"]:
        counts = rnd.background[var].value_counts()
        small = [str(k) for k, v in counts.items() if 0 < v < min_n]
        if small:
            warnings.append(f"[small_groups:{var}] {var}: {len(small)} group(s) under min_n={min_n} "
                            f"({', '.join(small)}); reports suppress them")
    if rnd.unused_columns:
        shown = ", ".join(rnd.unused_columns[:10])
        more = f" and {len(rnd.unused_columns) - 10} more" if len(rnd.unused_columns) > 10 else ""
        warnings.append(f"[unused_columns] {len(rnd.unused_columns)} column(s) in the file are not in the "
                        f"codebook: {shown}{more}")
    if cb.fieldwork is None:
        warnings.append("[no_fieldwork] no fieldwork dates in the codebook: reports cannot say when the survey "
                        "ran (add fieldwork: {start: YYYY-MM-DD, end: YYYY-MM-DD})")
    return warnings


def summarise_round(rnd: Round) -> tuple[str, list[str]]:
    """Plain-text summary and warning list (every warning, acknowledged or not) for a loaded round."""
    cb = rnd.codebook
    warnings = list(rnd.warnings) + _data_warnings(rnd)
    lines = [f"Round {rnd.id}: {cb.title} (theme: {cb.theme})", _source_line(rnd)]
    lines.append(f"  sha256       {rnd.raw_sha256}")
    lines.append(f"  respondents  {rnd.n}" + ("" if cb.respondent_id else
                                               " (no respondent_id: numbered by row, 1, 2, ... in file order)"))
    n_blocks = {b: len(cb.items_in_block(b)) for b in cb.blocks}
    lines.append(f"  items        {rnd.items.shape[1]} mapped ("
                 + ", ".join(f"{b}: {k}" for b, k in n_blocks.items()) + ")")
    lines.append(f"  scales       {len(cb.scales)}"
                 + (f" ({', '.join(cb.scales)})" if cb.scales else ""))
    answered = int(rnd.items.notna().to_numpy().sum())
    blank = int((rnd.items.isna() & rnd.missing.isna()).to_numpy().sum())
    lines.append(f"  answers      {answered} valid, {blank} blank")
    reasons: dict[str, int] = {}
    for col in rnd.missing.columns:
        for reason, count in rnd.missing[col].value_counts().items():
            reasons[str(reason)] = reasons.get(str(reason), 0) + int(count)
    for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
        if count == 0:
            continue
        lines.append(f"  missing      {count} x {reason!r}")
    groups = rnd.background[EXPERIENCE].value_counts(dropna=False, sort=False)
    lines.append("  groups       " + ", ".join(f"{k if k == k else 'onbekend'}: {int(v)}"
                                               for k, v in groups.items()))
    open_ = [w for w in warnings if not _is_acknowledged(w, cb.acknowledged)]
    seen = [w for w in warnings if _is_acknowledged(w, cb.acknowledged)]
    if open_:
        lines.append("  warnings (acknowledge one by adding its [key] to the codebook's acknowledged list)")
        lines.extend(f"    - {w}" for w in open_)
    else:
        lines.append("  no warnings")
    if seen:
        lines.append("  acknowledged in the codebook")
        lines.extend(f"    - {w}" for w in seen)
    stale = [a for a in cb.acknowledged if not any(_is_acknowledged(w, [a]) for w in warnings)]
    if stale:
        lines.append(f"  acknowledged but no longer warned: {', '.join(stale)}")
    return "\n".join(lines), warnings


def _line_of(lines: list[str], pattern: str) -> int | None:
    rx = re.compile(pattern)
    return next((k for k, line in enumerate(lines, start=1) if rx.search(line)), None)


def draft_leftovers(cb: Codebook) -> list[str]:
    """What a ``peo init-round`` draft left to do, one problem per line of the codebook file."""
    if cb.path is None or not Path(cb.path).is_file():
        return []
    path = Path(cb.path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    problems = []
    for k, line in enumerate(lines, start=1):
        if MARKER in line:
            text = " ".join(line.strip().lstrip("#").split())
            problems.append(f"line {k}: {MARKER} marker left: {text[:110]}{'...' if len(text) > 110 else ''}")
    if cb.theme in PLACEHOLDER_THEMES:
        k = _line_of(lines, r"^theme\s*:")
        problems.append(f"line {k}: theme {cb.theme!r} is the placeholder of peo init-round: give this round's "
                        "theme id (and use it as the block of the theme items)")
    data, _ = read_yaml(path)
    fw = data.get("fieldwork") if isinstance(data, dict) else None
    if isinstance(fw, dict) and fw.get("start") is None and fw.get("end") is None:
        k = _line_of(lines, r"^fieldwork\s*:")
        problems.append(f"line {k}: fieldwork dates are not filled in (fieldwork: {{start: YYYY-MM-DD, end: "
                        "YYYY-MM-DD}); leave the key out if they are really unknown")
    return problems


def check_round(round_id: str, *, data_dir=None) -> CheckReport:
    """Validate round ``round_id`` in ``data_dir`` (codebooks/ and raw/).

    Raises
    ------
    CodebookError, RawDataError
        The first blocking problem, with file, key path or column/row/value; a
        codebook that is still a draft (module docstring) lists every line left.
    """
    cb_path = paths.codebook_path(round_id, data_dir)
    if not cb_path.is_file():
        available = paths.require_round_ids(data_dir)  # no rounds at all: say where they go
        raise CodebookError(cb_path, f"no codebook for round {round_id!r} "
                                     f"(available: {', '.join(available) or 'none'})")
    cb = read_codebook(cb_path)
    leftovers = draft_leftovers(cb)
    if leftovers:
        raise CodebookError(cb_path, [f"still a draft of peo init-round: {p}" for p in leftovers])
    rnd = load_round(cb, raw_dir=paths.raw_dir(data_dir))
    text, warnings = summarise_round(rnd)
    return CheckReport(round_id=round_id, text=text,
                       warnings=[w for w in warnings if not _is_acknowledged(w, cb.acknowledged)], round=rnd,
                       acknowledged=[w for w in warnings if _is_acknowledged(w, cb.acknowledged)])
