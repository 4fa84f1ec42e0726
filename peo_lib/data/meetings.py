"""What a PJH meeting concluded and proposed: ``DATA_DIR/bijeenkomsten/YYYY-MM-DD.yml``.

The dashboard's meeting mode (``Bijeenkomst``) writes this file while the
meeting goes on (debounced, atomic: a crash or a closed browser loses at most
the last second of typing); ``peo verslag DATE`` renders it; ``peo actions
accept DATE`` moves proposed actions into the register (``verbeteracties.yml``)
explicitly, never silently::

    datum: 2026-12-02
    onderwerpen:                       # the views discussed, in the order first discussed
      - ronde: "2023-1"
        blok: kern
        onderwerp: item:PR01           # item:ID, scale:ID or block:BLOCK[:RESPONSE_SET]
        uitsplitsing: ervaringsgroep   # the breakdown last shown (geen, ervaringsgroep, functie, ...)
        conclusie: Starters ervaren minder ruimte; navragen bij de teams.
        bijgewerkt: "2026-12-02T19:42:10"
    acties:
      - id: VA-2026-12-02-01
        titel: Intervisie voor startende professionals
        eigenaar: PJH werkgroep
        ronde_start: "2024-1"
        status: gepland
        schalen: [professionele_ruimte]
        items: [PR01]
        onderwerp: item:PR01           # the view it was proposed at (optional)
        overgenomen: false             # true once `peo actions accept` put it into the register

The proposed actions are validated with the register's own model and rules
(:class:`peo_lib.data.register.Action`, :func:`~peo_lib.data.register.parse_register`:
required keys, round ids, unique ids, known scales and items), so an accepted
action is always a valid register entry. The file lives in the data folder
(it is an input, like the register, and holds unscrubbed text); everything
published from it goes through :func:`peo_lib.privacy.scrub.scrub_texts` first
(:mod:`peo_lib.publish.verslag`).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peo_lib.data.codebook import ROUND_PATTERN, read_yaml
from peo_lib.data.register import Action, parse_register, read_register
from peo_lib.errors import MeetingError, RegisterError
from peo_lib.fileio import atomic_write

__all__ = ["ViewNote", "ProposedAction", "Meeting", "meetings_dir", "meeting_path", "parse_meeting",
           "read_meeting", "write_meeting", "load_or_new", "set_conclusion", "propose_action",
           "accept_actions", "check_date", "MEETINGS_FOLDER"]

#: The folder of the meeting files inside DATA_DIR.
MEETINGS_FOLDER = "bijeenkomsten"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SUBJECT = r"^(item|scale|block):[^\s]+$"
_MAX_TEXT = 5000


class ViewNote(BaseModel):
    """One discussed view and the group's conclusion."""

    model_config = ConfigDict(extra="forbid")

    ronde: str = Field(pattern=ROUND_PATTERN)
    blok: str = Field(min_length=1)
    onderwerp: str = Field(pattern=_SUBJECT)
    uitsplitsing: str = Field(default="geen", min_length=1)
    conclusie: str = Field(default="", max_length=_MAX_TEXT)
    bijgewerkt: str | None = None


