"""Run the report notebooks and publish their outputs (papermill + nbconvert, in process): one runner.

:func:`run_round_report` (``notebooks/ronde.ipynb``, one round) and
:func:`run_trends_report` (``notebooks/trends.ipynb``) are two uses of one runner,
:func:`run_notebook`: it executes a notebook with
papermill's Python API and exports the HTML with nbconvert's
:class:`~nbconvert.exporters.HTMLExporter` in the same process: starting the
``papermill`` or ``jupyter nbconvert`` command costs about 2.6 s each before
any work (jupyter-events builds its URL grammar at import), so neither CLI
is used. papermill and nbconvert are imported lazily, on the first report.

Outputs of one round (design.md), in ``OUT/ROUND/``::

    ronde.ipynb        the executed notebook (with code, for researchers)
    samenvatting.html  Dutch, no code, no prompts, images embedded, no URL
    tabellen.xlsx      every table of the report, suppressed (n<5)
    figuren/*.png      the figures, the same PNG bytes as in the HTML

Audience summaries (``audience="onderwijs"``, ... see
:data:`peo_lib.vocab.AUDIENCES`) come from the same notebook: cells tagged
``panel`` belong to the full summary, cells tagged with an audience to that
audience's summary, untagged cells to every summary; :func:`select_cells`
drops the others before papermill runs it. An audience summary goes next to
the full summary in the same round folder::

    ronde-AUDIENCE.ipynb        its executed notebook
    samenvatting-AUDIENCE.html  its HTML (same offline, code-free template)
    figuren-AUDIENCE/*.png      its figures

Atomic: everything is built in ``OUT/.ROUND.tmp-*`` (same file system) and
then installed under a lock file ``OUT/.cache/locks/ROUND.lock`` (runs for one round,
also in parallel processes, install one after another):

* the full summary swaps the whole round folder in with two renames (old ->
  ``.ROUND.old-*``, new -> ``ROUND``), after hard-linking the current
  audience summaries (the names above, nothing else) into the new folder:
  they are kept, and figures the new report no longer draws are not;
* an audience summary never touches other files: its figure folder is
  swapped in by two renames, then its notebook and last its HTML replace
  the old ones (``os.replace``, one file each). Readers therefore see the
  old or the new HTML, never a half-written one; for a moment the notebook
  can be newer than the HTML.

Nothing changed, nothing redone: :func:`run_reports` skips a summary whose content-hash manifest
(``OUT/ROUND/.manifest.json``, :mod:`peo_lib.publish.manifest`) still matches its inputs and
whose outputs are all there, and says so (``2021-1 up to date``); ``force=True`` (``peo report
--force``) builds everything. The manifest is written into the build folder before the install.

A failed run leaves the previous outputs untouched. The failed notebook
(with papermill's error marker) is kept as evidence in
``OUT/.ROUND.failed/ronde.ipynb`` (``OUT/.ROUND-AUDIENCE.failed/`` for an
audience) and named in the error.

Kernel
------
The notebook runs in a kernel of *this* Python (``sys.executable -m
ipykernel_launcher``), whatever kernelspecs exist on the machine. A kernel
*name* is resolved through the Jupyter data path (``JUPYTER_PATH``,
``~/.local/share/jupyter``, ``sys.prefix/share/jupyter``, ...), first match
wins: a user-level ``python3`` spec can point at another interpreter
without peo_lib, and jupyter_client's built-in fallback to ipykernel's own
spec only applies when no directory has a ``python3``. So
:func:`kernel_manager_class` returns a kernel manager whose spec manager
answers the private name :data:`KERNEL_NAME` with a spec built from
``sys.executable`` (never looked up on disk); papermill receives it through
``kernel_manager_class`` (passed on to nbclient).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from peo_lib.errors import NotebookCellError, PEOError, ReportError
from peo_lib.publish.preflight import all_round_ids, validate_rounds
from peo_lib.paths import NOTEBOOK_DIR, TEMPLATE_DIR
from peo_lib.publish.html import check_offline_html, export_html, warm_exporter  # noqa: F401 (re-exported)
from peo_lib.publish.install import (build_dir, check_out_dir, install_round, output_lock, remove_stale_builds,
                                     swap_in)
from peo_lib.publish.manifest import is_current, manifest_name, write_manifest
from peo_lib.vocab import (AUDIENCE_LABELS, AUDIENCES, CELL_TAGS, PANEL_TAG, ROUND_NOTEBOOK, TRENDS_DIR,
                           TRENDS_HTML, TRENDS_NOTEBOOK, check_audience, output_names)

__all__ = [
    "run_notebook",
    "run_round_report",
    "run_trends_report",
    "trends_up_to_date",
    "run_reports",
    "validate_rounds",
    "export_html",
    "check_offline_html",
    "kernel_manager_class",
    "all_round_ids",
    "KERNEL_NAME",
    "NOTEBOOK",
    "TRENDS_NOTEBOOK_PATH",
    "OUTPUT_FILES",
    "output_names",
    "select_cells",
]

KERNEL_NAME = "peo-python"
OUTPUT_FILES = (ROUND_NOTEBOOK, "samenvatting.html", "tabellen.xlsx")
TRENDS_OUTPUT_FILES = (TRENDS_NOTEBOOK, TRENDS_HTML, "tabellen.xlsx")
NOTEBOOK = NOTEBOOK_DIR / ROUND_NOTEBOOK
TRENDS_NOTEBOOK_PATH = NOTEBOOK_DIR / TRENDS_NOTEBOOK
_AUDIENCE_TAGS = CELL_TAGS - {"parameters", "injected-parameters"}


def select_cells(nb, audience=None):
    """The cells of one summary: untagged cells and those tagged ``panel`` (None) or ``audience``.

    Every tag must be one of :data:`peo_lib.vocab.CELL_TAGS`: a mistyped tag would
    otherwise put a cell into every summary.

    Returns
    -------
    (NotebookNode, list of int)
        A copy with only those cells, and their indices in ``nb``.

    Raises
    ------
    ReportError
        A cell carries a tag that is not a known one (names the cell and the tag).
    """
    import copy

    audience = check_audience(audience)
    for k, c in enumerate(nb.cells):
        unknown = set(c.metadata.get("tags", [])) - CELL_TAGS
        if unknown:
            raise ReportError(f"cell {k} of the report notebook has unknown tag(s) {sorted(unknown)}; "
                              f"use one of {sorted(CELL_TAGS)} (or no tag: the cell is in every summary)")
    want = PANEL_TAG if audience is None else audience
    kept = [k for k, c in enumerate(nb.cells)
            if not (set(c.metadata.get("tags", [])) & _AUDIENCE_TAGS) or want in c.metadata.get("tags", [])]
    out = copy.deepcopy(nb)
    out.cells = [out.cells[k] for k in kept]
    return out, kept


_KM_CLASS = None


def kernel_log_path() -> Path:
    """Where report kernels write their own log lines (the private cache dir)."""
    from peo_lib.paths import cache_dir

    return cache_dir() / "logs" / "kernels.log"


def kernel_manager_class():
    """A jupyter_client kernel manager class that starts ``sys.executable``'s ipykernel.

    The spec for :data:`KERNEL_NAME` is built in memory from
    :data:`sys.executable`; other names resolve as usual.
    """
    global _KM_CLASS
    if _KM_CLASS is not None:
        return _KM_CLASS
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class EnvKernelSpecManager(KernelSpecManager):
        """Answers KERNEL_NAME with this interpreter's ipykernel."""

        def get_kernel_spec(self, kernel_name):
            if kernel_name == KERNEL_NAME:
                return KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    display_name=f"Python {sys.version_info[0]}.{sys.version_info[1]} (peo_lib)",
                    language="python", metadata={}, resource_dir=str(TEMPLATE_DIR),
                )
            return super().get_kernel_spec(kernel_name)

    class EnvKernelManager(AsyncKernelManager):
        """AsyncKernelManager using :class:`EnvKernelSpecManager`."""

        @default("kernel_spec_manager")
        def _default_ksm(self):
            return EnvKernelSpecManager(data_dir=self.data_dir)

        @default("transport")
        def _default_transport(self):
            # Unix sockets on POSIX: local only, nothing listens on TCP ports
            return "ipc" if os.name == "posix" else "tcp"

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log lines ("[IPKernelApp] ...") go to a private log file, not into
            # the researcher's terminal; cell output travels over ZMQ and is not affected.
            if "stdout" not in kw and "stderr" not in kw:
                log = kernel_log_path()
                log.parent.mkdir(parents=True, exist_ok=True)
                handle = open(log, "ab")  # noqa: SIM115 - the child process keeps it open
                kw.update(stdout=handle, stderr=handle)
                try:
                    return await super()._async_launch_kernel(kernel_cmd, **kw)
                finally:
                    handle.close()  # the kernel has its own copy of the descriptor
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    _KM_CLASS = EnvKernelManager
    return _KM_CLASS


