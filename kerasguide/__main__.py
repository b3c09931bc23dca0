"""``python -m kerasguide``: the ``kerasguide`` command."""

import sys

from kerasguide.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
