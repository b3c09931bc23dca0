"""The whole-program training path against scikit-learn's MLP, on TensorFlow and JAX.

Usage::

    python benchmarks/compiled.py              # prints a Markdown section
    python benchmarks/compiled.py --append     # ... and appends it to benchmarks/RESULTS.md

Each Keras backend runs in its own subprocess (a backend is chosen once per process), so its
first cross-validation is cold: it includes building the models and compiling the program,
which the second one, in the same process, reuses from the engine pool. The compile time is
reported apart as the difference. ``fused`` is the previous path (``model.fit`` with
``steps_per_execution`` = one epoch), for reference. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
MNIST = Path(
    os.environ.get("KERASGUIDE_MNIST", HERE.parent.parent / "shared" / "data" / "mnist.npz")
)
CV = {"hidden_layers": (32,), "epochs": 20, "batch_size": 32, "optimizer": "adam",
      "learning_rate": 1e-3, "random_state": 0}  # fmt: skip
EPOCH = {"hidden_layers": (128,), "epochs": 1, "batch_size": 128, "optimizer": "sgd",
         "learning_rate": 0.05, "random_state": 0}  # fmt: skip


def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


def mnist():
    data = np.load(MNIST)
    return (data["x_train"].reshape(-1, 784) / 255.0).astype(np.float32), data["y_train"]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def worker(path: str) -> dict:
    """Timings of one backend (this process's), with the path forced by ``path``."""
    import keras  # noqa: F401  (imported before the clock starts: the import is not training)
    from sklearn.model_selection import cross_val_score

    from kerasguide import KerasClassifier
    from kerasguide._estimator import fitting

    X, y = digits()
    # The process's first model pays for the backend's first ops (on JAX seconds of eager
    # compilations); a small fit of another architecture pays it before the clock starts, so
    # that "cold" is this architecture's own building and compiling.
    warm_up = KerasClassifier(hidden_layers=(7,), epochs=1, random_state=0)
    out = {"process_warm_up": timed(lambda: warm_up.fit(X[:100], y[:100]))}
    if path == "fused":
        fitting.COMPILED_MIN_STEPS = 10**9  # the fused path takes these fits, as before
    cv = lambda: cross_val_score(KerasClassifier(**CV), X, y, cv=5)  # noqa: E731
    out.update(cv_cold=timed(cv), cv_warm=timed(cv))
    if MNIST.is_file():
        if path == "compiled":
            fitting.COMPILED_MIN_STEPS = 0  # one epoch is 469 steps, under the threshold
        Xm, ym = mnist()
        fit = lambda: KerasClassifier(**EPOCH).fit(Xm, ym)  # noqa: E731
        out.update(mnist_cold=timed(fit), mnist_warm=timed(fit))
    return out


def sklearn_mlp() -> dict:
    from sklearn.model_selection import cross_val_score
    from sklearn.neural_network import MLPClassifier

    X, y = digits()
    mlp = MLPClassifier(hidden_layer_sizes=(32,), batch_size=32, max_iter=20, solver="adam",
                        learning_rate_init=1e-3, random_state=0)  # fmt: skip
    out = {"cv": timed(lambda: cross_val_score(mlp, X, y, cv=5))}
    if MNIST.is_file():
        Xm, ym = mnist()
        mlp = MLPClassifier(hidden_layer_sizes=(128,), batch_size=128, max_iter=1, solver="sgd",
                            learning_rate_init=0.05, momentum=0.0, random_state=0)  # fmt: skip
        out["mnist"] = timed(lambda: mlp.fit(Xm, ym))
    return out


def run_worker(backend: str, path: str) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(HERE.parent)}
    done = subprocess.run([sys.executable, __file__, "--worker", path], env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


#: What each worker's fits ran on (a MNIST epoch is 469 steps: the step path by default).
PATHS = {"compiled": ("compiled", "compiled (forced)"), "fused": ("fused (before)", "steps")}


def report(results: dict, mlp: dict) -> str:
    head = ("| backend | CV path | CV cold s | CV warm s | cold - warm s | cold / MLP | warm / MLP "
            "| MNIST path | epoch cold s | epoch warm s | cold / MLP |")  # fmt: skip
    lines = [head, "| --- | --- |" + " ---: |" * 5 + " --- |" + " ---: |" * 3]
    for (backend, path), r in results.items():
        cv_path, mnist_path = PATHS[path]
        cells = [backend, cv_path, r["cv_cold"], r["cv_warm"], r["cv_cold"] - r["cv_warm"],
                 r["cv_cold"] / mlp["cv"], r["cv_warm"] / mlp["cv"], mnist_path]  # fmt: skip
        if "mnist" in mlp:
            cells += [r["mnist_cold"], r["mnist_warm"], r["mnist_cold"] / mlp["mnist"]]
        text = (f"{c:.2f}" if isinstance(c, float) else c for c in cells)
        lines.append("| " + " | ".join(text) + " |")
    mnist = f"{mlp['mnist']:.2f}" if "mnist" in mlp else "-"
    lines.append(f"| sklearn MLP | | {mlp['cv']:.2f} | | | 1 | | | {mnist} | | 1 |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["compiled", "fused"])
    parser.add_argument("--append", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    mlp = sklearn_mlp()
    results = {}
    for backend in ("tensorflow", "jax"):
        for path in ("compiled", "fused"):
            results[(backend, path)] = run_worker(backend, path)
            print(backend, path, results[(backend, path)], file=sys.stderr)
    table = report(results, mlp)
    print(table)
    if args.append:
        with open(HERE / "RESULTS.md", "a") as f:
            f.write("\n" + table + "\n")


if __name__ == "__main__":
    main()
