"""``python -m kerasguide``: the ``kerasguide`` command."""

import sys

from kerasguide.cli import main

if __name__ == "__main__":
    sys.exit(main())
