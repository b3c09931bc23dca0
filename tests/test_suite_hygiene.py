"""Every test checks something: a test that only runs code passes whatever the code returns.

A ``test_*`` function (or method) in ``tests/test_*.py`` checks something when its body, or a
helper defined in the same file that it calls (directly or through other helpers), contains:

* an ``assert`` statement;
* a call to ``pytest.raises``, ``pytest.warns``, ``pytest.deprecated_call`` or ``pytest.fail``;
* a call to a function whose name starts with ``assert`` (``np.testing.assert_allclose``,
  ``assert_array_equal``, ``self.assertEqual``, ...), or to ``check`` or ``check_estimator``
  (scikit-learn's checks, as ``parametrize_with_checks`` hands them out);
* a call with ``check=True`` (``subprocess.run(..., check=True)`` fails on a non-zero exit).

``pytest.skip``, ``pytest.importorskip`` and ``pytest.xfail`` do not count: they state a
precondition or an expectation, not a result. Nor does ``check_random_state`` or any other
``check_*`` helper that only validates its input.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PYTEST_CHECKS = {"raises", "warns", "deprecated_call", "fail"}
CHECK_CALLS = {"check", "check_estimator"}


def _call_name(call: ast.Call) -> tuple[str | None, str]:
    """``(owner, name)`` of a call: ``pytest.raises(...)`` -> ("pytest", "raises")."""
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    if isinstance(func, ast.Name):
        return None, func.id
    return None, ""


def _checks_directly(node: ast.AST) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Assert):
            return True
        if not isinstance(child, ast.Call):
            continue
        owner, name = _call_name(child)
        if owner == "pytest" and name in PYTEST_CHECKS:
            return True
        if name.startswith("assert") or name in CHECK_CALLS:
            return True
        if any(
            kw.arg == "check" and isinstance(kw.value, ast.Constant) and kw.value.value is True
            for kw in child.keywords
        ):
            return True
    return False


def _called_names(node: ast.AST) -> set[str]:
    return {
        _call_name(child)[1]
        for child in ast.walk(node)
        if isinstance(child, ast.Call) and _call_name(child)[1]
    }


def _functions(tree: ast.Module):
    """Module-level functions and the methods of module-level classes, with a qualified name."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item


def unchecked_tests(path: Path) -> list[str]:
    """The test functions in ``path`` that check nothing, by the rule in the module docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = dict(_functions(tree))
    helpers = {qualname.rsplit(".", 1)[-1]: node for qualname, node in functions.items()}
    checking: dict[str, bool] = {}

    def checks(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name not in checking:
            node = helpers[name]
            found = _checks_directly(node) or any(
                checks(callee, seen | {name})
                for callee in _called_names(node) & helpers.keys()
                if callee not in seen | {name}
            )
            if seen:  # a result reached through a cycle may be incomplete: cache top-level ones
                return found
            checking[name] = found
        return checking[name]

    return [
        qualname
        for qualname, node in functions.items()
        if node.name.startswith("test") and not checks(node.name)
    ]


def test_the_rule_tells_checking_tests_from_the_others(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest, subprocess\n"
        "import numpy as np\n"
        "def _helper(x):\n    assert x\n"
        "def _indirect(x):\n    _helper(x)\n"
        "def test_assert():\n    assert 1\n"
        "def test_raises():\n    with pytest.raises(ValueError):\n        int('x')\n"
        "def test_numpy():\n    np.testing.assert_allclose(1, 1)\n"
        "def test_through_helpers():\n    _indirect(1)\n"
        "def test_subprocess():\n    subprocess.run(['true'], check=True)\n"
        "def test_nothing():\n    x = 1 + 1\n"
        "def test_only_runs():\n    subprocess.run(['true'])\n    pytest.approx(1)\n"
        "def test_skips():\n    pytest.importorskip('jax')\n    pytest.skip('later')\n"
        "def test_xfails():\n    pytest.xfail('not yet')\n"
        "def test_validates():\n    check_random_state(0)\n"
        "def test_sklearn(estimator, check):\n    check(estimator)\n"
        "class TestThing:\n"
        "    def test_method(self):\n        self.assertEqual(1, 1)\n"
        "    def test_empty(self):\n        pass\n"
    )
    assert unchecked_tests(sample) == [
        "test_nothing",
        "test_only_runs",
        "test_skips",
        "test_xfails",
        "test_validates",
        "TestThing.test_empty",
    ]


@pytest.mark.parametrize("path", sorted(TESTS.glob("test_*.py")), ids=lambda path: path.name)
def test_every_test_checks_something(path):
    unchecked = unchecked_tests(path)
    assert not unchecked, f"{path.name}: these tests check nothing: {', '.join(unchecked)}"
