"""A layer from the catalogue learns that a newer version exists, and refreshes with its style kept."""

from __future__ import annotations

from qgis.core import QgsProject

from leo_catalogue.db import make_engine
from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network
from leo_catalogue.importers.ssen_headroom import import_headroom
from leo_qgis_plugin import api
from leo_qgis_plugin.core.constraints.definitions import ConstraintKind, RagPalette
from leo_qgis_plugin.core.constraints.styling import style_substations
from leo_qgis_plugin.core.updates import catalogue_layers, find_updates, layer_keys

from .support.qt import wait_for
from .support.servers import CatalogueServer
from .support.updates import checked_tree


def test_newer_versions_are_marked_and_refreshed_keeping_the_style(project, demo_copy_url, tmp_path):
    server = CatalogueServer(demo_copy_url).start()
    try:
        catalogue = api.connect(server.url)
        downloaded = api.add_dataset(catalogue, "ssen-headroom", mode="download")
        live = api.add_dataset(catalogue, "oxon-districts", mode="live")
        style_substations(downloaded, ConstraintKind.GENERATION, RagPalette.SSEN.value)
        assert {layer.id() for layer in catalogue_layers()} == {downloaded.id(), live.id()}
        assert find_updates(layer_keys(catalogue_layers())) == []

        csv = tmp_path / "headroom.csv"
        csv.write_bytes(headroom_csv(build_network()))
        engine = make_engine(demo_copy_url)
        import_headroom(engine, str(csv), "ssen-headroom")  # the publisher puts out version 2
        engine.dispose()

        tree = checked_tree(QgsProject.instance())
        view, checker, counts, messages = tree.view, tree.checker, tree.counts, tree.messages
        assert counts == [1] and list(checker.indicators) == [downloaded.id()]
        node = QgsProject.instance().layerTreeRoot().findLayer(downloaded.id())
        assert len(view.indicators(node)) == 1 and "Version 2" in view.indicators(node)[0].toolTip()

        (update,) = find_updates(layer_keys([downloaded]))
        checker.refresh(update)
        wait_for(lambda: any("now shows version 2" in m for m in messages))
        assert downloaded.customProperty("leo_qgis/dataset/version") == "2"
        assert downloaded.source().endswith("v2.gpkg") and downloaded.featureCount() == 68
        assert downloaded.renderer().classAttribute() == "generation_rag"  # the user's style survived
        assert view.indicators(node) == [] and checker.indicators == {}
    finally:
        server.stop()
