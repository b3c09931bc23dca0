"""``kerasguide.saving``: saving fitted estimators, at the import path of earlier releases.

The code lives in [`kerasguide.io.saving`][kerasguide.io.saving].
This module re-exports its public names, so that ``import kerasguide.saving``
and ``from kerasguide.saving import ...`` keep working.
"""

from kerasguide.io.saving import *  # noqa: F403
from kerasguide.io.saving import __all__ as __all__