# ----------------------------------------------------------------------
# one runner
# ----------------------------------------------------------------------

def _first_line(source: str) -> str:
    for line in str(source).splitlines():
        if line.strip():
            return line.strip()
    return ""


def _cell_error(exc, nb_path: Path, round_id, evidence: Path | None, *, kept=None,
                nb_name="ronde.ipynb") -> NotebookCellError:
    """ReportError naming the cell (index in notebooks/ronde.ipynb, first line) and the error.

    ``kept``: indices in ``notebooks/ronde.ipynb`` of the cells that ran (:func:`select_cells`).
    """
    import nbformat

    index = getattr(exc, "cell_index", None)
    source = getattr(exc, "source", "") or ""
    exec_count = getattr(exc, "exec_count", None)
    src_index = index
    try:  # map the executed notebook's index back to notebooks/ronde.ipynb (minus papermill's cells)
        executed = nbformat.read(evidence / nb_name, as_version=4) if evidence else None
        if executed is not None and index is not None:
            cells = [c for c in executed.cells  # papermill adds error-marker cells when saving
                     if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
            injected = sum(1 for c in cells[:index] if "injected-parameters" in c.metadata.get("tags", []))
            src_index = index - injected
            if kept is not None and 0 <= src_index < len(kept):
                src_index = kept[src_index]
    except Exception:  # evidence unreadable: keep papermill's index
        pass
    return NotebookCellError(
        round_id=round_id, notebook=nb_path, cell_index=src_index, exec_count=exec_count,
        first_line=_first_line(source), ename=getattr(exc, "ename", type(exc).__name__),
        evalue=getattr(exc, "evalue", str(exc)), evidence=None if evidence is None else evidence / nb_name,
    )


def _record_source(path: Path, nb_path: Path, audience) -> None:
    """papermill records the input notebook (here a NotebookNode): record the path and audience instead."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.setdefault("papermill", {})
    meta["input_path"] = str(nb_path)
    meta["audience"] = audience
    nbformat.write(nb, path)


@dataclass
class NotebookRun:
    """One notebook run to publish: what to execute, where its outputs go, how they are installed.

    ``name`` names the temporary, failed and lock folders (``2021-1``, ``2021-1-onderwijs``,
    ``trends``); ``label`` starts every error message (``round 2021-1``, ``trend report``).
    """

    name: str
    label: str
    round_id: str
    template: Path              # the committed notebook (named in errors)
    notebook: object            # the NotebookNode to run (cells already selected)
    kept: list | None           # indices in ``template`` of the cells that run
    parameters: dict            # without out_dir: the runner sets it to the build folder
    out_root: Path
    target: Path
    notebook_name: str
    html_name: str
    html_title: str
    expected: tuple             # files the run must write into the build folder
    install: Callable           # (build folder, target) -> None, called under the lock
    lock_name: str
    audience: str | None = None
    manifest: dict | None = None  # the inputs to record (publish.manifest); None: no manifest


def run_notebook(run: NotebookRun, *, timeout=600) -> Path:
    """Execute a report notebook and publish its outputs atomically (the one runner).

    The notebook runs with papermill in a kernel of this interpreter, in a build folder
    ``OUT/.NAME.tmp-*``; the code-free offline HTML is exported in this process; when
    every expected file is there the outputs are installed under a lock. A failed cell
    keeps the executed notebook in ``OUT/.NAME.failed/`` and raises
    :class:`~peo_lib.errors.NotebookCellError`; the previous outputs stay as they were.
    """
    run.out_root.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(run.out_root)
    try:
        return _run_in(run, build_dir(run.out_root, run.name), timeout=timeout)
    except OSError as exc:  # disk full, permissions changed meanwhile: one line, previous outputs intact
        raise ReportError(f"{run.label}: cannot write the outputs in {run.out_root} ({exc.strerror or exc}); "
                          "the previous outputs are unchanged") from None


def _run_in(run: NotebookRun, tmp: Path, *, timeout) -> Path:
    import threading

    # Both import chains reach jupyter_client: imported from two threads at once, Python
    # can hand one of them a partially initialised module (an ImportError seen in CI), so
    # the imports happen here, before the thread starts (nbconvert adds ~0.2 s after papermill).
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    # nbconvert's template set-up overlaps with the kernel's work (the parent
    # process only waits for messages meanwhile).
    warm = threading.Thread(target=warm_exporter, daemon=True)
    warm.start()
    spare = _take_spare()
    try:
        nb = _execute(run, tmp, timeout=timeout, spare=spare)
        warm.join()
        _record_source(tmp / run.notebook_name, run.template, run.audience)
        (tmp / run.html_name).write_text(export_html(nb, title=run.html_title), encoding="utf-8")
        missing = [f for f in run.expected if not (tmp / f).is_file()]
        if missing:
            raise ReportError(f"{run.label}: the notebook did not write {', '.join(missing)}")
        if run.manifest is not None:  # in the build folder: installed with the outputs or not at all
            write_manifest(tmp, manifest_name(run.audience), run.manifest,
                           entries=None if run.audience is None else output_names(run.audience).values())
        with output_lock(run.out_root, run.lock_name):
            run.install(tmp, run.target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if spare is not None:  # stopped after the last cell; by now it has exited
            spare.close()
    shutil.rmtree(run.out_root / f".{run.name}.failed", ignore_errors=True)
    return run.target


_SPARE = None  # a SpareKernel started by run_reports for the next notebook run in this process


def _take_spare():
    """The spare kernel started for this run (:mod:`peo_lib.publish.spare_kernel`), or None."""
    global _SPARE
    spare, _SPARE = _SPARE, None
    return spare


@contextmanager
def _spare_kernel(enabled: bool = True, **options):
    """Within this block the next notebook run of this process may take a kernel launched now
    (:class:`~peo_lib.publish.spare_kernel.SpareKernel`, ``options`` for it); one not taken is
    shut down on the way out, however the block ends."""
    global _SPARE
    if enabled and _SPARE is None:
        from peo_lib.publish.spare_kernel import SpareKernel

        _SPARE = SpareKernel(**options)
    try:
        yield
    finally:
        spare = _take_spare()
        if spare is not None:
            spare.close()


def _execute(run: NotebookRun, tmp: Path, *, timeout, spare=None):
    """papermill on ``run.notebook`` into ``tmp``, on ``spare`` (stopped after; the caller closes it)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    km = spare.take() if spare is not None else None
    try:
        return pm.execute_notebook(
            run.notebook, str(tmp / run.notebook_name), parameters={**run.parameters, "out_dir": str(tmp)},
            kernel_name=KERNEL_NAME, language="python", progress_bar=False,
            request_save_on_cell_execute=False, execution_timeout=timeout, start_timeout=60,
            cwd=str(tmp), kernel_manager_class=kernel_manager_class(), **({"km": km} if km is not None else {}),
        )
    except PapermillExecutionError as exc:
        evidence = run.out_root / f".{run.name}.failed"
        shutil.rmtree(evidence, ignore_errors=True)
        os.replace(tmp, evidence)
        if (evidence / run.notebook_name).is_file():
            _record_source(evidence / run.notebook_name, run.template, run.audience)
        raise _cell_error(exc, run.template, run.round_id, evidence, kept=run.kept,
                          nb_name=run.notebook_name) from None
    except Exception as exc:
        if type(exc).__name__ in ("CellTimeoutError", "TimeoutError", "DeadKernelError"):
            raise ReportError(f"{run.label}: the notebook stopped ({type(exc).__name__}: "
                              f"{_first_line(str(exc))}); timeout per cell is {timeout} s") from None
        raise
    finally:
        if spare is not None:  # a kernel handed to papermill is not shut down by it
            spare.stop()  # killed now, closed by the caller after the install (no 0.1 s wait here)


def _read_template(path: Path, what: str):
    import nbformat

    if not path.is_file():
        raise ReportError(f"{what} notebook not found: {path}")
    return nbformat.read(path, as_version=4)


def _install_summary(tmp: Path, target: Path, audience=None) -> None:
    """:func:`~peo_lib.publish.install.install_round`, each summary's manifest kept with its files (under the lock).

    The full summary swaps the folder in: the audience summaries that ``install_round`` keeps
    keep their manifests too. An audience summary: its old manifest goes first, the new one
    comes last, after the HTML (a kill in between leaves no manifest: the next run rebuilds).
    """
    if audience is None:
        for name in (manifest_name(a) for a in AUDIENCES):
            if (target / name).is_file() and not (tmp / name).exists():
                try:
                    os.link(target / name, tmp / name)
                except OSError:
                    shutil.copy2(target / name, tmp / name)
        install_round(tmp, target, None)
        return
    mine = manifest_name(audience)
    (target / mine).unlink(missing_ok=True)
    install_round(tmp, target, audience)
    if (tmp / mine).is_file():
        os.replace(tmp / mine, target / mine)


def run_round_report(round_id, *, data_dir=None, out_dir=None, audience=None, timeout=600,
                     min_n=None, manifest=None) -> Path:
    """Execute the round notebook and write the round's outputs atomically.

    Parameters
    ----------
    round_id : str
        ``"2021-1"``; the codebook is ``DATA_DIR/codebooks/ROUND.yml``.
    data_dir : str or Path, optional
        Folder with ``codebooks/`` and ``raw/`` (default: the repository's
        ``data/`` or ``$PEO_DATA_DIR``; never the demo rounds).
    out_dir : str or Path, optional
        Output root (default: the repository's ``outputs/``); the round's
        files go to ``OUT/ROUND/``.
    audience : {"onderwijs", "professionals", "aanbieders", "gemeenten"}, optional
        None (default): the full summary (``ronde.ipynb``, ``samenvatting.html``,
        ``tabellen.xlsx``, ``figuren/``). An audience: its tailored summary
        beside it (:func:`output_names`); the other files stay as they are.
    timeout : float
        Seconds one notebook cell may run (nbclient's per-cell timeout).
    min_n : int, optional
        A threshold above the codebook's ``privacy.min_n``.
    manifest : dict, optional
        The inputs to record with the outputs (:func:`peo_lib.publish.manifest.round_inputs`, as
        :func:`run_reports` passes them). Without it no manifest is recorded, so the next
        :func:`run_reports` builds this summary again: this function always builds.

    Returns
    -------
    Path
        ``OUT/ROUND``.

    Raises
    ------
    NotebookCellError (a ReportError)
        A cell failed: names the cell (index in ``notebooks/ronde.ipynb``,
        its first line), the error and where the failed notebook was kept.
        The previous outputs are untouched.
    ReportError
        Timeout, missing notebook, or an HTML that would reference a URL.
    """
    from peo_lib.paths import DATA_DIR, OUT_DIR, codebook_dir, codebook_path, require_round_ids

    round_id = str(round_id)
    audience = check_audience(audience)  # fail fast on a typo, before a kernel starts
    names = output_names(audience)
    # No demo fallback: a report of real rounds must never silently come from synthetic data.
    data_dir = Path(data_dir if data_dir is not None else DATA_DIR).resolve()
    if not codebook_path(round_id, data_dir).is_file():  # fail fast, before a kernel starts
        known = require_round_ids(data_dir)
        raise ReportError(f"no codebook for round {round_id!r} in {codebook_dir(data_dir)} "
                          f"(available: {', '.join(known)}); pass --data-dir for another folder")
    out_root = check_out_dir(out_dir if out_dir is not None else OUT_DIR, data_dir=data_dir)
    source, kept = select_cells(_read_template(NOTEBOOK, "round"), audience)
    title = f"PEO ronde {round_id}: samenvatting"
    if audience is not None:
        title += f" voor {AUDIENCE_LABELS[audience]}"
    run = NotebookRun(
        name=round_id if audience is None else f"{round_id}-{audience}", label=f"round {round_id}",
        round_id=round_id, template=NOTEBOOK, notebook=source, kept=kept,
        parameters={"ronde": round_id, "data_dir": str(data_dir), "min_n": min_n, "audience": audience},
        out_root=out_root, target=out_root / round_id, notebook_name=names["notebook"],
        html_name=names["html"], html_title=title,
        expected=OUTPUT_FILES if audience is None else (names["notebook"], names["html"]),
        install=lambda tmp, target: _install_summary(tmp, target, audience), lock_name=round_id,
        audience=audience, manifest=manifest,
    )
    return run_notebook(run, timeout=timeout)


def trends_up_to_date(*, data_dir=None, out_dir=None) -> Path | None:
    """``OUT/trends`` when its manifest matches the inputs of a new trend report (nothing to do), else None."""
    from peo_lib.paths import DATA_DIR, OUT_DIR
    from peo_lib.publish.manifest import trends_inputs

    data_dir = Path(data_dir if data_dir is not None else DATA_DIR).resolve()
    target = Path(out_dir if out_dir is not None else OUT_DIR).expanduser().resolve() / TRENDS_DIR
    if not (target / manifest_name()).is_file():  # never built here: skip the hashing
        return None
    return target if is_current(target, manifest_name(), trends_inputs(data_dir=data_dir)) else None


def run_trends_report(*, data_dir=None, out_dir=None, timeout=600) -> Path:
    """Execute ``notebooks/trends.ipynb`` and write ``OUT/trends/`` atomically (the same runner).

    Always builds, and records the manifest (``OUT/trends/.manifest.json``) of what it read;
    :func:`trends_up_to_date` tells beforehand whether a build would change anything.

    Parameters
    ----------
    data_dir : str or Path, optional
        Holds ``codebooks/``, ``raw/`` and ``verbeteracties.yml`` (default:
        the repository's ``data/`` or ``$PEO_DATA_DIR``; never the demo rounds).
    out_dir : str or Path, optional
        Output root (default: the repository's ``outputs/``).
    timeout : float
        Seconds one notebook cell may run.

    Returns
    -------
    Path
        ``OUT/trends``.

    Raises
    ------
    NoRoundsError
        The data dir holds no codebook (nothing is written).
    NotebookCellError (a ReportError)
        A cell failed (``round_id`` is ``"trends"``); previous outputs untouched.
    ReportError
        Timeout, missing notebook, missing output, or an HTML that would reference a URL.
    """
    from peo_lib.paths import DATA_DIR, OUT_DIR, require_round_ids

    data_dir = Path(data_dir if data_dir is not None else DATA_DIR).resolve()
    require_round_ids(data_dir)  # before any folder or kernel
    out_root = check_out_dir(out_dir if out_dir is not None else OUT_DIR, data_dir=data_dir)
    from peo_lib.publish.spare_kernel import TRENDS_PRELOAD

    with _spare_kernel(preload=TRENDS_PRELOAD):  # it starts while the inputs are hashed and papermill imported
        return _run_trends(data_dir, out_root, timeout=timeout)


def _run_trends(data_dir: Path, out_root: Path, *, timeout) -> Path:
    """:func:`run_trends_report` after the checks: hash the inputs, run the notebook."""
    from peo_lib.publish.manifest import trends_inputs

    inputs = trends_inputs(data_dir=data_dir)  # hashed before the notebook reads anything
    run = NotebookRun(
        name=TRENDS_DIR, label="trend report", round_id=TRENDS_DIR, template=TRENDS_NOTEBOOK_PATH,
        notebook=_read_template(TRENDS_NOTEBOOK_PATH, "trend"), kept=None,
        parameters={"data_dir": str(data_dir)}, out_root=out_root, target=out_root / TRENDS_DIR,
        notebook_name=TRENDS_NOTEBOOK, html_name=TRENDS_HTML, html_title="PEO: trends over de rondes",
        expected=TRENDS_OUTPUT_FILES, install=swap_in, lock_name=TRENDS_DIR, manifest=inputs,
    )
    return run_notebook(run, timeout=timeout)


# ----------------------------------------------------------------------
# several rounds
# ----------------------------------------------------------------------

def _run_one(round_id, kwargs):
    """Worker: run one round (one summary); return (label, path or None, seconds, error text or None)."""
    t0 = time.perf_counter()
    aud = kwargs.get("audience")
    label = round_id if aud is None else f"{round_id} ({aud})"
    try:
        path = run_round_report(round_id, **kwargs)
        return label, str(path), time.perf_counter() - t0, None
    except PEOError as exc:
        return label, None, time.perf_counter() - t0, str(exc)


def _progress(done, total, round_id, seconds, path, error, progress):
    """One line per finished report on the command line (English, like the errors)."""
    status = f"done -> {path}" if error is None else f"FAILED: {error.splitlines()[0]}"
    progress.step(f"[{done}/{total}] {round_id}  {seconds:.1f} s  {status}")


def _worker_init():
    """A report worker: its own process group, so Ctrl-C reaches only the parent, which stops the
    workers and their kernels at once (no traceback from every process)."""
    import signal

    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_workers(pool, *, timeout=5.0) -> None:
    """Cancel queued reports and stop running ones at once, kernels included, without tracebacks.

    SIGKILL on each worker's process group: the worker and every kernel it started.
    Nothing is lost: a killed run leaves only its build folder (removed by the next run)
    and the previous outputs; a kill between the two renames of an install is undone by
    :func:`peo_lib.publish.install.remove_stale_builds`.
    """
    import signal

    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + timeout
    while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
        time.sleep(0.02)
    # The workers are gone: let the pool close its queues now, so their semaphores are released
    # before the fast exit (else multiprocessing's resource tracker warns about "leaked" ones).
    pool.shutdown(wait=True)


def _run_parallel(tasks, jobs):
    """Yield ``(round id, label, path, seconds, error)`` as reports finish in worker processes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # multiprocessing's resource tracker (started with the pool, with this interpreter's -W options)
    # warns about "leaked" semaphores when the workers are killed on Ctrl-C: not a user's concern.
    if "ignore:resource_tracker:UserWarning" not in sys.warnoptions:
        sys.warnoptions.append("ignore:resource_tracker:UserWarning")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=mp.get_context("spawn"),
                               initializer=_worker_init)
    try:
        futures = {pool.submit(_run_one, rid, kwargs): rid for rid, kwargs in tasks}
        for fut in as_completed(futures):
            yield (futures[fut], *fut.result())
    except BaseException:  # Ctrl-C (KeyboardInterrupt) or an error in this process
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def _count(n: int, noun: str) -> str:
    """``1 round``, ``3 rounds``: the English count of the progress lines."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _summary(built: int, tried: int, current: int, seconds: float, *, what: str) -> str:
    """The last progress line: ``2 of 2 round reports done in 30.1 s (4 up to date)``."""
    if not tried:
        return f"nothing to build: {current} {what} up to date"
    return f"{built} of {tried} {what} done in {seconds:.1f} s" + (f" ({current} up to date)" if current else "")


def _plan(tasks, *, data_dir, out_dir, force):
    """Split ``tasks`` into (to build, up to date); a task to build gets the manifest to record.

    Up to date: ``OUT/ROUND/.manifest[-AUDIENCE].json`` records exactly the inputs of a new build
    and its outputs are all there (:mod:`peo_lib.publish.manifest`); never with ``force``.
    """
    from peo_lib.paths import DATA_DIR, OUT_DIR
    from peo_lib.publish.manifest import environment_inputs, round_inputs

    data = Path(data_dir if data_dir is not None else DATA_DIR).resolve()
    out = Path(out_dir if out_dir is not None else OUT_DIR).expanduser().resolve()
    env = environment_inputs()  # once for every summary
    build, current = [], []
    for rid, kwargs in tasks:
        try:
            inputs = round_inputs(rid, data_dir=data, audience=kwargs["audience"], min_n=kwargs["min_n"],
                                  environment=env)
        except (TypeError, ValueError):  # a bad argument: the build says what is wrong
            inputs = None
        if not force and is_current(out / rid, manifest_name(kwargs["audience"]), inputs):
            current.append((rid, kwargs["audience"], out / rid))
        else:
            build.append((rid, {**kwargs, "manifest": inputs}))
    return build, current


def _build(tasks, jobs, prog, results: dict, *, what: str) -> dict:
    """Run ``tasks`` (one process, or ``jobs`` workers); fill ``results``, return the errors by label."""
    errors = {}
    workers = 1 if jobs == 1 or len(tasks) <= 1 else min(jobs, len(tasks))
    if tasks:
        prog.phase(f"building {_count(len(tasks), what[:-1])} ({_count(workers, 'worker')}; each runs the "
                   "report notebook, then exports HTML and xlsx)")
    prog.start(len(tasks), what=what)
    try:
        if workers == 1:
            for k, (rid, kwargs) in enumerate(tasks, start=1):
                label, path, secs, err = _run_one(rid, kwargs)
                _progress(k, len(tasks), label, secs, path, err, prog)
                (errors if err else results)[label] = (rid, err or Path(path))
        else:
            for k, (rid, label, path, secs, err) in enumerate(_run_parallel(tasks, jobs), start=1):
                _progress(k, len(tasks), label, secs, path, err, prog)
                (errors if err else results)[label] = (rid, err or Path(path))
    finally:
        prog.close()
    return errors


def run_reports(round_ids, *, jobs=1, data_dir=None, out_dir=None, audience=None, timeout=600, min_n=None,
                progress=True, force=False) -> dict:
    """Run several round reports, in parallel processes with ``jobs > 1``; skip those that are up to date.

    Parameters
    ----------
    round_ids : list of str
    jobs : int
        Worker processes (``ProcessPoolExecutor`` with the ``spawn`` start
        method: no forked kernel state). 1 runs in this process.
    data_dir, out_dir, timeout, min_n
        As :func:`run_round_report`.
    audience : str, None or a list of them
        As :func:`run_round_report`; a list runs every summary of it for every
        round (``[None, "onderwijs"]``: the full summary and the one for
        education), in parallel like rounds.
    progress : bool or Progress
        Say what is being done (checking, scrubbing, building k of n), one line per finished
        round with its time, and one per round that was up to date
        (``2021-1 up to date -> OUT/2021-1``), on stderr with a bar on a terminal
        (:class:`peo_lib.publish.progress.Progress`; pass one to continue its clock).
    force : bool
        Build every summary, also those whose manifest says nothing changed.

    A summary whose manifest (:mod:`peo_lib.publish.manifest`) matches its inputs (codebook and
    raw file of the round and the previous round, register, population file, notebook, package
    code and versions, audience, min_n) and whose outputs are all there is not built again:
    only the other rounds are checked and built. Each build records its manifest.

    Returns
    -------
    dict
        Round id -> output folder, in the order given (built or up to date).

    Raises
    ------
    ReportError
        After every round has run, when any failed: one line per failed
        round (summary) (the others' outputs are written).
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"`jobs` must be a whole number >= 1, but {jobs!r} was passed.")
    ids = [str(r) for r in round_ids]
    if not ids:
        raise ValueError("`round_ids` is empty: name at least one round (or use all_round_ids()).")
    audiences = [audience] if audience is None or isinstance(audience, str) else list(audience)
    if not audiences:
        raise ValueError("`audience` is an empty list: pass None for the full summary.")
    audiences = [check_audience(a) for a in audiences]
    tasks = [(rid, dict(data_dir=data_dir, out_dir=out_dir, audience=a, timeout=timeout, min_n=min_n))
             for rid in ids for a in audiences]
    from peo_lib.publish.progress import Progress

    prog = progress if isinstance(progress, Progress) else Progress.to_stderr(bool(progress))
    tasks, current = _plan(tasks, data_dir=data_dir, out_dir=out_dir, force=force)
    # one process builds: its kernel starts while the rounds are checked
    with _spare_kernel(enabled=len(tasks) == 1 or (bool(tasks) and jobs == 1)):
        return _check_and_build(ids, tasks, current, jobs=jobs, prog=prog, data_dir=data_dir, out_dir=out_dir,
                                audiences=audiences)


def _check_and_build(ids, tasks, current, *, jobs, prog, data_dir, out_dir, audiences) -> dict:
    """:func:`run_reports` after planning: check the rounds to build, build them, say what happened."""
    # one clear message for bad input before any notebook runs (the rounds that will be built)
    if tasks:
        to_check = list(dict.fromkeys(rid for rid, _ in tasks))
        prog.phase(f"checking {_count(len(to_check), 'round')} (codebook and raw file): {', '.join(to_check)}")
        validate_rounds(to_check, data_dir=data_dir, progress=prog.phase, warn=prog.say)
    from peo_lib.paths import DATA_DIR, OUT_DIR

    out_root = check_out_dir(out_dir if out_dir is not None else OUT_DIR,
                             data_dir=data_dir if data_dir is not None else DATA_DIR)
    what = "round reports" if len(audiences) == 1 else "summaries"
    results = {}
    for rid, aud, path in current:
        label = rid if aud is None else f"{rid} ({aud})"
        results[label] = (rid, path)
        prog.say(f"{label} up to date -> {path}")
    if not tasks:
        remove_stale_builds(out_root)  # what a build would have done first
    errors = _build(tasks, jobs, prog, results, what=what)
    # the whole command's time: checking and scrubbing included, not only the notebooks
    prog.say(_summary(len(results) - len(current), len(tasks), len(current), prog.seconds, what=what))
    if errors:
        lines = "\n".join(f"  - {label}: {msg}" for label, (_, msg) in errors.items())
        raise ReportError(f"{len(errors)} of {len(tasks)} round report(s) failed:\n{lines}")
    folders = {rid: path for rid, path in results.values()}
    return {rid: folders[rid] for rid in ids}
