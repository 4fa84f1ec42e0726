"""``python -m peo_lib`` is the same as ``peo``."""

import sys

from peo_lib.cli import main

sys.exit(main())
