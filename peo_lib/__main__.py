"""``python -m peo_lib`` is the same as ``peo``."""

import sys

from .cli import main

sys.exit(main())
