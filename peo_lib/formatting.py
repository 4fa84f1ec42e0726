"""Dutch number formatting for text users read (sentences, labels, tables).

Numbers stay numeric in every DataFrame; format only when presenting. Dutch
uses a decimal comma (``3,1``), a plain hyphen-minus for negatives (``-0,4``)
and a percent sign without space (``45%``). A value that rounds to zero is
shown without a sign (``0,0``, never ``-0,0``). Missing values show as an
en dash (``–``).
"""

from __future__ import annotations

import math

__all__ = ["format_nl", "format_pct", "format_p", "MISSING_TEXT"]

MISSING_TEXT = "–"


def _is_missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        raise TypeError(f"expected a number, got {x!r} ({type(x).__name__})") from None


def _check_decimals(decimals) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals={decimals!r}: expected a whole number >= 0")
    return decimals


def format_nl(x, decimals: int = 1) -> str:
    """A number with a Dutch decimal comma: ``3.14 -> "3,1"``, ``-0.4 -> "-0,4"``.

    Parameters
    ----------
    x : float or None
        NaN and None give ``"–"``.
    decimals : int, default 1
        Digits after the comma (Python's round-half-even on the binary value,
        as ``format(x, ".1f")``).

    Returns
    -------
    str
        No thousands separator (survey figures rarely need one).
    """
    decimals = _check_decimals(decimals)
    if _is_missing(x):
        return MISSING_TEXT
    text = f"{float(x):.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace(".", ",")


def format_pct(x, decimals: int = 0) -> str:
    """A percentage (already 0-100) as Dutch text: ``45.2 -> "45%"``, ``4.25, 1 -> "4,2%"``."""
    text = format_nl(x, decimals)
    return text if text == MISSING_TEXT else f"{text}%"


def format_p(p, decimals: int = 3) -> str:
    """A p-value: ``0.0031 -> "0,003"``, below ``10**-decimals`` ``"< 0,001"``."""
    decimals = _check_decimals(decimals)
    if _is_missing(p):
        return MISSING_TEXT
    floor = 10.0 ** -decimals
    if float(p) < floor:
        return f"< {format_nl(floor, decimals)}"
    return format_nl(p, decimals)
