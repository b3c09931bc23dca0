"""``kerasguide.layers``: the zoo's Keras objects, at the import path of earlier releases.

The code lives in [`kerasguide.zoo.layers`][kerasguide.zoo.layers].
This module re-exports its public names, so that ``import kerasguide.layers``
and ``from kerasguide.layers import ...`` keep working.
"""

from kerasguide.zoo.layers import *  # noqa: F403
from kerasguide.zoo.layers import __all__ as __all__
