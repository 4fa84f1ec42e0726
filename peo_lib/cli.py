"""The ``peo`` command: a thin layer over the library.

Each subcommand parses options and calls one library function with explicit
keywords. Errors the user can fix (:class:`~peo_lib.errors.PEOError`) become
one line on stderr and a non-zero exit; only bugs show a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from peo_lib import __version__
from peo_lib.errors import PEOError

__all__ = ["main", "run", "build_parser"]


def _add_dirs(p, *, out=True):
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with codebooks/ and raw/ (default: the repository's data/)")
    if out:
        p.add_argument("--out", type=Path, default=None,
                       help="output folder (default: the repository's outputs/)")


def _cmd_demo(args) -> int:
    from peo_lib.data import demo
    from peo_lib import paths

    target = args.data_dir or paths.DEMO_DIR
    summary = demo.generate(target, seed=args.seed)
    for line in summary:
        print(line)
    print(f"Demo rounds written to {target} (codebooks/ and raw/).")
    return 0


def _cmd_check(args) -> int:
    from peo_lib.data.check import check_round

    status = 0
    for rnd in args.rounds:
        report = check_round(rnd, data_dir=args.data_dir)
        print(report.text)
        status = max(status, report.exit_code(strict=args.strict))
    return status


def _cmd_init_round(args) -> int:
    from peo_lib.data.init_round import init_round

    result = init_round(args.round, raw=args.raw, like=args.like, data_dir=args.data_dir, force=args.force)
    for note in result.notes:
        print(f"  - {note}")
    print(f"Draft codebook written: {result.path}. Confirm every line marked CONTROLEER, "
          f"then run: peo check {args.round}")
    return 0


def _cmd_dashboard(args) -> int:
    if args.export is not None:
        from peo_lib.publish.dashboard_export import export_dashboard

        path = export_dashboard(args.export, data_dir=args.data_dir, out_dir=args.out)
        print(f"Offline dashboard written: {path} ({path.stat().st_size // 1024} KB)")
        return 0
    from peo_lib.dashboard.server import serve_dashboard

    return serve_dashboard(data_dir=args.data_dir, out_dir=args.out, port=args.port,
                           open_browser=not args.no_browser, meeting=args.meeting)


def _cmd_verslag(args) -> int:
    from peo_lib.publish.verslag import write_verslag

    path = write_verslag(args.date, data_dir=args.data_dir, out_dir=args.out)
    print(f"Meeting record written: {path} (and verslag.md beside it)")
    return 0


def _cmd_actions(args) -> int:
    from peo_lib.data.meetings import accept_actions

    accepted = accept_actions(args.date, args.ids or None, data_dir=args.data_dir)
    for a in accepted:
        print(f"  + {a.id}: {a.titel} (eigenaar {a.eigenaar}, vanaf {a.ronde_start})")
    print(f"{len(accepted)} action(s) moved into verbeteracties.yml.")
    return 0


def _cmd_slides(args) -> int:
    from pptx import Presentation

    from peo_lib.publish.slides import write_slides

    path = write_slides(args.round, data_dir=args.data_dir, out_dir=args.out, min_n=args.min_n)
    print(f"Slides written: {path} ({len(Presentation(path).slides)} slides, {path.stat().st_size // 1024} KB)")
    return 0


def _shown(text, width=20) -> str:
    text = str(text)
    return repr(text if len(text) <= width else text[:width] + "...")


def _whole_number(low, high):
    """An argparse type: a whole number in [low, high] (a 5,000-digit number is refused, not parsed)."""
    def parse(text):
        if not text.strip().lstrip("+-").isdigit() or len(text.strip()) > 12:
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number from {low} to {high}")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not a whole number from {low} to {high}")
        return value
    return parse


_positive_int = _whole_number(1, 64)


def _seconds(text):
    """A positive, finite number of seconds, at most a day."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 86_400:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a number of seconds from 1 to 86400")
    return value


