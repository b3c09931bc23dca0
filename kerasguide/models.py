"""``kerasguide.models``: the zoo's factories, at the import path of earlier releases.

The code lives in [`kerasguide.zoo.models`][kerasguide.zoo.models].
This module re-exports its public names, so that ``import kerasguide.models``
and ``from kerasguide.models import ...`` keep working.
"""

from kerasguide.zoo.models import *  # noqa: F403
from kerasguide.zoo.models import __all__ as __all__
