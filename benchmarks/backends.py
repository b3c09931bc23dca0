"""PyTorch against TensorFlow and JAX on the backends guide's two jobs: a CV and MNIST epochs.

``python benchmarks/backends.py`` runs each contender (a Keras backend, and scikit-learn's MLP
as the common yardstick) in its own fresh process, one after the other, and prints a JSON line
per contender and a Markdown table. The jobs and their settings are ``program.py``'s: a 5-fold
CV on digits (64-32-10, Adam, 20 epochs), first of its architecture (``cv_cold``, building and
compiling included) and again (``cv_warm``); one MNIST epoch (784-128-10, SGD, batch 128), first
and again. ``--quick`` uses 12,800 MNIST rows. Each job reports its wall-clock seconds and, as
``<job>_cpu``, the CPU seconds of all the process's threads, which other load on the machine
changes less. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTENDERS = ("tensorflow", "jax", "torch", "sklearn")
ROWS = [
    ("cv_cold", "5-fold CV on digits, first of its architecture"),
    ("cv_warm", "the same CV again"),
    ("mnist_cold", "MNIST epoch, first"),
    ("mnist_warm", "MNIST epoch, again"),
]


def timed(out: dict, key: str, fn) -> None:
    """``out[key]``: wall-clock seconds of ``fn()``; ``out[key + "_cpu"]``: its CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    out[key], out[f"{key}_cpu"] = time.perf_counter() - wall, time.process_time() - cpu


def keras_jobs(quick: bool) -> dict:
    """This process's backend (KERAS_BACKEND), after one small warm-up fit off the clock."""
    import keras
    from program import CV, EPOCH, MNIST, digits, mnist
    from sklearn.model_selection import cross_val_score

    from kerasguide import KerasClassifier

    X, y = digits()
    KerasClassifier(hidden_layers=(7,), epochs=1, random_state=0).fit(X[:100], y[:100])
    cv = lambda: cross_val_score(KerasClassifier(**CV), X, y, cv=5)  # noqa: E731
    out = {"backend": keras.backend.backend()}
    timed(out, "cv_cold", cv)
    timed(out, "cv_warm", cv)
    if MNIST.is_file():
        Xm, ym = mnist()
        Xm, ym = (Xm[:12800], ym[:12800]) if quick else (Xm, ym)
        epoch = lambda: KerasClassifier(epochs=1, **EPOCH).fit(Xm, ym)  # noqa: E731
        timed(out, "mnist_cold", epoch)
        timed(out, "mnist_warm", epoch)
    return out


def sklearn_jobs(quick: bool) -> dict:
    """scikit-learn's MLP on the same jobs (it compiles nothing: first and again are one)."""
    from program import CV, EPOCH, MNIST, digits, mnist
    from sklearn.model_selection import cross_val_score
    from sklearn.neural_network import MLPClassifier

    def mlp(settings, **kwargs):
        return MLPClassifier(hidden_layer_sizes=settings["hidden_layers"], tol=0.0,
                             batch_size=settings["batch_size"], solver=settings["optimizer"],
                             learning_rate_init=settings["learning_rate"], random_state=0,
                             n_iter_no_change=10**6, **kwargs)  # fmt: skip

    X, y = digits()
    out = {"backend": "sklearn MLP"}
    timed(out, "cv_cold", lambda: cross_val_score(mlp(CV, max_iter=CV["epochs"]), X, y, cv=5))
    if MNIST.is_file():
        Xm, ym = mnist()
        Xm, ym = (Xm[:12800], ym[:12800]) if quick else (Xm, ym)
        timed(out, "mnist_cold", lambda: mlp(EPOCH, max_iter=1, momentum=0.0).fit(Xm, ym))
    return out


def run_contender(name: str, quick: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)]),
           "TF_CPP_MIN_LOG_LEVEL": "3"}  # fmt: skip
    if name != "sklearn":
        env["KERAS_BACKEND"] = name
    args = [sys.executable, __file__, "--worker", name] + (["--quick"] if quick else [])
    done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(result: dict, key: str) -> str:
    if result.get(key) is None:
        return "-"
    return f"{result[key]:.2f} s ({result[key + '_cpu']:.2f} s CPU)"


def table(results: list[dict]) -> str:
    head = "| 2 cores | " + " | ".join(r["backend"] for r in results) + " |"
    lines = [head, "| --- |" + " ---: |" * len(results)]
    for key, label in ROWS:
        cells = [_cell(r, key) for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="12,800 MNIST rows")
    parser.add_argument("--only", nargs="+", choices=CONTENDERS, default=list(CONTENDERS))
    parser.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        jobs = sklearn_jobs if args.worker == "sklearn" else keras_jobs
        print(json.dumps(jobs(args.quick)))
        return
    results = []
    for name in args.only:
        results.append(run_contender(name, args.quick))
        print(json.dumps(results[-1]), flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
