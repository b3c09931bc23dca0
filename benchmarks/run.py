"""Side-by-side benchmarks: kerasguide, raw Keras, scikeras, keras.wrappers and scikit-learn's MLP.

Usage::

    python benchmarks/run.py            # the full run (about 10-15 minutes on 2 cores)
    python benchmarks/run.py --quick    # a short run

Writes ``benchmarks/results.json`` and ``benchmarks/RESULTS.md`` (or ``--out DIR``). Peers that
are not installed are skipped with a note. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
MNIST = HERE.parent.parent / "shared" / "data" / "mnist.npz"
EPOCH_GFLOP = 37.0  # 784-128-10, 60k samples, forward and backward


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --------------------------------------------------------------------------- the contenders


def keras_model(n_features, n_classes, hidden, optimizer="sgd", learning_rate=0.05, onehot=False):
    import keras

    model = keras.Sequential(
        [keras.Input((n_features,))]
        + [keras.layers.Dense(units, activation="relu") for units in hidden]
        + [keras.layers.Dense(n_classes, activation="softmax")]
    )
    opt = keras.optimizers.get(
        {"class_name": optimizer, "config": {"learning_rate": learning_rate}}
    )
    loss = "categorical_crossentropy" if onehot else "sparse_categorical_crossentropy"
    model.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
    return model


def mlp(hidden, epochs, batch_size, optimizer="sgd", learning_rate=0.05):
    """scikit-learn's MLP with the same settings (imports no Keras)."""
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=hidden, solver=optimizer,
                         learning_rate_init=learning_rate, batch_size=batch_size,
                         max_iter=epochs, tol=0.0, alpha=0.0, momentum=0.0,
                         n_iter_no_change=10**6, random_state=0)  # fmt: skip


#: The MLP's settings in the sections that run it in a fresh process (``mlp_worker``).
MLP_SETTINGS = {"cv": ((32,), 20, 32, "adam", 0.001), "mnist": ((128,), 5, 128)}


def mlp_worker(section: str, quick: bool) -> dict:
    """The MLP's row of ``section``, measured in this process, which imports no TensorFlow:
    inside a process that has imported it, TensorFlow's thread pools slow NumPy down and the
    MLP took about twice its own time (issue 22)."""
    if section == "cv":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import cross_val_score

        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32)
        start = time.perf_counter()
        scores = cross_val_score(mlp(*MLP_SETTINGS["cv"]), X, y, cv=5)
        return {"seconds": time.perf_counter() - start, "accuracy": float(scores.mean())}
    data = np.load(os.environ.get("KERASGUIDE_MNIST", MNIST))
    X = (data["x_train"].reshape(-1, 784) / 255.0).astype(np.float32)
    X_test = (data["x_test"].reshape(-1, 784) / 255.0).astype(np.float32)
    y, y_test = data["y_train"], data["y_test"]
    hidden, epochs, batch = MLP_SETTINGS["mnist"]
    if quick:
        X, y, epochs = X[:10000], y[:10000], 2
    start = time.perf_counter()
    model = mlp(hidden, epochs, batch).fit(X, y)
    seconds = (time.perf_counter() - start) / epochs
    return {"seconds_per_epoch": seconds,
            "test_accuracy": float(np.mean(model.predict(X_test) == y_test))}  # fmt: skip


def mlp_in_fresh_process(section: str, quick: bool) -> dict:
    args = [sys.executable, __file__, "--mlp-worker", section] + (["--quick"] if quick else [])
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    row = json.loads(done.stdout.strip().splitlines()[-1])
    return {**row, "process": "its own (no TensorFlow)"}


