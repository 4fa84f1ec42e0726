"""What a long ``peo report`` run says while it works (stderr, English like the errors).

One home for the command line's progress: the phase lines (``checking 3 rounds``,
``scrubbing open answers of 2021-1``, ``building 3 round reports (2 workers)``),
one line per finished report (``[1/3] 2021-1  12.3 s  done -> OUT/2021-1``) and a
tqdm bar over the reports when stderr is a terminal.

A log file or a pipe (CI, a script) gets the finished-report lines only: no
carriage-return bar, and no phase lines, so that bad input stays one line there
(the rule of every command) and a log holds results, not chatter.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Progress of one command on ``stream`` (``None``: silent).

    Parameters
    ----------
    stream : file-like or None
        Where to write (``sys.stderr`` on the command line).
    bar : bool or None
        Draw a tqdm bar over the reports; ``None`` (default): only when ``stream`` is a terminal.
    phases : bool or None
        Show the phase lines (:meth:`phase`); ``None`` (default): only when ``stream`` is a terminal.
    """

    def __init__(self, stream=None, *, bar=None, phases=None):
        self.stream = stream
        isatty = getattr(stream, "isatty", None)
        tty = bool(isatty and isatty())
        self.draw_bar = bool(stream is not None and (bar if bar is not None else tty))
        self.phases = bool(stream is not None and (phases if phases is not None else tty))
        self.t0 = time.perf_counter()
        self._bar = None

    @classmethod
    def to_stderr(cls, enabled: bool = True) -> Progress:
        """The command line's progress (stderr), or a silent one."""
        return cls(sys.stderr if enabled else None)

    @property
    def seconds(self) -> float:
        """Seconds since this progress started (the whole command, checks and scrubbing included)."""
        return time.perf_counter() - self.t0

    def say(self, message: str) -> None:
        """One line (above the bar, when one is drawn)."""
        if self.stream is None:
            return
        if self._bar is not None:
            self._bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def phase(self, message: str) -> None:
        """What is being done now (``checking 2 rounds ...``): on a terminal, or with ``phases=True``."""
        if self.phases:
            self.say(message)

    def start(self, total: int, *, what: str) -> None:
        """Begin ``total`` units of work (``what``: ``round reports``)."""
        if self.draw_bar and total > 1:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="report", desc=what, file=self.stream, leave=False,
                             dynamic_ncols=True)

    def step(self, message: str) -> None:
        """One unit done: its line, and the bar moves on."""
        self.say(message)
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        """Remove the bar (the finished lines stay)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
