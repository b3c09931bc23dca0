"""One backend's side of tests/test_cross_backend.py, run in a fresh process (KERAS_BACKEND set).

``save DIR`` fits the four estimators on this backend, saves each as ``DIR/<backend>-<name>.kgz``
and writes what they predict, and the dense classifier's initial weights, to
``DIR/<backend>-<name>.npz``. ``load DIR`` loads every other backend's files and writes what
they predict here to ``DIR/<saver>-<name>-on-<backend>.npz``. Both print the backend last.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import keras
import numpy as np
from sklearn.datasets import load_digits

import kerasguide
from kerasguide import KerasClassifier, KerasRegressor
from kerasguide.exceptions import ConvergenceWarning


def data():
    X, y = load_digits(return_X_y=True)
    return (X[:160] / 16.0).astype(np.float32), y[:160]


class FirstWeights(keras.callbacks.Callback):
    """Keeps the weights the model starts training from."""

    def on_train_begin(self, logs=None):
        self.weights = [np.asarray(w) for w in self.model.get_weights()]


def estimators(first: FirstWeights) -> dict:
    return {
        "dense": KerasClassifier(hidden_layers=(16,), epochs=2, random_state=0,
                                 callbacks=[first]),
        "regressor": KerasRegressor(hidden_layers=(16,), normalize_y=True, epochs=2,
                                    random_state=0),
        "cnn": KerasClassifier(model="cnn", input_shape=(8, 8, 1), epochs=1, random_state=0,
                               model_params={"filters": (4,), "dense_layers": (8,)}),
        "rnn": KerasClassifier(model="rnn", input_shape=(8, 8), epochs=1, random_state=0,
                               model_params={"units": (8,)}),
    }  # fmt: skip


def outputs(est, X) -> dict:
    """The estimator's predictions, and the loaded network's own forward pass on this backend."""
    rows = X.reshape(-1, *est.input_shape_) if hasattr(est, "input_shape_") else X
    out = {"predict": est.predict(X), "network": np.asarray(est.model_.predict(rows, verbose=0))}
    if hasattr(est, "predict_proba"):
        out["proba"] = est.predict_proba(X)
    return out


def save(folder: Path, backend: str) -> None:
    X, y = data()
    # A regressor's targets on a scale far from 1, so that the target scaling matters.
    targets = {"regressor": np.c_[X[:, 20] * 300.0 + 50.0, X[:, 40] - 7.0]}
    first = FirstWeights()
    for name, est in estimators(first).items():
        est.fit(X, targets.get(name, y))
        est.set_params(callbacks=None)  # a callback instance cannot be saved
        est.save(folder / f"{backend}-{name}.kgz")
        extra = {f"w{i}": w for i, w in enumerate(first.weights)} if name == "dense" else {}
        np.savez(folder / f"{backend}-{name}.npz", **outputs(est, X), **extra)


def load(folder: Path, backend: str) -> None:
    X, _ = data()
    for path in sorted(folder.glob("*.kgz")):
        saver, name = path.stem.split("-", 1)
        if saver != backend:
            out = outputs(kerasguide.load(path), X)
            np.savez(folder / f"{saver}-{name}-on-{backend}.npz", **out)


if __name__ == "__main__":
    warnings.simplefilter("ignore", ConvergenceWarning)  # one or two epochs on purpose
    action, folder = sys.argv[1], Path(sys.argv[2])
    {"save": save, "load": load}[action](folder, keras.backend.backend())
    print(keras.backend.backend())
