"""The coding of open answers, stored per round and question (``DATA_DIR/codering/ROUND/QUESTION.yml``).

One entry per *distinct* scrubbed answer, keyed by :func:`answer_key`: the SHA-256 of the round id
and the scrubbed text (whitespace normalised). The key says nothing about who wrote the answer: no
respondent id, no row number, no count is stored, so the file can be shared with a second coder.
The same text in a re-run, or after a re-scrub that leaves the text as it was, gets the same key,
so the coding survives both; an answer whose scrubbed text changed is a new, uncoded entry (the old
entry stays in the file, reported as no longer found, and is never deleted by the program)::

    round: "2021-1"
    question: OPEN01
    answers:
      5d41402abc4b2a76b9719d911017c592...:   # answer_key(round, text): leave it as it is
        text: Minder administratie, zodat ik meer tijd heb voor de gezinnen.
        themes: [administratie, tijd_voor_gezinnen]
        confirmed: true                      # false: a proposal of the code frame's rules

Status of an answer (:meth:`CodingStore.status`): ``bevestigd`` (a researcher confirmed or changed
the themes, in the coding widget or by setting ``confirmed: true`` here; an empty ``themes`` list then
means "no theme fits"), ``voorstel`` (the rules proposed themes, nobody confirmed them yet) and
``ongecodeerd`` (no confirmation and no rule matched). Proposals of unconfirmed entries are renewed
from the code frame on every :meth:`CodingStore.sync`, so a better rule reaches them; confirmed
entries are never changed by the program.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from peo_lib.errors import CodeFrameError
from peo_lib.paths import check_round_id
from peo_lib.fileio import atomic_write

__all__ = ["answer_key", "normalize_answer", "CodingEntry", "CodingStore", "read_coding", "coding_path",
           "add_subcommand", "CODING_DIR", "STATUSES", "CONFIRMED", "PROPOSED", "UNCODED"]

CODING_DIR = "codering"
CONFIRMED, PROPOSED, UNCODED = "bevestigd", "voorstel", "ongecodeerd"
STATUSES = (CONFIRMED, PROPOSED, UNCODED)

_HEADER = """\
# Codering van de open vraag {question} in ronde {round} (peo_lib.data.coding; docs/codeframe.md).
# Elke sleutel is de SHA-256 van ronde + geschoonde tekst: er staat geen respondent-id in dit bestand.
# Pas `themes` aan (theme-ids uit codeframes/) en zet `confirmed: true`; laat `text` en de sleutel staan.
"""


def normalize_answer(text) -> str:
    """The scrubbed text as it is keyed and shown: Unicode NFC, whitespace collapsed, stripped."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def answer_key(round_id: str, text: str) -> str:
    """SHA-256 (hex) of the round id and the normalised scrubbed text: the answer's key in a coding file.

    Parameters
    ----------
    round_id : str
        ``"2021-1"``.
    text : str
        The *scrubbed* answer (never the raw text).

    Returns
    -------
    str
        64 hex digits; the same text in the same round always gives the same key.
    """
    return hashlib.sha256(f"{round_id}\n{normalize_answer(text)}".encode("utf-8")).hexdigest()


def coding_path(round_id: str, question: str, *, data_dir=None) -> Path:
    """``DATA_DIR/codering/ROUND/QUESTION.yml``."""
    from peo_lib.paths import DATA_DIR

    return Path(DATA_DIR if data_dir is None else data_dir) / CODING_DIR / check_round_id(round_id) / f"{question}.yml"


@dataclass(frozen=True)
class CodingEntry:
    """One distinct scrubbed answer: its text, its themes and whether a researcher confirmed them."""

    text: str
    themes: tuple = ()
    confirmed: bool = False


