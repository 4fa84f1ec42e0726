"""Argument checks shared by every public function (seaborn's ``_check_argument``).

One message format everywhere: the parameter, the allowed values and the
value passed, e.g. "`by` must be one of ['functie', 'gemeente'], but 'x' was
passed." No heavy imports: the CLI and the dashboard use these at start-up.
"""

from __future__ import annotations

import numbers

__all__ = ["check_argument", "check_positive_int"]


def check_argument(param: str, options, value) -> None:
    """Raise ValueError unless ``value`` is one of ``options``."""
    if value not in options:
        raise ValueError(f"`{param}` must be one of {list(options)}, but {value!r} was passed.")


def check_positive_int(value, param: str = "min_n", *, hint: str | None = None) -> int:
    """Return ``value`` as int when it is a whole number >= 1, else raise ValueError.

    ``hint`` says where the value usually comes from (shown in the message).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        where = f" (e.g. 5, {hint})" if hint else ""
        raise ValueError(f"`{param}` must be a positive integer{where}, but {value!r} was passed.")
    return int(value)
