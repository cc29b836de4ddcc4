"""Ready for QGIS 4 (Qt 6), proven as far as this machine allows: no QGIS 4 package exists for Debian, so the
plugin's own source is checked against the real PyQt6 from PyPI (``var/pyqt6-venv``, made by ``make setup``)
and against the QGIS the suite runs on.

- every Qt name the plugin refers to (``Qt.AlignmentFlag.AlignCenter``, ``QFileDialog.getOpenFileName``, an
  imported class) resolves in PyQt6 *and* in the PyQt5 that QGIS 3 runs on;
- no method name that only PyQt5 has (``exec_``) is called on anything;
- every QGIS enum the plugin names is the scoped form where this QGIS has one (QGIS marks the old spellings it
  keeps for compatibility with ``is_monkey_patched``; from 3.30 on they exist, 3.22 has only the old forms,
  which ``core/compat.py`` alone names);
- resources load by path (no pyrcc output, which Qt 6 cannot make).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .support.api_names import Reference, plugin_references, references
from .support.servers import ROOT

PLUGIN = ROOT / "leo_qgis_plugin"
PYQT6 = ROOT / "var" / "pyqt6-venv" / "bin" / "python"
RESOLVER = ROOT / "tests" / "support" / "qt_resolve.py"
QT = ("qgis.PyQt",)
QGIS = ("qgis.core", "qgis.gui")
# The one module that names 3.22's spellings, each only where this QGIS lacks the new one.
COMPAT = "leo_qgis_plugin/core/compat.py"


def _resolve(python: list[str], binding: str, refs: list[Reference]) -> dict:
    payload = json.dumps([[r.module, list(r.chain)] for r in refs])
    result = subprocess.run([*python, str(RESOLVER), binding], input=payload, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _pyqt6() -> list[str]:
    assert PYQT6.exists(), "var/pyqt6-venv is missing: `make setup` (or `make test`) installs PyQt6 there"
    return [str(PYQT6)]


def _qt_problems(refs: list[Reference], attributes: list[tuple[str, str, int]]) -> list[str]:
    """What in these references and attribute names Qt 6 or Qt 5 would not accept."""
    qt6 = _resolve(_pyqt6(), "PyQt6", refs)
    qt5 = _resolve([sys.executable], "PyQt5", refs)
    problems = [f"not in PyQt6: {refs[i]}" for i in qt6["missing"]]
    problems += [f"not in PyQt5: {refs[i]}" for i in qt5["missing"]]
    qt5_only_methods = set(qt5["methods"]) - set(qt6["names"])
    problems += [f"{path}:{line}: .{name}() exists only in PyQt5" for name, path, line in attributes
                 if name in qt5_only_methods and name not in _other_api_names()]
    return problems


def _other_api_names() -> set[str]:
    """Names QGIS's own classes add (not those they take from a Qt base class): the same word on a QGIS
    object is not a Qt 5 method."""
    import qgis.core
    import qgis.gui

    names: set[str] = set()
    for module in (qgis.core, qgis.gui):
        for name in dir(module):
            cls = getattr(module, name)
            if isinstance(cls, type) and name.startswith("Qgs"):
                from_qt = {n for base in cls.__mro__ if base.__module__.startswith("PyQt") for n in dir(base)}
                names.update(n for n in vars(cls) if not n.startswith("_") and n not in from_qt)
    return names


def test_every_qt_name_the_plugin_uses_is_in_pyqt6_and_pyqt5():
    refs, attributes = plugin_references(PLUGIN, QT)
    assert len(refs) > 100  # the whole plugin was read
    assert _qt_problems(refs, attributes) == []


def test_the_check_finds_unscoped_enums_qt5_only_methods_and_classes():
    source = (
        "from qgis.PyQt.QtCore import Qt, QRegExp\n"
        "from qgis.PyQt.QtWidgets import QDialog, QMessageBox\n"
        "align = Qt.AlignLeft\n"
        "ok = QMessageBox.StandardButton.Ok\n"
        "QDialog().exec_()\n"
    )
    refs, attributes = references(source, "example.py", QT)
    problems = _qt_problems(refs, [(name, "example.py", line) for name, line in attributes])
    assert "not in PyQt6: example.py:3: Qt.AlignLeft (from qgis.PyQt.QtCore)" in problems
    assert any("QRegExp" in p for p in problems)
    assert "example.py:5: .exec_() exists only in PyQt5" in problems
    assert not any("StandardButton" in p for p in problems)


def _qgis_problems(refs: list[Reference]) -> list[str]:
    problems = []
    for ref in refs:
        obj = importlib.import_module(ref.module)
        try:
            for part in ref.chain:
                obj = getattr(obj, part)
        except AttributeError:
            problems.append(f"not in this QGIS: {ref}")
            continue
        if getattr(obj, "is_monkey_patched", False) and ref.chain[0] != "Qgis":
            problems.append(f"old spelling (QGIS 4 drops it): {ref}")
    return problems


def test_qgis_enums_are_named_in_their_scoped_forms():
    # On 3.22 this proves every name resolves; on 3.40 and 3.44 (the matrix) also that none is an old spelling.
    refs, _ = plugin_references(PLUGIN, QGIS, skip=(COMPAT,))
    assert len(refs) > 100
    assert _qgis_problems(refs) == []


def test_the_qgis_check_finds_an_old_spelling_where_qgis_marks_it():
    from qgis.core import Qgis

    if not hasattr(Qgis, "WkbType"):
        pytest.skip(f"QGIS {Qgis.version()} predates scoped enums (3.30): nothing is marked as an old spelling")
    refs, _ = references("from qgis.core import QgsWkbTypes\nkind = QgsWkbTypes.PointGeometry\n", "example.py", QGIS)
    assert _qgis_problems(refs) == ["old spelling (QGIS 4 drops it): example.py:2: QgsWkbTypes.PointGeometry "
                                    "(from qgis.core)"]


def test_resources_load_by_path_and_resources_qrc_lists_them():
    from leo_qgis_plugin.core.resources import LEO_ICON, PLUGIN_DIR

    listed = {line.split(">")[1].split("<")[0] for line in (ROOT / "resources.qrc").read_text().splitlines()
              if "<file" in line}
    assert Path(LEO_ICON).is_file() and f"leo_qgis_plugin/{Path(LEO_ICON).relative_to(PLUGIN_DIR)}" in listed
    assert all((ROOT / name).is_file() for name in listed)
    for path in PLUGIN.rglob("*.py"):
        text = path.read_text()
        assert ":/plugins/" not in text and "import resources" not in text, path
