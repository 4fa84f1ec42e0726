"""``peo check ROUND``: validate a codebook against its raw file before reporting.

Loads the round exactly as a report would (so every error a report would hit
shows up here first) and prints a short summary a researcher can read in ten
seconds: respondents, items mapped, answers per missing reason, and warnings.
No respondent-level data is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peo_lib import paths
from peo_lib.errors import CodebookError
from peo_lib.data.rounds import Round, load_round
from peo_lib.vocab import EXPERIENCE

__all__ = ["CheckReport", "check_round", "summarise_round"]


@dataclass
class CheckReport:
    """Result of :func:`check_round`."""

    round_id: str
    text: str
    warnings: list = field(default_factory=list)
    round: Round | None = None

    def exit_code(self, *, strict: bool = False) -> int:
        return 1 if strict and self.warnings else 0


def summarise_round(rnd: Round) -> tuple[str, list[str]]:
    """Plain-text summary and warning list for a loaded round."""
    cb = rnd.codebook
    warnings = list(rnd.warnings)
    lines = [f"Round {rnd.id}: {cb.title} (theme: {cb.theme})"]
    lines.append(f"  raw file     {rnd.raw_path} [{rnd.raw_format}"
                 + (f", {rnd.raw_encoding}" if rnd.raw_encoding else "")
                 + (f", delimiter {rnd.raw_delimiter!r}" if rnd.raw_delimiter else "") + "]")
    lines.append(f"  sha256       {rnd.raw_sha256}")
    lines.append(f"  respondents  {rnd.n}")
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
    min_n = cb.privacy.min_n
    for var in [c for c in rnd.background.columns if str(rnd.background[c].dtype) == "category"]:
        counts = rnd.background[var].value_counts()
        small = [str(k) for k, v in counts.items() if 0 < v < min_n]
        if small:
            warnings.append(f"{var}: {len(small)} group(s) under min_n={min_n} "
                            f"({', '.join(small)}); reports suppress them")
    if rnd.unused_columns:
        shown = ", ".join(rnd.unused_columns[:10])
        more = f" and {len(rnd.unused_columns) - 10} more" if len(rnd.unused_columns) > 10 else ""
        warnings.append(f"{len(rnd.unused_columns)} column(s) in the file are not in the codebook: {shown}{more}")
    if warnings:
        lines.append("  warnings")
        lines.extend(f"    - {w}" for w in warnings)
    else:
        lines.append("  no warnings")
    return "\n".join(lines), warnings


def check_round(round_id: str, *, data_dir=None) -> CheckReport:
    """Validate round ``round_id`` in ``data_dir`` (codebooks/ and raw/).

    Raises
    ------
    CodebookError, RawDataError
        The first blocking problem, with file, key path or column/row/value.
    """
    cb_path = paths.codebook_path(round_id, data_dir)
    if not cb_path.is_file():
        available = paths.require_round_ids(data_dir)  # no rounds at all: say where they go
        raise CodebookError(cb_path, f"no codebook for round {round_id!r} "
                                     f"(available: {', '.join(available) or 'none'})")
    rnd = load_round(cb_path, raw_dir=paths.raw_dir(data_dir))
    text, warnings = summarise_round(rnd)
    return CheckReport(round_id=round_id, text=text, warnings=warnings, round=rnd)
