"""Cold starts (issue 22): each contender in its own fresh process, a first and a repeat run.

``python benchmarks/cold.py`` (about 10-15 minutes on 2 quiet cores) runs each job below in a
new Python process per contender and backend, kerasguide and scikit-learn's MLP alternating,
so that neither is timed inside a process the other has changed (TensorFlow's thread pools
slow NumPy down: the MLP took twice its own time inside a process that had imported
TensorFlow). kerasguide is timed twice:

- *first run*: an empty compile cache (``KERASGUIDE_COMPILE_CACHE`` pointed at a new directory);
- *repeat run*: the cache a first run of the same job filled (what running a script again gets).

Each figure is the best of ``--repeats`` (2) processes; the job's time includes building and
compiling, not the interpreter's start and imports (reported apart). Each process also reports
its compile counts: the training programs kerasguide traced (TensorFlow: ``tf.function``
traces of the pooled programs; JAX: compiled programs), and on JAX the XLA compiles and
persistent-cache hits (``jax.monitoring``). The machine's load (``uptime``) is recorded with
each job, since shared machines skew timings.

Writes the section ``cold`` of ``benchmarks/results.json`` and rewrites ``RESULTS.md`` (with
``run.py``'s other sections from the same JSON); ``--render`` only rewrites it. ``run.py`` runs
the same section as ``--only cold``.
``--only cv grid_reg`` runs some jobs; ``--backends jax``, some backends.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

# One place for the data and the settings that program.py's section also times (run as a script,
# this folder is on sys.path).
from program import CV, EPOCH, GRID, MNIST, digits  # noqa: E402
from program import mnist as mnist_data  # noqa: E402

HERE = Path(__file__).resolve().parent
#: The same for the MLP (no momentum term to match, Adam's own).
MLP = {"hidden_layer_sizes": (32,), "batch_size": 32, "max_iter": 20, "solver": "adam",
       "learning_rate_init": 1e-3, "tol": 0.0, "n_iter_no_change": 10**6,
       "random_state": 0}  # fmt: skip
L2S = [1e-5, 1e-4, 1e-3, 1e-2]
DROPOUTS = [0.0, 0.1, 0.2]
ALPHAS = [10.0**e for e in range(-6, 0)] + [3 * 10.0**e for e in range(-6, 0)]  # 12 values
#: MNIST 784-128-10, SGD 0.05, batch 128; one epoch timed after a compiling fit.
MNIST_EPOCHS = 2

JOBS = {
    "cv": "5-fold `cross_val_score` on digits",
    "grid_arch": "`GridSearchCV`, 4 architectures x 5 folds (20 fits)",
    "grid_reg": "`GridSearchCV`, `l2` (4) x `dropout` (3) x 5 folds (60 fits); MLP: 12 `alpha`",
    "mnist": "MNIST 784-128-10 epoch, SGD, batch 128, compile excluded",
}


# --------------------------------------------------------------------------- in the worker


def _job(job: str, contender: str):
    """``run() -> seconds`` of ``job`` for ``contender`` (data loaded outside the timing)."""
    from sklearn.model_selection import GridSearchCV, cross_val_score

    if contender == "kerasguide":
        from kerasguide import KerasClassifier as Model

        settings, arch, grid_reg = CV, "hidden_layers", {"l2": L2S, "dropout": DROPOUTS}
        mnist = EPOCH
        epochs = "epochs"
    else:
        from sklearn.neural_network import MLPClassifier as Model

        settings, arch, grid_reg = MLP, "hidden_layer_sizes", {"alpha": ALPHAS}
        mnist = {"hidden_layer_sizes": (128,), "batch_size": 128, "solver": "sgd",
                 "learning_rate_init": 0.05, "momentum": 0.0, "tol": 0.0,
                 "n_iter_no_change": 10**6, "random_state": 0}  # fmt: skip
        epochs = "max_iter"
    if job == "mnist":
        X, y = mnist_data()
        if contender == "kerasguide":
            # Compiles the very program the timed fit runs: the same rows and epochs (a
            # shorter fit of fewer rows ran a plain graph, and the timed fit then paid XLA's
            # compile, 0.2-0.8 s an epoch, in a figure said to exclude it).
            Model(**mnist, **{epochs: MNIST_EPOCHS}).fit(X, y)

        def run():
            start = time.perf_counter()
            Model(**mnist, **{epochs: MNIST_EPOCHS}).fit(X, y)
            return (time.perf_counter() - start) / MNIST_EPOCHS

        return run
    X, y = digits()
    grids = {"grid_arch": {arch: GRID}, "grid_reg": grid_reg}

    def run():
        start = time.perf_counter()
        if job == "cv":
            cross_val_score(Model(**settings), X, y, cv=5)
        else:
            GridSearchCV(Model(**settings), grids[job], cv=5, refit=False).fit(X, y)
        return time.perf_counter() - start

    return run


class _JaxEvents:
    """XLA compiles, persistent-cache hits and traces, counted with ``jax.monitoring``."""

    def __init__(self) -> None:
        import jax.monitoring as monitoring

        self.counts = {"compile_requests": 0, "cache_hits": 0, "traces": 0}
        self.compile_seconds = 0.0

        def on_event(event, **_):
            if event == "/jax/compilation_cache/cache_hits":
                self.counts["cache_hits"] += 1

        def on_duration(event, seconds, **_):
            if event == "/jax/core/compile/backend_compile_duration":
                self.counts["compile_requests"] += 1
                self.compile_seconds += seconds
            elif event == "/jax/core/compile/jaxpr_trace_duration":
                self.counts["traces"] += 1

        monitoring.register_event_listener(on_event)
        monitoring.register_event_duration_secs_listener(on_duration)

    def report(self) -> dict:
        c = self.counts
        return {"xla_compiles": c["compile_requests"] - c["cache_hits"],
                "cache_hits": c["cache_hits"], "jax_traces": c["traces"],
                "compile_request_seconds": round(self.compile_seconds, 3)}  # fmt: skip


def _training_programs() -> int:
    """The training programs kerasguide traced into the pooled engines (TensorFlow: traces of
    each ``tf.function``; JAX: one per program, whose compiles ``_JaxEvents`` counts)."""
    from kerasguide._estimator import engine

    total = 0
    for model in engine.pooled_engines():
        for runner in engine.programs(model).values():
            count = getattr(runner.program, "experimental_get_tracing_count", None)
            total += count() if count is not None else 1
    return total


def worker(job: str, contender: str) -> dict:
    start = time.perf_counter()
    import numpy  # noqa: F401
    import sklearn.neural_network  # noqa: F401

    events = None
    if contender == "kerasguide":
        import keras

        import kerasguide.estimators  # noqa: F401

        if keras.backend.backend() == "jax":
            events = _JaxEvents()
    imported = time.perf_counter() - start
    run = _job(job, contender)
    seconds = run()
    out = {"seconds": seconds, "import_seconds": imported}
    if contender == "kerasguide":
        out["training_programs"] = _training_programs()
        if events is not None:
            out.update(events.report())
    return out


# --------------------------------------------------------------------------- the driver


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").is_file() else "?"


def _spawn(job: str, contender: str, backend: str, cache: str) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "KERASGUIDE_COMPILE_CACHE": cache,
           "PYTHONPATH": str(HERE.parent), "TF_CPP_MIN_LOG_LEVEL": "3"}  # fmt: skip
    done = subprocess.run([sys.executable, __file__, "--worker", job, contender], env=env,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "load": _load()}


def _best(runs: list[dict]) -> dict:
    good = [r for r in runs if "seconds" in r]
    if not good:
        return runs[0]
    best = min(good, key=lambda r: r["seconds"])
    return {**best, "runs": [round(r["seconds"], 3) for r in good]}


def bench_job(job: str, backends: list[str], repeats: int) -> dict:
    """One job: the MLP and, per backend, kerasguide's first and repeat runs, alternating."""
    runs: dict[str, list[dict]] = {"sklearn MLP": []}
    for backend in backends:
        runs[f"{backend} first"], runs[f"{backend} repeat"] = [], []
    for _ in range(repeats):
        # The MLP's process imports no Keras; its backend setting is ignored.
        runs["sklearn MLP"].append(_spawn(job, "sklearn", backends[0], "0"))
        for backend in backends:
            with tempfile.TemporaryDirectory(prefix="kg-cache-") as cache:
                runs[f"{backend} first"].append(_spawn(job, "kerasguide", backend, cache))
                runs[f"{backend} repeat"].append(_spawn(job, "kerasguide", backend, cache))
    return {"title": JOBS[job], "rows": {name: _best(r) for name, r in runs.items()}}


