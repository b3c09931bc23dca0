"""The fit as one compiled program (issue 11): kerasguide on TensorFlow and JAX against
scikit-learn's MLP, side by side in one run.

``python benchmarks/run.py --only program`` runs it as a section of the benchmark run (this
module's ``bench_program``); ``python benchmarks/program.py`` prints the section's JSON alone.

Each Keras backend runs in its own subprocess (a backend is chosen once per process), so its
first fit of each architecture is *cold*: it builds the model and compiles the program, which
the next fits of that architecture reuse from the engine pool (*warm*). The compile time is
reported apart as the difference. *before* forces the path the fits took before the program
existed (``model.fit`` with ``steps_per_execution`` for long fits, ``train_on_batch`` steps for
short ones). Not part of the test suite.
"""

from __future__ import annotations

import gc
import json
import os
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
MNIST = Path(
    os.environ.get("KERASGUIDE_MNIST", HERE.parent.parent / "shared" / "data" / "mnist.npz")
)
#: 64-32-10 on digits, Adam 1e-3, batch 32, 20 epochs (900 steps a fold); tol=0 trains them all.
CV = {"hidden_layers": (32,), "epochs": 20, "batch_size": 32, "optimizer": "adam",
      "learning_rate": 1e-3, "tol": 0.0, "random_state": 0}  # fmt: skip
#: The grid search's 4 architectures (x 5 folds: 20 candidate fits, no refit).
GRID = [(16,), (32,), (64,), (32, 32)]
#: 784-128-10 on MNIST, SGD 0.05, batch 128 (469 steps an epoch).
EPOCH = {"hidden_layers": (128,), "batch_size": 128, "optimizer": "sgd",
         "learning_rate": 0.05, "tol": 0.0, "random_state": 0}  # fmt: skip


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


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _kerasguide_runs(quick: bool) -> dict:
    """This process's backend: CV, grid search, MNIST epochs, a tiny fit, memory."""
    from sklearn.model_selection import GridSearchCV, cross_val_score

    from kerasguide import KerasClassifier

    X, y = digits()
    out = {}
    cv = lambda: cross_val_score(KerasClassifier(**CV), X, y, cv=5)  # noqa: E731
    out.update(cv_cold=timed(cv), cv_warm=timed(cv))
    grid = GridSearchCV(KerasClassifier(**CV), {"hidden_layers": GRID}, cv=5, refit=False)
    out["grid_cold"] = timed(lambda: grid.fit(X, y))  # (32,) is warm from the CV
    rng = np.random.default_rng(0)
    Xt, yt = rng.normal(size=(200, 8)).astype(np.float32), rng.integers(0, 2, 200)
    tiny = lambda: KerasClassifier(epochs=10, tol=0.0, random_state=0).fit(Xt, yt)  # noqa: E731
    tiny()
    out["tiny"] = statistics.median(timed(tiny) for _ in range(5))
    out.update(_memory(X[:500], y[:500], 20 if quick else 100))
    if MNIST.is_file():
        Xm, ym = mnist()
        if quick:
            Xm, ym = Xm[:12800], ym[:12800]
        one = lambda: KerasClassifier(epochs=1, **EPOCH).fit(Xm, ym)  # noqa: E731
        three = lambda: KerasClassifier(epochs=3, **EPOCH).fit(Xm, ym)  # noqa: E731
        out.update(mnist_1_cold=timed(one), mnist_1_warm=timed(one))
        out.update(mnist_3_cold=timed(three), mnist_3_warm=timed(three))
    return out


def _memory(X, y, n_fits: int) -> dict:
    """Resident memory growth over ``n_fits`` fits of one architecture (after 3 to warm up)."""
    from kerasguide import KerasClassifier

    fit = lambda: KerasClassifier(hidden_layers=(16,), epochs=10, batch_size=32,  # noqa: E731
                                  tol=0.0, random_state=0).fit(X, y)  # fmt: skip
    for _ in range(3):
        fit()
    gc.collect()
    before = rss_mib()
    for _ in range(n_fits):
        fit()
    gc.collect()
    return {"memory_fits": n_fits, "memory_growth_mib": rss_mib() - before}


