"""The package's shape: no import loops, no private names across modules, folders that explain.

These rules are the ones written in ``docs/architecture.md``. They read the source with :mod:`ast`,
so every import counts: top-level, inside functions (lazy), and the package's lazy public names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kerasguide"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The package module that ``import name`` loads last (a submodule, or its package)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _named_modules(module: str, tree: ast.Module) -> list[str]:
    """Modules imported by name: ``import_module("kerasguide.x")``, a ``*_MODULES`` tuple, and the
    package's map of lazy public names. Such imports are lazy, and lazy imports count too."""
    holders: list[ast.AST] = [tree] if module == "kerasguide" else []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(
            node.func, "attr", getattr(node.func, "id", "")
        ) == ("import_module"):
            holders.append(node)
        elif isinstance(node, ast.Assign) and any(
            "MODULE" in getattr(target, "id", "") for target in node.targets
        ):
            holders.append(node.value)
    return [
        node.value
        for holder in holders
        for node in ast.walk(holder)
        if isinstance(node, ast.Constant) and node.value in MODULES and node.value != module
    ]


def imports(module: str) -> list[tuple[str, str]]:
    """Every ``(imported module, imported name)`` pair of ``module``, lazy imports included."""
    tree = ast.parse(MODULES[module].read_text())
    found: list[tuple[str, str]] = []
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (alias.name, "") for alias in node.names if alias.name.startswith("kerasguide")
            ]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if not base.startswith("kerasguide"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub, "") if sub in MODULES else (base, alias.name))
    found += [(target, "") for target in _named_modules(module, tree)]
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module in MODULES:
        targets = {_resolve(name) for name, _ in imports(module)}
        edges[module] = {t for t in targets if t and t != module}
    return edges


def _cycle_from(start: str, edges: dict[str, set[str]]) -> list[str] | None:
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(edges[node]):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_loops(module):
    # A package's __init__ may import its own submodules (re-exports); a loop through it would not
    # be one a reader can follow, so it counts like any other.
    cycle = _cycle_from(module, graph())
    assert cycle is None, " -> ".join(cycle)


def test_no_private_names_across_modules():
    offenders = [
        f"{module} imports {name} from {source}"
        for module in MODULES
        for source, name in imports(module)
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
    ]
    assert offenders == []


@pytest.mark.parametrize("folder", sorted(p for p in PACKAGE.rglob("__init__.py")))
def test_every_folder_says_what_lives_there(folder):
    doc = ast.get_docstring(ast.parse(folder.read_text()))
    assert doc, f"{folder.parent.name}/__init__.py has no opening docstring"
    if folder.parent != PACKAGE:
        assert "import" in doc, f"{folder.parent.name}/__init__.py does not say what it may import"


def _private_uses(path: Path) -> list[str]:
    """Underscored names a test file takes from kerasguide: imported, or read off a module."""
    tree = ast.parse(path.read_text())
    modules, uses = {"kerasguide"}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kerasguide"):
                    modules.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kerasguide"):
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    modules.add(alias.asname or alias.name)
                elif alias.name.startswith("_") and not alias.name.endswith("__"):
                    uses.append(f"imports {alias.name} from {node.module}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            private = node.attr.startswith("_") and not node.attr.endswith("__")
            if private and node.value.id in modules:
                uses.append(f"reads {node.value.id}.{node.attr}")
    return uses


@pytest.mark.parametrize(
    "path", sorted((PACKAGE.parent / "tests").glob("*.py")), ids=lambda p: p.name
)
def test_tests_use_public_or_documented_names(path):
    assert _private_uses(path) == []
