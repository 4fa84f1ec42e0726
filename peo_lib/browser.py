"""Debian chromium driven by Playwright, for the browser tests and the benchmarks.

One home for how the project starts a browser: the ``chromium`` from apt (browser downloads are
blocked, so never ``playwright install``), without sandbox or GPU (containers), without any
background request, and a free local port for the server under test. Playwright is a test
dependency, imported only when a browser is launched.
"""

from __future__ import annotations

import shutil
import socket
from contextlib import contextmanager

from peo_lib.errors import PEOError

__all__ = ["CHROMIUM_ARGS", "chromium_path", "free_port", "launch_chromium"]

CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run")


def chromium_path() -> str:
    """The chromium on the PATH; a PEOError that says how to install it otherwise."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise PEOError("Debian chromium is not installed: run `make browser` (apt-get install chromium)")
    return exe


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free at the moment of asking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def launch_chromium():
    """Yield a Playwright ``Browser`` on Debian chromium; it is closed on leaving the block."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