def worker(path: str, quick: bool) -> dict:
    """Timings of this process's backend, on the default path or the one ``before`` it."""
    import keras  # noqa: F401  (imported before the clock starts: the import is not training)

    from kerasguide import KerasClassifier
    from kerasguide._estimator import fitting

    X, y = digits()
    # The process's first model pays for the backend's first ops (on JAX seconds of eager
    # compilations); a small fit of another architecture pays it before the clock starts.
    warm_up = KerasClassifier(hidden_layers=(7,), epochs=1, random_state=0)
    out = {"process_warm_up": timed(lambda: warm_up.fit(X[:100], y[:100]))}
    if path == "before":
        fitting.COMPILED_MIN_STEPS = 10**9
    out.update(_kerasguide_runs(quick))
    return out


def sklearn_mlp(quick: bool) -> dict:
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.neural_network import MLPClassifier

    def mlp(**kwargs):
        settings = {"hidden_layer_sizes": (32,), "batch_size": 32, "max_iter": 20,
                    "solver": "adam", "learning_rate_init": 1e-3, "tol": 0.0,
                    "n_iter_no_change": 10**6, "random_state": 0}  # fmt: skip
        return MLPClassifier(**{**settings, **kwargs})

    X, y = digits()
    out = {"cv": timed(lambda: cross_val_score(mlp(), X, y, cv=5))}
    grid = GridSearchCV(mlp(), {"hidden_layer_sizes": GRID}, cv=5, refit=False)
    out["grid"] = timed(lambda: grid.fit(X, y))
    rng = np.random.default_rng(0)
    Xt, yt = rng.normal(size=(200, 8)).astype(np.float32), rng.integers(0, 2, 200)
    tiny = lambda: mlp(hidden_layer_sizes=(128,), batch_size=200, max_iter=10).fit(Xt, yt)  # noqa: E731
    out["tiny"] = statistics.median(timed(tiny) for _ in range(5))
    if MNIST.is_file():
        Xm, ym = mnist()
        if quick:
            Xm, ym = Xm[:12800], ym[:12800]
        epoch = mlp(hidden_layer_sizes=(128,), batch_size=128, max_iter=1, solver="sgd",
                    learning_rate_init=0.05, momentum=0.0)  # fmt: skip
        out["mnist_1"] = timed(lambda: epoch.fit(Xm, ym))
    return out


def _run_worker(backend: str, path: str, quick: bool) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(HERE.parent)}
    args = [sys.executable, __file__, "--worker", path] + (["--quick"] if quick else [])
    done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_program(quick: bool) -> dict:
    """The section of ``run.py``: each backend's default and *before* paths, and the MLP."""
    # The MLP in a process of its own too: in one that has imported TensorFlow (run.py's), its
    # thread pools slow NumPy down and the MLP took about twice its own time (issue 22).
    rows = {"sklearn MLP": _run_worker("tensorflow", "mlp", quick)}
    for backend in ("tensorflow", "jax"):
        for path in ("default", "before"):
            rows[f"{backend} {path}"] = _run_worker(backend, path, quick)
            print(backend, path, rows[f"{backend} {path}"], file=sys.stderr, flush=True)
    return {"rows": rows, "mnist_rows": 12800 if quick else 60000, "mlp_process": "own"}


EPOCH_GFLOP = 37.0  # 784-128-10, 60k samples, forward and backward


def _ratio(a, b) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}x"


def _cell(value) -> str:
    return "-" if value is None else f"{value:.3f}"


#: Where the MLP was timed, as the table's heading says it.
MLP_PROCESS = {
    "own": " (each in its own process)",
    "shared": " (the MLP timed in run.py's process, which had imported TensorFlow: about twice "
    "its own time, so the ratios flatter kerasguide; see the cold-start tables)",
}


