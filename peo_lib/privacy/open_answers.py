"""Which scrubbed open answers may be shown: groups of at least ``min_n_open``.

:func:`open_answers_for_output` scrubs a round's open answers
(:func:`peo_lib.privacy.scrub.scrub_open_answers`) and returns them tidy,
without respondent ids, in an order not linked to respondents, for the groups
in which at least ``min_n_open`` respondents answered (design.md, "Privacy
rules").
"""

from __future__ import annotations

import re

import pandas as pd
from peo_lib.privacy.disclosure import _check_min_n
from peo_lib.privacy.scrub import scrub_open_answers

__all__ = ["open_answers_for_output", "ALL_GROUP", "UNKNOWN_GROUP"]

_EMPTY_ANSWER = re.compile(r"^[\W_]*$")
ALL_GROUP = "Alle respondenten"
UNKNOWN_GROUP = "Onbekend"


def open_answers_for_output(rnd, *, by=None, cache_dir=None, scrubber=None,
                            min_n_open=None) -> pd.DataFrame:
    """Scrubbed open answers ready to show: tidy, grouped, unlinkable.

    Parameters
    ----------
    rnd : Round
    by : str, optional
        A column of ``rnd.background`` (``"ervaringsgroep"``, ``"functie"``):
        answers per group. Default: one group, ``"Alle respondenten"``.
        Respondents without a value are the group ``"Onbekend"``.
    cache_dir : str or Path, optional
        See :func:`scrub_open_answers`.
    scrubber : Scrubber, optional
    min_n_open : int, optional
        Default: the codebook's ``privacy.min_n_open``.

    Returns
    -------
    DataFrame
        Columns ``question`` (id), ``question_text``, ``group``, ``answer``;
        no respondent id; sorted by question, group and answer text (so the
        order says nothing about who wrote what). Only groups in which at
        least ``min_n_open`` respondents answered the question; the groups
        left out are in ``result.attrs["dropped"]`` (question, group and
        ``"n<10"``, never the exact count).

    Notes
    -----
    Show one grouping per question: per-group answers next to the answers
    of everyone would give the dropped group's answers by difference.
    """
    cb = rnd.codebook
    min_n_open = _check_min_n(cb.privacy.min_n_open if min_n_open is None else min_n_open,
                              "min_n_open")
    if by is not None and by not in rnd.background.columns:
        raise ValueError(f"`by` must be one of {list(rnd.background.columns)} (or None), "
                         f"but {by!r} was passed.")
    scrubbed = scrub_open_answers(rnd, cache_dir=cache_dir, scrubber=scrubber)
    if by is None:
        groups = pd.Series(ALL_GROUP, index=scrubbed.index, dtype=object)
    else:
        groups = rnd.background[by].astype(object).where(rnd.background[by].notna(), UNKNOWN_GROUP)
        groups = groups.map(str)
    rows, dropped = [], []
    for q in scrubbed.columns:
        text = cb.open_questions[q].text if q in cb.open_questions else str(q)
        answered = scrubbed[q].map(lambda v: isinstance(v, str) and not _EMPTY_ANSWER.match(v.strip()))
        for g, idx in groups[answered].groupby(groups[answered], sort=True).groups.items():
            if len(idx) < min_n_open:
                dropped.append({"question": q, "group": g, "n": f"n<{min_n_open}"})
                continue
            for a in scrubbed.loc[idx, q]:
                rows.append((q, text, g, a.strip()))
    out = pd.DataFrame(rows, columns=["question", "question_text", "group", "answer"])
    if len(out):
        out["_key"] = out["answer"].str.casefold()
        out = out.sort_values(["question", "group", "_key", "answer"], kind="stable")
        out = out.drop(columns="_key").reset_index(drop=True)
    out.attrs["dropped"] = dropped
    return out
