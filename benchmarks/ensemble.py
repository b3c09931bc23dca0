"""What an ensemble costs: a 5-member fit against one member's, once compiled (issue 24).

``python benchmarks/ensemble.py`` runs TensorFlow and JAX, each in its own subprocess, and prints
one JSON line per backend: the median of ``--repeats`` timings of one ``KerasRegressor`` fit and
of a ``KerasRegressor(uncertainty="ensemble", n_members=5)`` fit, both after a first fit of the
architecture has compiled its program, and their ratio. ``--quick`` trains fewer epochs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def _measure(epochs: int, repeats: int) -> dict:
    import numpy as np

    from kerasguide import KerasRegressor

    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(2000, 4)).astype(np.float32)
    y = np.sin(X).sum(axis=1) + 0.3 * rng.normal(size=2000)
    kw = {"hidden_layers": (64, 64), "learning_rate": 0.01, "epochs": epochs, "tol": 0.0}

    def seconds(**params) -> float:
        start = time.perf_counter()
        KerasRegressor(**kw, **params).fit(X, y)
        return time.perf_counter() - start

    seconds(random_state=0)  # compiles the architecture's program, which every fit shares
    one = statistics.median(seconds(random_state=r) for r in range(repeats))
    five = statistics.median(
        seconds(uncertainty="ensemble", n_members=5, random_state=r) for r in range(repeats)
    )
    import keras

    return {"backend": keras.backend.backend(), "rows": 2000, "epochs": epochs,
            "one_member_s": round(one, 3), "five_members_s": round(five, 3),
            "ratio": round(five / one, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend", help="measure in this process on this backend")
    args = parser.parse_args()
    epochs = 20 if args.quick else 100
    if args.backend:
        import warnings

        warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of epochs
        print(json.dumps(_measure(epochs, args.repeats)))
        return
    for backend in ("tensorflow", "jax"):
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        command = [sys.executable, __file__, "--backend", backend, "--repeats", str(args.repeats)]
        out = subprocess.run(command + (["--quick"] if args.quick else []), env=env, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        print(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
