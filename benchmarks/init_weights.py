"""Initial weights and builds (issue 22 items 3 and 4): compiles of a cold CV, and a build's cost.

``python benchmarks/init_weights.py`` runs, each in a fresh process per backend:

- ``cv``: a cold 5-fold ``cross_val_score`` on digits (``program.CV``'s settings) with
  ``KERASGUIDE_COMPILE_CACHE=0`` and ``JAX_LOG_COMPILES=1``; reports its wall time and, on JAX,
  the "Compiling" and "Finished XLA compilation" lines logged, and those naming an initializer
  (``_uniform``, ``_normal``, ``broadcast_in_dim``).
- ``build``: what a second build of the same model costs (the pooled engine built on a pool
  miss, ``fitting.run_training``): the zoo's ``mlp`` (digits, ``(32,)``) and ``cnn`` (8x8
  digits, its defaults), the first build, then the median of 5 more, and the share of that
  spent drawing initial values.

``--code PATH`` times the kerasguide at PATH (``PYTHONPATH``), e.g. a checkout before a change.
``--backends jax`` and ``--only cv`` narrow the run. Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CV = """
import time, kerasguide, numpy as np
print("CODE", kerasguide.__file__)
from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from kerasguide import KerasClassifier
X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
start = time.perf_counter()
cross_val_score(KerasClassifier(hidden_layers=(32,), epochs=20, batch_size=32, optimizer="adam",
                                learning_rate=1e-3, tol=0.0, random_state=0), X, y, cv=5)
print("WALL", time.perf_counter() - start)
"""

_BUILD = """
import kerasguide
print("CODE", kerasguide.__file__)
import time, statistics, keras, numpy as np
from kerasguide.zoo import models
drawing = [0.0]
def timed(cls):
    call = cls.__call__
    def wrapper(self, shape, dtype=None):
        start = time.perf_counter()
        try:
            return call(self, shape, dtype)
        finally:
            drawing[0] += time.perf_counter() - start
    cls.__call__ = wrapper
for cls in {type(keras.initializers.get(n)) for n in ("glorot_uniform", "zeros", "ones")}:
    timed(cls)
try:
    from kerasguide.zoo.initializers import Drawn
    timed(Drawn)
except ImportError:
    pass
common = {"seed": 0, "dtype": "float32", "optimizer": "adam", "metrics": []}
kinds = {"mlp": lambda: models.mlp(n_features=64, n_outputs=10, task="multiclass",
                                   hidden_layers=(32,), **common),
         "cnn": lambda: models.cnn(input_shape=(8, 8), n_outputs=10, task="multiclass", **common)}
for name, build in kinds.items():
    start = time.perf_counter(); build(); first = time.perf_counter() - start
    times, draws = [], []
    for _ in range(5):
        drawing[0] = 0.0
        start = time.perf_counter(); build(); times.append(time.perf_counter() - start)
        draws.append(drawing[0])
    print("BUILD", name, first, statistics.median(times), statistics.median(draws))
"""


def _run(script: str, backend: str, code: str | None) -> tuple[str, float]:
    env = {**os.environ, "KERAS_BACKEND": backend, "JAX_LOG_COMPILES": "1",
           "KERASGUIDE_COMPILE_CACHE": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}  # fmt: skip
    # The code to time comes first on the path; the process runs outside any checkout (``-c``
    # puts the working folder before PYTHONPATH).
    env["PYTHONPATH"] = os.pathsep.join([code or str(HERE.parent), env.get("PYTHONPATH", "")])
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=1200, cwd=tempfile.gettempdir())  # fmt: skip
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return result.stdout + result.stderr, time.perf_counter() - start


def cv(backend: str, code: str | None) -> dict:
    log, process = _run(_CV, backend, code)
    lines = log.splitlines()
    compiling = [ln for ln in lines if "Compiling" in ln]
    names = ("_uniform", "_normal", "broadcast_in_dim")
    where = next(ln.split()[1] for ln in lines if ln.startswith("CODE"))
    return {"job": "cv", "backend": backend, "code": where,
            "wall_s": round(float(next(ln.split()[1] for ln in lines if ln.startswith("WALL"))), 2),
            "process_s": round(process, 2), "compiling": len(compiling),
            "finished_xla": sum("Finished XLA compilation" in ln for ln in lines),
            "initializer_compiles": sum(any(n in ln for n in names) for ln in compiling),
            "load": os.getloadavg()[0]}  # fmt: skip


def build(backend: str, code: str | None) -> list[dict]:
    log, _ = _run(_BUILD, backend, code)
    rows = []
    where = next(ln.split()[1] for ln in log.splitlines() if ln.startswith("CODE"))
    for line in log.splitlines():
        if line.startswith("BUILD"):
            _, name, first, again, draw = line.split()
            rows.append({"job": "build", "backend": backend, "model": name,
                         "code": where, "first_s": round(float(first), 3),
                         "second_s": round(float(again), 3), "drawing_s": round(float(draw), 4),
                         "load": os.getloadavg()[0]})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax"])
    parser.add_argument("--only", nargs="+", default=["cv", "build"], choices=["cv", "build"])
    parser.add_argument("--code", default=None, help="PYTHONPATH of the kerasguide to time")
    args = parser.parse_args()
    for backend in args.backends:
        if "cv" in args.only:
            print(json.dumps(cv(backend, args.code)), flush=True)
        if "build" in args.only:
            for row in build(backend, args.code):
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
