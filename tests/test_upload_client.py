"""Sharing layers from QGIS: api.upload_layer and leo:uploadlayer against the real server, the token kept in
QGIS's authentication database; local checks refuse before anything is sent; the catalogue's own refusals
reach the user word for word."""

from __future__ import annotations

from pathlib import Path

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsSettings, QgsVectorLayer

from .support.auth import token_authcfg
from .support.upload_catalogue import Catalogue
from .support.upload_files import BOUNDARIES, MSOA_COUNT


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    made = Catalogue(f"sqlite:///{tmp_path_factory.mktemp('client') / 'catalogue.sqlite'}",
                     tmp_path_factory.mktemp("client-var"))
    yield made
    made.stop()


@pytest.fixture()
def editor(catalogue):
    """A connection signed in as the council's editor (token in the authentication database)."""
    from leo_qgis_plugin import api

    with token_authcfg("council", catalogue.tokens["council"]) as authcfg:
        yield api.connect(catalogue.server.url, authcfg=authcfg)


def _chargers(crs: str = "EPSG:27700", count: int = 3) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"Point?crs={crs}&field=name:string&field=kw:double&field=opened:datetime",
                           "EV chargers", "memory")
    features = []
    for index in range(count):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([f"Charger {index}", 7.0 * (index + 1), f"2024-02-1{index}T08:30:00Z"])
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(451000 + 100 * index, 206000)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def _bow_ties() -> QgsVectorLayer:
    layer = QgsVectorLayer("Polygon?crs=EPSG:27700&field=name:string", "areas", "memory")
    feature = QgsFeature(layer.fields())
    feature.setAttributes(["bow tie"])
    feature.setGeometry(QgsGeometry.fromWkt("POLYGON((450000 200000, 451000 201000, 451000 200000, "
                                            "450000 201000, 450000 200000))"))
    layer.dataProvider().addFeatures([feature])
    return layer


def test_upload_layer_makes_a_dataset_found_at_once_and_added_back_to_qgis(editor, project):
    from leo_qgis_plugin import api

    result = api.upload_layer(editor, _chargers(), title="Council EV chargers", description="Planned chargers",
                              keywords=["ev", "charging"], access="registered", temporal_field="opened")
    assert (result.dataset_id, result.version, result.feature_count) == ("council-ev-chargers", "1", 3)
    assert any("EPSG:27700" in note for note in result.notes)
    found = editor.search("chargers")
    assert [r.id for r in found.records] == ["council-ev-chargers"]
    record = editor.get("council-ev-chargers")
    assert record.licence == "Open Government Licence v3.0" and record.publisher == "Oxford City Council"
    assert record.temporal_extent[0].isoformat().startswith("2024-02-10T08:30")
    layer = api.add_dataset(editor, "council-ev-chargers", mode="live")
    assert sorted(f["name"] for f in layer.getFeatures()) == ["Charger 0", "Charger 1", "Charger 2"]
    # Registered data: hidden from anonymous users.
    assert api.connect(editor.url).search("chargers").total == 0


def test_upload_again_makes_a_new_version_and_owner_deletes(editor):
    from leo_qgis_plugin import api

    api.upload_layer(editor, _chargers(count=1), title="Depot chargers")
    second = api.upload_layer(editor, _chargers(count=2), dataset_id="depot-chargers")
    assert second.version == "2" and second.feature_count == 2
    assert [(v["version"], v["feature_count"]) for v in editor.versions("depot-chargers")] == [("1", 1), ("2", 2)]
    api.delete_dataset(editor, "depot-chargers", version="1")
    assert [v["version"] for v in editor.versions("depot-chargers")] == ["2"]
    api.delete_dataset(editor, "depot-chargers")
    assert editor.search("depot").total == 0