def _cmd_report(args) -> int:
    import time

    from peo_lib.errors import ReportError
    from peo_lib.publish.progress import Progress
    from peo_lib.publish.runner import all_round_ids, run_reports

    if args.all and args.rounds:
        raise ReportError("give one or more ROUND ids, or --all, not both")
    if not (args.rounds or args.all or args.trends):
        raise ReportError("give one or more ROUND ids, or --all (every round and the trend report), or --trends")
    ids = all_round_ids(args.data_dir) if args.all else list(args.rounds)
    if args.trends and not ids:
        from peo_lib.paths import require_round_ids

        require_round_ids(args.data_dir)  # one line and nothing written when there are no rounds
    # run_reports validates every round (codebook + raw file) and scrubs the open answers once,
    # in this process, before any kernel starts: bad input stops with one line, OUT untouched.
    failed = None
    prog = Progress.to_stderr()
    if ids:
        try:
            run_reports(ids, jobs=args.jobs, data_dir=args.data_dir, out_dir=args.out, progress=prog,
                        audience=args.audience, timeout=args.timeout, min_n=args.min_n, force=args.force)
        except ReportError as exc:  # the trend report does not depend on the round reports
            failed = exc
    if args.all or args.trends:
        from peo_lib.publish.runner import run_trends_report, trends_up_to_date

        current = None if args.force else trends_up_to_date(data_dir=args.data_dir, out_dir=args.out)
        if current is not None:
            prog.say(f"trends up to date -> {current}")
        else:
            prog.phase("building the trend report (every round stacked once)")
            t0 = time.perf_counter()
            path = run_trends_report(data_dir=args.data_dir, out_dir=args.out, timeout=args.timeout)
            prog.say(f"[trends] {time.perf_counter() - t0:.1f} s  done -> {path}")
        if ids:
            prog.say(f"total {prog.seconds:.1f} s")
    if failed is not None:
        raise failed
    return 0


