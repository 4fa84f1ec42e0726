"""Code frames of the open questions: themes reused across rounds (``DATA_DIR/codeframes/*.yml``).

A code frame lists the themes an open question's answers are sorted into, as
Displayr's reusable code frames and Qualtrics Text iQ topics do. One YAML file
per open question, found by the question id of the codebooks (``OPEN01``), so the
same frame codes every round that asks the question::

    question: OPEN01                 # open-question id of the codebooks
    themes:
      administratie:                 # theme id: lower case, digits, _ (stable: codings refer to it)
        label: Minder administratie  # Dutch, shown in the report
        description: Registratie, verantwoording, formulieren.
        keywords: [administratie, "*registratie", formulier]
        regex: ['\\bpapier(werk)?\\b']
      regels_gemeenten:
        label: Eén set regels voor alle gemeenten
        parent: regels               # two levels: a parent has no parent itself
        since: "2021-2"              # added in a later round: not proposed, offered or counted before it

The format, with every key, is in ``docs/codeframe.md``.

Decisions
---------
* *Rules propose, the researcher decides* (:mod:`peo_lib.data.coding`). A keyword matches case- and
  accent-insensitively at the start of a word (``regel`` matches ``regels`` and ``regelgeving``);
  a leading ``*`` lets it match inside a word too (``*registratie`` matches ``urenregistratie``).
  ``regex`` entries are Python regular expressions searched case-insensitively in the text with its
  accents removed (``cliënt`` is ``client``).
* *A theme added later does not change earlier rounds*: ``since`` (and ``until`` for a theme that is
  no longer used) make a theme *active* only in those rounds; an earlier round's proposals, widget and
  counts stay as they were, and its trend point is "not coded" rather than 0%. Themes are never deleted
  from a frame while a coding file uses them (that file then fails with a line naming the theme);
  set ``until`` instead.
* A frame may name the ``rounds`` it applies to (default: every round with the question). A question
  whose text changes with the theme block (``OPEN02``) gets one file per variant, each with its
  ``rounds``; two frames for the same question and round are an error.
* Errors are :class:`~peo_lib.errors.CodeFrameError`: the file, then one line per problem with its
  line number, key path and the fix.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from peo_lib.errors import CodeFrameError
from peo_lib.paths import ROUND_PATTERN

__all__ = ["Theme", "CodeFrame", "read_codeframe", "parse_codeframe", "load_codeframes", "codeframe_for",
           "codeframe_dir", "fold_text", "THEME_ID_PATTERN", "CODEFRAME_DIR"]

CODEFRAME_DIR = "codeframes"
THEME_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


def codeframe_dir(data_dir=None) -> Path:
    """``DATA_DIR/codeframes`` (the default data dir: :data:`peo_lib.paths.DATA_DIR`)."""
    from peo_lib.paths import DATA_DIR

    return Path(DATA_DIR if data_dir is None else data_dir) / CODEFRAME_DIR


def fold_text(text: str) -> str:
    """Case- and accent-folded text with single spaces (what the rules match against)."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _strip_accents(text: str) -> str:
    """Accents removed, case kept (a regex keeps ``\\B``, ``\\S``; it is searched case-insensitively)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _keyword_pattern(keyword: str) -> str:
    inside = keyword.startswith("*")
    words = fold_text(keyword.lstrip("*")).split()
    body = r"\s+".join(re.escape(w) for w in words)
    return body if inside else r"(?<!\w)" + body


class Theme(BaseModel):
    """One theme of a code frame (keys as in the YAML file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    description: str = ""
    keywords: list[str] = []
    regex: list[str] = []
    parent: str | None = None
    since: str | None = Field(None, pattern=ROUND_PATTERN)
    until: str | None = Field(None, pattern=ROUND_PATTERN)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v):
        for k in v:
            if not fold_text(k.lstrip("*")):
                raise ValueError(f"empty keyword {k!r}; remove it")
        return v

    @field_validator("regex")
    @classmethod
    def _regex(cls, v):
        for r in v:
            try:
                re.compile(r)
            except re.error as exc:
                raise ValueError(f"regex {r!r} is not a valid regular expression ({exc}); "
                                 "escape special characters such as ( ) . with a backslash") from None
        return v

    def active_in(self, round_id: str) -> bool:
        """Whether the theme is part of the frame in ``round_id`` (``since <= round <= until``)."""
        return (self.since is None or round_id >= self.since) and (self.until is None or round_id <= self.until)

    @cached_property
    def _patterns(self) -> list:
        return ([re.compile(_keyword_pattern(k)) for k in self.keywords]
                + [re.compile(_strip_accents(r), re.IGNORECASE) for r in self.regex])

    def matches(self, folded: str) -> bool:
        """Whether a rule matches ``folded`` (text from :func:`fold_text`)."""
        return any(p.search(folded) for p in self._patterns)


