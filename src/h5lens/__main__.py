"""``python -m h5lens`` runs the command line (same as the ``h5lens`` script)."""

import sys

from .cli import main

sys.exit(main())
