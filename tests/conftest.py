"""Shared fixtures: the demo catalogue on SpatiaLite and PostGIS, served by the real server."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .support.http_client import Http
from .support.postgres import PostgresCluster
from .support.servers import ROOT, CatalogueServer

REAL_DATA = ROOT / "leo_catalogue" / "data" / "real"
CACHE = ROOT / "var" / "test-cache"


def _code_fingerprint() -> str:
    """Changes whenever code that shapes the demo catalogue changes."""
    digest = hashlib.sha256()
    for folder in (ROOT / "leo_catalogue", ROOT / "leo_qgis_plugin" / "core" / "formats"):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session", autouse=True)
def release_qgis_objects(qgis_app):
    """At the end of the session, before QGIS itself is torn down: drop the layers and widgets Python still
    holds (playbacks, docks made by tests), so none is destroyed after QGIS's providers are gone."""
    yield
    import gc

    from qgis.core import QgsProject

    from leo_qgis_plugin.core.temporal import controller

    QgsProject.instance().clear()
    controller._BOUND.clear()
    gc.collect()
    qgis_app.processEvents()


@pytest.fixture(scope="session")
def demo_sqlite_path() -> Path:
    """The demo catalogue as a SpatiaLite file, built once per code version (read-only for tests)."""
    from leo_catalogue.db import make_engine
    from leo_catalogue.demo.build import load_demo

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"demo-{_code_fingerprint()}.sqlite"
    if not path.exists():
        for old in CACHE.glob("demo-*.sqlite*"):
            old.unlink()
        building = path.with_suffix(".building")
        engine = make_engine(f"sqlite:///{building}")
        load_demo(engine)
        engine.dispose()
        building.rename(path)
    return path


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster (PostGIS available)."""
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster):
    """The cluster's empty database ``leo``."""
    return f"postgresql://postgres@127.0.0.1:{postgres_cluster.port}/leo"


@pytest.fixture(scope="session")
def demo_postgres_url(postgres_url) -> str:
    """The demo catalogue in PostGIS, built through the command line a user would type."""
    result = subprocess.run([sys.executable, "-m", "leo_catalogue", "load-demo"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "LEO_DATABASE_URL": postgres_url})
    assert result.returncode == 0, result.stderr
    assert "Demo catalogue loaded" in result.stdout
    return postgres_url


@pytest.fixture(scope="session")
def sqlite_server(demo_sqlite_path):
    server = CatalogueServer(f"sqlite:///{demo_sqlite_path}").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgis_server(demo_postgres_url):
    server = CatalogueServer(demo_postgres_url).start()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgis"])
def server(request) -> CatalogueServer:
    """The demo catalogue served from each backend in turn."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture()
def scratch_sqlite_url(tmp_path) -> str:
    """An empty SpatiaLite catalogue for tests that write."""
    return f"sqlite:///{tmp_path / 'scratch.sqlite'}"


@pytest.fixture()
def demo_copy_url(demo_sqlite_path, tmp_path) -> str:
    """A private copy of the demo catalogue that a test may change."""
    target = tmp_path / "demo.sqlite"
    shutil.copy(demo_sqlite_path, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def http(server) -> Http:
    return Http(server.url)


@pytest.fixture()
def leo_processing():
    """Processing initialised with the plugin's provider; removed again afterwards."""
    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing
    from qgis.core import QgsApplication

    from leo_qgis_plugin.processing.provider import LeoProvider

    Processing.initialize()
    registry = QgsApplication.processingRegistry()
    provider = LeoProvider()
    assert registry.addProvider(provider)
    import processing

    yield processing
    registry.removeProvider(provider)


@pytest.fixture()
def project():
    """The QGIS project, empty before and after the test."""
    from qgis.core import QgsProject

    project = QgsProject.instance()
    project.clear()
    yield project
    project.clear()


@pytest.fixture(scope="module")
def portal(demo_sqlite_path, tmp_path_factory):
    """The web portal's catalogue: the demo with a restricted and a registered dataset, served with the access log
    on (a server per test module); yields the server and the users' tokens."""
    from .support.portal import build_portal_catalogue

    url, tokens = build_portal_catalogue(demo_sqlite_path, tmp_path_factory.mktemp("portal"))
    server = CatalogueServer(url, log_level="info").start()
    yield server, tokens
    server.stop()
