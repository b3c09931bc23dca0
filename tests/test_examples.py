"""Every example script runs with --quick and exits 0; each says in a docstring what it teaches."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXPECTED = [
    "01_linear_regression_numpy.py",
    "02_linear_regression_keras.py",
    "03_logistic_regression.py",
    "04_softmax_regression.py",
    "05_hidden_layer.py",
    "06_regularization.py",
    "07_sklearn_pipeline.py",
    "08_decision_boundaries.py",
    "09_cnn.py",
    "10_rnn.py",
    "11_tuning.py",
    "12_uncertainty.py",
]
EXAMPLES = sorted(p.name for p in EXAMPLES_DIR.glob("[0-9][0-9]_*.py"))


def test_the_examples_follow_the_talk():
    assert EXAMPLES == EXPECTED


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_has_a_docstring_and_a_quick_mode(name):
    source = (EXAMPLES_DIR / name).read_text()
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring, f"{name} has no module docstring"
    assert len(docstring.split()) >= 30  # says what it teaches, not just its name
    assert "--quick" in source


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_quick(name, tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES_DIR / name), "--quick"],
        cwd=tmp_path,  # any files an example writes land here
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip()
    assert "Traceback" not in result.stderr