def test_real_boundaries_from_a_file_layer(editor):
    from leo_qgis_plugin import api

    msoas = QgsVectorLayer(f"{BOUNDARIES}|layername=msoa11", "MSOAs", "ogr")
    with pytest.raises(Exception, match="1 feature\\(s\\) have invalid geometry"):
        api.upload_layer(editor, msoas, title="MSOAs")
    result = api.upload_layer(editor, msoas, title="MSOAs", repair=True)
    assert result.feature_count == MSOA_COUNT


@pytest.mark.parametrize("layer, message", [
    (_bow_ties, "invalid geometry: feature 1: Self-intersection"),
    (lambda: _chargers(count=0), "no features"),
    (lambda: _chargers(crs=""), "no coordinate reference system"),
    (lambda: QgsVectorLayer("/nonexistent/sites.gpkg", "gone", "ogr"), "'gone' cannot be read"),
])
def test_local_checks_refuse_before_sending(catalogue, editor, layer, message):
    from leo_qgis_plugin import api
    from leo_qgis_plugin.core.exceptions import LeoError

    before = catalogue.stored_tables()
    with pytest.raises(LeoError, match=message):
        api.upload_layer(editor, layer(), title="Checked first")
    assert catalogue.stored_tables() == before


def test_catalogue_refusals_reach_the_user(catalogue, editor):
    from leo_qgis_plugin import api
    from leo_qgis_plugin.core.exceptions import LeoError

    with token_authcfg("viewer", catalogue.tokens["viewer"]) as authcfg:
        viewer = api.connect(catalogue.server.url, authcfg=authcfg)
        with pytest.raises(LeoError, match="viewer's: uploads need an editor's"):
            api.upload_layer(viewer, _chargers(), title="Not allowed")
    with pytest.raises(LeoError, match="HTTP 401, the catalogue needs you to sign in"):
        api.upload_layer(api.connect(catalogue.server.url), _chargers(), title="Anonymous")
    with pytest.raises(LeoError, match="access is public, registered or restricted"):
        api.upload_layer(editor, _chargers(), title="Secret", access="secret")
    with pytest.raises(LeoError, match="time field 'name' holds string values"):
        api.upload_layer(editor, _chargers(), title="Wrong time", temporal_field="name")
    api.upload_layer(editor, _chargers(), title="SSEN-like", access="public")
    with token_authcfg("ssen", catalogue.tokens["ssen"]) as authcfg:
        other = api.connect(catalogue.server.url, authcfg=authcfg)
        with pytest.raises(LeoError, match="belongs to Oxford City Council"):
            api.upload_layer(other, _chargers(), dataset_id="ssen-like")


def test_uploadlayer_algorithm_and_the_token_never_in_settings(catalogue, editor, leo_processing, tmp_path):
    import processing

    layer = _chargers()
    QgsProject.instance().addMapLayer(layer)
    try:
        result = processing.run("leo:uploadlayer", {
            "INPUT": layer, "CATALOGUE": editor.url, "AUTHCFG": editor.authcfg, "TITLE": "Chargers from Processing",
            "KEYWORDS": "ev, processing", "LICENCE": 1, "ACCESS": 2, "TIME_FIELD": "opened"})
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    # Restricted: in the organisation's own id space.
    assert result["DATASET_ID"] == "oxford-city-council--chargers-from-processing" and result["VERSION"] == "1"
    assert result["FEATURE_COUNT"] == 3
    record = catalogue.get(f"/collections/catalogue/items/{result['DATASET_ID']}", "council").json()
    assert record["properties"]["accessLevel"] == "restricted"
    assert record["properties"]["license"].startswith("Creative Commons")
    assert catalogue.get(f"/collections/catalogue/items/{result['DATASET_ID']}", "ssen").status_code == 404
    from qgis.core import QgsApplication

    settings = QgsSettings()
    settings.sync()
    token = catalogue.tokens["council"].encode()
    assert token not in Path(settings.fileName()).read_bytes()  # not in plain settings
    assert token not in Path(QgsApplication.qgisAuthDatabaseFilePath()).read_bytes()  # encrypted in the auth DB
