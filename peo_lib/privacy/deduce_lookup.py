"""A compact, fast-loading copy of deduce's lookup structures.

deduce 3.x keeps its name, street, place and institution lists as
``docdeid.ds.LookupTrie`` objects: one Python object (with its own dict) per
trie node, about 1.3 million items and several million nodes. Unpickling
them (``lookup_structs.pickle``, 77 MB) takes 15-20 s and 1.1 GB, and that
was the whole cost of deduce's start.

This module stores each trie as its *sorted list of items* (the tokens of an
item joined by a unit separator, ``\\x1f``) instead. A sorted list of strings
unpickles in a fraction of a second and takes about a tenth of the memory,
and :class:`CompactTrie` answers the same questions as a ``LookupTrie``
(``longest_matching_prefix``, ``in``, the start words that
``MultiTokenLookupAnnotator`` reads from ``children``) with two binary searches
per token. The items are exactly deduce's own (converted from its cache), so
deduce finds exactly what it found before; ``tests/test_scrub_start.py``
checks that the annotations are identical on the de-identification corpus.

The compact file (``peo_lookup_structs.pickle``) lives beside deduce's cache
(:func:`peo_lib.privacy.scrub.deduce_cache_path`, ``cache/``). It is made
from deduce's own cache the first time (by ``python -m peo_lib.setup_env`` or
on first use, under a lock) and made again when deduce's version or its
cache file changes. Every structure that is not a trie (the small
``LookupSet`` objects) is stored as it is.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import pickle
import tempfile
from pathlib import Path

__all__ = ["CompactTrie", "COMPACT_FILE", "compact_file", "load_compact", "write_compact",
           "compact_lookup_structs"]

#: File name of the compact lookup structures, in deduce's ``cache/`` folder.
COMPACT_FILE = "peo_lookup_structs.pickle"
#: Bump when the stored layout changes.
_FORMAT = 1
_SEP = "\x1f"  # joins the tokens of one item; no deduce token contains it


def _trie_base():
    from docdeid.ds import LookupTrie

    return LookupTrie


def _make_class():
    """Build :class:`CompactTrie` as a subclass of ``docdeid.ds.LookupTrie`` (deduce checks isinstance)."""
    LookupTrie = _trie_base()
    from docdeid.ds.lookup import LookupStructure

    class CompactTrie(LookupTrie):
        """A ``LookupTrie`` held as a sorted list of items (tokens joined by ``\\x1f``).

        Parameters
        ----------
        items : list of str
            Sorted, each item's tokens (after the matching pipeline) joined by ``\\x1f``.
        starts : iterable of str
            The distinct first tokens (what ``children.keys()`` gives).
        matching_pipeline : list, optional
            As in ``LookupTrie``: applied to every token before it is looked up.
        """

        def __init__(self, items=(), starts=None, matching_pipeline=None):  # noqa: D107
            LookupStructure.__init__(self, matching_pipeline=matching_pipeline)
            self._items = list(items)
            if starts is None:
                starts = {it.split(_SEP, 1)[0] for it in self._items}
            self.children = dict.fromkeys(starts)  # keys only: the annotator's start words
            self.is_terminal = False

        def __reduce__(self):
            return (_rebuild, (self._items, list(self.children), self.matching_pipeline))

        def __len__(self):
            return len(self._items)

        def _has(self, key):
            i = bisect.bisect_left(self._items, key)
            return i < len(self._items) and self._items[i] == key

        def _has_longer(self, key):
            key = key + _SEP
            i = bisect.bisect_left(self._items, key)
            return i < len(self._items) and self._items[i].startswith(key)

        # As LookupTrie does: the matching pipeline applies to the first token only when adding
        # or testing membership (its child nodes have no pipeline), to every token when matching.
        def _key(self, item):
            return [self._apply_matching_pipeline(item[0])] + list(item[1:])

        def add_item(self, item):
            tokens = self._key(item) if len(item) else []
            if not tokens:
                self.is_terminal = True
                return
            key = _SEP.join(tokens)
            if not self._has(key):
                bisect.insort(self._items, key)
            self.children.setdefault(tokens[0], None)

        def __contains__(self, item):
            if len(item) == 0:
                return self.is_terminal
            return self._has(_SEP.join(self._key(item)))

        def longest_matching_prefix(self, item, start_i=0):
            """The longest prefix of ``item[start_i:]`` that is an item, as a list, or None."""
            longest = 0
            key = None
            for i in range(start_i, len(item)):
                tok = self._apply_matching_pipeline(item[i])
                key = tok if key is None else key + _SEP + tok
                if self._has(key):
                    longest = i - start_i + 1
                if not self._has_longer(key):
                    break
            if not longest:
                return None
            return [self._apply_matching_pipeline(t) for t in item[start_i:start_i + longest]]

    return CompactTrie


_CLASS = None


def _compact_class():
    global _CLASS
    if _CLASS is None:
        _CLASS = _make_class()
    return _CLASS


def _rebuild(items, starts, matching_pipeline):
    return _compact_class()(items, starts, matching_pipeline)


def __getattr__(name):  # CompactTrie is made on first use (it needs docdeid)
    if name == "CompactTrie":
        return _compact_class()
    raise AttributeError(name)


def _trie_items(trie):
    """Every item of a ``LookupTrie`` as its tokens joined by ``\\x1f`` (iterative walk)."""
    out = []
    stack = [(trie, ())]
    while stack:
        node, prefix = stack.pop()
        if node.is_terminal and prefix:
            out.append(_SEP.join(prefix))
        for token, child in node.children.items():
            if _SEP in token:
                raise ValueError(f"a deduce token contains the separator: {token!r}")
            stack.append((child, prefix + (token,)))
    out.sort()
    return out


def compact_lookup_structs(lookup_structs):
    """A ``DsCollection`` like deduce's, with every ``LookupTrie`` replaced by a :class:`CompactTrie`.

    Parameters
    ----------
    lookup_structs : docdeid.ds.DsCollection
        ``Deduce().lookup_structs``.

    Returns
    -------
    docdeid.ds.DsCollection
    """
    from docdeid.ds import DsCollection

    LookupTrie = _trie_base()
    cls = _compact_class()
    out = DsCollection()
    for name in lookup_structs:
        struct = lookup_structs[name]
        if isinstance(struct, LookupTrie) and not isinstance(struct, cls):
            items = _trie_items(struct)
            out[name] = cls(items, list(struct.children), struct.matching_pipeline)
        else:
            out[name] = struct
    return out


def compact_file(cache_path) -> Path:
    """The compact file in deduce's cache folder ``cache_path`` (``cache/peo_lookup_structs.pickle``)."""
    return Path(cache_path) / "cache" / COMPACT_FILE


