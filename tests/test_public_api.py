"""The public surface: names, version, and an import without side effects.

The expected names are read from the package itself (its ``__all__``, its lazy table and the
imports in ``kerasguide/__init__.py``), never copied here, so a name added in one place and
forgotten in another fails a test.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from importlib.metadata import version
from types import ModuleType

import pytest

import kerasguide

INIT_TREE = ast.parse(inspect.getsource(kerasguide))


def _lazy_table() -> dict[str, tuple[str, str | None]]:
    """The package's table of lazy public names, read from its source."""
    for node in INIT_TREE.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError("kerasguide/__init__.py has no table of lazy names")


LAZY = _lazy_table()


def _is_type_checking_block(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"


def _top_level_statements(tree: ast.Module):
    """The statements run on import: those at top level and in try/if bodies, not the
    ``if TYPE_CHECKING:`` block (which only names the lazy objects for type checkers)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop(0)
        if _is_type_checking_block(node):
            continue
        yield node
        if isinstance(node, ast.Try):
            stack.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                stack.extend(handler.body)
        elif isinstance(node, ast.If):
            stack.extend(node.body + node.orelse)


def _bound_names(targets) -> set[str]:
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _init_names() -> tuple[set[str], set[str], set[str]]:
    """What ``kerasguide/__init__.py`` binds on import: names re-exported from kerasguide's own
    modules, names imported from elsewhere (helpers), and the public names it defines itself
    (no underscore, or a dunder value such as ``__version__``; not the PEP 562 hooks
    ``__getattr__`` and ``__dir__``, nor ``__all__``)."""
    reexported, helpers, defined = set(), set(), set()
    for node in _top_level_statements(INIT_TREE):
        if isinstance(node, ast.ImportFrom):
            names = {alias.asname or alias.name for alias in node.names}
            own = node.level > 0 or (node.module or "").split(".")[0] == "kerasguide"
            if own:  # a private alias (``as _name``) is a helper of __init__, not a public name
                reexported.update(n for n in names if _is_public(n))
            else:
                helpers.update(names)
        elif isinstance(node, ast.Import):
            helpers.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined |= {n for n in _bound_names(targets) if _is_public(n, dunder=True)}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined |= {node.name} if _is_public(node.name) else set()
    return reexported, helpers, defined - {"__all__"}


def _is_public(name: str, *, dunder: bool = False) -> bool:
    return not name.startswith("_") or (dunder and name.startswith("__") and name.endswith("__"))


def _resolve_all_lazies() -> None:
    for name in LAZY:
        getattr(kerasguide, name)


def test_all_is_sorted_unique_and_resolves():
    assert kerasguide.__all__ == sorted(set(kerasguide.__all__))
    for name in kerasguide.__all__:
        assert getattr(kerasguide, name) is not None, name


def test_all_is_the_lazy_table_plus_the_eager_public_names():
    reexported, _, defined = _init_names()
    assert "__version__" in defined
    eager = reexported | defined
    assert not eager & set(LAZY), "a name is both imported and lazy"
    assert kerasguide.__all__ == sorted(set(LAZY) | eager)


def test_lazy_names_load_what_the_table_says():
    _resolve_all_lazies()
    for name, (module_name, attribute) in LAZY.items():
        module = importlib.import_module(module_name)
        expected = module if attribute is None else getattr(module, attribute)
        assert getattr(kerasguide, name) is expected, name


def test_dir_offers_no_public_name_missing_from_all():
    _resolve_all_lazies()
    _, helpers, _ = _init_names()
    offered = dir(kerasguide)
    assert set(kerasguide.__all__) <= set(offered)
    for name in offered:
        if name.startswith("_") or name in kerasguide.__all__:
            continue
        value = getattr(kerasguide, name)
        # Left aside: the submodules the import system binds on the package as they are
        # imported (kerasguide.registry, kerasguide.estimators, ...), and the helpers that
        # __init__.py imports from outside the package (importlib, TYPE_CHECKING, ...).
        is_submodule = isinstance(value, ModuleType) and value.__name__ == f"kerasguide.{name}"
        assert is_submodule or name in helpers, f"kerasguide.{name} is public but not in __all__"


def _public_submodules() -> list[str]:
    return [
        name for name in kerasguide.__all__ if isinstance(getattr(kerasguide, name), ModuleType)
    ]


def test_the_namespace_offers_submodules():
    assert "exceptions" in _public_submodules()


@pytest.mark.parametrize("name", _public_submodules())
def test_each_public_submodule_has_a_sorted_all_that_resolves(name):
    module = getattr(kerasguide, name)
    assert module.__name__ == f"kerasguide.{name}"
    names = module.__all__
    assert names, f"kerasguide.{name}.__all__ is empty"
    assert list(names) == sorted(set(names))
    for attribute in names:
        assert not attribute.startswith("_"), f"kerasguide.{name}.{attribute}"
        assert hasattr(module, attribute), f"kerasguide.{name}.{attribute} does not resolve"


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
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        kerasguide.nope
