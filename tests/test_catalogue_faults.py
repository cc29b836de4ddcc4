"""A catalogue that misbehaves gives a clear message and leaves nothing half-written in the cache."""

from __future__ import annotations

import pytest
from qgis.core import QgsApplication

from leo_qgis_plugin import api
from leo_qgis_plugin.core.datasets import AddMode, cached_path, download
from leo_qgis_plugin.core.exceptions import LeoError, NetworkError
from leo_qgis_plugin.tasks.catalogue import add_dataset_task, search_task

from .support.faults import FaultyServer
from .support.qt import wait_for


@pytest.fixture(scope="module")
def faults():
    with FaultyServer(b'{"type": "FeatureCollection"}', slow_seconds=20) as server:
        yield server


@pytest.mark.parametrize("path,message", [
    ("/error/", "HTTP 500"),
    ("/html/", "did not answer with JSON .*Service temporarily unavailable"),
    ("/badjson/", "did not answer with JSON"),
    ("/unauthorized/", "HTTP 401, the catalogue needs you to sign in"),
    ("/forbidden/", "HTTP 403, your account has no access"),
    ("/missing/", "HTTP 404, not found"),
    ("/truncated/", "cut short"),
])
def test_search_and_get_explain_what_went_wrong(faults, path, message):
    catalogue = api.connect(f"{faults.url}{path}")
    with pytest.raises(NetworkError, match=message):
        catalogue.search("load")
    with pytest.raises(NetworkError, match=message):
        catalogue.get("ssen-headroom")


def test_a_server_that_is_down_is_named():
    with pytest.raises(NetworkError, match="Could not reach http://127.0.0.1:9/"):
        api.connect("http://127.0.0.1:9/").search()


@pytest.mark.parametrize("path,message", [
    ("/truncated/", "cut short"), ("/html/", "not a GeoPackage"), ("/error/", "HTTP 500"),
])
def test_a_failed_download_leaves_nothing_in_the_cache(faults, sqlite_server, path, message):
    record = api.connect(sqlite_server.url).get("leo-price-2019-01-23")
    broken = api.connect(f"{faults.url}{path}")
    target = cached_path(broken, record.id, record.version)
    with pytest.raises(NetworkError, match=message):
        download(broken, record)
    assert not target.exists() and not (target.parent.exists() and any(target.parent.iterdir()))


def test_a_full_disk_is_reported_and_leaves_no_partial_file(project, sqlite_server):
    catalogue = api.connect(sqlite_server.url)
    target = cached_path(catalogue, "leo-price-2019-01-23", "1")
    target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The partial file is a link to /dev/full, so the kernel answers the write with "no space left".
    partial = target.with_name(f"{target.name}.part")
    partial.symlink_to("/dev/full")
    with pytest.raises(LeoError, match="Could not save v1.gpkg in the cache .No space left on device"):
        api.add_dataset(catalogue, "leo-price-2019-01-23", mode="download")
    assert not target.exists() and not partial.exists() and not project.mapLayers()
    assert api.add_dataset(catalogue, "leo-price-2019-01-23", mode="download").featureCount() == 48


def test_tasks_report_failures_as_messages_not_tracebacks(faults):
    outcome = []
    task = search_task(api.connect(f"{faults.url}/forbidden/"), outcome.append, outcome.append, text="load")
    QgsApplication.taskManager().addTask(task)
    wait_for(lambda: outcome)
    assert isinstance(outcome[0], str) and "no access" in outcome[0] and "Traceback" not in outcome[0]


def test_adding_from_a_slow_catalogue_can_be_cancelled(faults):
    outcome = []
    task = add_dataset_task(api.connect(f"{faults.url}/slow/"), "ssen-headroom", AddMode.LIVE,
                            outcome.append, outcome.append)
    QgsApplication.taskManager().addTask(task)
    wait_for(lambda: task.status() == task.Running)
    task.cancel()
    wait_for(lambda: outcome)
    # The request was given up while the server was still waiting (it waits 20 s before answering).
    assert "Cancel" in outcome[0] and faults.slow_answered == 0
