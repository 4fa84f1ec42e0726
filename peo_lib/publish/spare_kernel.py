"""A report kernel started ahead of time, while this process plans and checks the rounds.

Why: before a notebook cell can run, ``peo report ROUND`` spends about a second in this
process (the manifest, checking the round, importing papermill and nbconvert), and the
kernel spends about as long starting (the interpreter, ipykernel, then pandas, matplotlib
and :mod:`peo_lib.report.round` for the first cell). They are independent, so the kernel
is launched first and both run side by side on the second core; the first cell then finds
its imports done (``exec_lines``: run at start-up without an execution count, so the
executed notebook is the same).

Decisions
---------
* Only for the single-process path (one summary, or ``--jobs 1``) and for the trend report
  (which starts one while it hashes its inputs and imports papermill; it preloads
  :data:`TRENDS_PRELOAD`): the parallel workers start their kernels themselves, as before.
* The spare kernel's working directory is a new empty folder in the system's temporary
  folder (the build folder does not exist yet); the notebook writes only to its ``out_dir``
  parameter, and the folder is removed with the kernel.
* Whoever takes the kernel shuts it down (:meth:`SpareKernel.close`); one not taken is
  shut down by :func:`peo_lib.publish.runner.run_reports` on every way out, a failed check
  or Ctrl-C included. If this process is killed, ipykernel's parent poller ends the kernel,
  and the next spare removes the folder (``peo-kernel-PID-*``, PID no longer running).
* A kernel that failed to start is not an error: the run starts its own, as without it.
* The kernel is launched from the calling thread through ``jupyter_core.utils.run_sync``, as
  papermill does, so it also works inside a running event loop (a notebook cell, Playwright's
  sync API in the tests).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

from jupyter_core.utils import run_sync  # as papermill: also inside a running event loop

__all__ = ["SpareKernel", "PRELOAD", "TRENDS_PRELOAD"]

#: What a spare kernel imports while it waits: the first import of the round notebook (default)
#: and of the trend notebook.
PRELOAD = "import peo_lib.report.round"
TRENDS_PRELOAD = "import peo_lib.report.round, peo_lib.report.trends"


_PREFIX = "peo-kernel-"


def _remove_stale_folders() -> None:
    """Remove the folders of spare kernels whose ``peo`` process was killed (``peo-kernel-PID-*``)."""
    import re

    from peo_lib.publish.install import _alive

    for p in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        m = re.match(rf"{_PREFIX}(\d+)-", p.name)
        if m and not _alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)


class SpareKernel:
    """Launch one report kernel now; :meth:`take` it later, or :meth:`close` it.

    Launching returns once the kernel process exists (about 0.1 s: connection file, ``Popen``,
    control socket); the kernel boots in its own process while this one goes on, so no thread
    is needed here (and none imports jupyter_client beside the main thread).
    """

    def __init__(self, preload: str = PRELOAD):
        from peo_lib.publish.runner import KERNEL_NAME, kernel_manager_class

        _remove_stale_folders()
        self.cwd = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        # ipc sockets are named relative to the working directory (``kernel-ipc-N``): papermill
        # moves this process into the build folder while it runs, so the spare's are absolute
        self.km = kernel_manager_class()(kernel_name=KERNEL_NAME, ip=str(self.cwd / "kernel-ipc"))
        self._closed = False
        # papermill's client does not close its channels on a kernel it was handed: kept to close
        self._clients = []
        make_client = self.km.client

        def client(**kw):
            kc = make_client(**kw)
            self._clients.append(kc)
            return kc

        self.km.client = client
        try:
            run_sync(self.km.start_kernel)(cwd=str(self.cwd),
                                           extra_arguments=[f"--IPKernelApp.exec_lines={preload}"])
            self._started = True
        except Exception:  # the run starts its own kernel instead
            self._started = False

    def take(self):
        """The started kernel manager (for ``papermill.execute_notebook(km=...)``), or None when it
        did not start (then it is cleaned up here)."""
        if not self._started or not self.km.has_kernel:
            self.close()
            return None
        return self.km

    def stop(self) -> None:
        """Kill the kernel now (SIGKILL to its process group, as :meth:`close` ends it) without waiting
        for it to exit: :meth:`close`, called later, then finds it gone instead of polling for it
        (0.1 s after the trend report's last cell)."""
        if self._closed or not self._started:
            return
        try:
            if self.km.has_kernel:
                run_sync(self.km.signal_kernel)(signal.SIGKILL)
        except Exception:  # already gone; close() cleans up
            pass

    def close(self) -> None:
        """Shut the kernel down (at once: its work is done or not wanted) and remove its folder."""
        if self._closed:
            return
        self._closed = True
        for kc in self._clients:
            kc.stop_channels()
        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # already gone
            pass
        finally:
            shutil.rmtree(self.cwd, ignore_errors=True)
