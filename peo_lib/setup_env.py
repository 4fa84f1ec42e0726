"""One-time environment preparation, run by ``make setup`` after pip install.

Kept separate so that slow first-time work happens during setup, not in the
middle of a panel meeting.

deduce (the de-identifier behind :mod:`peo_lib.privacy.scrub`) builds an 77 MB
lookup cache on its first initialisation, which takes 1-3 minutes (76 s measured on a 2-core machine); reading
it back takes 15-20 s and 1.1 GB. The scrubber therefore also writes a compact
copy beside it (``peo_lookup_structs.pickle``, 39 MB, see
:mod:`peo_lib.privacy.deduce_lookup`) that starts deduce in about 3 s and
250 MB. deduce writes its cache inside its own package folder
(``site-packages/deduce/data/lookup/cache/lookup_structs.pickle``) and rebuilds
it when the deduce version or its source lists change; the compact copy is
made again when deduce's cache changes. This script builds both now, in the
place :func:`peo_lib.privacy.scrub.deduce_cache_path`
picks: ``$PEO_DEDUCE_CACHE`` when set, else deduce's own folder when writable,
else ``deduce`` under :func:`peo_lib.paths.cache_dir` (``$PEO_CACHE_DIR/deduce``
or ``~/.cache/peo_lib/deduce``; a shared read-only install).

Usage: ``python -m peo_lib.setup_env [--no-deduce]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

__all__ = ["main", "warm_deduce"]


def warm_deduce() -> dict:
    """Build (or check) deduce's lookup cache.

    Returns
    -------
    dict
        ``path`` (the cache folder), ``built`` (True if deduce's cache or the
        compact copy was missing or stale), ``seconds`` (initialisation time).

    Raises
    ------
    PermissionError
        The cache folder cannot be written; set ``PEO_DEDUCE_CACHE``.
    """
    from peo_lib.privacy.deduce_lookup import compact_file, load_compact
    from peo_lib.privacy.scrub import _new_deduce, deduce_cache_path

    path = deduce_cache_path()
    cache = path / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    pickle = cache / "lookup_structs.pickle"
    existed = pickle.is_file() and load_compact(path) is not None
    if not existed and not os.access(cache, os.W_OK):
        raise PermissionError(f"cannot write deduce's lookup cache in {cache}; "
                              "set PEO_DEDUCE_CACHE to a writable folder")
    t0 = time.perf_counter()
    _new_deduce(path)
    seconds = time.perf_counter() - t0
    if not pickle.is_file():
        raise RuntimeError(f"deduce did not write its lookup cache to {pickle}")
    if not compact_file(path).is_file():
        raise RuntimeError(f"the compact lookup structures were not written to {compact_file(path)}")
    return {"path": path, "built": not existed, "seconds": seconds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m peo_lib.setup_env",
                                     description="Prepare the environment once (slow first-time work).")
    parser.add_argument("--no-deduce", action="store_true",
                        help="skip warming deduce's lookup cache (open-answer scrubbing)")
    args = parser.parse_args(argv)
    if not args.no_deduce:
        print("peo setup: preparing deduce (de-identification of open answers); "
              "the first time this takes a minute or two ...", flush=True)
        try:
            info = warm_deduce()
        except ImportError as exc:
            print(f"peo setup: {exc}", file=sys.stderr)
            return 1
        except (OSError, RuntimeError) as exc:
            print(f"peo setup: deduce cache not ready: {exc}", file=sys.stderr)
            return 1
        what = "built" if info["built"] else "checked"
        print(f"peo setup: deduce lookup cache {what} in {info['seconds']:.0f} s at {info['path'] / 'cache'}")
    print("peo setup: environment ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
