"""Great Britain's operators in the demo catalogue: each one's synthetic headroom, read from its exact published
columns, on the one GB schema; the overlay chooses the operators for a place; the change layer of version 2."""

from __future__ import annotations

import pytest

from leo_qgis_plugin import api
from leo_qgis_plugin.core.constraints.definitions import OVERLAY_GROUP

from .support.demo import GB_DATASETS, GB_OPERATORS
from .support.servers import CatalogueServer

PLACES = {  # a box in each operator's demo area (WGS 84) and the operator expected first
    "Oxford": ((-1.30, 51.70, -1.20, 51.80), "Scottish and Southern Electricity Networks"),
    "Birmingham": ((-1.95, 52.43, -1.80, 52.52), "National Grid Electricity Distribution"),
    "Kent": ((0.50, 51.10, 0.90, 51.30), "UK Power Networks"),
    "Leeds": ((-1.62, 53.78, -1.50, 53.84), "Northern Powergrid"),
    "Manchester": ((-2.31, 53.41, -2.20, 53.49), "Electricity North West"),
}


@pytest.fixture(scope="module")
def catalogue(demo_sqlite_path, tmp_path_factory):
    """The demo catalogue as ``make run`` builds it (``load-demo --gb-operators``), served."""
    import shutil

    from leo_catalogue.db import make_engine
    from leo_catalogue.demo.gb_operators import load_gb_operators

    path = tmp_path_factory.mktemp("gb") / "demo.sqlite"
    shutil.copy(demo_sqlite_path, path)
    load_gb_operators(make_engine(f"sqlite:///{path}"), lambda _m: None)
    server = CatalogueServer(f"sqlite:///{path}").start()
    yield api.connect(server.url)
    server.stop()


def test_the_demo_has_every_operator_and_its_change_layer(catalogue):
    found = catalogue.search("headroom", limit=50).records
    assert GB_DATASETS <= {r.id for r in found}


def test_every_operator_is_in_the_catalogue_on_one_schema(catalogue):
    for key in GB_OPERATORS:
        record = catalogue.get(f"gb-headroom-{key}")
        assert record.provenance == "synthetic" and record.version == "2" or key == "ssen", key
        names = {f["name"] for f in record.fields}
        assert {"operator", "demand_rag", "demand_rag_derived", "generation_headroom_mw", "published"} <= names
        assert any("Synthetic" in note for note in record.notes)


@pytest.mark.parametrize("place", sorted(PLACES))
def test_the_overlay_takes_the_operator_of_the_place(catalogue, project, place):
    bbox, publisher = PLACES[place]
    overlay, records = api.add_operator_overlay(catalogue, bbox)
    assert records and records[0].publisher == publisher
    group = project.layerTreeRoot().findGroup(OVERLAY_GROUP)
    first = group.children()[0].layer()
    assert first.name() == f"{publisher} substations" and first.featureCount() > 0
    assert first.renderer().type() == "RuleRenderer" or first.renderer() is not None
    project.clear()


def test_a_box_between_two_operators_finds_both_the_nearer_first(catalogue, project):
    # Between NPG's Leeds and ENWL's Manchester, nearer Manchester.
    _overlay, records = api.add_operator_overlay(catalogue, (-2.05, 53.50, -1.85, 53.70))
    publishers = [r.publisher for r in records]
    assert publishers[:2] == ["Electricity North West", "Northern Powergrid"]
    project.clear()


def test_the_change_layer_of_version_2(catalogue, project):
    layer = catalogue.layer("gb-headroom-npg-changes")
    changes = {f["name"]: f["change"] for f in layer.getFeatures()}
    assert changes["Kirkstall"] == "removed" and changes["Leeds New Primary"] == "new"
    assert sum(1 for c in changes.values() if c == "changed") == 3


def test_the_update_indicator_brings_the_change_layer(catalogue, project):
    from .support.qt import wait_for
    from .support.updates import checked_tree

    layer = api.add_dataset(catalogue, "gb-headroom-ukpn", mode="live", project=project)
    layer.setCustomProperty("leo_qgis/dataset/version", "1")  # as if added before the second harvest
    tree = checked_tree(project)
    view, checker, messages = tree.view, tree.checker, tree.messages
    node = project.layerTreeRoot().findLayer(layer.id())
    assert "What changed comes with it" in view.indicators(node)[0].toolTip()
    checker.refresh(_update(layer))
    wait_for(lambda: any("now shows version 2" in m for m in messages))
    names = [child.name() for child in project.layerTreeRoot().children()]
    title = "UK Power Networks network headroom (synthetic): what changed in version 2"
    assert names.index(title) < names.index(layer.name())  # just above the refreshed layer
    changes = next(lyr for lyr in project.mapLayers().values() if lyr.name().endswith("what changed in version 2"))
    assert changes.renderer().classAttribute() == "change" and changes.featureCount() == 9


def _update(layer):
    from leo_qgis_plugin.core.updates import find_updates, layer_keys

    (update,) = find_updates(layer_keys([layer]))
    return update
