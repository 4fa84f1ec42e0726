"""Voila for the panel dashboard, local only: the ``Host:`` header must be a loopback name.

Voila hard-codes ``allow_remote_access=True`` in its Tornado settings, so a foreign
``Host:`` header is accepted and DNS rebinding would let a web page in the
presenter's browser read the aggregates and drive the widgets. This subclass
turns jupyter_server's host check back on (``localhost``, ``127.0.0.1`` and ``::1``
pass; everything else gets 403). Run as ``python -m peo_lib.dashboard.local_voila``
with Voila's own options.
"""

from __future__ import annotations

from voila.app import Voila

__all__ = ["LocalVoila", "main"]


class LocalVoila(Voila):
    """Voila with jupyter_server's Host check on (remote access off)."""

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        return settings


main = LocalVoila.launch_instance

if __name__ == "__main__":
    main()
