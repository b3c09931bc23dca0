"""The versions of the software a fitted estimator was made with: one place for that fact.

The saved file's manifest and the model card both record them, from here.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["package_version", "software_versions"]


def package_version() -> str:
    """kerasguide's installed version (``"0.0.0"`` when run from a source tree)."""
    try:
        return version("kerasguide")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def software_versions() -> dict[str, str]:
    """kerasguide's, Keras's, NumPy's and scikit-learn's versions, and the Keras backend."""
    import keras
    import numpy as np
    import sklearn

    return {
        "kerasguide": package_version(),
        "keras": keras.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "backend": keras.backend.backend(),
    }
