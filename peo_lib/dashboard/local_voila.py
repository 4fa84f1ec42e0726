"""Voila for the panel dashboard, local only, and no kernel left behind by a closed page.

Host check
    Voila hard-codes ``allow_remote_access=True`` in its Tornado settings, so a foreign
    ``Host:`` header is accepted and DNS rebinding would let a web page in the
    presenter's browser read the aggregates and drive the widgets. This subclass
    turns jupyter_server's host check back on (``localhost``, ``127.0.0.1`` and ``::1``
    pass; everything else gets 403).
Orphaned kernels
    Every page load gets its own kernel (about 190 MB with the rounds loaded). Voila
    relies on a ``beforeunload`` beacon from the page to shut it down, which never
    arrives when the browser crashes, the laptop sleeps or the tab is killed (and
    in tests it did not arrive at all: 6 kernels after 5 loads). Voila's idle culler
    (``cull_idle_timeout``) is no answer either: it would also cull the pre-heated
    pool kernel, which has never had a connection. So :class:`_OrphanReaper` shuts
    down a kernel that *had* a websocket connection and has had none for
    ``orphan_kernel_grace`` seconds (default 30; a reloaded page gets a new kernel
    anyway). Pool kernels, never connected, are left alone; a kernel outside the pool
    that never got a connection (a page closed while it loaded) goes after 5 more minutes.

Run as ``python -m peo_lib.dashboard.local_voila`` with Voila's own options.
"""

from __future__ import annotations

import time

from traitlets import Float
from voila.app import Voila

__all__ = ["LocalVoila", "main"]

#: Seconds between two checks for orphaned kernels.
_CHECK_SECONDS = 1.0
#: Extra seconds for a kernel outside the pool that never had a connection (a page still rendering).
_NEVER_CONNECTED_SECONDS = 300.0


class _OrphanReaper:
    """Shut down kernels whose page went away (connected once, now without connection for ``grace`` s)."""

    def __init__(self, kernel_manager, *, grace: float, log=None):
        self.km = kernel_manager
        self.grace = float(grace)
        self.log = log
        self.connected_once: set[str] = set()
        self.alone_since: dict[str, float] = {}

    def watch_connects(self) -> None:
        """Record every websocket connect as it happens: a page that connects and closes between two
        checks (Voila renders server-side, so the socket may be open for well under a second) is
        otherwise never seen as connected and would wait the never-connected grace."""
        km = self.km
        original = getattr(km, "notify_connect", None)
        if original is None:
            return

        def notify_connect(kernel_id, *args, **kwargs):
            self.connected_once.add(kernel_id)
            return original(kernel_id, *args, **kwargs)

        km.notify_connect = notify_connect

    def _connections(self, kernel_id: str) -> int:
        return int(getattr(self.km, "_kernel_connections", {}).get(kernel_id, 0))

    async def check(self) -> list[str]:
        """One pass: the ids of the kernels shut down."""
        now = time.monotonic()
        gone = []
        alive = set(self.km.list_kernel_ids())
        pool = self._pool_ids()
        for kid in alive:
            if self._connections(kid) > 0:
                self.connected_once.add(kid)
                self.alone_since.pop(kid, None)
            elif kid in self.connected_once:
                since = self.alone_since.setdefault(kid, now)
                if now - since >= self.grace:
                    gone.append(kid)
            elif kid not in pool:  # handed to a page that went away before it connected
                since = self.alone_since.setdefault(kid, now)
                if now - since >= self.grace + _NEVER_CONNECTED_SECONDS:
                    gone.append(kid)
            else:
                self.alone_since.pop(kid, None)
        for kid in gone:
            self.connected_once.discard(kid)
            self.alone_since.pop(kid, None)
            try:
                await self.km.shutdown_kernel(kid)
                if self.log is not None:
                    self.log.info("Shut down kernel %s: its page was closed", kid)
            except Exception as exc:  # noqa: BLE001 - a failed shutdown is retried by nobody; log it
                if self.log is not None:
                    self.log.warning("Could not shut down orphaned kernel %s: %s", kid, exc)
        for kid in list(self.connected_once - alive):  # shut down elsewhere (beacon, restart)
            self.connected_once.discard(kid)
        for kid in list(set(self.alone_since) - alive):
            self.alone_since.pop(kid, None)
        return gone

    def _pool_ids(self) -> set[str]:
        """Ids of the pre-heated kernels still waiting in Voila's pool (never touched)."""
        ids = set()
        for pool in getattr(self.km, "_pools", {}).values():
            for fut in list(pool):
                try:
                    if fut.done() and not fut.cancelled() and fut.exception() is None:
                        ids.add(fut.result().get("kernel_id"))
                except Exception:  # noqa: BLE001 - a broken pool entry is Voila's to handle
                    continue
        return ids


class LocalVoila(Voila):
    """Voila with jupyter_server's Host check on (remote access off) and orphaned kernels shut down."""

    orphan_kernel_grace = Float(
        30.0, config=True,
        help="Seconds a kernel may stay without any page connected (after it had one) before it is shut down; "
             "0 or less: never.")

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        return settings

    def listen(self):
        if self.orphan_kernel_grace > 0:
            from tornado.ioloop import PeriodicCallback

            self._reaper = _OrphanReaper(self.kernel_manager, grace=self.orphan_kernel_grace, log=self.log)
            self._reaper.watch_connects()
            self._reaper_callback = PeriodicCallback(self._reaper.check, _CHECK_SECONDS * 1000)
            self._reaper_callback.start()
        super().listen()


main = LocalVoila.launch_instance

if __name__ == "__main__":
    main()