def _source_stamp(cache_path):
    """What the compact file was made from: deduce's version and its cache file's size and mtime."""
    from importlib.metadata import version

    src = Path(cache_path) / "cache" / "lookup_structs.pickle"
    st = src.stat()
    return {"format": _FORMAT, "deduce": version("deduce"), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def load_compact(cache_path):
    """The compact lookup structures, or None when missing or made from another deduce cache.

    Parameters
    ----------
    cache_path : str or Path
        deduce's cache folder (:func:`peo_lib.privacy.scrub.deduce_cache_path`).

    Returns
    -------
    docdeid.ds.DsCollection or None
    """
    path = compact_file(cache_path)
    try:
        stamp = _source_stamp(cache_path)
        with open(path, "rb") as fh:
            meta = pickle.load(fh)
            if meta != stamp:
                return None
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return None


def write_compact(cache_path, lookup_structs) -> Path:
    """Write the compact copy of ``lookup_structs`` (deduce's, just loaded) atomically.

    Parameters
    ----------
    cache_path : str or Path
        deduce's cache folder; its ``cache/lookup_structs.pickle`` must exist.
    lookup_structs : docdeid.ds.DsCollection
        ``Deduce(cache_path=cache_path).lookup_structs``.

    Returns
    -------
    Path
        The compact file.
    """
    path = compact_file(cache_path)
    compact = compact_lookup_structs(lookup_structs)
    stamp = _source_stamp(cache_path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(stamp, fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(compact, fh, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
