"""``python -m ashby_query`` runs the command line."""

import sys

from ._tools.cli import main

sys.exit(main())
