"""``kerasguide.registry``: the model registry, at the import path of earlier releases.

The code lives in [`kerasguide.zoo.registry`][kerasguide.zoo.registry].
This module re-exports its public names, so that ``import kerasguide.registry``
and ``from kerasguide.registry import ...`` keep working.
"""

from kerasguide.zoo.registry import *  # noqa: F403
from kerasguide.zoo.registry import __all__ as __all__
