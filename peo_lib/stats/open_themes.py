"""Counting the themes of open answers: per respondent, per group, per round (before any suppression).

The inputs are the scrubbed answers of one question (a Series per respondent, from
:func:`peo_lib.privacy.scrub.scrub_open_answers`), the question's coding
(:class:`~peo_lib.data.coding.CodingStore`) and its code frame
(:class:`~peo_lib.data.codeframe.CodeFrame`). The tables here hold *raw counts*: the report
(:mod:`peo_lib.report.open_themes`) suppresses small groups before anything is shown.

Decisions
---------
* The base of a percentage is the respondents who *answered* the question (a blank or a
  punctuation-only answer is no answer), also the ones whose answer is not coded yet: "23% of the
  professionals who answered named administration". An answer can have several themes, so the
  percentages of a question add up to more than 100.
* A parent theme counts every respondent with the parent or any of its children, once.
* ``rules=True`` (default) counts the rule proposals of answers nobody confirmed yet beside the
  confirmed codings (the report says how many of each); ``rules=False`` counts confirmed codings only.
* Only themes *active* in a round (``since``/``until``) are counted there; in a trend a theme that was
  not in the frame of a round has no value for it (not 0).
* :func:`suggest_themes` (TF-IDF + NMF, scikit-learn, Dutch stop words) proposes *suggestions* for new
  themes from uncoded answers; a researcher decides whether they become themes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from peo_lib.data.coding import CONFIRMED, PROPOSED, UNCODED, answer_key

__all__ = ["respondent_codes", "theme_counts", "status_counts", "theme_trend", "suggest_themes",
           "answered_mask", "DUTCH_STOP_WORDS"]

_EMPTY_ANSWER = re.compile(r"^[\W_]*$")


def answered_mask(answers: pd.Series) -> pd.Series:
    """True where a respondent gave a non-empty answer (the base of every percentage)."""
    return answers.map(lambda v: isinstance(v, str) and not _EMPTY_ANSWER.match(v.strip())).astype(bool)


def respondent_codes(answers, store, frame, *, rules=True) -> pd.DataFrame:
    """Per respondent: answered, coding status and one boolean column per active theme.

    Parameters
    ----------
    answers : Series
        Scrubbed answers of one question, indexed by respondent (kept in memory only).
    store : CodingStore
    frame : CodeFrame
    rules : bool
        Count unconfirmed rule proposals too (default True).

    Returns
    -------
    DataFrame
        Same index as ``answers`` (never written anywhere): ``answered``, ``status`` and the theme
        ids of ``frame.active_themes(round)``; a parent is True when it or a child is.
    """
    rid = store.round_id
    themes = frame.active_themes(rid)
    answered = answered_mask(answers)
    status = pd.Series(None, index=answers.index, dtype=object)
    flags = np.zeros((len(answers), len(themes)), dtype=bool)
    pos = {t: j for j, t in enumerate(themes)}
    for i, (text, ok) in enumerate(zip(answers, answered)):
        if not ok:
            continue
        key = answer_key(rid, text)
        st = store.status(key)
        given = store.themes(key) if (st == CONFIRMED or (rules and st == PROPOSED)) else ()
        if st == PROPOSED and not rules:
            st = UNCODED
        status.iloc[i] = st
        for t in given:
            if t in pos:
                flags[i, pos[t]] = True
                parent = frame.themes[t].parent
                if parent in pos:
                    flags[i, pos[parent]] = True
    out = pd.DataFrame(flags, index=answers.index, columns=themes)
    out.insert(0, "status", status)
    out.insert(0, "answered", answered)
    return out


def _groups(codes, groups):
    if groups is None:
        return pd.Series("__all__", index=codes.index, dtype=object)
    return groups.reindex(codes.index)


def theme_counts(codes, frame, round_id, *, groups=None, unknown="Onbekend") -> pd.DataFrame:
    """Respondents per theme (and group), with the base of answering respondents.

    Parameters
    ----------
    codes : DataFrame
        From :func:`respondent_codes`.
    frame : CodeFrame
    round_id : str
    groups : Series, optional
        Group per respondent (e.g. ``rnd.background["ervaringsgroep"]``); None: one group of everyone.
        A respondent without a group is in ``unknown``.
    unknown : str

    Returns
    -------
    DataFrame
        One row per (group, theme) in frame order: ``group``, ``theme``, ``label``, ``parent``
        (None for a top-level theme), ``level`` (1 or 2), ``n`` (respondents with the theme),
        ``base`` (respondents who answered), ``pct`` (0-100, NaN when the base is 0). Raw counts:
        suppress before showing.
    """
    g = _groups(codes, groups)
    g = g.astype(object).where(g.notna(), unknown).map(str)
    ans = codes["answered"].to_numpy(dtype=bool)
    themes = frame.active_themes(str(round_id))
    rows = []
    labels = sorted(set(g[ans]), key=str)
    for grp in labels:
        sel = ans & (g.to_numpy() == grp)
        base = int(sel.sum())
        for t in themes:
            n = int(codes[t].to_numpy(dtype=bool)[sel].sum())
            th = frame.themes[t]
            rows.append(dict(group=grp, theme=t, label=th.label, parent=th.parent, level=1 if th.parent is None else 2,
                             n=n, base=base, pct=100.0 * n / base if base else np.nan))
    return pd.DataFrame(rows, columns=["group", "theme", "label", "parent", "level", "n", "base", "pct"])


def status_counts(codes, *, groups=None, unknown="Onbekend") -> pd.DataFrame:
    """Answering respondents per coding status (``bevestigd``, ``voorstel``, ``ongecodeerd``) and group."""
    g = _groups(codes, groups)
    g = g.astype(object).where(g.notna(), unknown).map(str)
    ans = codes["answered"].to_numpy(dtype=bool)
    rows = []
    for grp in sorted(set(g[ans]), key=str):
        sel = ans & (g.to_numpy() == grp)
        st = codes["status"][sel]
        for s in (CONFIRMED, PROPOSED, UNCODED):
            rows.append(dict(group=grp, status=s, n=int((st == s).sum()), base=int(sel.sum())))
    return pd.DataFrame(rows, columns=["group", "status", "n", "base"])


def theme_trend(per_round) -> pd.DataFrame:
    """The share of each theme across rounds (all respondents who answered).

    Parameters
    ----------
    per_round : iterable of (round_id, codes, frame)
        ``codes`` from :func:`respondent_codes`, in any order.

    Returns
    -------
    DataFrame
        One row per (theme, round) over every theme of any of the frames, rounds in time order:
        ``theme``, ``label``, ``parent``, ``round``, ``active`` (the theme was in that round's frame),
        ``n``, ``base``, ``pct`` (NaN where not active). Raw counts: suppress before showing.
    """
    per_round = sorted(per_round, key=lambda r: str(r[0]))
    labels, parents = {}, {}
    for _, _, frame in per_round:
        for t, th in frame.themes.items():
            labels.setdefault(t, th.label)
            parents.setdefault(t, th.parent)
    rows = []
    for t in labels:
        for rid, codes, frame in per_round:
            base = int(codes["answered"].sum())
            active = t in codes.columns and t in frame.active_themes(str(rid))
            n = int(codes.loc[codes["answered"], t].sum()) if active else np.nan
            rows.append(dict(theme=t, label=labels[t], parent=parents[t], round=str(rid), active=active,
                             n=n, base=base, pct=100.0 * n / base if active and base else np.nan))
    return pd.DataFrame(rows, columns=["theme", "label", "parent", "round", "active", "n", "base", "pct"])


#: Dutch function words (and survey filler) left out of :func:`suggest_themes`.
DUTCH_STOP_WORDS = frozenset("""
aan al alle alles als altijd andere ben bij daar daarom dan dat de der deze die dit doch doen door dus een
eens eigenlijk en er ga gaan gaat geen gewoon had heb hebben heeft hem het hier hij hoe hun iemand iets ik
in is ja je jij jou jullie kan kon kunnen maar me meer men met mij mijn moet moeten na naar niet niets nog
nu of om omdat onder ons onze ook op over per reeds sommige te tegen toch toen tot u uit uw van veel voor
vooral waar wanneer want waren was wat we wel welk welke werd wie wij wil wordt worden word ze zal zelf zich
zij zijn zo zoals zodat zonder zou zouden zoveel zeker echt graag vaak steeds even heel erg nooit dingen
idee weet weten vind vinden denk soms beter minder mee elke elk ieder gehad geweest hadden kunt mag mogen
naam plaats mail telefoon adres organisatie
""".split())


def suggest_themes(texts, *, n_themes=4, n_words=6, min_answers=8, random_state=0) -> pd.DataFrame:
    """*Suggestions* for new themes from (uncoded) answers: TF-IDF + NMF on Dutch stop words.

    Parameters
    ----------
    texts : iterable of str
        Scrubbed answers, typically the uncoded ones (duplicates count as often as they occur).
    n_themes : int
        Number of suggestions (NMF components); fewer when there are few distinct answers.
    n_words : int
        Top words shown per suggestion.
    min_answers : int
        Fewer answers than this give an empty table (NMF on a handful of texts says nothing).
    random_state : int
        Seed of the NMF initialisation (the same answers give the same suggestions).

    Returns
    -------
    DataFrame
        ``suggestie`` ("suggestie 1", ...), ``woorden`` (top words, comma separated), ``n_antwoorden``
        (answers that load mostly on it) and ``voorbeeld`` (the answer that loads most). Suggestions,
        not themes: nothing is added to a code frame.
    """
    from peo_lib._validate import check_positive_int

    n_themes = check_positive_int(n_themes, "n_themes")
    n_words = check_positive_int(n_words, "n_words")
    cols = ["suggestie", "woorden", "n_antwoorden", "voorbeeld"]
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    if len(texts) < min_answers:
        return pd.DataFrame(columns=cols)
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words=sorted(DUTCH_STOP_WORDS), token_pattern=r"(?u)\b[^\W\d_][^\W\d_]{2,}\b",
                          lowercase=True, min_df=2 if len(texts) >= 20 else 1, sublinear_tf=True)
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # nothing left after the stop words
        return pd.DataFrame(columns=cols)
    k = int(min(n_themes, x.shape[1], len(set(texts)) - 1))
    if k < 1:
        return pd.DataFrame(columns=cols)
    nmf = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=500)
    w = nmf.fit_transform(x)
    words = np.array(vec.get_feature_names_out())
    best = w.argmax(axis=1)
    rows = []
    for j in range(k):
        top = words[np.argsort(nmf.components_[j])[::-1][:n_words]]
        rows.append(dict(suggestie=f"suggestie {j + 1}", woorden=", ".join(top),
                         n_antwoorden=int(((best == j) & (w.max(axis=1) > 0)).sum()),
                         voorbeeld=texts[int(np.argmax(w[:, j]))]))
    return pd.DataFrame(rows, columns=cols)
