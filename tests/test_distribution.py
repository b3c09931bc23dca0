"""Data-parallel training (``distribution=``): one model, each batch split over devices.

The devices are simulated: JAX splits the host CPU with ``XLA_FLAGS``, TensorFlow with logical
devices. Both must be set before the backend starts, so each check runs in a fresh process
(``_data_parallel_run.py``), which chooses its own backend: every run checks both.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from kerasguide import KerasClassifier, KerasRegressor

RUNNER = Path(__file__).with_name("_data_parallel_run.py")


@pytest.mark.parametrize("backend", ["jax", "tensorflow"])
def test_two_devices_train_like_one(backend):
    package = {"jax": "jax", "tensorflow": "tensorflow"}[backend]
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} is not installed (pip install 'kerasguide[{package}]')")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("XLA_FLAGS", None)
    out = subprocess.run(
        [sys.executable, str(RUNNER), backend],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["devices"] == ["cpu:0", "cpu:1"]
    assert report["replicas"] == 2  # the model lived on both devices
    assert report["restored"]  # no distribution left behind after fit
    # The same arithmetic, summed in another order: equal to float32 rounding.
    np.testing.assert_allclose(report["loss_two"], report["loss_one"], rtol=1e-4)
    assert report["proba_gap"] < 1e-3
    assert abs(report["score_two"] - report["score_one"]) <= 0.01
    assert report["warm_start_epochs"] == len(report["loss_one"]) + 1


@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")
def test_distribution_on_another_backend_names_the_ones_that_work(blobs):
    X, y = blobs
    clf = KerasClassifier(epochs=1, distribution="data_parallel")
    if keras.backend.backend() in ("jax", "tensorflow"):
        # One real device here: data parallelism over it trains like no distribution.
        clf.fit(X, y)
        assert clf.n_iter_ == 1
    else:
        with pytest.raises(ValueError, match="KERAS_BACKEND=jax or KERAS_BACKEND=tensorflow"):
            clf.fit(X, y)
        assert not hasattr(clf, "model_")


@pytest.mark.parametrize(
    ("distribution", "message"),
    [
        ("mirrored", "Received: distribution='mirrored'"),
        ([], r"Received: distribution=\[\]"),
        ([0, 1], r"Received: distribution=\[0, 1\]"),
    ],
)
def test_bad_distribution_values_are_named(regression_data, distribution, message):
    X, y = regression_data
    with pytest.raises(ValueError, match=message):
        KerasRegressor(epochs=1, distribution=distribution).fit(X, y)


distributed_backend = pytest.mark.skipif(
    keras.backend.backend() not in ("jax", "tensorflow"),
    reason="distribution= needs the JAX or TensorFlow backend",
)


@distributed_backend
@pytest.mark.parametrize(
    ("distribution", "problem"),
    [
        (["cpu:99"], r"names devices this machine lacks: \['cpu:99'\]"),
        (["cpu:0", "gpu:7"], r"names devices this machine lacks: \['gpu:7'\]"),
        (["nonsense"], r"must name devices as 'type:index'.*not device names: \['nonsense'\]"),
        (["cpu:0", "cpu"], r"must name devices as 'type:index'.*not device names: \['cpu'\]"),
        (["cpu:-1"], r"must name devices as 'type:index'.*not device names: \['cpu:-1'\]"),
        (["cpu:0", "cpu:0"], r"names a device more than once: \['cpu:0'\]"),
        (["cpu:0", "CPU:0"], r"names a device more than once: \['CPU:0'\]"),
    ],
)
def test_check_distribution_refuses_unknown_malformed_and_repeated_devices(distribution, problem):
    from kerasguide._estimator.backend import check_distribution

    listed = [*keras.distribution.list_devices(), *keras.distribution.list_devices("cpu")]
    available = re.escape(repr(list(dict.fromkeys(listed))))
    message = rf"^`distribution` {problem}.*Available: {available}\. "
    message += rf"Received: distribution={re.escape(repr(distribution))}$"
    with pytest.raises(ValueError, match=message):
        check_distribution(distribution)


@distributed_backend
@pytest.mark.parametrize("distribution", [["cpu:99"], ["nonsense"], ["cpu:0", "cpu:0"]])
def test_fit_refuses_bad_device_names_before_training(blobs, distribution):
    X, y = blobs
    clf = KerasClassifier(epochs=1, distribution=distribution)
    with pytest.raises(
        ValueError, match=r"^`distribution` .*Available: \[.*Received: distribution="
    ):
        clf.fit(X[:12], y[:12])
    assert not hasattr(clf, "model_")


@distributed_backend
def test_check_distribution_accepts_the_devices_as_listed_in_any_case():
    from kerasguide._estimator.backend import check_distribution

    first = keras.distribution.list_devices()[0]
    assert check_distribution([first]) == (first,)
    assert check_distribution([first.upper()]) == (first,)
    assert check_distribution((f"/{first}",)) == (first,)
    assert check_distribution("data_parallel") == tuple(keras.distribution.list_devices())
