"""The Qt and QGIS names a piece of plugin code refers to, read from its source (no import of the code).

A reference is a dotted chain rooted at a name imported from ``qgis.PyQt.*`` or ``qgis.core``/``qgis.gui``
(``Qt.AlignmentFlag.AlignLeft``, ``QFileDialog.getSaveFileName``, ``QgsWkbTypes.PointGeometry``), cut
at the first call or subscript. Attribute names used anywhere (``dialog.exec_``) are collected too, so
that names only one Qt has can be found on instances as well.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Reference:
    """``chain`` (e.g. ``("Qt", "AlignmentFlag", "AlignLeft")``) rooted at a name of ``module``."""

    module: str  # e.g. "qgis.PyQt.QtCore", "qgis.core"
    chain: tuple[str, ...]
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'.'.join(self.chain)} (from {self.module})"


def _chain(node: ast.AST) -> tuple[str, ...] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return (node.id, *reversed(parts))
    return None


def references(source: str, path: str, roots: tuple[str, ...]) -> tuple[list[Reference], list[tuple[str, int]]]:
    """The chains rooted at names imported from modules starting with one of ``roots``, and every
    attribute name with its line."""
    tree = ast.parse(source)
    imported: dict[str, tuple[str, str]] = {}  # local name -> (module, name in module)
    imports: list[Reference] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        for alias in node.names:
            local = alias.asname or alias.name
            if node.module in ("qgis", "qgis.PyQt") and f"{node.module}.{alias.name}".startswith(roots):
                imported[local] = (f"{node.module}.{alias.name}", "")  # a module: from qgis.PyQt import QtCore
            elif node.module.startswith(roots):
                imported[local] = (node.module, alias.name)
                imports.append(Reference(node.module, (alias.name,), path, node.lineno))
    found: list[Reference] = imports
    attributes: list[tuple[str, int]] = []
    inner_parts: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attributes.append((node.attr, node.lineno))
            if id(node) in inner_parts:  # ast.walk meets the longest chain first; only it counts
                continue
            inner = node.value
            while isinstance(inner, ast.Attribute):
                inner_parts.add(id(inner))
                inner = inner.value
            chain = _chain(node)
            if chain and chain[0] in imported:
                module, name = imported[chain[0]]
                found.append(Reference(module, ((name,) if name else ()) + chain[1:], path, node.lineno))
        elif isinstance(node, ast.Name) and node.id in imported and isinstance(node.ctx, ast.Load):
            module, name = imported[node.id]
            if name:
                found.append(Reference(module, (name,), path, node.lineno))
    return found, attributes


def plugin_references(plugin: Path, roots: tuple[str, ...], skip: tuple[str, ...] = ()) \
        -> tuple[list[Reference], list[tuple[str, str, int]]]:
    """``references`` over every module of the plugin but those named in ``skip``."""
    found: list[Reference] = []
    attributes: list[tuple[str, str, int]] = []
    for path in sorted(plugin.rglob("*.py")):
        relative = str(path.relative_to(plugin.parent))
        if relative in skip:
            continue
        refs, attrs = references(path.read_text(), relative, roots)
        found += refs
        attributes += [(name, relative, line) for name, line in attrs]
    return found, attributes
