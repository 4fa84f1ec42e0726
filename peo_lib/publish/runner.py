"""Run the round notebook and publish its outputs (papermill + nbconvert, in process).

:func:`run_round_report` executes ``notebooks/ronde.ipynb`` for one round with
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
:data:`peo_lib.report.round.AUDIENCES`) come from the same notebook: cells tagged
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
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from peo_lib.errors import NotebookCellError, PEOError, ReportError

__all__ = [
    "run_round_report",
    "run_reports",
    "export_html",
    "check_offline_html",
    "kernel_manager_class",
    "all_round_ids",
    "KERNEL_NAME",
    "NOTEBOOK",
    "TEMPLATE_DIR",
    "OUTPUT_FILES",
    "output_names",
    "select_cells",
]

KERNEL_NAME = "peo-python"
from peo_lib.paths import TEMPLATE_DIR  # noqa: E402  (re-exported)
TEMPLATE_NAME = "peo"
OUTPUT_FILES = ("ronde.ipynb", "samenvatting.html", "tabellen.xlsx")
PANEL_TAG = "panel"


def output_names(audience=None) -> dict:
    """File names of one summary in ``OUT/ROUND``: ``notebook``, ``html`` and ``figures`` (a folder)."""
    from peo_lib.report.round import _audience

    audience = _audience(audience)
    if audience is None:
        return {"notebook": "ronde.ipynb", "html": "samenvatting.html", "figures": "figuren"}
    return {"notebook": f"ronde-{audience}.ipynb", "html": f"samenvatting-{audience}.html",
            "figures": f"figuren-{audience}"}


def select_cells(nb, audience=None):
    """The cells of one summary: untagged cells and those tagged ``panel`` (None) or ``audience``.

    Returns
    -------
    (NotebookNode, list of int)
        A copy with only those cells, and their indices in ``nb``.
    """
    import copy

    from peo_lib.report.round import AUDIENCES, _audience

    audience = _audience(audience)
    want = PANEL_TAG if audience is None else audience
    tags = {PANEL_TAG, *AUDIENCES}
    kept = [k for k, c in enumerate(nb.cells)
            if not (set(c.metadata.get("tags", [])) & tags) or want in c.metadata.get("tags", [])]
    out = copy.deepcopy(nb)
    out.cells = [out.cells[k] for k in kept]
    return out, kept


def _notebook_path() -> Path:
    from peo_lib.paths import NOTEBOOK_DIR

    return NOTEBOOK_DIR / "ronde.ipynb"


NOTEBOOK = _notebook_path()

_KM_CLASS = None


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

    _KM_CLASS = EnvKernelManager
    return _KM_CLASS


# ----------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------

_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|poster|data|srcset)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


def check_offline_html(text: str) -> list[str]:
    """Places where an HTML page would load something from the network.

    Looks for ``src=``/``href=``/``srcset=``/``data=``/``action=``/``poster=``
    attributes, ``@import`` and CSS ``url(...)`` pointing at ``http://``,
    ``https://`` or ``//``. Returns short excerpts (empty list = offline).
    """
    return [text[max(0, m.start() - 30): m.end() + 40] for m in _EXTERNAL.finditer(text)]


_EXPORTER = None


def _exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        _EXPORTER = HTMLExporter(
            # no code is shown: pygments' ~80 lines of CSS are not needed
            config=Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}}),
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
    return _EXPORTER


def _warm_exporter():
    """Import nbconvert and load the template (run in a thread while the kernel works)."""
    try:
        import nbformat

        _exporter().from_notebook_node(nbformat.v4.new_notebook())
    except Exception:  # noqa: BLE001 - the real export reports any problem
        pass


def export_html(nb, *, title=None) -> str:
    """The code-free, offline HTML of an executed notebook (template ``peo_lib/templates/peo``).

    Parameters
    ----------
    nb : NotebookNode
    title : str, optional
        The page title (default: the notebook's metadata title).

    Returns
    -------
    str

    Raises
    ------
    ReportError
        The page would reference an external URL (:func:`check_offline_html`).
    """
    import copy

    nb = copy.deepcopy(nb)
    if title:
        nb.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(nb, resources={"language_code": "nl"})
    body = body.replace('<html lang="en">', '<html lang="nl">')
    bad = check_offline_html(body)
    if bad:
        raise ReportError(f"the HTML would load {len(bad)} external resource(s), e.g. {bad[0]!r}; "
                          "an output must not reference a URL (see peo_lib/templates/peo)")
    return body


# ----------------------------------------------------------------------
# one round
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


def _swap_in(tmp: Path, target: Path) -> None:
    """Replace ``target`` by ``tmp`` (two renames on one file system; old copy removed after)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _record_source(path: Path, nb_path: Path, audience) -> None:
    """papermill records the input notebook (here a NotebookNode): record the path and audience instead."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.setdefault("papermill", {})
    meta["input_path"] = str(nb_path)
    meta["audience"] = audience
    nbformat.write(nb, path)


def _round_lock(out_root: Path, round_id: str):
    """Exclusive lock for installing outputs of one round (processes of ``--jobs``, several audiences)."""
    from peo_lib.privacy.disclosure import _file_lock

    return _file_lock(out_root / ".cache" / "locks" / f"{round_id}.lock")


def _link_tree(src: Path, dst: Path) -> None:
    """Hard-link a file or folder (copy where links are not possible)."""
    def link(a, b):
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    if src.is_dir():
        shutil.copytree(src, dst, copy_function=link)
    else:
        link(src, dst)


def _install(tmp: Path, target: Path, audience=None) -> None:
    """Put a finished run's outputs in place (see the module notes); call under :func:`_round_lock`."""
    from peo_lib.report.round import AUDIENCES

    if audience is None:
        if target.is_dir():
            for a in AUDIENCES:
                for name in output_names(a).values():
                    if (target / name).exists() and not (tmp / name).exists():
                        _link_tree(target / name, tmp / name)
        _swap_in(tmp, target)
        return
    names = output_names(audience)
    if not target.is_dir():
        target.mkdir()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(target, 0o777 & ~umask)
    if (tmp / names["figures"]).is_dir():
        _swap_in(tmp / names["figures"], target / names["figures"])
    elif (target / names["figures"]).exists():
        shutil.rmtree(target / names["figures"], ignore_errors=True)  # this summary has no figures now
    os.replace(tmp / names["notebook"], target / names["notebook"])
    os.replace(tmp / names["html"], target / names["html"])  # last: the HTML is what readers open


def run_round_report(round_id, *, data_dir=None, out_dir=None, audience=None, timeout=600,
                     min_n=None) -> Path:
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
    from peo_lib.paths import DATA_DIR, OUT_DIR
    from peo_lib.report.round import AUDIENCE_LABELS, _audience

    round_id = str(round_id)
    audience = _audience(audience)  # fail fast on a typo, before a kernel starts
    names = output_names(audience)
    run_name = round_id if audience is None else f"{round_id}-{audience}"
    # No demo fallback here (unlike the notebook's defaults): a report of real
    # rounds must never silently come from synthetic data.
    data_dir = Path(data_dir if data_dir is not None else DATA_DIR).resolve()
    out_root = Path(out_dir if out_dir is not None else OUT_DIR).resolve()
    from peo_lib.paths import codebook_dir, codebook_path, round_ids

    if not codebook_path(round_id, data_dir).is_file():  # fail fast, before a kernel starts
        folder = codebook_dir(data_dir)
        known = round_ids(data_dir)
        raise ReportError(f"no codebook for round {round_id!r} in {folder} "
                          f"(available: {', '.join(known) or 'none'}); pass --data-dir for another folder")
    nb_path = NOTEBOOK
    if not nb_path.is_file():
        raise ReportError(f"round notebook not found: {nb_path}")
    import nbformat

    source, kept = select_cells(nbformat.read(nb_path, as_version=4), audience)
    out_root.mkdir(parents=True, exist_ok=True)
    target = out_root / round_id
    tmp = Path(tempfile.mkdtemp(prefix=f".{run_name}.tmp-", dir=out_root))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; the round folder gets normal permissions
    # nbconvert's import and template set-up overlap with the kernel's work (the
    # parent process only waits for messages meanwhile): about 1-2 s saved.
    import threading

    warm = threading.Thread(target=_warm_exporter, daemon=True)
    warm.start()
    try:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        params = {"ronde": round_id, "data_dir": str(data_dir), "out_dir": str(tmp), "min_n": min_n,
                  "audience": audience}
        try:
            nb = pm.execute_notebook(
                source, str(tmp / names["notebook"]), parameters=params,
                kernel_name=KERNEL_NAME, language="python", progress_bar=False,
                request_save_on_cell_execute=False, execution_timeout=timeout, start_timeout=60,
                cwd=str(tmp), kernel_manager_class=kernel_manager_class(),
            )
        except PapermillExecutionError as exc:
            evidence = out_root / f".{run_name}.failed"
            shutil.rmtree(evidence, ignore_errors=True)
            os.replace(tmp, evidence)
            if (evidence / names["notebook"]).is_file():
                _record_source(evidence / names["notebook"], nb_path, audience)
            raise _cell_error(exc, nb_path, round_id, evidence, kept=kept, nb_name=names["notebook"]) from None
        except Exception as exc:
            if type(exc).__name__ in ("CellTimeoutError", "TimeoutError", "DeadKernelError"):
                raise ReportError(f"round {round_id}: the notebook stopped ({type(exc).__name__}: "
                                  f"{_first_line(str(exc))}); timeout per cell is {timeout} s") from None
            raise
        warm.join()
        _record_source(tmp / names["notebook"], nb_path, audience)
        cb_title = f"PEO ronde {round_id}: samenvatting"
        if audience is not None:
            cb_title += f" voor {AUDIENCE_LABELS[audience]}"
        html = export_html(nb, title=cb_title)
        (tmp / names["html"]).write_text(html, encoding="utf-8")
        expected = OUTPUT_FILES if audience is None else (names["notebook"], names["html"])
        missing = [f for f in expected if not (tmp / f).is_file()]
        if missing:
            raise ReportError(f"round {round_id}: the notebook did not write {', '.join(missing)}")
        with _round_lock(out_root, round_id):
            _install(tmp, target, audience)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(out_root / f".{run_name}.failed", ignore_errors=True)
    return target


# ----------------------------------------------------------------------
# several rounds
# ----------------------------------------------------------------------

def all_round_ids(data_dir=None) -> list[str]:
    """Every round with a codebook in ``DATA_DIR/codebooks``, in time order (``peo report --all``)."""
    from peo_lib.paths import require_round_ids

    return require_round_ids(data_dir)


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


def _progress(done, total, round_id, seconds, path, error, stream):
    from peo_lib.formatting import format_nl

    if stream is None:
        return
    status = f"klaar -> {path}" if error is None else f"MISLUKT: {error.splitlines()[0]}"
    print(f"[{done}/{total}] {round_id}  {format_nl(seconds, 1)} s  {status}", file=stream, flush=True)


def run_reports(round_ids, *, jobs=1, data_dir=None, out_dir=None, audience=None, timeout=600, min_n=None,
                progress=True) -> dict:
    """Run several round reports, in parallel processes with ``jobs > 1``.

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
    progress : bool
        Print one line per finished round with its time (stderr).

    Returns
    -------
    dict
        Round id -> output folder, in the order given.

    Raises
    ------
    ReportError
        After every round has run, when any failed: one line per failed
        round (summary) (the others' outputs are written).
    """
    from peo_lib.report.round import _audience
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"`jobs` must be a whole number >= 1, but {jobs!r} was passed.")
    ids = [str(r) for r in round_ids]
    if not ids:
        raise ValueError("`round_ids` is empty: name at least one round (or use all_round_ids()).")
    audiences = [audience] if audience is None or isinstance(audience, str) else list(audience)
    if not audiences:
        raise ValueError("`audience` is an empty list: pass None for the full summary.")
    audiences = [_audience(a) for a in audiences]
    tasks = [(rid, dict(data_dir=data_dir, out_dir=out_dir, audience=a, timeout=timeout, min_n=min_n))
             for rid in ids for a in audiences]
    stream = sys.stderr if progress else None
    results, errors = {}, {}
    t_start = time.perf_counter()
    if jobs == 1 or len(tasks) == 1:
        for k, (rid, kwargs) in enumerate(tasks, start=1):
            label, path, secs, err = _run_one(rid, kwargs)
            _progress(k, len(tasks), label, secs, path, err, stream)
            (errors if err else results)[label] = (rid, err or Path(path))
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(_run_one, rid, kwargs) for rid, kwargs in tasks]
            rounds = {f: rid for f, (rid, _) in zip(futures, tasks)}
            for k, fut in enumerate(as_completed(futures), start=1):
                label, path, secs, err = fut.result()
                _progress(k, len(tasks), label, secs, path, err, stream)
                (errors if err else results)[label] = (rounds[fut], err or Path(path))
    if stream is not None:
        from peo_lib.formatting import format_nl

        what = "rondes" if len(audiences) == 1 else "samenvattingen"
        print(f"{len(results)} van {len(tasks)} {what} klaar in {format_nl(time.perf_counter() - t_start, 1)} s",
              file=stream, flush=True)
    if errors:
        lines = "\n".join(f"  - {label}: {msg}" for label, (_, msg) in errors.items())
        raise ReportError(f"{len(errors)} of {len(tasks)} round report(s) failed:\n{lines}")
    folders = {rid: path for rid, path in results.values()}
    return {rid: folders[rid] for rid in ids}