class CodingStore:
    """The coding of one open question in one round (see the module docstring).

    Parameters
    ----------
    round_id, question : str
    entries : dict, optional
        Key -> :class:`CodingEntry`.
    path : Path, optional
        Where :meth:`save` writes (default :func:`coding_path` needs ``data_dir``).
    """

    def __init__(self, round_id, question, entries=None, *, path=None):
        self.round_id = check_round_id(round_id)
        self.question = str(question)
        self.entries: dict = dict(entries or {})
        self.path = None if path is None else Path(path)
        self._current: list = []

    # -- answers of this run ---------------------------------------------------------------
    def sync(self, texts, *, frame=None) -> "CodingStore":
        """Add this run's distinct answers; renew the rule proposals of unconfirmed entries.

        Parameters
        ----------
        texts : iterable of str
            The scrubbed answers of the question (one per respondent; blanks and None are skipped).
        frame : CodeFrame, optional
            Proposes themes (:meth:`~peo_lib.data.codeframe.CodeFrame.propose`); without one, new
            answers are uncoded.

        Returns
        -------
        CodingStore
            ``self``; :meth:`current_keys` are the keys of ``texts``, in alphabetical order of their text.
        """
        seen = {}
        for t in texts:
            if isinstance(t, str) and normalize_answer(t):
                seen.setdefault(answer_key(self.round_id, t), normalize_answer(t))
        for key, text in seen.items():
            old = self.entries.get(key)
            if old is not None and old.confirmed:
                continue
            proposed = tuple(frame.propose(text, self.round_id)) if frame is not None else ()
            self.entries[key] = CodingEntry(text, proposed, False)
        self._current = sorted(seen, key=lambda k: (seen[k].casefold(), seen[k]))
        return self

    def current_keys(self) -> list:
        """Keys of the answers given to :meth:`sync`, sorted by text."""
        return list(self._current)

    def orphans(self) -> list:
        """Keys in the file whose text is not among this run's answers (e.g. changed by a re-scrub)."""
        cur = set(self._current)
        return [k for k in self.entries if k not in cur]

    # -- reading and changing one answer ------------------------------------------------------
    def key_of(self, text) -> str:
        return answer_key(self.round_id, text)

    def themes(self, key) -> tuple:
        """The themes of an answer (confirmed, or the rule proposal); () when unknown."""
        e = self.entries.get(key)
        return () if e is None else tuple(e.themes)

    def status(self, key) -> str:
        """``bevestigd``, ``voorstel`` or ``ongecodeerd`` (:data:`STATUSES`)."""
        e = self.entries.get(key)
        if e is None:
            return UNCODED
        if e.confirmed:
            return CONFIRMED
        return PROPOSED if e.themes else UNCODED

    def set_themes(self, key, themes, *, confirmed=True, frame=None) -> None:
        """Set (and by default confirm) an answer's themes; ``frame`` checks that each theme is active."""
        if key not in self.entries:
            raise KeyError(f"no answer with key {key[:12]}... in the coding of {self.question} ({self.round_id})")
        themes = tuple(dict.fromkeys(themes))
        if frame is not None:
            active = frame.active_themes(self.round_id)
            bad = [t for t in themes if t not in active]
            if bad:
                raise ValueError(f"`themes` must be among {active}, but {bad} was passed.")
            themes = tuple(t for t in active if t in themes)  # frame order, so the file is stable
        self.entries[key] = CodingEntry(self.entries[key].text, themes, bool(confirmed))

    def progress(self) -> tuple:
        """(confirmed, total) over this run's distinct answers."""
        return sum(self.status(k) == CONFIRMED for k in self._current), len(self._current)

    # -- the file ------------------------------------------------------------------------------
    def to_yaml(self) -> str:
        import yaml

        order = sorted(self.entries, key=lambda k: (self.entries[k].text.casefold(), self.entries[k].text, k))
        body = {"round": self.round_id, "question": self.question,
                "answers": {k: {"text": self.entries[k].text, "themes": list(self.entries[k].themes),
                                "confirmed": bool(self.entries[k].confirmed)} for k in order}}
        text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110, default_flow_style=None)
        text = text.replace(f"round: '{self.round_id}'", f'round: "{self.round_id}"', 1)
        return _HEADER.format(question=self.question, round=self.round_id) + text

    def save(self, path=None) -> Path:
        """Write the coding file atomically (a temporary file in the same folder, then a rename)."""
        path = Path(path) if path is not None else self.path
        if path is None:
            raise ValueError("`path` must be given (or the store made with a path), but None was passed.")
        atomic_write(path, self.to_yaml())
        self.path = path
        return path


def _entry(key, value, *, round_id, frame, lines, problems) -> CodingEntry | None:
    from peo_lib.data.codeframe import _where

    where = _where(lines, ("answers", key))
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        problems.append(f"{where}: expected `text:`, `themes:` and `confirmed:` under the key")
        return None
    extra = set(value) - {"text", "themes", "confirmed"}
    if extra:
        problems.append(f"{where}: unknown key(s) {sorted(extra)} (allowed: text, themes, confirmed)")
    if answer_key(round_id, value["text"]) != str(key):
        problems.append(f"{where}: the key does not belong to this text (was `text` edited?); restore the "
                        "text, or delete the entry and code the answer again")
        return None
    themes = value.get("themes") or []
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        problems.append(f"{_where(lines, ('answers', key, 'themes'))}: expected a list of theme ids, e.g. "
                        "[administratie, regels]")
        return None
    confirmed = value.get("confirmed", False)
    if not isinstance(confirmed, bool):
        problems.append(f"{_where(lines, ('answers', key, 'confirmed'))}: expected true or false")
        return None
    if frame is not None and confirmed:
        active = frame.active_themes(round_id)
        for t in themes:
            if t in active:
                continue
            name = frame.path.name if frame.path else "the code frame"
            hint = (f"theme {t!r} is not active in {round_id} (since/until in {name}); "
                    "move `since` back or remove it here" if t in frame.themes else
                    f"unknown theme {t!r}; add it to {frame.path.name if frame.path else 'the code frame'} "
                    f"or use one of {active}")
            problems.append(f"{_where(lines, ('answers', key, 'themes'))}: {hint}")
    return CodingEntry(value["text"], tuple(themes), confirmed)


