"""Typed exceptions of peo_lib.

Every error a user can cause derives from :class:`PEOError`; the CLI turns it
into one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

__all__ = [
    "PEOError",
    "CodebookError",
    "CodeFrameError",
    "RawDataError",
    "RegisterError",
    "MeetingError",
    "NoRoundsError",
    "PopulationError",
    "WeightingError",
    "ReportError",
    "NotebookCellError",
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


class CodeFrameError(CodebookError):
    """A code frame (``codeframes/*.yml``) or a coding file (``codering/ROUND/*.yml``) is invalid.

    Each problem names the key path and, where known, the line
    (``line 7, themes.werkdruk.parent: unknown theme 'drukte'; use one of ...``).
    """


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


class MeetingError(CodebookError):
    """A meeting file (``bijeenkomsten/YYYY-MM-DD.yml``) is invalid, or its actions cannot be accepted."""


class NoRoundsError(PEOError):
    """A data dir holds no round (no codebook): nothing to report, and never a silent demo instead."""

    def __init__(self, codebooks, raw):
        self.codebooks = str(codebooks)
        super().__init__(f"no codebooks in {codebooks}: put each round's codebook there as YYYY-N.yml and its "
                         f"raw export in {raw}, or pass --data-dir data/demo for the demo rounds "
                         "(made by `peo demo`)")


class PopulationError(CodebookError):
    """``populatie.yml`` is malformed, or does not fit a round: one line naming the file and key."""

    def __init__(self, path, problems):
        problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(path, "; ".join(problems))
        self.problems = problems


class WeightingError(PEOError):
    """Weights cannot be made as asked (a margin that does not fit the round, no convergence)."""


class ReportError(PEOError):
    """Running or publishing a report failed (e.g. a notebook cell raised)."""

    exit_code = 1


class NotebookCellError(ReportError):
    """A cell of a report notebook raised; the message names the cell and the error.

    Attributes
    ----------
    round_id : str
    notebook : Path
        The template notebook (``notebooks/ronde.ipynb``).
    cell_index : int
        0-based index of the cell in that notebook (papermill's injected
        parameters cell not counted).
    exec_count : int or None
        The ``In [n]`` number in the executed notebook.
    first_line : str
        First non-blank line of the cell's source.
    ename, evalue : str
        The exception's name and value, as the kernel reported them.
    evidence : Path or None
        The failed executed notebook, kept for inspection.
    """

    def __init__(self, *, round_id, notebook, cell_index, exec_count, first_line, ename, evalue,
                 evidence=None):
        self.round_id = round_id
        self.notebook = notebook
        self.cell_index = cell_index
        self.exec_count = exec_count
        self.first_line = first_line
        self.ename = ename
        self.evalue = evalue
        self.evidence = evidence
        where = f"cell {cell_index} of {getattr(notebook, 'name', notebook)}"
        if exec_count is not None:
            where += f" (In [{exec_count}])"
        text = (f"round {round_id}: {where} `{first_line}` failed: {ename}: {evalue}. "
                "The previous outputs are unchanged")
        if evidence is not None:
            text += f"; the failed notebook is {evidence}"
        super().__init__(text)


class PrivacyError(PEOError):
    """An output would break a privacy rule (e.g. a table not yet suppressed)."""