def _examples(*lines: str) -> dict:
    """``add_parser`` options that end a command's ``--help`` with examples (kept as written)."""
    text = "examples:\n" + "\n".join(f"  {line}" for line in lines)
    return {"epilog": text, "formatter_class": argparse.RawDescriptionHelpFormatter}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peo",
        description="PEO workspace: check rounds, build reports, run the panel dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"peo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="generate the synthetic demo rounds (seeded)")
    p.add_argument("--data-dir", type=Path, default=None, help="where to write (default: data/demo)")
    p.add_argument("--seed", type=int, default=2020, help="random seed (default: 2020)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("check", help="validate a round's codebook against its raw file",
                       **_examples("peo check 2021-1", "peo check 2021-1 2021-2 --strict",
                                   "peo check 2023-1 --data-dir data/demo"))
    p.add_argument("rounds", nargs="+", metavar="ROUND", help="round id(s), e.g. 2021-1")
    p.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")
    _add_dirs(p, out=False)
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("init-round", help="draft a codebook from a raw export",
                       **_examples("peo init-round 2024-1 --raw ~/Downloads/PEO_voorjaar.sav",
                                   "peo init-round 2024-2 --raw export.csv --like 2024-1"))
    p.add_argument("round", metavar="ROUND", help="new round id, e.g. 2023-2")
    p.add_argument("--raw", type=Path, required=True,
                   help="the export (.sav, Qualtrics CSV, ...); a bare name is looked up in DATA_DIR/raw")
    p.add_argument("--like", default=None, metavar="PREV",
                   help="previous round id or codebook file to match items to")
    p.add_argument("--force", action="store_true", help="overwrite an existing codebook")
    _add_dirs(p, out=False)
    p.set_defaults(func=_cmd_init_round)

    from peo_lib.vocab import AUDIENCES

    p = sub.add_parser("report", help="build round reports (HTML, Excel, figures) and the trend report",
                       **_examples("peo report 2021-1", "peo report --all --jobs 2",
                                   "peo report 2021-1 --audience gemeenten --out /share/peo",
                                   "peo report --all --data-dir data/demo --force"))
    p.add_argument("rounds", nargs="*", metavar="ROUND", help="round id(s), e.g. 2021-1")
    p.add_argument("--all", action="store_true", help="every round in DATA_DIR/codebooks, then the trend report")
    p.add_argument("--trends", action="store_true", help="(also) rebuild the trend report (OUT/trends)")
    p.add_argument("--jobs", "-j", type=_positive_int, default=1, help="rounds in parallel processes (default: 1)")
    p.add_argument("--audience", choices=AUDIENCES, default=None,
                   help="tailored summary for one audience (default: the full panel summary)")
    p.add_argument("--timeout", type=_seconds, default=600, help="seconds one notebook cell may run (default: 600)")
    p.add_argument("--min-n", type=_whole_number(1, 1000), default=None, dest="min_n",
                   help="stricter than the codebook's privacy.min_n (never looser)")
    p.add_argument("--force", action="store_true",
                   help="rebuild every report, also those that are up to date (inputs and code unchanged)")
    _add_dirs(p)
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("dashboard", help="serve the live panel dashboard (Voila, 127.0.0.1 only)")
    p.add_argument("--port", type=_whole_number(1, 65535), default=8866, help="port on 127.0.0.1 (default: 8866)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--export", metavar="ROUND", default=None,
                   help="write one offline HTML file OUT/dashboard/ROUND.html (suppressed aggregates only) "
                        "instead of serving")
    p.add_argument("--meeting", action="store_true",
                   help="open in meeting mode (tab Bijeenkomst): conclusions and proposed actions are saved "
                        "to DATA_DIR/bijeenkomsten/YYYY-MM-DD.yml")
    _add_dirs(p)
    p.set_defaults(func=_cmd_dashboard)

    p = sub.add_parser("verslag", help="write the offline meeting record OUT/bijeenkomsten/DATE/verslag.html")
    p.add_argument("date", metavar="DATE", help="the meeting, YYYY-MM-DD (DATA_DIR/bijeenkomsten/DATE.yml)")
    _add_dirs(p)
    p.set_defaults(func=_cmd_verslag)

    p = sub.add_parser("actions", help="move a meeting's proposed actions into DATA_DIR/verbeteracties.yml")
    asub = p.add_subparsers(dest="action_command", metavar="ACTION", required=True)
    pa = asub.add_parser("accept", help="accept proposed actions of a meeting (all not yet accepted, or IDs)")
    pa.add_argument("date", metavar="DATE", help="the meeting, YYYY-MM-DD")
    pa.add_argument("ids", nargs="*", metavar="ID", help="action ids, e.g. VA-2026-12-02-01 (default: all)")
    _add_dirs(pa, out=False)
    pa.set_defaults(func=_cmd_actions)

    p = sub.add_parser("slides", help="write a round's slide deck OUT/ROUND/presentatie.pptx")
    p.add_argument("round", metavar="ROUND", help="round id, e.g. 2023-1")
    p.add_argument("--min-n", type=_whole_number(1, 1000), default=None, dest="min_n",
                   help="stricter than the codebook's privacy.min_n (never looser)")
    _add_dirs(p)
    p.set_defaults(func=_cmd_slides)

    from peo_lib.data.coding import add_subcommand as _add_code_command

    _add_code_command(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except PEOError as exc:
        print(f"peo {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"peo {args.command}: stopped", file=sys.stderr)
        return 130


def _skip_unused_optional_imports() -> None:
    """Keep jsonschema's optional IRI checker out of the ``peo`` process.

    nbformat (papermill, nbconvert) imports jsonschema, which imports the optional
    ``rfc3987_syntax`` when it is installed (jupyter_events pulls it in): it builds a lark
    grammar at import, 0.9 s of a 1.0 s ``import nbformat`` on this machine, about a tenth of
    a cold ``peo report``. Notebook validation never checks the ``iri`` formats it serves, and
    jsonschema goes without it when the import fails (``sys.modules[name] = None``). Only the
    command's own process; a kernel, Voila or a user's session imports as usual.
    """
    if "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None


def run() -> None:
    """The console entry point (``peo``, ``python -m peo_lib``): :func:`main`, then a fast exit.

    Everything a command writes is written, closed and flushed when :func:`main` returns; what
    a normal interpreter exit adds is freeing every module's objects one by one, which costs
    time for nothing: 0.3 s after a trend report (about 1,400 modules: pandas, matplotlib,
    jupyter), 10-15 s with deduce's full lookup structures. So the process runs the exit
    handlers (temporary folders, logging, multiprocessing) and waits for any non-daemon thread
    as a normal exit would, then ends with ``os._exit``.
    """
    _skip_unused_optional_imports()
    code = main()
    _exit_now(code)


def _exit_now(code: int) -> None:
    """What a normal exit does that matters (threads joined, ``atexit`` handlers, streams
    flushed), without tearing down the modules; see :func:`run`."""
    import atexit
    import os
    import threading

    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # CPython's own exit path runs these the same way
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``peo ... | head``): nothing left to tell
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