def contenders(hidden, epochs, batch_size, optimizer="sgd", learning_rate=0.05):
    """name -> factory of an unfitted scikit-learn style classifier (or a note if missing)."""
    from kerasguide import KerasClassifier

    out = {
        "kerasguide": lambda: KerasClassifier(
            hidden_layers=hidden,
            optimizer=optimizer,
            learning_rate=learning_rate,
            batch_size=batch_size,
            epochs=epochs,
            tol=0.0,
            l2=0.0,
            random_state=0,
        ),
        "sklearn MLP": lambda: mlp(hidden, epochs, batch_size, optimizer, learning_rate),
    }
    try:
        from scikeras.wrappers import KerasClassifier as SciKeras

        out["scikeras"] = lambda: SciKeras(
            model=lambda meta: keras_model(
                meta["n_features_in_"], meta["n_classes_"], hidden, optimizer, learning_rate
            ),
            # No random_state: a seeded scikeras fit switches on TensorFlow's global
            # determinism, and every later unseeded fit in the process then fails.
            epochs=epochs,
            batch_size=batch_size,
            verbose=0,
        )
    except ImportError:
        out["scikeras"] = "not installed (pip install scikeras)"
    try:
        from keras.wrappers import SKLearnClassifier

        def build(X, y, **_):
            return keras_model(X.shape[1], y.shape[1], hidden, optimizer, learning_rate, True)

        out["keras.wrappers"] = lambda: SKLearnClassifier(
            model=build, fit_kwargs={"epochs": epochs, "batch_size": batch_size, "verbose": 0}
        )
    except ImportError:
        out["keras.wrappers"] = "not available in this Keras"
    return out


# --------------------------------------------------------------------------- the measurements


