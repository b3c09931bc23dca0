"""Categorical columns: learned embeddings against a hand-made one-hot pipeline and HGB.

Two measurements on ``kerasguide.datasets.make_shop_table`` (five categorical columns, one of
them the 50-level ``product`` that carries the signal; two numeric ones):

1. Accuracy on held-out rows, on the same data and the same time budget, of
   - ``embeddings``: ``KerasClassifier()`` on the DataFrame (``categorical_features="from_dtype"``:
     ``product`` through a learned embedding, the small columns one-hot, numbers standardized);
   - ``one-hot``: the same network after a hand-made ``ColumnTransformer`` of
     ``OneHotEncoder(handle_unknown="ignore")`` and ``StandardScaler``
     (``categorical_features=None``);
   - ``hgb``: ``HistGradientBoostingClassifier(categorical_features="from_dtype")``.
   The networks train with early stopping, at most ``--epochs`` epochs; the budget is the
   slowest contender's time, and each contender's time is reported.
2. What encoding costs in a fit on a 100,000-row table: the fit's time, and the time spent
   learning the encoding and encoding the rows (measured by repeating exactly those calls).

Every contender runs in its own fresh Python process (``--run``), so that none inherits another's
compiled programs or memory. Run: ``python benchmarks/categorical.py`` (``--quick``: fewer
rows, one seed). The machine may be shared: times are wall-clock, as measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

CONTENDERS = ("embeddings", "one-hot", "hgb")
NETWORK = {"hidden_layers": (64, 64), "batch_size": 256, "early_stopping": True,
           "n_iter_no_change": 5}  # fmt: skip


def _data(n_train: int, seed: int):
    from kerasguide.datasets import make_shop_table

    X, y = make_shop_table(n_train + 10_000, random_state=seed, return_X_y=True)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _contender(name: str, epochs: int, seed: int):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from kerasguide import KerasClassifier
    from kerasguide.datasets.tables import SHOP_COLUMNS

    network = {**NETWORK, "epochs": epochs, "random_state": seed}
    if name == "embeddings":
        return KerasClassifier(**network)
    if name == "one-hot":
        categorical = [c for c, levels in SHOP_COLUMNS.items() if levels]
        numeric = [c for c, levels in SHOP_COLUMNS.items() if not levels]
        encode = ColumnTransformer([
            ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numbers", StandardScaler(), numeric),
        ])  # fmt: skip
        return make_pipeline(encode, KerasClassifier(categorical_features=None, **network))
    return HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)


def run_accuracy(name: str, n_train: int, epochs: int, seed: int) -> dict:
    X, y, X_test, y_test = _data(n_train, seed)
    model = _contender(name, epochs, seed)
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    final = model[-1] if hasattr(model, "steps") else model
    return {"contender": name, "seed": seed, "n_train": n_train, "fit_s": round(fit_s, 2),
            "accuracy": float(model.score(X_test, y_test)),
            "epochs": getattr(final, "n_iter_", None)}  # fmt: skip


def run_overhead(n_rows: int, epochs: int) -> dict:
    """A fit on ``n_rows`` rows; the encoding's share, by timing its own calls again."""
    from kerasguide import KerasClassifier
    from kerasguide._estimator.tabular import categorical_mask, learn_encoding
    from kerasguide.datasets import make_shop_table

    X, y = make_shop_table(n_rows, random_state=0, return_X_y=True)
    est = KerasClassifier(hidden_layers=(64, 64), batch_size=256, epochs=epochs, random_state=0)
    start = time.perf_counter()
    est.fit(X, y)
    fit_s = time.perf_counter() - start
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        table = learn_encoding(X, categorical_mask(X, "from_dtype"), None)
        learned = time.perf_counter()
        table.encode(X)
        timings.append((learned - start, time.perf_counter() - learned))
    learn_s, encode_s = min(timings, key=sum)
    # The same table as an object ndarray (Python dict lookups instead of pandas' indexers).
    objects, _ = make_shop_table(n_rows, random_state=0, as_frame=False, return_X_y=True)
    start = time.perf_counter()
    learn_encoding(objects, np.arange(7) < 5, None).encode(objects)
    ndarray_s = time.perf_counter() - start
    start = time.perf_counter()
    est.predict(X)
    predict_s = time.perf_counter() - start
    return {"n_rows": n_rows, "epochs": epochs, "fit_s": round(fit_s, 2),
            "learn_s": round(learn_s, 4), "encode_s": round(encode_s, 4),
            "share": round((learn_s + encode_s) / fit_s, 4), "predict_s": round(predict_s, 3),
            "ndarray_learn_and_encode_s": round(ndarray_s, 3),
            "predict_encode_share": round(encode_s / predict_s, 3)}  # fmt: skip


def _fresh(args: list[str]) -> dict:
    """Run this script with ``args`` in a new process; its last stdout line is JSON."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          env=env, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows and one seed")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run == "overhead":
        print(json.dumps(run_overhead(args.rows, args.epochs)))
        return
    if args.run:
        print(json.dumps(run_accuracy(args.run, args.rows, args.epochs, args.seed)))
        return
    n_train, seeds, epochs = (5_000, [0], 30) if args.quick else (20_000, [0, 1, 2], 60)
    import keras

    print(f"backend {keras.backend.backend()}, {os.cpu_count()} CPU(s); one fresh process each")
    results = []
    for seed in seeds:
        for name in CONTENDERS:
            row = _fresh(["--run", name, "--seed", str(seed), "--rows", str(n_train),
                          "--epochs", str(epochs)])  # fmt: skip
            results.append(row)
            print(json.dumps(row), flush=True)
    print(f"\n| contender | accuracy (mean over {len(seeds)} seed(s)) | fit time (s) |")
    print("|---|---|---|")
    for name in CONTENDERS:
        rows = [r for r in results if r["contender"] == name]
        acc = np.mean([r["accuracy"] for r in rows])
        print(f"| {name} | {100 * acc:.2f} % | {np.mean([r['fit_s'] for r in rows]):.1f} |")
    rows = 20_000 if args.quick else 100_000
    overhead = _fresh(["--run", "overhead", "--rows", str(rows), "--epochs", "10"])
    print("\nencoding overhead:", json.dumps(overhead))


if __name__ == "__main__":
    main()
