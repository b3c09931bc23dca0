"""``kerasguide.export``: ONNX export, at the import path of earlier releases.

The code lives in [`kerasguide.io.onnx`][kerasguide.io.onnx].
This module re-exports its public names, so that ``import kerasguide.export``
and ``from kerasguide.export import ...`` keep working.
"""

from kerasguide.io.onnx import *  # noqa: F403
from kerasguide.io.onnx import __all__ as __all__
