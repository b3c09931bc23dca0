"""Memory after fitting many distinct architectures in one process.

The estimators train on pooled compiled engines, one pool entry per architecture, and the pool
keeps the most recent ``kerasguide._estimator.engine.MAX_ARCHITECTURES`` (16). This script fits
``KerasClassifier(hidden_layers=(k,), epochs=2)`` for ``--count`` distinct values of ``k`` on a
small problem and prints the process's resident memory (from ``/proc/self/statm``) after each
block of fits, so that growth after the pool starts evicting shows.

    python benchmarks/many_architectures.py --count 50

Linux only (reads /proc). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np


def rss_mib() -> float:
    """Resident set size of this process, in MiB."""
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="distinct architectures to fit")
    parser.add_argument("--first", type=int, default=10, help="hidden units of the first one")
    parser.add_argument("--every", type=int, default=8, help="print RSS every this many fits")
    args = parser.parse_args()

    from sklearn.datasets import make_classification
    from sklearn.exceptions import ConvergenceWarning

    from kerasguide import KerasClassifier

    X, y = make_classification(n_samples=200, n_features=10, random_state=0)
    X = X.astype(np.float32)

    def fit(units: int) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # two epochs on purpose
            KerasClassifier(hidden_layers=(units,), epochs=2, random_state=0).fit(X, y)

    fit(args.first - 1)  # warm-up: imports, first traces
    gc.collect()
    start = rss_mib()
    print(f"after warm-up: {start:8.1f} MiB")
    began, times = time.perf_counter(), []
    for i, units in enumerate(range(args.first, args.first + args.count), start=1):
        tick = time.perf_counter()
        fit(units)
        times.append(time.perf_counter() - tick)
        if i % args.every == 0 or i in (1, args.count):
            gc.collect()
            now = rss_mib()
            print(
                f"{i:3d} architectures: {now:8.1f} MiB ({now - start:+7.1f}), "
                f"this fit {times[-1]:.3f} s"
            )
    # Single fits are noisy on a shared machine: the median of the first and the last five too.
    head, tail = np.median(times[:5]), np.median(times[-5:])
    print(
        f"fit time: 1st {times[0]:.3f} s, {args.count}th {times[-1]:.3f} s; "
        f"median of the first 5 {head:.3f} s, of the last 5 {tail:.3f} s"
    )
    print(f"{args.count} fits in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
