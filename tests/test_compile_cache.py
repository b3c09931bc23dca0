"""The persistent compile cache (JAX): private, keyed by machine, on by default, off with =0.

Each case runs a fit in a fresh JAX process, as a user's script would, with its own cache home.
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
KerasClassifier(hidden_layers=(4,), epochs=30, batch_size=20, random_state=0).fit(X, y)
"""


def _fit_in_jax_process(tmp_path: Path, code: str = FIT, **env: str) -> None:
    pytest.importorskip("jax")
    environ = {k: v for k, v in os.environ.items() if k != "KERASGUIDE_COMPILE_CACHE"}
    environ.update(KERAS_BACKEND="jax", PYTHONPATH=str(REPO), XDG_CACHE_HOME=str(tmp_path),
                   HOME=str(tmp_path), TF_CPP_MIN_LOG_LEVEL="3", **env)  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_default_cache_is_private_and_filled(tmp_path):
    _fit_in_jax_process(tmp_path)
    root = tmp_path / "kerasguide" / "xla"
    (directory,) = root.iterdir()  # one directory for this jaxlib and CPU
    assert directory.name.startswith("jaxlib-")
    for path in (root, directory):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert _files(directory), "the fit's compiled programs were not saved"


def test_zero_turns_the_cache_off(tmp_path):
    _fit_in_jax_process(tmp_path, KERASGUIDE_COMPILE_CACHE="0")
    assert not _files(tmp_path / "kerasguide")


def test_set_compile_cache_from_python(tmp_path):
    target = tmp_path / "mine"
    code = f"import kerasguide; kerasguide.set_compile_cache({str(target)!r})\n" + FIT
    _fit_in_jax_process(tmp_path, code, KERASGUIDE_COMPILE_CACHE="0")
    assert _files(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert not _files(tmp_path / "kerasguide")
