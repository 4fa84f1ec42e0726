"""Serve the panel dashboard with Voila: ``peo dashboard``.

Voila runs ``notebooks/dashboard.ipynb`` with the code hidden, on
127.0.0.1 only, with the ``peo`` Voila template of
``peo_lib/static/jupyter/voila/templates/peo`` (Voila's lab template
without its Font Awesome CDN links and without MathJax), so the page makes
no request outside the machine. The data folder reaches the kernel as
``PEO_DATA_DIR`` (and the output folder as ``PEO_OUT_DIR``): Voila kernels
inherit the server's environment.

Ctrl-C stops the server cleanly: Voila runs in its own session, receives
SIGTERM (it then shuts its kernels down), and the whole process group is
killed if it has not ended within a few seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import webbrowser
from pathlib import Path

from peo_lib.errors import PEOError

__all__ = ["serve_dashboard", "voila_command", "voila_env", "dashboard_notebook", "TEMPLATE_ROOT",
           "TEMPLATE_NAME", "wait_for_port", "stop_process"]

from peo_lib.paths import VOILA_TEMPLATE_ROOT as TEMPLATE_ROOT  # noqa: E402
TEMPLATE_NAME = "peo"

_NOTEBOOK_CELLS = [
    "# Parameters: folder with codebooks/ and raw/ (None: $PEO_DATA_DIR, else the repository's data/).\n"
    "data_dir = None",
    "from peo_lib.dashboard.widget import show_dashboard\n\ndash = show_dashboard(data_dir=data_dir)",
]


def dashboard_notebook(*, out_dir=None) -> Path:
    """The dashboard notebook: the repository's, else a copy written to ``OUT/dashboard/``.

    An installed (non-editable) package has no ``notebooks/`` folder; the copy
    has the same two cells.
    """
    from peo_lib import paths

    nb = paths.NOTEBOOK_DIR / "dashboard.ipynb"
    if nb.is_file():
        return nb
    import nbformat

    target = Path(out_dir or paths.OUT_DIR) / "dashboard" / "dashboard.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(src) for src in _NOTEBOOK_CELLS]
    book.cells[0].metadata["tags"] = ["parameters"]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                   "language": "python"}
    nbformat.write(book, target)
    return target


def voila_command(notebook, *, port: int, template: str = TEMPLATE_NAME, orphan_grace: float = 30.0) -> list[str]:
    """The Voila command line (no browser, 127.0.0.1 only, Host header checked, sources hidden).

    Parameters
    ----------
    notebook : str or Path
    port : int
    template : str
        ``"peo"`` (offline) or a stock Voila template such as ``"lab"``.
    orphan_grace : float
        Seconds a kernel whose page was closed (it had a connection, now none)
        lives on before it is shut down (:mod:`peo_lib.dashboard.local_voila`);
        the pre-heated pool kernel is never touched.

    Returns
    -------
    list of str
    """
    _check_port(port)
    if isinstance(orphan_grace, bool) or not isinstance(orphan_grace, (int, float)) or not orphan_grace > 0:
        raise ValueError(f"`orphan_grace` must be a positive number of seconds, but {orphan_grace!r} was passed.")
    return [
        sys.executable, "-m", "peo_lib.dashboard.local_voila", str(Path(notebook).resolve()),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--template={template}",
        "--theme=light",
        "--strip_sources=True",
        "--show_tracebacks=False",
        # A pre-heated kernel has already run the notebook (loaded the rounds,
        # built the figures) before anyone opens the page.
        "--preheat_kernel=True",
        "--pool_size=1",
        f"--LocalVoila.orphan_kernel_grace={float(orphan_grace)}",
    ]


def voila_env(*, data_dir=None, out_dir=None, base=None, meeting: bool = False) -> dict:
    """Environment for the Voila server and its kernels.

    ``JUPYTER_PATH`` gains the folder of the ``peo`` template;
    ``PEO_DATA_DIR`` / ``PEO_OUT_DIR`` carry the folders to the kernel;
    ``meeting=True`` sets ``PEO_DASHBOARD_MODE=bijeenkomst`` (the dashboard opens
    on its ``Bijeenkomst`` tab: ``peo dashboard --meeting``).
    """
    env = dict(os.environ if base is None else base)
    if meeting:
        env["PEO_DASHBOARD_MODE"] = "bijeenkomst"
    old = env.get("JUPYTER_PATH")
    env["JUPYTER_PATH"] = str(TEMPLATE_ROOT) + (os.pathsep + old if old else "")
    if data_dir is not None:
        env["PEO_DATA_DIR"] = str(Path(data_dir).resolve())
    if out_dir is not None:
        env["PEO_OUT_DIR"] = str(Path(out_dir).resolve())
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _check_port(port):
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise PEOError(f"port={port!r} is not a port number (1-65535, e.g. 8866)")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As Tornado binds (SO_REUSEADDR): a port whose last dashboard just stopped (TIME_WAIT) is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for_port(port: int, *, proc=None, timeout: float = 60.0) -> bool:
    """Wait until something listens on 127.0.0.1:port (False on timeout or if ``proc`` ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def stop_process(proc, *, timeout: float = 10.0) -> None:
    """SIGTERM a process started with ``start_new_session=True``, then kill its group if needed."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:  # kernels and other children left in the group
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait(timeout=5)


def serve_dashboard(*, data_dir=None, out_dir=None, port: int = 8866, open_browser: bool = True,
                    timeout: float = 120.0, meeting: bool = False) -> int:
    """Start Voila for the dashboard on http://127.0.0.1:PORT/ and wait for Ctrl-C.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with ``codebooks/`` and ``raw/`` (default: the repository's ``data/``).
    out_dir : str or Path, optional
        Output folder; PNGs are saved in ``OUT/dashboard/``.
    port : int
        Port on 127.0.0.1 (default 8866).
    open_browser : bool
        Open the default browser once the server listens.
    timeout : float
        Seconds to wait for Voila to listen.
    meeting : bool
        Open on the ``Bijeenkomst`` tab (meeting mode); what the group
        concludes is saved in ``DATA_DIR/bijeenkomsten/YYYY-MM-DD.yml``.

    Returns
    -------
    int
        0 after Ctrl-C; Voila's exit code if it stopped by itself.

    Raises
    ------
    PEOError
        No codebooks in the data folder, port in use, or Voila did not start.
    """
    from peo_lib import paths

    _check_port(port)
    paths.require_round_ids(data_dir)
    if not _port_free(port):
        raise PEOError(f"port {port} on 127.0.0.1 is in use; choose another with --port")
    notebook = dashboard_notebook(out_dir=out_dir)
    env = voila_env(data_dir=data_dir if data_dir is not None else paths.DATA_DIR, out_dir=out_dir,
                    meeting=meeting)
    proc = subprocess.Popen(voila_command(notebook, port=port), env=env, cwd=str(notebook.parent),
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    previous = signal.getsignal(signal.SIGTERM)

    def _on_term(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, _on_term)
    except ValueError:  # not the main thread
        previous = None
    try:
        if not wait_for_port(port, proc=proc, timeout=timeout):
            err = b""
            if proc.poll() is not None and proc.stderr is not None:
                err = proc.stderr.read()[-2000:]
            raise PEOError("Voila did not start" + (f":\n{err.decode(errors='replace')}" if err else
                                                    f" within {timeout:.0f} s"))
        url = f"http://127.0.0.1:{port}/"
        print(f"Dashboard: {url}  (stoppen: Ctrl-C)", flush=True)
        if open_browser:
            webbrowser.open(url)
        _drain(proc)
        return proc.wait()
    except KeyboardInterrupt:
        print("\nDashboard gestopt.", flush=True)
        return 0
    finally:
        stop_process(proc)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _drain(proc) -> None:
    """Read Voila's log (so its pipe never fills) until it ends."""
    if proc.stderr is None:
        return
    for _ in iter(proc.stderr.readline, b""):
        pass