def markdown(section: dict, gflops: float) -> list[str]:
    """The section's tables and its targets, as Markdown lines."""
    if "rows" not in section:
        return ["## The fit as one compiled program", "", section.get("note", "not run"), ""]
    rows, mlp = section["rows"], section["rows"]["sklearn MLP"]
    floor = EPOCH_GFLOP / gflops * section["mnist_rows"] / 60000
    lines = ["## The fit as one compiled program", "",
             f"Command: `{section.get('command', 'python benchmarks/run.py --only program')}`. "
             "Seconds; ratios to scikit-learn's MLP in the same run"
             f"{MLP_PROCESS[section.get('mlp_process', 'shared')]}. "
             "*cold*: the first fit (or CV) of an architecture in the process, "
             "compile included; *warm*: the next, "
             "on the pooled program. MNIST: 784-128-10, SGD 0.05, batch 128, "
             f"{section['mnist_rows']} rows; the FLOP floor of an epoch is {floor:.3f} s.", "",
             "| seconds | " + " | ".join(rows) + " |",
             "| --- |" + " ---: |" * len(rows)]  # fmt: skip
    # A row per measure and a column per run: ten measures across made a table wider than a page.
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in _measures(rows)]
    return [*lines, "", *_targets(rows, mlp, floor)]


def _measures(rows: dict) -> list[tuple[str, list[str]]]:
    """(label, a cell per run) for each measure; scikit-learn's MLP, which has fewer of them,
    gets an empty cell where it has none."""

    def measure(key, mlp_key=None, scale=1.0) -> list[str]:
        cells = []
        for name, r in rows.items():
            if name == "sklearn MLP" and mlp_key is None:
                cells.append("")
                continue
            value = r.get(mlp_key if name == "sklearn MLP" else key)
            cells.append(_cell(None if value is None else value * scale))
        return cells

    def ours(cell) -> list[str]:
        return ["" if name == "sklearn MLP" else cell(r) for name, r in rows.items()]

    return [
        ("CV cold", measure("cv_cold", "cv")),
        ("CV warm", measure("cv_warm")),
        ("CV cold - warm", ours(lambda r: _cell(r["cv_cold"] - r["cv_warm"]))),
        ("grid (20 fits)", measure("grid_cold", "grid")),
        ("tiny fit", measure("tiny", "tiny")),
        ("memory growth / fits",
         ours(lambda r: f"{r['memory_growth_mib']:.1f} MiB / {r['memory_fits']}")),
        ("MNIST 1 epoch cold", measure("mnist_1_cold", "mnist_1")),
        ("MNIST 1 epoch warm", measure("mnist_1_warm")),
        ("MNIST 3 epochs warm, per epoch", measure("mnist_3_warm", scale=1 / 3)),
    ]  # fmt: skip


def _targets(rows: dict, mlp: dict, floor: float) -> list[str]:
    lines = ["| target (issue 11) | measured | met |", "| --- | ---: | --- |"]

    def check(title, value, bound):
        met = "-" if value is None else ("yes" if value <= bound else f"no ({value:.2f})")
        lines.append(f"| {title} | {'-' if value is None else f'{value:.2f}'} | {met} |")

    for backend in ("tensorflow", "jax"):
        r, before = rows[f"{backend} default"], rows[f"{backend} before"]
        check(f"{backend}: CV, compile included, <= 0.5x MLP", r["cv_cold"] / mlp["cv"], 0.5)
        check(f"{backend}: CV warm <= 0.5x MLP", r["cv_warm"] / mlp["cv"], 0.5)
        check(f"{backend}: grid search <= 0.3x MLP", r["grid_cold"] / mlp["grid"], 0.3)
        check(f"{backend}: tiny fit <= before", r["tiny"] / before["tiny"], 1.0)
        check(f"{backend}: memory over the fits < 20 MiB", r["memory_growth_mib"], 20)
    tf = rows["tensorflow default"]
    if tf.get("mnist_3_warm") and mlp.get("mnist_1"):
        epoch = tf["mnist_3_warm"] / 3
        check("tensorflow: MNIST epoch <= 0.6x MLP", epoch / mlp["mnist_1"], 0.6)
        check("tensorflow: MNIST epoch <= 2.2x FLOP floor", epoch / floor, 2.2)
    return [*lines, ""]


if __name__ == "__main__":
    if "--worker" in sys.argv:
        path = sys.argv[sys.argv.index("--worker") + 1]
        run = sklearn_mlp if path == "mlp" else lambda quick: worker(path, quick)
        print(json.dumps(run("--quick" in sys.argv)))
    else:
        print(json.dumps(bench_program("--quick" in sys.argv), indent=1))
