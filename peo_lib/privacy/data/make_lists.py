"""Rebuild the word lists in this folder (a maintainer's tool; the outputs are committed).

* ``words_nl_en.txt.gz``: every lower-case entry of the OpenTaal Dutch word list
  (Debian package ``wdutch``, ``/usr/share/dict/dutch``) and of the SCOWL American
  English list (Debian package ``wamerican``, ``/usr/share/dict/american-english``),
  lower-cased, one a line, sorted. Only entries that start with a lower-case
  letter are taken: capitalised entries are proper nouns (places, names), which
  are exactly what the scrubber must still remove.
* ``first_names.txt.gz``: every first name in ``nam_dict.txt`` of the
  ``gender-guesser`` 0.4.0 package (data by Jörg Michael, GNU FDL 1.2 or later),
  one a line; ``+`` in a name (``Jan+Willem``) gives the hyphenated form and
  its parts.

See ``SOURCE.md`` for the licences. Usage::

    apt-get install wdutch wamerican
    pip download --no-deps gender-guesser==0.4.0 -d /tmp/gg && (cd /tmp/gg && unzip -o -q *.whl)
    python peo_lib/privacy/data/make_lists.py /tmp/gg/gender_guesser/data/nam_dict.txt
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _words(path):
    out = set()
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        w = line.strip()
        if w and w[0].islower():
            out.add(w.casefold())
    return out


def _first_names(path):
    names = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or len(line) < 4:
            continue
        name = line[3:29].strip()
        if not name or name[0] in "=":
            continue
        forms = {name.replace("+", "-")} | set(name.split("+"))
        names |= {f for f in forms if len(f) >= 2 and f[0].isupper()}
    return names


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    words = _words("/usr/share/dict/dutch") | _words("/usr/share/dict/american-english")
    with gzip.open(HERE / "words_nl_en.txt.gz", "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(sorted(words)) + "\n")
    names = _first_names(argv[0])
    with gzip.open(HERE / "first_names.txt.gz", "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(sorted(names)) + "\n")
    print(f"{len(words)} words, {len(names)} first names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
