"""PyTorch against TensorFlow and JAX on the backends guide's two jobs: a CV and MNIST epochs.

``python benchmarks/backends.py`` runs each contender (a Keras backend, and scikit-learn's MLP
as the common yardstick) in its own fresh process, one after the other, and prints a JSON line
per contender and a Markdown table. The jobs and their settings are ``program.py``'s: a 5-fold
CV on digits (64-32-10, Adam, 20 epochs), first of its architecture (``cv_cold``, building and
compiling included) and again (``cv_warm``); one MNIST epoch (784-128-10, SGD, batch 128), first
and again. ``--quick`` uses 12,800 MNIST rows. Not part of the test suite.
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


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def keras_jobs(quick: bool) -> dict:
    """This process's backend (KERAS_BACKEND), after one small warm-up fit off the clock."""
    import keras
    from program import CV, EPOCH, MNIST, digits, mnist
    from sklearn.model_selection import cross_val_score

    from kerasguide import KerasClassifier

    X, y = digits()
    KerasClassifier(hidden_layers=(7,), epochs=1, random_state=0).fit(X[:100], y[:100])
    cv = lambda: cross_val_score(KerasClassifier(**CV), X, y, cv=5)  # noqa: E731
    out = {"backend": keras.backend.backend(), "cv_cold": timed(cv), "cv_warm": timed(cv)}
    if MNIST.is_file():
        Xm, ym = mnist()
        Xm, ym = (Xm[:12800], ym[:12800]) if quick else (Xm, ym)
        epoch = lambda: KerasClassifier(epochs=1, **EPOCH).fit(Xm, ym)  # noqa: E731
        out.update(mnist_cold=timed(epoch), mnist_warm=timed(epoch))
    return out


def sklearn_jobs(quick: bool) -> dict:
    from program import sklearn_mlp

    out = sklearn_mlp(quick)
    return {"backend": "sklearn MLP", "cv_cold": out["cv"], "cv_warm": out["cv"],
            "mnist_cold": out.get("mnist_1"), "mnist_warm": out.get("mnist_1")}  # fmt: skip


def run_contender(name: str, quick: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)]),
           "TF_CPP_MIN_LOG_LEVEL": "3"}  # fmt: skip
    if name != "sklearn":
        env["KERAS_BACKEND"] = name
    args = [sys.executable, __file__, "--worker", name] + (["--quick"] if quick else [])
    done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    head = "| 2 cores | " + " | ".join(r["backend"] for r in results) + " |"
    lines = [head, "| --- |" + " ---: |" * len(results)]
    for key, label in ROWS:
        cells = ["-" if r.get(key) is None else f"{r[key]:.2f} s" for r in results]
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
