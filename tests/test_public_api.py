"""The public surface is pinned: names, version, and an import without side effects."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import kerasguide


def test_all_is_sorted_and_complete():
    assert kerasguide.__all__ == sorted(kerasguide.__all__)
    expected = {
        "KerasClassifier",
        "KerasRegressor",
        "__version__",
        "build_model",
        "datasets",
        "get_model_builder",
        "list_models",
        "models",
        "register_model",
        "scratch",
    }
    assert set(kerasguide.__all__) == expected
    for name in kerasguide.__all__:
        assert getattr(kerasguide, name) is not None


def test_version_matches_installed_metadata():
    assert kerasguide.__version__ == version("kerasguide")


def test_import_is_quick_and_has_no_side_effects():
    code = (
        "import sys, time, os\n"
        "backend = os.environ.get('KERAS_BACKEND')\n"
        "t = time.perf_counter()\n"
        "import kerasguide\n"
        "elapsed = time.perf_counter() - t\n"
        "heavy = [m for m in ('keras', 'tensorflow', 'sklearn', 'jax', 'torch')"
        " if m in sys.modules]\n"
        "print(heavy, os.environ.get('KERAS_BACKEND') != backend, round(elapsed, 3))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    heavy, backend_changed, elapsed = out.stdout.strip().rsplit(" ", 2)
    assert heavy == "[]"
    assert backend_changed == "False"  # the caller's KERAS_BACKEND (if any) is left alone
    assert float(elapsed) < 1.0
    assert out.stderr == ""


def test_unknown_attribute_raises_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        kerasguide.nope
