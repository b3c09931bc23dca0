"""The persistent compile cache: private, keyed by machine, on by default, off with =0.

Each case runs a fit in a fresh process (JAX, or TensorFlow with XLA: 600 steps a call), as a
user's script would, with its own cache home.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FIT = """
import numpy as np
from kerasguide import KerasClassifier
X = np.random.default_rng(0).normal(size=(60, 4)).astype("float32")
y = (X[:, 0] > 0).astype(int)
KerasClassifier(hidden_layers=(4,), epochs=20, batch_size=2, n_iter_no_change=200,
                random_state=0).fit(X, y)
"""


BACKENDS = pytest.mark.parametrize("backend", ["jax", "tensorflow"])
PREFIX = {"jax": "jaxlib-", "tensorflow": "tensorflow-"}


def _fit_in_process(backend: str, tmp_path: Path, code: str = FIT, **env: str) -> None:
    pytest.importorskip(backend)
    unset = ("KERASGUIDE_COMPILE_CACHE", "TF_XLA_FLAGS")
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    environ.update(KERAS_BACKEND=backend, PYTHONPATH=str(REPO), XDG_CACHE_HOME=str(tmp_path),
                   HOME=str(tmp_path), TF_CPP_MIN_LOG_LEVEL="3", **env)  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@BACKENDS
def test_default_cache_is_private_and_filled(backend, tmp_path):
    _fit_in_process(backend, tmp_path)
    root = tmp_path / "kerasguide" / "xla"
    (directory,) = root.iterdir()  # one directory for this library version and CPU
    assert directory.name.startswith(PREFIX[backend])
    for path in (root, directory):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert _files(directory), "the fit's compiled programs were not saved"


@BACKENDS
def test_zero_turns_the_cache_off(backend, tmp_path):
    _fit_in_process(backend, tmp_path, KERASGUIDE_COMPILE_CACHE="0")
    assert not _files(tmp_path / "kerasguide")


@BACKENDS
def test_set_compile_cache_from_python(backend, tmp_path):
    target = tmp_path / "mine"
    code = f"import kerasguide; kerasguide.set_compile_cache({str(target)!r})\n" + FIT
    _fit_in_process(backend, tmp_path, code, KERASGUIDE_COMPILE_CACHE="0")
    assert _files(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert not _files(tmp_path / "kerasguide")


WITHOUT_TENSORFLOW = """
import sys
import numpy as np
from kerasguide import KerasClassifier, KerasRegressor
X = np.random.default_rng(0).normal(size=(60, 4)).astype("float32")
y = (X[:, 0] > 0).astype(int)
clf = KerasClassifier(hidden_layers=(4,), epochs=20, random_state=0).fit(X, y)
clf.predict_proba(X), clf.score(X, y), clf.model_card()
KerasRegressor(hidden_layers=(4,), epochs=20, random_state=0).fit(X, X[:, 0]).predict(X)
loaded = sorted(name for name in sys.modules if name.split(".")[0] == "tensorflow")
assert not loaded, f"TensorFlow was imported: {loaded[:3]}"
"""


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_fit_on_another_backend_never_imports_tensorflow(backend, tmp_path):
    # Importing TensorFlow took 1.5-2.5 s of a first fit on JAX (Keras's serializer, which we
    # called to read the head's activation, imports it to check for tf.TensorShape).
    _fit_in_process(backend, tmp_path, WITHOUT_TENSORFLOW, KERASGUIDE_COMPILE_CACHE="0")
