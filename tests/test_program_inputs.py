"""Hyper-parameters as inputs of the compiled program (issue 22): the L1/L2 strengths, the
learning rate and the dropout rates are fed to it, so a grid over them compiles one training
program per architecture, and a seeded fit gives the same model whichever engine it borrowed.

Each backend runs in its own process (a backend is chosen once per process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

COMMON = r"""
import json
import sys
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
import kerasguide
from kerasguide import KerasClassifier
from kerasguide._estimator import engine

X, y = load_digits(return_X_y=True)
X, y = (X / 16).astype("float32")[:400], y[:400]
P = dict(hidden_layers=(16,), epochs=12, batch_size=32, tol=0.0, random_state=0)

def weights(**kw):
    model = KerasClassifier(**P, **kw).fit(X, y).model_
    return [np.asarray(w) for w in model.get_weights()]

def programs():
    count = 0
    for model in engine.pooled_engines():
        for runner in engine.programs(model).values():
            traces = getattr(runner.program, "experimental_get_tracing_count", None)
            count += traces() if traces is not None else 1
    return count

def same(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
"""

SCRIPT = (
    COMMON
    + r"""
fresh = weights(l2=1e-3, learning_rate=3e-3)  # on an engine built for these values
kerasguide.clear_engine_pool()
grid = {"l2": [1e-4, 1e-2, 1e-3], "l1": [0.0, 1e-4], "learning_rate": [1e-3, 3e-3]}
print("grid starts", file=sys.stderr, flush=True)
GridSearchCV(KerasClassifier(**P), grid, cv=2, refit=False).fit(X, y)
print("grid ends", file=sys.stderr, flush=True)
out = {"engines": len(engine.pooled_engines()), "programs": programs()}
again = weights(l2=1e-3, learning_rate=3e-3)  # on the grid's engine, built for others
other = weights(l2=1e-2, learning_rate=3e-3)
out["identical"] = same(fresh, again)
out["strength_matters"] = not same(fresh, other)
print(json.dumps(out))
"""
)

DROPOUT_SCRIPT = (
    COMMON
    + r"""
fresh = weights(l2=1e-3, dropout=0.5)  # on an engine built for these values
kerasguide.clear_engine_pool()
grid = {"l2": [1e-4, 1e-3, 1e-2, 3e-2], "dropout": [0.1, 0.3, 0.5]}
print("grid starts", file=sys.stderr, flush=True)
GridSearchCV(KerasClassifier(**P), grid, cv=3, refit=False).fit(X, y)
print("grid ends", file=sys.stderr, flush=True)
out = {"engines": len(engine.pooled_engines()), "programs": programs()}
low = weights(l2=1e-3, dropout=0.1)  # on the grid's engine, built at dropout=0.1
half = weights(l2=1e-3, dropout=0.5)  # the same engine, just after a fit at 0.1
out["identical"] = same(fresh, half)
out["refit_identical"] = same(half, weights(l2=1e-3, dropout=0.5))
out["dropout_matters"] = not same(low, half)
out["engines_after"] = len(engine.pooled_engines())
print(json.dumps(out))
"""
)


def _run(backend: str, script: str = SCRIPT) -> tuple[dict, str]:
    if backend == "jax":
        pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(REPO),
           "KERASGUIDE_COMPILE_CACHE": "0", "JAX_LOG_COMPILES": "1",
           "TF_CPP_MIN_LOG_LEVEL": "3"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_grid_over_penalties_and_rate_compiles_one_program(backend):
    out, log = _run(backend)
    # 24 fits of one architecture and one fold shape: one engine, one program traced once.
    assert out["engines"] == 1
    assert out["programs"] == 1
    if backend == "jax":  # JAX_LOG_COMPILES: the grid's 24 fits compile the program once
        grid_log = log.split("grid starts")[1].split("grid ends")[0]
        assert grid_log.count("Compiling jit(chunk)") == 1
    # A seeded fit is bit-identical on an engine built for other strengths and rates, and the
    # strengths fed really are the fit's own.
    assert out["identical"]
    assert out["strength_matters"]


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_grid_over_dropout_compiles_one_program(backend):
    out, log = _run(backend, DROPOUT_SCRIPT)
    # 36 fits (4 strengths x 3 dropout rates x 3 folds): dropout counts only as on or off, so
    # one engine and one program traced once, though the engine was built at dropout=0.1.
    assert out["engines"] == out["engines_after"] == 1
    assert out["programs"] == 1
    if backend == "jax":
        grid_log = log.split("grid starts")[1].split("grid ends")[0]
        assert grid_log.count("Compiling jit(chunk)") == 1
    # The rate reaching the program is the fit's own: a fit at 0.5 just after one at 0.1 on
    # the grid's engine is bit-identical to one on an engine built at 0.5, and to its refit.
    assert out["identical"]
    assert out["refit_identical"]
    assert out["dropout_matters"]