class _FrameModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1)
    title: str = ""
    rounds: list[str] | None = None
    themes: dict[str, Theme]

    @field_validator("rounds")
    @classmethod
    def _rounds(cls, v):
        for r in v or []:
            if not isinstance(r, str) or not re.match(ROUND_PATTERN, r):
                raise ValueError(f"{r!r} is not a round id like \"2021-1\" (put it in quotes)")
        return v


@dataclass(frozen=True)
class CodeFrame:
    """A validated code frame.

    Attributes
    ----------
    question : str
        The open-question id (``OPEN01``).
    themes : dict
        Theme id -> :class:`Theme`, in file order.
    title : str
    rounds : tuple of str or None
        The rounds the frame applies to (None: every round with the question).
    path : Path or None
    sha256 : str or None
        Of the file's bytes (a report can name the frame version it used).
    """

    question: str
    themes: dict
    title: str = ""
    rounds: tuple | None = None
    path: Path | None = None
    sha256: str | None = None
    _lines: dict = field(default_factory=dict, repr=False, compare=False)

    def applies_to(self, round_id: str) -> bool:
        return self.rounds is None or str(round_id) in self.rounds

    def active_themes(self, round_id: str) -> list:
        """Theme ids active in ``round_id``, parents before their children, otherwise in file order."""
        act = [t for t, th in self.themes.items() if th.active_in(str(round_id))]
        out = []
        for t in act:
            if self.themes[t].parent is None:
                out.append(t)
                out += [c for c in act if self.themes[c].parent == t]
        return out + [t for t in act if t not in out]

    def children(self, theme_id: str) -> list:
        return [t for t, th in self.themes.items() if th.parent == theme_id]

    def label(self, theme_id: str) -> str:
        return self.themes[theme_id].label

    def propose(self, text, round_id: str) -> list:
        """Theme ids whose rules match ``text`` (active themes only, in :meth:`active_themes` order)."""
        if not isinstance(text, str) or not text.strip():
            return []
        folded = fold_text(text)
        return [t for t in self.active_themes(round_id) if self.themes[t].matches(folded)]

    def line_of(self, *keys) -> int | None:
        """The line of a key path in the file (``line_of("themes", "regels")``), when known."""
        return self._lines.get(tuple(keys))


# -- reading -----------------------------------------------------------------------------------

def line_index(text: str) -> dict:
    """Key path (tuple of str) -> 1-based line of the key, for every mapping key of a YAML text."""
    import yaml

    out = {}

    def walk(node, prefix):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = prefix + (str(k.value),)
                out.setdefault(key, k.start_mark.line + 1)
                walk(v, key)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                key = prefix + (i,)
                out.setdefault(key, v.start_mark.line + 1)
                walk(v, key)

    try:
        walk(yaml.compose(text, Loader=yaml.SafeLoader), ())
    except yaml.YAMLError:
        pass
    return out


def _where(lines: dict, loc) -> str:
    """``line 7, themes.regels.label`` for a key path (the nearest known line above it)."""
    loc = tuple(loc)
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return f"line {lines[loc[:n]]}, " + ".".join(map(str, loc))
    return ".".join(map(str, loc))


def _pydantic_problems(exc: ValidationError, lines: dict) -> list:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(Theme.model_fields) if len(loc) == 3 else ", ".join(_FrameModel.model_fields)
            msg = f"unknown key (allowed: {allowed}); check the spelling"
        elif err["type"] == "missing":
            msg = "required key is missing; add it" + (" (the Dutch label shown in reports)"
                                                       if loc[-1:] == ("label",) else "")
        elif err["type"] == "string_pattern_mismatch" and loc[-1] in ("since", "until"):
            msg = f"{err['input']!r} is not a round id like \"2021-1\" (put it in quotes)"
        elif err["type"] == "string_type" and not isinstance(err.get("input"), (dict, list)):
            msg = f"expected text, got {err['input']!r}: put it in quotes"
        elif err["type"] == "dict_type" and loc == ("themes",):
            msg = "expected a mapping of theme id -> {label: ..., ...}"
        out.append(f"{_where(lines, loc)}: {msg}")
    return out


