"""A griffe extension that lets the package's numpydoc docstrings read well in MkDocs.

The docstrings are written for numpydoc and Sphinx, and use two things Markdown does not know:

* cross-reference roles such as :func:`list_models` or :class:`~kerasguide.KerasClassifier`.
  Each becomes a mkdocs-autorefs link when its target is an object the API reference renders
  (public, documented, in a module that a ``::: module`` line in ``docs/reference/`` shows),
  and inline code otherwise, so a strict build never meets a dangling link;
* definition lists in module docstrings (``name : type`` with an indented description, as at
  the top of ``kerasguide/models.py``), which become Markdown definition lists (the
  ``def_list`` extension).

The source files are not changed: the extension edits the docstrings griffe has loaded, before
mkdocstrings parses them. mkdocs.yml loads it with
``extensions: [docs/_griffe/sphinx_roles.py]``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?P<role>func|meth|class|attr|data|const|mod|obj|exc):`(?P<body>[^`]+)`"
)
_EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$")
_SECTION_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_TERM = re.compile(r"^(?P<names>[A-Za-z_*][\w*]*(?:, [A-Za-z_*][\w*]*)*)(?: : (?P<type>.+))?$")
_REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


def _rendered_modules() -> set[str]:
    """The modules the API reference renders: every ``::: name`` line under docs/reference/."""
    modules = set()
    for page in _REFERENCE_DIR.glob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("::: "):
                modules.add(line[4:].strip())
    return modules


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles and module-level definition lists into Markdown."""

    def __init__(self) -> None:
        super().__init__()
        self._modules = _rendered_modules()

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in self._walk(pkg):
            if obj.docstring is None:
                continue
            text = obj.docstring.value
            if obj.is_module:
                text = _definition_lists(text)
            obj.docstring.value = _ROLE.sub(functools.partial(self._link, where=obj, pkg=pkg), text)

    def _walk(self, obj: griffe.Object):
        yield obj
        for member in obj.members.values():
            if member.is_alias or member.parent is not obj:
                continue
            yield from self._walk(member)

    # ------------------------------------------------------------------ roles
    def _link(self, match: re.Match, *, where: griffe.Object, pkg: griffe.Module) -> str:
        body = match["body"].strip()
        explicit = _EXPLICIT_TITLE.match(body)
        target = (explicit["target"] if explicit else body).strip()
        short = target.startswith("~")
        target = target.lstrip("~.")
        shown = target.rsplit(".", 1)[-1] if short else target
        title = explicit["title"] if explicit else shown
        path = self._resolve(target, where, pkg)
        return f"[`{title}`][{path}]" if path else f"`{title}`"

    def _resolve(self, target: str, where: griffe.Object, pkg: griffe.Module) -> str | None:
        scopes = [where.path]
        parent = where.parent
        while parent is not None:
            scopes.append(parent.path)
            parent = parent.parent
        for scope in scopes:
            candidate = target if target.startswith(pkg.name + ".") else f"{scope}.{target}"
            obj = _lookup(pkg, candidate)
            if obj is not None:
                return obj.path if self._is_rendered(obj) else None
        return None

    def _is_rendered(self, obj: griffe.Object) -> bool:
        if any(part.startswith("_") for part in obj.path.split(".")[1:]):
            return False
        module = obj.module.path
        if module not in self._modules:
            return False
        return obj.is_module or obj.docstring is not None


def _lookup(pkg: griffe.Module, path: str) -> griffe.Object | None:
    """The object at ``path`` in ``pkg``, following re-exports; None if there is none."""
    if path == pkg.path:
        return pkg
    if not path.startswith(pkg.path + "."):
        return None
    try:
        obj = pkg[path[len(pkg.path) + 1 :]]
        if obj.is_alias:
            obj = obj.final_target
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return obj


# ---------------------------------------------------------------------- definition lists
def _definition_lists(text: str) -> str:
    """Turn ``term : type`` lines followed by an indented description into Markdown.

    Only docstrings without numpydoc sections are touched (module docstrings describe the
    module in prose; their sections, if any, are left to the numpy parser).
    """
    lines = text.splitlines()
    if any(_SECTION_UNDERLINE.match(line) for line in lines):
        return text
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        term = _TERM.match(line)
        follows = i + 1 < len(lines) and lines[i + 1].startswith("    ") and lines[i + 1].strip()
        if term and follows:
            if out and out[-1].strip():
                out.append("")
            names = ", ".join(f"`{name}`" for name in term["names"].split(", "))
            out.append(f"{names} : {term['type']}" if term["type"] else names)
            i += 1
            first = True
            while i < len(lines) and lines[i].startswith("    ") and lines[i].strip():
                body = lines[i][4:]
                out.append((":   " if first else "    ") + body)
                first = False
                i += 1
            out.append("")
            continue
        out.append(line)
        i += 1
    return "\n".join(out).rstrip() + ("\n" if text.endswith("\n") else "")
