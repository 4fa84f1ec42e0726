"""Before any kernel starts: every round is checked, its open answers scrubbed, and a previous round
that cannot be loaded is named on the command line.

Bad input then stops with its own one-line message and nothing in OUT is touched
(:func:`validate_rounds`, used by :func:`peo_lib.publish.runner.run_reports`).
"""

from __future__ import annotations

from peo_lib.errors import PEOError

__all__ = ["all_round_ids", "validate_rounds", "previous_round_warnings"]


def all_round_ids(data_dir=None) -> list[str]:
    """Every round with a codebook in ``DATA_DIR/codebooks``, in time order (``peo report --all``)."""
    from peo_lib.paths import require_round_ids

    return require_round_ids(data_dir)


def validate_rounds(round_ids, *, data_dir=None, progress=None, warn=None) -> dict:
    """Check every round (codebook + raw file) and scrub its open answers once, before any kernel starts.

    Bad input then stops with its own one-line message and nothing in OUT is
    touched; the notebooks find the scrubbed answers in the cache (keyed by the
    raw file's SHA-256, :func:`peo_lib.paths.scrub_cache_dir`).

    Returns
    -------
    dict
        Round id -> the loaded :class:`~peo_lib.data.rounds.Round`.
    """
    from peo_lib.data.check import check_round
    from peo_lib.privacy.scrub import scrub_open_answers

    rounds = {}
    for round_id in round_ids:
        rnd = check_round(round_id, data_dir=data_dir).round
        if rnd.codebook.open_questions:
            if progress is not None:
                progress(f"scrubbing open answers of {round_id}")
            scrub_open_answers(rnd)
        rounds[round_id] = rnd
    if warn is not None:
        for line in previous_round_warnings(round_ids, data_dir=data_dir, loaded=rounds):
            warn(line)
    return rounds


def previous_round_warnings(round_ids, *, data_dir=None, loaded=None) -> list[str]:
    """One ``warning: ...`` line per round whose previous round cannot be loaded.

    The report is still built: its "Wat is veranderd" compares with the previous round's stored
    distributions (``DATA_DIR/aggregaten/PREV.json``, same numbers) when they are there, and says
    in Dutch that the comparison is not available otherwise (no path, no English); the command
    line says which and why, here.
    """
    from peo_lib.data.rounds import load_round
    from peo_lib.paths import codebook_path, raw_dir
    from peo_lib.data.codebook import read_codebook
    from peo_lib.report.tables import previous_round_id
    from peo_lib.stats.distributions import distributions_path, read_distributions

    loaded = dict(loaded or {})
    lines = []
    for round_id in round_ids:
        prev_id = previous_round_id(round_id, data_dir=data_dir)
        if prev_id is None or prev_id in loaded:
            continue
        try:
            loaded[prev_id] = load_round(codebook_path(prev_id, data_dir), raw_dir(data_dir))
        except PEOError as exc:
            reason = str(exc).splitlines()[0]
            try:
                read_distributions(prev_id, codebook=read_codebook(codebook_path(prev_id, data_dir)),
                                   data_dir=data_dir)
            except PEOError:
                lines.append(f"warning: {round_id} gets no comparison with the previous round {prev_id}, "
                             f"which cannot be loaded: {reason}")
            else:
                lines.append(f"warning: {round_id} is compared with the previous round {prev_id} from its stored "
                             f"distributions ({distributions_path(prev_id, data_dir=data_dir)}), since its raw "
                             f"file cannot be loaded: {reason}")
    return lines
