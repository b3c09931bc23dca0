"""Files that cross backends: saved on TensorFlow, JAX or PyTorch, loaded on each of the others.

Each backend runs in a fresh process (``tests/_cross_backend_run.py``): one process per backend
fits and saves a dense classifier, a regressor with target scaling, a CNN and an RNN, then one
process per backend loads every other backend's files. Each pair must give the same labels, and
probabilities (the regressor's predictions, the network's own forward pass on the loading
backend) within 1e-5. Backends that are not installed are left out of the matrix.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

RUNNER = Path(__file__).with_name("_cross_backend_run.py")
BACKENDS = ("tensorflow", "jax", "torch")
MODELS = ("dense", "regressor", "cnn", "rnn")
INSTALLED = [b for b in BACKENDS if importlib.util.find_spec(b) is not None]
PAIRS = [(s, lo) for s, lo in itertools.permutations(BACKENDS, 2)]


def _run(action: str, folder: Path, backend: str) -> None:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, str(RUNNER), action, str(folder)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode != 0 or result.stdout.strip().splitlines()[-1:] != [backend]:
        pytest.fail(f"{action} on {backend} failed:\n{result.stderr[-3000:]}")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> Path:
    if len(INSTALLED) < 2:
        pytest.skip(f"needs two Keras backends installed; found {INSTALLED}")
    folder = tmp_path_factory.mktemp("cross_backend")
    for backend in INSTALLED:
        _run("save", folder, backend)
    for backend in INSTALLED:
        _run("load", folder, backend)
    return folder


@pytest.mark.parametrize(("saver", "loader"), PAIRS, ids=[f"{s}-to-{lo}" for s, lo in PAIRS])
@pytest.mark.parametrize("model", MODELS)
def test_a_file_saved_on_one_backend_predicts_the_same_on_another(matrix, saver, loader, model):
    for backend in (saver, loader):
        if backend not in INSTALLED:
            pytest.skip(f"the {backend} backend is not installed")
    saved = np.load(matrix / f"{saver}-{model}.npz")
    loaded = np.load(matrix / f"{saver}-{model}-on-{loader}.npz")
    if model == "regressor":
        tol = {"rtol": 1e-5, "atol": 1e-5 * np.abs(saved["predict"]).max()}
        np.testing.assert_allclose(loaded["predict"], saved["predict"], **tol)
        np.testing.assert_allclose(loaded["network"], saved["network"], **tol)
        return
    np.testing.assert_array_equal(loaded["predict"], saved["predict"])
    np.testing.assert_allclose(loaded["proba"], saved["proba"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(loaded["network"], saved["network"], rtol=0, atol=1e-5)


def test_the_same_random_state_starts_from_the_same_weights_on_every_backend(matrix):
    starts = {}
    for backend in INSTALLED:
        with np.load(matrix / f"{backend}-dense.npz") as saved:
            starts[backend] = [saved[k] for k in sorted(k for k in saved if k.startswith("w"))]
    reference, *others = INSTALLED
    for backend in others:
        assert len(starts[backend]) == len(starts[reference]) > 0
        for ours, theirs in zip(starts[backend], starts[reference], strict=True):
            np.testing.assert_array_equal(ours, theirs, err_msg=f"{backend} vs {reference}")