def read_coding(path, *, round_id, question, frame=None) -> CodingStore:
    """Read a coding file (an empty store when it does not exist yet).

    Parameters
    ----------
    path : str or Path
    round_id, question : str
        What the file must hold (checked against its ``round`` and ``question``).
    frame : CodeFrame, optional
        Checks that every confirmed theme is in the frame and active in the round.

    Raises
    ------
    CodeFrameError
        One line per problem, with its line number and the fix.
    """
    import yaml

    from peo_lib.data.codebook import _UniqueKeyLoader
    from peo_lib.data.codeframe import line_index

    path = Path(path)
    if not path.is_file():
        return CodingStore(round_id, question, path=path)
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CodeFrameError(path, f"YAML syntax error at {where}{getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return CodingStore(round_id, question, path=path)
    if not isinstance(data, dict) or not isinstance(data.get("answers", {}) or {}, dict):
        raise CodeFrameError(path, "expected `round:`, `question:` and a mapping `answers:` (see docs/codeframe.md)")
    lines = line_index(text)
    problems = []
    if str(data.get("round")) != str(round_id):
        problems.append(f"line {lines.get(('round',), 1)}, round: {data.get('round')!r} but the file is in the "
                        f"folder of round {round_id}; move the file or fix `round`")
    if str(data.get("question")) != str(question):
        problems.append(f"line {lines.get(('question',), 1)}, question: {data.get('question')!r} but the file "
                        f"is {path.name}; rename the file or fix `question`")
    entries = {}
    for key, value in (data.get("answers") or {}).items():
        e = _entry(str(key), value, round_id=str(round_id), frame=frame, lines=lines, problems=problems)
        if e is not None:
            entries[str(key)] = e
    if problems:
        raise CodeFrameError(path, problems)
    return CodingStore(round_id, question, entries, path=path)


# -- `peo code` (wired in peo_lib/cli.py; this module imports no pandas, so `peo --help` stays light) --

def add_subcommand(subparsers):
    """Register ``peo code ROUND [--question ID] [--data-dir DIR]`` on the CLI's subparsers.

    The command scrubs the round's open answers (cached), adds new answers with the code frame's
    proposals to ``DATA_DIR/codering/ROUND/QUESTION.yml`` (confirmed codings are kept) and prints
    ``OPEN01: 37 van 148 gecodeerd`` per question.
    """
    p = subparsers.add_parser("code", help="add new open answers with the code frame's proposals to "
                                           "DATA_DIR/codering/ROUND/ and show how many are coded")
    p.add_argument("round", metavar="ROUND", help="round id, e.g. 2021-1")
    p.add_argument("--question", default=None, help="one open question id (default: every question with a frame)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with codebooks/, raw/, codeframes/ and codering/ (default: the repository's data/)")
    p.set_defaults(func=_cmd_code)
    return p


def _cmd_code(args) -> int:
    from peo_lib.data.codeframe import load_codeframes
    from peo_lib.data.rounds import load_round
    from peo_lib.paths import DATA_DIR, codebook_path, raw_dir
    from peo_lib.report.open_themes import question_coding

    data_dir = Path(args.data_dir) if args.data_dir else Path(DATA_DIR)
    rnd = load_round(codebook_path(args.round, data_dir), raw_dir(data_dir))
    if args.question is not None and args.question not in rnd.codebook.open_questions:
        from peo_lib.errors import PEOError

        raise PEOError(f"round {rnd.id} has no open question {args.question!r} "
                       f"(open questions: {', '.join(rnd.codebook.open_questions)})")
    frames = load_codeframes(data_dir)
    for q in [args.question] if args.question else list(rnd.codebook.open_questions):
        qc = question_coding(rnd, q, data_dir=data_dir, frames=frames)
        if qc.frame is None:
            print(f"{q}: no code frame in {data_dir / 'codeframes'} (see docs/codeframe.md)")
            continue
        path = qc.save()
        done, total = qc.store.progress()
        print(f"{q}: {done} van {total} gecodeerd ({path})")
    return 0
