"""The plugin loads and unloads cleanly in QGIS, keeps its layering, and stores connections safely."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from qgis.core import QgsApplication, QgsOwsConnection, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtWidgets import QAction, QDockWidget

from leo_qgis_plugin.core import settings as leo_settings
from leo_qgis_plugin.core.settings import (
    ConnectionKind,
    ConnectionSettings,
    ensure_default_connection,
    load_connections,
    remove_connection,
    save_connection,
)

from .support.servers import ROOT

PLUGIN = ROOT / "leo_qgis_plugin"


@pytest.fixture()
def clean_settings(monkeypatch):
    settings = QgsSettings()
    settings.remove(leo_settings.SETTINGS_PREFIX)
    QgsOwsConnection.deleteConnection("WFS", leo_settings.DEFAULT_CONNECTION_NAME)
    monkeypatch.delenv("LEO_CATALOGUE_URL", raising=False)
    yield settings
    settings.remove(leo_settings.SETTINGS_PREFIX)


def _registered(iface) -> tuple[int, int, int]:
    window = iface.mainWindow()
    return (len(window.findChildren(QAction)), len(window.findChildren(QDockWidget)),
            len(QgsApplication.processingRegistry().providers()))


def test_plugin_loads_and_unloads_twice_leaving_nothing_behind(qgis_iface, clean_settings):
    import leo_qgis_plugin

    before = _registered(qgis_iface)
    for _ in range(2):
        plugin = leo_qgis_plugin.classFactory(qgis_iface)
        plugin.initGui()
        assert _registered(qgis_iface) != before
        assert "leo" in [p.id() for p in QgsApplication.processingRegistry().providers()]
        plugin.unload()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        assert _registered(qgis_iface) == before
    names = [c.name for c in load_connections()]
    assert leo_settings.DEFAULT_CONNECTION_NAME in names
    kinds = {c.name: c.kind.value for c in load_connections()}
    for operator, kind in (("SSEN", "ckan"), ("NGED", "ckan"), ("NESO", "ckan"), ("UKPN", "opendatasoft"),
                           ("NPG", "opendatasoft"), ("ENWL", "opendatasoft"), ("SPEN", "opendatasoft")):
        assert [k for n, k in kinds.items() if f"({operator}) open data portal" in n] == [kind]


def test_first_start_configures_the_local_catalogue_for_the_plugin_and_qgis(clean_settings, monkeypatch):
    monkeypatch.setenv("LEO_CATALOGUE_URL", "http://127.0.0.1:9999/")
    created = ensure_default_connection()
    assert created.url == "http://127.0.0.1:9999/"
    assert leo_settings.DEFAULT_CONNECTION_NAME in QgsOwsConnection.connectionList("WFS")
    native = QgsOwsConnection("WFS", leo_settings.DEFAULT_CONNECTION_NAME)
    assert native.uri().param("url") == "http://127.0.0.1:9999/"
    assert native.uri().param("version") == "OGC_API_FEATURES"


def test_existing_connections_are_left_alone_without_an_explicit_url(clean_settings):
    save_connection(ConnectionSettings("Mine", "https://example.org/catalogue"))
    assert ensure_default_connection() is None
    assert [c.name for c in load_connections()] == ["Mine"]


def test_connections_round_trip_with_authcfg_ids_never_secrets(clean_settings):
    save_connection(ConnectionSettings("SSEN portal", "https://data.ssen.example/", ConnectionKind.CKAN, "abc1234"))
    (connection,) = load_connections()
    assert connection.kind == ConnectionKind.CKAN and connection.authcfg == "abc1234"
    keys = [k for k in clean_settings.allKeys() if k.startswith(leo_settings.SETTINGS_PREFIX)]
    assert not [k for k in keys if any(word in k.lower() for word in ("password", "token", "secret"))]
    remove_connection("SSEN portal")
    assert load_connections() == []


def test_no_heavy_imports_at_load():
    # What QGIS itself loads does not count: QGIS 3.40+ imports shapely with qgis.core when it is installed.
    code = (
        "import sys, qgis.core, qgis.gui\n"
        "before = set(sys.modules)\n"
        "import leo_qgis_plugin, leo_qgis_plugin.plugin\n"
        "heavy = {'pandas', 'geopandas', 'matplotlib', 'sqlalchemy', 'fastapi', 'requests', 'shapely', 'osgeo'}\n"
        "print(sorted(heavy & (set(sys.modules) - before)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_what_initgui_loads_leaves_the_readers_and_the_catalogue_client_for_later():
    # The modules initGui imports (QGIS's start-up profiler counts them): the file readers (numpy), the catalogue
    # client, downloads and uploads load when first used.
    code = (
        "import sys, qgis.core, qgis.gui\n"
        "before = set(sys.modules)\n"
        "import leo_qgis_plugin.plugin, leo_qgis_plugin.gui.browser, leo_qgis_plugin.gui.file_drop\n"
        "import leo_qgis_plugin.gui.lazy_dock, leo_qgis_plugin.gui.updates, leo_qgis_plugin.processing.provider\n"
        "later = {'numpy', 'leo_qgis_plugin.core.catalogue', 'leo_qgis_plugin.core.open_files',\n"
        "         'leo_qgis_plugin.core.datasets', 'leo_qgis_plugin.core.upload', 'leo_qgis_plugin.core.updates'}\n"
        "print(sorted(later & (set(sys.modules) - before)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


_IMPORT = re.compile(r"^\s*(?:from\s+(\S+)\s+import\b|import\s+([\w.]+))", re.MULTILINE)


def _imports(path: Path) -> set[str]:
    # A regular expression, not ast.parse: Python 3.11.2's ast.parse can fail with "AST constructor
    # recursion depth mismatch" when called deep inside pytest after an unrelated RecursionError.
    return {a or b for a, b in _IMPORT.findall(path.read_text())}


def _python_files(folder: Path) -> list[Path]:
    return list(folder.rglob("*.py"))


def test_layering_of_the_architecture_holds():
    for path in _python_files(PLUGIN / "core"):
        imports = _imports(path)
        assert not [i for i in imports if i.startswith(("qgis.gui", "qgis.utils", "..gui", "..tasks", "..processing",
                                                       "..plugin", "...gui"))], path
    for path in _python_files(PLUGIN / "core" / "formats"):
        assert not [i for i in _imports(path) if i.startswith(("qgis", "PyQt"))], path
    for path in _python_files(PLUGIN / "tasks") + _python_files(PLUGIN / "processing"):
        assert not [i for i in _imports(path) if "gui" in i], path
    for path in _python_files(PLUGIN):
        assert not [i for i in _imports(path) if i.startswith(("PyQt5", "PyQt6", "requests"))], path
        if path.name != "__init__.py" or path.parent != PLUGIN:
            assert "def classFactory" not in path.read_text(), path
    for path in _python_files(ROOT / "leo_catalogue"):
        assert not [i for i in _imports(path) if i.startswith("qgis")], path


# What plugins.qgis.org's upload validator asks of a zip (qgis/QGIS-Django, plugins/validator.py), in our words.
REQUIRED_METADATA = ["name", "description", "version", "qgisMinimumVersion", "author", "email", "about", "tracker",
                     "repository", "license"]
MAX_ZIP_BYTES = 25_000_000


def _repository_problems(archive: zipfile.ZipFile, size: int) -> list[str]:
    """The plugin repository's checks on an uploaded zip; empty when it would be accepted."""
    names = archive.namelist()
    problems = [f"{size} bytes: more than {MAX_ZIP_BYTES}"] if size > MAX_ZIP_BYTES else []
    problems += [f"path information: {n}" for n in names if ".." in n or n.startswith("/")]
    problems += [f"forbidden: {n}" for n in names if ".pyc" in n or
                 {"__MACOSX", ".git", "__pycache__"} & set(n.split("/"))]
    if archive.testzip() is not None:
        problems.append("bad zip (CRC)")
    folders = {n.split("/")[0] for n in names}
    package = names[0].split("/")[0]
    if len(folders) != 1 or not re.match(r"^[A-Za-z][A-Za-z0-9-_]+$", package):
        problems.append(f"one top-level folder with a plain name, not {sorted(folders)}")
    for required in ("__init__.py", "metadata.txt", "LICENSE"):
        if f"{package}/{required}" not in names:
            problems.append(f"no {required}")
    if problems:
        return problems
    parser = configparser.ConfigParser()
    parser.optionxform = str
    parser.read_string(archive.read(f"{package}/metadata.txt").decode("utf-8"))
    general = parser["general"]
    problems += [f"metadata {key} missing" for key in REQUIRED_METADATA if not general.get(key, "").strip()]
    if "/" in general.get("author", ""):
        problems.append("author with a slash")
    for key in ("tracker", "repository", "homepage"):
        url = urlparse(general.get(key, ""))
        if key in general and not (url.scheme and url.netloc):
            problems.append(f"{key} is not a URL")
    if f"{package}/{general.get('icon', '').removeprefix('./')}" not in names:
        problems.append("icon not in the zip")
    return problems


