"""Run by a Python that has PyQt5 or PyQt6 (``python qt_resolve.py PyQt6 < refs.json``): which of the given
Qt references do not resolve there, and every attribute name its Qt classes have. Standard library only, so
that it runs in the separate PyQt6 environment as well as QGIS's own."""

from __future__ import annotations

import importlib
import json
import sys

MODULES = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtXml", "QtSvg")
# What qgis.PyQt adds on top of PyQt: QGIS's Qt 6 shim keeps QAction, QActionGroup and QShortcut importable
# from QtWidgets (Qt 6 moved them to QtGui); its Qt 5 shim offers them from QtGui too.
MOVED = {"QtWidgets": ("QtGui", ("QAction", "QActionGroup", "QShortcut")),
         "QtGui": ("QtWidgets", ("QAction", "QActionGroup", "QShortcut"))}


def module(binding: str, name: str):
    return importlib.import_module(f"{binding}.{name}")


def resolve(binding: str, module_name: str, chain: list[str]) -> bool:
    short = module_name.rsplit(".", 1)[-1]
    try:
        obj = module(binding, short)
    except ImportError:
        return False
    if chain and short in MOVED and chain[0] in MOVED[short][1] and not hasattr(obj, chain[0]):
        obj = module(binding, MOVED[short][0])
    for part in chain:
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def attribute_names(binding: str) -> tuple[set[str], set[str]]:
    """Every attribute name of the binding's classes and their nested enums, and those that are methods."""
    names: set[str] = set()
    methods: set[str] = set()
    for short in MODULES:
        try:
            qt = module(binding, short)
        except ImportError:
            continue
        for name in dir(qt):
            cls = getattr(qt, name)
            if isinstance(cls, type):
                names.update(dir(cls))
                methods.update(n for n in dir(cls) if callable(getattr(cls, n, None))
                               and not isinstance(getattr(cls, n, None), type))
                for inner in dir(cls):  # nested enums: their members
                    value = getattr(cls, inner, None)
                    if isinstance(value, type):
                        names.update(dir(value))
    return names, methods


def main() -> None:
    binding = sys.argv[1]
    refs = json.load(sys.stdin)
    missing = [i for i, (module_name, chain) in enumerate(refs) if not resolve(binding, module_name, chain)]
    names, methods = attribute_names(binding)
    json.dump({"missing": missing, "names": sorted(names), "methods": sorted(methods)}, sys.stdout)


if __name__ == "__main__":
    main()
