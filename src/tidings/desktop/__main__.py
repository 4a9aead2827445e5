"""``python -m tidings.desktop``: the same as ``tidings-desktop``."""

import sys

from tidings.desktop.cli import main

sys.exit(main())