class ProposedAction(Action):
    """A proposed improvement action: a register :class:`~peo_lib.data.register.Action` plus where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["gepland", "lopend", "afgerond"] = "gepland"
    onderwerp: str | None = Field(default=None, pattern=_SUBJECT)
    overgenomen: bool = False

    def register_entry(self) -> dict:
        """The keys of the register (:class:`~peo_lib.data.register.Action`), in its order."""
        return {k: getattr(self, k) for k in Action.model_fields}


class Meeting(BaseModel):
    """A meeting file: its date, the views discussed, the proposed actions."""

    model_config = ConfigDict(extra="forbid")

    datum: _dt.date
    onderwerpen: list[ViewNote] = []
    acties: list[ProposedAction] = []

    def note(self, ronde: str, onderwerp: str) -> ViewNote | None:
        """The note of a view (round, subject), or None."""
        return next((v for v in self.onderwerpen if v.ronde == ronde and v.onderwerp == onderwerp), None)


def check_date(date) -> str:
    """``YYYY-MM-DD`` of a real calendar date (a ``datetime.date`` is accepted); else a MeetingError."""
    if isinstance(date, _dt.date):
        return date.isoformat()
    text = str(date).strip()
    if not _DATE.match(text):
        raise MeetingError(f"{MEETINGS_FOLDER}/{text[:20]}", "a meeting date is written YYYY-MM-DD, e.g. 2026-12-02")
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        raise MeetingError(f"{MEETINGS_FOLDER}/{text}.yml", f"{text!r} is not a calendar date") from None
    return text


def meetings_dir(data_dir=None) -> Path:
    """``DATA_DIR/bijeenkomsten`` (``DATA_DIR``: ``$PEO_DATA_DIR``, else the repository's ``data/``)."""
    from peo_lib import paths

    return Path(data_dir if data_dir is not None else paths.DATA_DIR) / MEETINGS_FOLDER


def meeting_path(date, *, data_dir=None) -> Path:
    """``DATA_DIR/bijeenkomsten/YYYY-MM-DD.yml``."""
    return meetings_dir(data_dir) / f"{check_date(date)}.yml"


def _problem(err) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"{loc}: unknown key"
    if err["type"] == "missing":
        return f"{loc}: required key is missing"
    if err["type"] == "string_pattern_mismatch" and err["loc"][-1] in ("ronde", "ronde_start"):
        return f"{loc}: {err['input']!r} is not a round id like '2021-1' (put it in quotes)"
    if err["type"] == "string_pattern_mismatch":
        return f"{loc}: {err['input']!r} is not a subject like item:PR01, scale:ID or block:kern"
    return f"{loc}: {err['msg']}"


def parse_meeting(data, *, path="<bijeenkomst>", codebooks=None) -> Meeting:
    """Validate a loaded meeting file.

    Parameters
    ----------
    data : dict
    path : str or Path
        Named in errors; its stem must be the file's ``datum``.
    codebooks : iterable or dict of Codebook or Round, optional
        When given, rounds, scales and items must exist (the register's rule for actions).

    Raises
    ------
    MeetingError
        Every problem as ``key.path: message``.
    """
    if not isinstance(data, dict):
        raise MeetingError(path, f"expected a mapping with datum, onderwerpen, acties; found {type(data).__name__}")
    problems = []
    raw_actions = data.get("acties") or []
    try:
        meeting = Meeting.model_validate({**data, "acties": []})
    except ValidationError as exc:
        problems += [_problem(e) for e in exc.errors()]
        meeting = None
    actions = _parse_actions(raw_actions, path=path, codebooks=codebooks, problems=problems)
    if meeting is not None:
        stem = Path(str(path)).stem
        if _DATE.match(stem) and stem != meeting.datum.isoformat():
            problems.append(f"datum: {meeting.datum.isoformat()} differs from the file name {stem}.yml")
        if codebooks is not None:
            problems += _unknown_views(meeting, codebooks)
    if problems:
        raise MeetingError(path, problems)
    return meeting.model_copy(update={"acties": actions})


def _parse_actions(raw, *, path, codebooks, problems) -> list:
    """The proposed actions, checked by the register's own rules (messages ``acties[k].key``)."""
    if not isinstance(raw, list):
        problems.append(f"acties: expected a list of actions, found {type(raw).__name__}")
        return []
    own = ("onderwerp", "overgenomen")
    entries = [({"status": "gepland", **{k: v for k, v in e.items() if k not in own}}
                if isinstance(e, dict) else e) for e in raw]
    try:
        parse_register(entries, path=path, codebooks=codebooks)
    except RegisterError as exc:
        problems += [p.replace("verbeteracties[", "acties[", 1) for p in exc.problems]
    actions = []
    for k, e in enumerate(raw, start=1):
        if not isinstance(e, dict):
            continue
        try:
            actions.append(ProposedAction.model_validate(e))
        except ValidationError as exc:
            problems += [f"acties[{k}].{_problem(err)}" for err in exc.errors() if err["loc"][0] in own]
    return actions


def _unknown_views(meeting: Meeting, codebooks) -> list[str]:
    cbs = {}
    for cb in (codebooks.values() if isinstance(codebooks, dict) else codebooks):
        cb = getattr(cb, "codebook", cb)
        cbs[cb.round] = cb
    out = []
    for k, v in enumerate(meeting.onderwerpen, start=1):
        cb = cbs.get(v.ronde)
        if cb is None:
            out.append(f"onderwerpen[{k}].ronde: no codebook for round {v.ronde!r}")
            continue
        kind, ident = v.onderwerp.split(":", 1)
        known = {"item": cb.items, "scale": cb.scales, "block": set(cb.blocks)}[kind]
        if kind == "block":
            ident = ident.split(":", 1)[0]
        if ident not in known:
            out.append(f"onderwerpen[{k}].onderwerp: {v.onderwerp!r} is not in the codebook of {v.ronde}")
    return out


def read_meeting(date_or_path, *, data_dir=None, codebooks=None) -> Meeting:
    """Read and validate a meeting file (a date ``YYYY-MM-DD`` or a path)."""
    path = Path(date_or_path) if str(date_or_path).endswith((".yml", ".yaml")) else meeting_path(
        date_or_path, data_dir=data_dir)
    if not path.is_file():
        raise MeetingError(path, "meeting file not found (the dashboard's Bijeenkomst tab writes it)")
    data, _ = read_yaml(path, error=MeetingError, what="meeting")
    return parse_meeting(data, path=path, codebooks=codebooks)


def load_or_new(date, *, data_dir=None) -> Meeting:
    """The meeting of a date: read when its file exists, else a new empty one."""
    path = meeting_path(date, data_dir=data_dir)
    if path.is_file():
        return read_meeting(path)
    return Meeting(datum=_dt.date.fromisoformat(check_date(date)))


def _q(value) -> str:
    """A YAML scalar or flow list: JSON is valid YAML, and quotes keep round ids strings."""
    return json.dumps(value, ensure_ascii=False)


def dump_meeting(meeting: Meeting) -> str:
    """The YAML text of a meeting (stable key order, every string quoted)."""
    lines = ["# PJH-bijeenkomst: conclusies en voorgestelde verbeteracties (geschreven door het dashboard).",
             f"datum: {meeting.datum.isoformat()}", "onderwerpen:" + ("" if meeting.onderwerpen else " []")]
    for v in meeting.onderwerpen:
        d = v.model_dump()
        lines.append(f"  - ronde: {_q(d.pop('ronde'))}")
        lines += [f"    {k}: {_q(x)}" for k, x in d.items() if x is not None]
    lines.append("acties:" + ("" if meeting.acties else " []"))
    for a in meeting.acties:
        d = a.model_dump()
        lines.append(f"  - id: {_q(d.pop('id'))}")
        lines += [f"    {k}: {_q(x)}" for k, x in d.items() if x is not None]
    return "\n".join(lines) + "\n"


def write_meeting(meeting: Meeting, *, data_dir=None) -> Path:
    """Validate and write ``DATA_DIR/bijeenkomsten/DATE.yml`` atomically; returns the path."""
    path = meeting_path(meeting.datum, data_dir=data_dir)
    text = dump_meeting(meeting)
    import yaml

    parse_meeting(yaml.safe_load(text), path=path)  # what is written always reads back valid
    atomic_write(path, text)
    return path


def set_conclusion(meeting: Meeting, *, ronde: str, blok: str, onderwerp: str, uitsplitsing: str,
                   conclusie: str) -> Meeting:
    """The meeting with this view's conclusion (and breakdown) set; the view is added when new."""
    stamp = _dt.datetime.now().replace(microsecond=0).isoformat()
    notes = list(meeting.onderwerpen)
    new = ViewNote(ronde=ronde, blok=blok, onderwerp=onderwerp, uitsplitsing=uitsplitsing,
                   conclusie=conclusie, bijgewerkt=stamp)
    for k, v in enumerate(notes):
        if v.ronde == ronde and v.onderwerp == onderwerp:
            notes[k] = new
            break
    else:
        notes.append(new)
    return meeting.model_copy(update={"onderwerpen": notes})


def propose_action(meeting: Meeting, *, titel: str, eigenaar: str, ronde_start: str, schalen=(), items=(),
                   onderwerp: str | None = None, codebooks=None) -> tuple[Meeting, ProposedAction]:
    """The meeting with one more proposed action (id ``VA-DATE-NN``), validated as a register entry.

    Raises
    ------
    MeetingError
        A missing title or owner, a bad round id, an unknown scale or item.
    """
    used = {a.id for a in meeting.acties}
    k = len(meeting.acties) + 1
    while f"VA-{meeting.datum.isoformat()}-{k:02d}" in used:
        k += 1
    data = dict(id=f"VA-{meeting.datum.isoformat()}-{k:02d}", titel=str(titel).strip(),
                eigenaar=str(eigenaar).strip(), ronde_start=str(ronde_start).strip(), status="gepland",
                schalen=list(schalen), items=list(items), onderwerp=onderwerp)
    path = meeting_path(meeting.datum)
    try:
        action = ProposedAction.model_validate(data)
    except ValidationError as exc:
        raise MeetingError(path, [_problem(e) for e in exc.errors()]) from None
    updated = meeting.model_copy(update={"acties": [*meeting.acties, action]})
    parse_meeting(updated.model_dump(mode="json"), path=path, codebooks=codebooks)
    return updated, action


# -- moving proposed actions into the register ------------------------------------------

def _register_text(old: str, entries: list[dict]) -> str:
    """The register's text with entries appended in its own list style (comments and order kept)."""
    indent = ""
    for line in old.splitlines():
        m = re.match(r"^(\s*)- ", line)
        if m:
            indent = m.group(1)
    if not old.strip():
        old = "# Verbeteracties van het PJH (zie peo_lib/data/register.py).\n"
    elif re.match(r"^\s*verbeteracties:\s*\[\s*\]\s*$", old.strip().splitlines()[-1]):
        old = re.sub(r"verbeteracties:\s*\[\s*\]\s*$", "verbeteracties:", old.rstrip())
        indent = "  "
    out = [old.rstrip("\n"), ""]
    for e in entries:
        keys = list(e)
        out.append(f"{indent}- {keys[0]}: {_q(e[keys[0]])}")
        out += [f"{indent}  {k}: {_q(e[k])}" for k in keys[1:]]
    return "\n".join(out) + "\n"


def _codebooks(data_dir):
    from peo_lib import paths
    from peo_lib.data.codebook import read_codebook

    return [read_codebook(f) for f in paths.codebook_files(data_dir)]


def accept_actions(date, ids=None, *, data_dir=None) -> list[ProposedAction]:
    """Move proposed actions of a meeting into ``DATA_DIR/verbeteracties.yml``.

    Parameters
    ----------
    date : str
        The meeting, ``YYYY-MM-DD``.
    ids : list of str, optional
        The actions to accept (default: every action not yet accepted).
    data_dir : str or Path, optional

    Returns
    -------
    list of ProposedAction
        The actions written to the register (also marked ``overgenomen`` in the meeting file).

    Raises
    ------
    MeetingError
        An unknown id, an action already accepted, or one whose id or title is
        already in the register (nothing is written then); an invalid meeting
        file or register.
    """
    codebooks = _codebooks(data_dir)
    meeting = read_meeting(date, data_dir=data_dir, codebooks=codebooks)
    mpath = meeting_path(date, data_dir=data_dir)
    known = {a.id: a for a in meeting.acties}
    wanted = list(ids) if ids else [a.id for a in meeting.acties if not a.overgenomen]
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise MeetingError(mpath, f"no proposed action {unknown[0]!r} (the meeting has: "
                                  f"{', '.join(known) or 'none'})")
    if not wanted:
        raise MeetingError(mpath, "no proposed actions left to accept (all are already in the register)")
    from peo_lib import paths

    rpath = Path(data_dir if data_dir is not None else paths.DATA_DIR) / "verbeteracties.yml"
    old = rpath.read_text(encoding="utf-8") if rpath.is_file() else ""
    register = read_register(rpath, codebooks=codebooks) if old.strip() else None
    existing = list(register.actions) if register is not None else []
    ids_in = {a.id for a in existing}
    titles_in = {a.titel.casefold().strip(): a.id for a in existing}
    for i in wanted:
        a = known[i]
        if a.overgenomen or a.id in ids_in:
            raise MeetingError(rpath, f"action {a.id} is already in the register; nothing written")
        if a.titel.casefold().strip() in titles_in:
            raise MeetingError(rpath, f"action {a.id} ({a.titel!r}) duplicates {titles_in[a.titel.casefold().strip()]} "
                                      "in the register; nothing written")
        titles_in[a.titel.casefold().strip()] = a.id
    text = _register_text(old, [known[i].register_entry() for i in wanted])
    import yaml

    data = yaml.safe_load(text)
    check = parse_register(data, path=rpath, codebooks=codebooks)
    if len(check.actions) != len(existing) + len(wanted):
        raise MeetingError(rpath, "could not append to the register in its own layout; add the actions by hand")
    atomic_write(rpath, text)
    accepted = set(wanted)
    meeting = meeting.model_copy(update={"acties": [a.model_copy(update={"overgenomen": True})
                                                    if a.id in accepted else a for a in meeting.acties]})
    write_meeting(meeting, data_dir=data_dir)
    return [known[i] for i in wanted]
