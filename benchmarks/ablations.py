"""Before and after, in one run: what pooled engines and fused epochs buy.

Usage::

    python benchmarks/ablations.py

1. The fixed cost of a tiny fit, with the zoo's ``mlp`` by name (its compiled training step is
   pooled) and the same model through a callable (never pooled: the path before pooling).
2. 5-fold cross-validation on digits (64-32-10, 20 epochs, batch 32), fused (one epoch per
   compiled call) and batch by batch (forced by a no-op Keras callback).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402


def fixed_cost() -> None:
    import kerasguide
    from kerasguide import KerasClassifier

    def unpooled(n_features, n_outputs, task, seed, dtype, hidden_layers, **options):
        return kerasguide.build_model(
            "mlp",
            n_features=n_features,
            n_outputs=n_outputs,
            task=task,
            seed=seed,
            dtype=dtype,
            hidden_layers=hidden_layers,
            **options,
        )

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 8)).astype(np.float32), rng.integers(0, 2, 20)
    for name, model in [("pooled (registry name)", "mlp"), ("not pooled (callable)", unpooled)]:

        def make(model=model):
            return KerasClassifier(model=model, hidden_layers=(16,), epochs=1, random_state=0)

        make().fit(X, y)
        times = []
        for _ in range(7):
            start = time.perf_counter()
            make().fit(X, y)
            times.append(time.perf_counter() - start)
        print(f"fixed cost of a fit, {name}: {statistics.median(times):.4f} s")


def cross_validation() -> None:
    import keras
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score

    from kerasguide import KerasClassifier

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    params = {"hidden_layers": (32,), "epochs": 20, "batch_size": 32, "tol": 0.0, "random_state": 0}
    for name, extra in [
        ("fused", {}),
        ("batch by batch", {"callbacks": [keras.callbacks.Callback()]}),
    ]:
        cross_val_score(KerasClassifier(**params, **extra), X, y, cv=5)  # warm-up
        start = time.perf_counter()
        scores = cross_val_score(KerasClassifier(**params, **extra), X, y, cv=5)
        print(
            f"5-fold CV on digits, {name}: {time.perf_counter() - start:.2f} s, "
            f"accuracy {scores.mean():.4f}"
        )


if __name__ == "__main__":
    fixed_cost()
    cross_validation()
    sys.exit(0)