def _cross_check(model: _FrameModel, lines: dict) -> list:
    problems = []
    ids = list(model.themes)
    for t, th in model.themes.items():
        if not re.match(THEME_ID_PATTERN, t):
            problems.append(f"{_where(lines, ('themes', t))}: theme id {t!r} must be lower case letters, digits "
                            "and _ (e.g. 'minder_regels'); the label holds the Dutch text")
        if th.parent is not None:
            where = _where(lines, ("themes", t, "parent"))
            if th.parent == t:
                problems.append(f"{where}: a theme cannot be its own parent; remove `parent`")
            elif th.parent not in model.themes:
                problems.append(f"{where}: unknown parent theme {th.parent!r}; use one of {ids}")
            elif model.themes[th.parent].parent is not None:
                problems.append(f"{where}: parent {th.parent!r} has a parent itself; a code frame has two "
                                f"levels, so use {model.themes[th.parent].parent!r} as parent")
        if th.since and th.until and th.since > th.until:
            problems.append(f"{_where(lines, ('themes', t, 'until'))}: until {th.until!r} is before since "
                            f"{th.since!r}; swap them or remove one")
    labels = {}
    for t, th in model.themes.items():
        if th.label.casefold() in labels:
            problems.append(f"{_where(lines, ('themes', t, 'label'))}: label {th.label!r} is also the label of "
                            f"{labels[th.label.casefold()]!r}; give each theme its own label")
        labels.setdefault(th.label.casefold(), t)
    return problems


def parse_codeframe(text: str, *, path="<codeframe>") -> CodeFrame:
    """Validate the YAML text of a code frame.

    Raises
    ------
    CodeFrameError
        One line per problem: line number, key path, what to change.
    """
    import yaml

    from peo_lib.data.codebook import _UniqueKeyLoader

    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CodeFrameError(path, f"YAML syntax error at {where}{problem}") from None
    if not isinstance(data, dict):
        raise CodeFrameError(path, "expected a mapping with `question:` and `themes:` at the top level "
                                   "(see docs/codeframe.md)")
    lines = line_index(text)
    try:
        model = _FrameModel.model_validate(data)
    except ValidationError as exc:
        raise CodeFrameError(path, _pydantic_problems(exc, lines)) from None
    problems = _cross_check(model, lines)
    if problems:
        raise CodeFrameError(path, problems)
    return CodeFrame(question=model.question, themes=dict(model.themes), title=model.title,
                     rounds=None if model.rounds is None else tuple(model.rounds),
                     path=None if path == "<codeframe>" else Path(path),
                     sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), _lines=lines)


def read_codeframe(path) -> CodeFrame:
    """Read and validate one code frame file (:func:`parse_codeframe`)."""
    path = Path(path)
    if not path.is_file():
        raise CodeFrameError(path, "code frame file not found; see docs/codeframe.md for the format")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodeFrameError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    return parse_codeframe(text, path=path)


def load_codeframes(data_dir=None) -> list:
    """Every code frame in ``DATA_DIR/codeframes`` (``*.yml``, ``*.yaml``), sorted by file name.

    A folder that does not exist gives an empty list (no frame: answers are listed, not counted).
    """
    from peo_lib.paths import yaml_files

    return [read_codeframe(f) for f in yaml_files(codeframe_dir(data_dir))]


def codeframe_for(question: str, round_id: str, *, data_dir=None, frames=None) -> CodeFrame | None:
    """The code frame of ``question`` in ``round_id`` (None when there is none).

    Parameters
    ----------
    question : str
        Open-question id (``OPEN01``).
    round_id : str
    data_dir : str or Path, optional
    frames : list of CodeFrame, optional
        Already loaded frames (default: :func:`load_codeframes`).

    Raises
    ------
    CodeFrameError
        When two frames claim the same question and round.
    """
    frames = load_codeframes(data_dir) if frames is None else frames
    found = [f for f in frames if f.question == question and f.applies_to(str(round_id))]
    if len(found) > 1:
        names = ", ".join(str(f.path.name if f.path else "<codeframe>") for f in found)
        raise CodeFrameError(found[1].path or "<codeframe>",
                             f"frames {names} both apply to {question} in round {round_id}; give each "
                             "a `rounds:` list that does not overlap")
    return found[0] if found else None
