"""Shared fixtures. TensorFlow's start-up chatter is silenced before Keras is imported."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist.npz"

# Helper scripts run in their own process (``_data_parallel_run.py`` chooses its backend and
# trains when imported): --doctest-modules must not import them.
collect_ignore_glob = ["_*.py"]


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    """The local MNIST copy (``KERASGUIDE_MNIST`` or ``../shared/data/mnist.npz``)."""
    candidate = Path(os.environ.get("KERASGUIDE_MNIST", SHARED_MNIST))
    if not candidate.is_file():
        pytest.skip(f"full MNIST not found at {candidate} (set KERASGUIDE_MNIST)")
    return candidate


@pytest.fixture
def blobs():
    """A small, easy 3-class problem with string labels."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=120, centers=3, n_features=4, random_state=0)
    labels = np.array(["cat", "dog", "emu"])[y]
    return X, labels


@pytest.fixture
def regression_data():
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=150, n_features=5, n_targets=2, noise=0.5, random_state=0)
    return X, y