def bench_mnist(quick: bool) -> dict:
    """(1) MNIST 784-128-10, SGD, batch 128: seconds per epoch and test accuracy."""
    if not MNIST.exists() and not os.environ.get("KERASGUIDE_MNIST"):
        return {"note": f"MNIST not found at {MNIST} or $KERASGUIDE_MNIST"}
    from kerasguide.datasets import load_mnist

    data = load_mnist(os.environ.get("KERASGUIDE_MNIST", MNIST), download=False)
    X, y, X_test, y_test = data.data, data.target, data.data_test, data.target_test
    if quick:
        X, y = X[:10000], y[:10000]
    epochs = 2 if quick else 5
    rows = {}
    model = keras_model(784, 10, (128,))
    start = time.perf_counter()
    model.fit(X, y, epochs=epochs, batch_size=128, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = float(model.evaluate(X_test, y_test, verbose=0)[1])
    rows["raw Keras fit"] = {"seconds_per_epoch": seconds / epochs, "test_accuracy": accuracy}
    for name, make in contenders((128,), epochs, 128).items():
        if isinstance(make, str):
            rows[name] = {"note": make}
            continue
        if name == "sklearn MLP":
            rows[name] = mlp_in_fresh_process("mnist", quick)
            continue
        estimator = make()
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
        accuracy = float(np.mean(estimator.predict(X_test) == y_test))
        rows[name] = {"seconds_per_epoch": seconds / epochs, "test_accuracy": accuracy}
    for row in rows.values():
        if "seconds_per_epoch" in row:
            row["x_flop_floor"] = row["seconds_per_epoch"] / (EPOCH_GFLOP / gflops())
    return {"epochs": epochs, "samples": len(X), "rows": rows}


def bench_cv(quick: bool) -> dict:
    """(2) 5-fold cross_val_score on digits, 64-32-10, 20 epochs, batch 32."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    rows = {}
    for name, make in contenders((32,), 20, 32, "adam", 0.001).items():
        if isinstance(make, str):
            rows[name] = {"note": make}
            continue
        if name == "sklearn MLP":
            rows[name] = mlp_in_fresh_process("cv", quick)
            continue
        start = time.perf_counter()
        scores = cross_val_score(make(), X, y, cv=5)
        rows[name] = {"seconds": time.perf_counter() - start, "accuracy": float(scores.mean())}
    return {"rows": rows}


def bench_fixed_cost(quick: bool) -> dict:
    """(3) One fit on tiny data (20 rows, 1 epoch); (4) predict latency for 1 and 1,000 rows."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 8)).astype(np.float32)
    y = rng.integers(0, 2, size=20)
    X_big = rng.normal(size=(1000, 8)).astype(np.float32)
    repeats = 3 if quick else 7
    rows = {}
    for name, make in contenders((16,), 1, 32, "adam", 0.001).items():
        if isinstance(make, str):
            rows[name] = {"note": make}
            continue
        make().fit(X, y)  # warm up imports and the first trace
        fit_seconds = median_time(lambda make=make: make().fit(X, y), repeats)
        fitted = make().fit(X, y)
        one = median_time(lambda fitted=fitted: fitted.predict(X[:1]), 50 if quick else 200)
        many = median_time(lambda fitted=fitted: fitted.predict(X_big), 20)
        rows[name] = {
            "fit_seconds": fit_seconds,
            "predict_1_ms": one * 1e3,
            "predict_1000_ms": many * 1e3,
        }
    return {"rows": rows}


def bench_memory(quick: bool) -> dict:
    """(5) Memory growth over 25 fits of a small model."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 8)).astype(np.float32)
    y = rng.integers(0, 3, size=100)
    n_fits = 10 if quick else 25
    rows = {}
    for name, make in contenders((16,), 2, 32, "adam", 0.001).items():
        if isinstance(make, str):
            rows[name] = {"note": make}
            continue
        for _ in range(3):
            make().fit(X, y)
        gc.collect()
        before = rss_mib()
        for _ in range(n_fits):
            make().fit(X, y)
        gc.collect()
        rows[name] = {"fits": n_fits, "growth_mib": rss_mib() - before}
    return {"rows": rows}


def bench_import() -> dict:
    """(6) ``import kerasguide`` time in a fresh interpreter (median of 5)."""
    code = "import time; t=time.perf_counter(); import kerasguide; print(time.perf_counter()-t)"
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return {"seconds": statistics.median(times)}


_GFLOPS: list[float] = []


def gflops() -> float:
    """float32 matrix-multiply GFLOP/s of this machine (NumPy's BLAS, 1024x1024)."""
    if not _GFLOPS:
        a = np.random.default_rng(0).normal(size=(1024, 1024)).astype(np.float32)
        seconds = median_time(lambda: a @ a, 10)
        _GFLOPS.append(2 * 1024**3 / seconds / 1e9)
    return _GFLOPS[0]


# --------------------------------------------------------------------------- the report


def _value(results: dict, section: str, name: str, column: str) -> float | None:
    row = results.get(section, {}).get("rows", {}).get(name, {})
    value = row.get(column)
    return value if isinstance(value, int | float) else None


def targets(results: dict) -> list[str]:
    """The issue's speed targets, each marked met or missed by how much."""

    def ratio(section, column, a, b):
        x, y = _value(results, section, a, column), _value(results, section, b, column)
        return None if x is None or y is None or y == 0 else x / y

    checks = [
        (
            "one-row predict >= 500x faster than scikeras",
            ratio("fixed", "predict_1_ms", "scikeras", "kerasguide"),
            ">=",
            500,
        ),
        (
            "one-row predict >= 500x faster than keras.wrappers",
            ratio("fixed", "predict_1_ms", "keras.wrappers", "kerasguide"),
            ">=",
            500,
        ),
        (
            "one-row predict within 2x of sklearn MLP",
            ratio("fixed", "predict_1_ms", "kerasguide", "sklearn MLP"),
            "<=",
            2,
        ),
        (
            "fixed cost of a fit <= 1/4 of scikeras's",
            ratio("fixed", "fit_seconds", "kerasguide", "scikeras"),
            "<=",
            0.25,
        ),
        (
            "5-fold CV on digits <= 1/2 of scikeras's time",
            ratio("cv", "seconds", "kerasguide", "scikeras"),
            "<=",
            0.5,
        ),
        (
            "5-fold CV on digits no slower than sklearn MLP",
            ratio("cv", "seconds", "kerasguide", "sklearn MLP"),
            "<=",
            1,
        ),
        (
            "MNIST epoch no slower than raw Keras",
            ratio("mnist", "seconds_per_epoch", "kerasguide", "raw Keras fit"),
            "<=",
            1,
        ),
        (
            "MNIST epoch no slower than sklearn MLP",
            ratio("mnist", "seconds_per_epoch", "kerasguide", "sklearn MLP"),
            "<=",
            1,
        ),
    ]
    lines = ["## Targets", "", "| target | measured ratio | met |", "| --- | ---: | --- |"]
    for title, value, op, bound in checks:
        if value is None:
            lines.append(f"| {title} | n/a | not measured |")
            continue
        met = value >= bound if op == ">=" else value <= bound
        verdict = "yes" if met else f"no: {value / bound:.2f}x the bound"
        lines.append(f"| {title} | {value:.3g} | {verdict} |")
    growth = _value(results, "memory", "kerasguide", "growth_mib")
    if growth is not None:
        verdict = "yes" if growth < 60 else "no"
        lines.append(f"| memory growth over the fits < 60 MiB | {growth:.3g} MiB | {verdict} |")
    return [*lines, ""]


#: The columns' headings: short, in words (the results' keys are snake_case).
LABELS = {
    "seconds_per_epoch": "s / epoch",
    "x_flop_floor": "x FLOP floor",
    "test_accuracy": "test accuracy",
    "fit_seconds": "fit (s)",
    "predict_1_ms": "predict 1 row (ms)",
    "predict_1000_ms": "predict 1,000 rows (ms)",
    "growth_mib": "growth (MiB)",
}


def markdown(results: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{results['command']}`",
        "",
        f"Machine: {results['machine']}",
        "",
        f"float32 matmul: {results['gflops']:.1f} GFLOP/s; `import kerasguide`: "
        f"{results['import']['seconds'] * 1e3:.0f} ms",
        "",
    ]
    for title, key, columns in [
        (
            "MNIST 784-128-10, SGD, batch 128",
            "mnist",
            ["seconds_per_epoch", "x_flop_floor", "test_accuracy"],
        ),
        (
            "5-fold cross_val_score on digits (64-32-10, 20 epochs, batch 32)",
            "cv",
            ["seconds", "accuracy"],
        ),
        (
            "Fixed cost of one tiny fit, predict latency",
            "fixed",
            ["fit_seconds", "predict_1_ms", "predict_1000_ms"],
        ),
        ("Memory growth over repeated fits", "memory", ["fits", "growth_mib"]),
    ]:
        section = results[key]
        lines += [f"## {title}", ""]
        if "note" in section:
            lines += [section["note"], ""]
            continue
        lines += [
            "| contender | " + " | ".join(LABELS.get(c, c) for c in columns) + " |",
            "| --- |" + " ---: |" * len(columns),
        ]
        if key in ("mnist", "cv") and "process" not in section["rows"].get("sklearn MLP", {}):
            lines += ["The MLP's row was timed in this process, after TensorFlow was imported: "
                      "about twice its own time (issue 22). The cold-start tables time it "
                      "in a process of its own.", ""]  # fmt: skip
        for name, row in section["rows"].items():
            cells = (
                [row.get("note", ""), *[""] * (len(columns) - 1)]  # every row as wide as the header
                if "note" in row
                else [
                    f"{row[c]:.4g}" if isinstance(row.get(c), float) else str(row.get(c, ""))
                    for c in columns
                ]
            )
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    from cold import markdown as cold_markdown
    from program import markdown as program_markdown
    from tuning import markdown as tuning_markdown

    program = results.get("program", {"note": "not run"})
    tuning = tuning_markdown(results.get("tuning", {"note": "not run"}))
    cold = cold_markdown(results.get("cold", {"note": "not run"}))
    # What was measured by hand (profiles, what was tried), kept apart so that a render
    # rewrites the tables without losing it.
    notes = HERE / "findings.md"
    found = notes.read_text().splitlines() if notes.is_file() else []
    return "\n".join(lines + cold + program_markdown(program, results["gflops"]) + tuning
                      + targets(results) + found) + "\n"  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the results")
    parser.add_argument("--only", nargs="*", help="run only these sections")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite RESULTS.md from results.json"
    )
    parser.add_argument("--mlp-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mlp_worker:
        print(json.dumps(mlp_worker(args.mlp_worker, args.quick)))
        return 0
    if args.render:
        results = json.loads((args.out / "results.json").read_text())
        (args.out / "RESULTS.md").write_text(markdown(results))
        return 0
    import keras
    from cold import JOBS, bench_cold
    from program import bench_program
    from tuning import bench_tuning

    sections = {
        "cold": lambda quick: bench_cold(list(JOBS), ["tensorflow", "jax"], 1 if quick else 2),
        "mnist": bench_mnist,
        "cv": bench_cv,
        "fixed": bench_fixed_cost,
        "memory": bench_memory,
        "program": bench_program,
        "tuning": bench_tuning,
    }
    previous = args.out / "results.json"
    kept = json.loads(previous.read_text()) if args.only and previous.is_file() else {}
    results: dict = {
        "command": "python benchmarks/run.py"
        + (" --quick" if args.quick else "")
        + (" --only " + " ".join(args.only) if args.only else ""),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Keras {keras.__version__} "
        f"({keras.backend.backend()})",
        "gflops": gflops(),
        "import": bench_import(),
    }
    for key, bench in sections.items():
        if args.only and key not in args.only:
            # A partial run keeps the sections of the last full run, saying which run.
            results[key] = kept.get(key, {"note": "not run"})
            results[key].setdefault("command", kept.get("command", "not run"))
            continue
        print(f"== {key}", flush=True)
        results[key] = {**bench(args.quick), "command": results["command"]}
        print(json.dumps(results[key], indent=1), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "RESULTS.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
