"""``python -m peo_lib`` is the same as ``peo``."""

from peo_lib.cli import run

run()
