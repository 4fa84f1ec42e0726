"""What the synthetic benchmark rounds share: the head of their codebook (bench_crosstab, bench_dashboard)."""

from __future__ import annotations

#: After ``source:``: privacy, the eens5 answer set and the background variables of a Haaglanden
#: round (functie 4, organisatie 5, gemeente 9 levels; the generators draw codes in these ranges).
_AFTER_SOURCE = """\
respondent_id: id
privacy: {min_n: 5, min_n_open: 10}
response_sets:
  eens5:
    values: {1: Helemaal oneens, 2: Oneens, 3: Neutraal, 4: Eens, 5: Helemaal eens}
    missing: {9: Weet ik niet}
background:
  ervaring_jaren: {column: jaren, type: number}
  functie: {column: functie, values: {1: Jeugdhulpverlener, 2: Gedragswetenschapper, 3: Teamleider, 4: Anders}}
  organisatie: {column: org, values: {1: Specialistische jeugdhulp, 2: Wijkteam, 3: Jeugdbescherming, 4: Vrijgevestigd, 5: Anders}}
  gemeente: {column: gemeente, values: {1: Den Haag, 2: Delft, 3: Zoetermeer, 4: Westland, 5: Rijswijk, 6: Leidschendam-Voorburg, 7: Pijnacker-Nootdorp, 8: Midden-Delfland, 9: Wassenaar}}
starter_max_years: 2
"""


def codebook_head(round_id: str, *, title: str, file: str) -> str:
    """The codebook of a synthetic round up to ``items:`` (the raw file ``file`` is a CSV)."""
    return (f'round: "{round_id}"\ntitle: {title}\ntheme: werkdruk\nsource: {{file: {file}, format: csv}}\n'
            + _AFTER_SOURCE)