def bench_cold(jobs: list[str], backends: list[str], repeats: int) -> dict:
    out = {"uptime_before": _load()}
    for job in jobs:
        chosen = ["tensorflow"] if job == "mnist" else backends
        if job == "mnist" and not MNIST.is_file():
            out[job] = {"title": JOBS[job], "note": f"MNIST not found at {MNIST}"}
            continue
        print(f"== {job}", flush=True)
        out[job] = bench_job(job, [b for b in chosen if b in backends] or chosen, repeats)
        print(json.dumps(out[job], indent=1), flush=True)
    return out


#: The targets of issue 22, as ratios to the MLP: (first run, repeat run).
TARGETS = {"cv": (1.0, 0.5), "grid_arch": (0.8, 0.3), "grid_reg": (0.3, 0.25),
           "mnist": (0.40, None)}  # fmt: skip


def _cell(value, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}g}"


def markdown(section: dict) -> list[str]:
    """The tables: per job, each row's seconds, ratio to the MLP, compile counts and load."""
    lines = ["## Cold starts: each contender in a fresh process (issue 22)", ""]
    if "note" in section or not any(k in section for k in JOBS):
        return [*lines, section.get("note", "not run"), ""]
    lines += [
        f"Command: `{section.get('command', 'python benchmarks/cold.py')}`. Each figure is the "
        "best of the fresh processes listed (seconds); *first*: an empty compile cache; "
        "*repeat*: the cache filled by a first run. Imports are excluded (their own column). "
        "*programs*: training programs traced; *XLA compiles / hits*: JAX's compiles and "
        "persistent-cache hits in the process; *load*: the 1-minute load average after the run "
        "(2 cores).",
        "",
    ]
    for job, title in JOBS.items():
        data = section.get(job)
        if data is None:
            continue
        lines += [f"### {title}", ""]
        if "note" in data:
            lines += [data["note"], ""]
            continue
        mlp = data["rows"].get("sklearn MLP", {}).get("seconds")
        lines += ["| contender | seconds | x MLP | target | runs | import (s) | programs | "
                  "XLA compiles / hits | load |",
                  "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
        for name, row in data["rows"].items():
            if "seconds" not in row:
                lines.append(f"| {name} | failed: {row.get('error')} |||||||| ")
                continue
            ratio = row["seconds"] / mlp if mlp else None
            first, repeat = TARGETS[job]
            target = None if name == "sklearn MLP" else (repeat if "repeat" in name else first)
            compiles = (f"{row['xla_compiles']} / {row['cache_hits']}"
                        if "xla_compiles" in row else "")  # fmt: skip
            runs = ", ".join(f"{r:.3g}" for r in row.get("runs", []))
            lines.append(
                f"| {name} | {_cell(row['seconds'])} | {_cell(ratio, 2)} | "
                f"{'' if target is None else f'<= {target}'} | {runs} | "
                f"{_cell(row.get('import_seconds'), 2)} | {row.get('training_programs', '')} | "
                f"{compiles} | {row.get('load', '')} |"
            )
        lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=2, metavar=("JOB", "CONTENDER"), help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", choices=list(JOBS), help="run only these jobs")
    parser.add_argument("--backends", nargs="*", default=["tensorflow", "jax"])
    parser.add_argument("--repeats", type=int, default=2, help="processes per figure (best of)")
    parser.add_argument("--out", type=Path, default=HERE, help="where results.json lives")
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    path = args.out / "results.json"
    results = json.loads(path.read_text()) if path.is_file() else {}
    if not args.render:
        command = "python benchmarks/cold.py" + (" --only " + " ".join(args.only) if args.only
                                                  else "")  # fmt: skip
        section = bench_cold(args.only or list(JOBS), args.backends, args.repeats)
        kept = {k: v for k, v in results.get("cold", {}).items() if k in JOBS}
        results["cold"] = {**kept, **section, "command": command}
        args.out.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n")
    if "machine" in results:  # the whole RESULTS.md, as ``run.py --render`` writes it
        sys.path.insert(0, str(HERE))
        from run import markdown as whole

        (args.out / "RESULTS.md").write_text(whole(results))
    print("\n".join(markdown(results.get("cold", {}))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