def test_metadata_lists_the_plugin_for_qgis_3_22_to_qgis_4():
    parser = configparser.ConfigParser()
    parser.read(ROOT / "metadata.txt")
    general = parser["general"]
    assert general["qgisMinimumVersion"] == "3.22"
    # The repository lists a plugin for QGIS 4 when qgisMaximumVersion >= 4.0; supportsQt6 is the older flag.
    assert tuple(int(p) for p in general["qgisMaximumVersion"].split(".")) >= (4, 0)
    assert general["supportsQt6"] == "True"
    assert general["repository"].startswith("https://") and "@" in general["email"]


def test_make_package_builds_a_zip_the_plugin_repository_accepts(tmp_path):
    result = subprocess.run(["make", "package"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    version = configparser.ConfigParser()
    version.read(ROOT / "metadata.txt")
    archive_path = ROOT / "dist" / f"leo_qgis_plugin-{version['general']['version']}.zip"
    with zipfile.ZipFile(archive_path) as archive:
        assert _repository_problems(archive, archive_path.stat().st_size) == []
        archive.extractall(tmp_path)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import leo_qgis_plugin, leo_qgis_plugin.plugin; "
            "print(leo_qgis_plugin.__file__)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and str(tmp_path) in result.stdout, result.stderr


def test_the_repository_checks_refuse_what_the_repository_refuses(tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("leo_qgis_plugin/__init__.py", "")
        archive.writestr("leo_qgis_plugin/__pycache__/x.cpython-311.pyc", b"")
        archive.writestr("other/readme.txt", "")
    with zipfile.ZipFile(bad) as archive:
        problems = _repository_problems(archive, bad.stat().st_size)
    assert "no metadata.txt" in problems and "no LICENSE" in problems
    assert any(p.startswith("forbidden: leo_qgis_plugin/__pycache__") for p in problems)
    assert any(p.startswith("one top-level folder") for p in problems)


def test_the_plugin_keeps_the_overlay_on_top_when_the_user_adds_layers(qgis_iface, clean_settings):
    from qgis.core import QgsProject, QgsVectorLayer

    import leo_qgis_plugin
    from leo_qgis_plugin.core.constraints.definitions import OVERLAY_GROUP
    from leo_qgis_plugin.core.constraints.overlay import ConstraintOverlay

    project = QgsProject.instance()
    project.clear()
    plugin = leo_qgis_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        ConstraintOverlay.from_layers({"substations": QgsVectorLayer("Point?crs=EPSG:4326", "Substations", "memory")})
        project.addMapLayer(QgsVectorLayer("Point?crs=EPSG:27700", "Mine", "memory"))
        QCoreApplication.processEvents()
        assert [n.name() for n in project.layerTreeRoot().children()] == [OVERLAY_GROUP, "Mine"]
    finally:
        plugin.unload()
        project.clear()
