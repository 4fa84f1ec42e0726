"""Typed exceptions of peo_lib.

Every error a user can cause derives from :class:`PEOError`; the CLI turns it
into one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

__all__ = [
    "PEOError",
    "CodebookError",
    "RawDataError",
    "RegisterError",
    "ReportError",
    "PrivacyError",
]


class PEOError(Exception):
    """Base class for errors the user can fix (bad input, bad options)."""

    exit_code = 2


class CodebookError(PEOError):
    """A codebook (YAML) is malformed or inconsistent.

    Parameters
    ----------
    path : str or Path
        The codebook file.
    problems : list of str
        One line per problem, each starting with the key path
        (``items.PR04.response_set: unknown response set 'eens7'``).
    """

    def __init__(self, path, problems):
        self.path = str(path)
        self.problems = list(problems) if not isinstance(problems, str) else [problems]
        if len(self.problems) == 1:
            msg = f"{self.path}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            msg = f"{self.path}: {len(self.problems)} problems\n{lines}"
        super().__init__(msg)


class RawDataError(PEOError):
    """A raw export cannot be read or does not match its codebook.

    The message names the file and, where known, column, row and value.
    """

    def __init__(self, message, *, path=None, column=None, row=None, value=None, hint=None):
        self.path = None if path is None else str(path)
        self.column = column
        self.row = row
        self.value = value
        self.hint = hint
        where = []
        if self.path:
            where.append(self.path)
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row}")
        text = (", ".join(where) + ": " if where else "") + message
        if value is not None:
            text += f" (value {value!r})"
        if hint:
            text += f". {hint}"
        super().__init__(text)


class RegisterError(CodebookError):
    """The improvement-actions register (verbeteracties.yml) is invalid."""


class ReportError(PEOError):
    """Running or publishing a report failed (e.g. a notebook cell raised)."""

    exit_code = 1


class PrivacyError(PEOError):
    """An output would break a privacy rule (e.g. a table not yet suppressed)."""
