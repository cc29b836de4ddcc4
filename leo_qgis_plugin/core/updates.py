"""Which layers from a catalogue have a newer version there, and refreshing them in place (style kept)."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsDataProvider, QgsFeedback, QgsProject, QgsVectorLayer

from .catalogue import PROPERTY_PREFIX, OgcApiCatalogue, describe_layer
from .compat import LayerType
from .datasets import AddMode, download
from .exceptions import LeoError
from .models import CatalogueRecord
from .settings import authcfg_for


@dataclass
class Update:
    layer_id: str
    dataset_id: str
    current: str
    record: CatalogueRecord
    changes: CatalogueRecord | None = None  # a harvested dataset's change layer of the new version


def change_record(catalogue: OgcApiCatalogue, dataset_id: str, version: str,
                  feedback: QgsFeedback | None = None) -> CatalogueRecord | None:
    """The change layer a harvest stored with ``version`` of ``dataset_id`` (``<id>-changes``), if any."""
    try:
        record = catalogue.get(f"{dataset_id}-changes", feedback)
    except LeoError:
        return None
    return record if record.version == version else None


def catalogue_layers(project: QgsProject | None = None) -> list[QgsVectorLayer]:
    """Layers of the project that came from an OGC API catalogue and remember their version."""
    project = project or QgsProject.instance()
    return [layer for layer in project.mapLayers().values()
            if layer.type() == LayerType.Vector and layer.customProperty(f"{PROPERTY_PREFIX}/id")
            and layer.customProperty(f"{PROPERTY_PREFIX}/catalogue")
            and not layer.customProperty(f"{PROPERTY_PREFIX}/resource")]


def find_updates(layers: list[tuple[str, str, str, str]], feedback: QgsFeedback | None = None) -> list[Update]:
    """For (layer id, catalogue url, dataset id, version) tuples, the ones whose record has another version.

    Takes plain values, not layers, so that it can run in a task.
    """
    updates = []
    for layer_id, url, dataset_id, version in layers:
        if feedback is not None and feedback.isCanceled():
            break
        try:
            record = OgcApiCatalogue(url, authcfg_for(url)).get(dataset_id, feedback)
        except LeoError:
            continue  # unreachable or gone: nothing to offer now
        if record.version and record.version != version:
            changes = change_record(OgcApiCatalogue(url, authcfg_for(url)), dataset_id, record.version, feedback)
            updates.append(Update(layer_id, dataset_id, version, record, changes))
    return updates


def layer_keys(layers: list[QgsVectorLayer]) -> list[tuple[str, str, str, str]]:
    return [(layer.id(), layer.customProperty(f"{PROPERTY_PREFIX}/catalogue"),
             layer.customProperty(f"{PROPERTY_PREFIX}/id"), str(layer.customProperty(f"{PROPERTY_PREFIX}/version", "")))
            for layer in layers]


def fetch_version(url: str, record: CatalogueRecord, mode: str, feedback: QgsFeedback | None = None) -> str | None:
    """The new data for a refresh: the downloaded file of the record's version (None for live layers).
    Network work: run it in a task."""
    if mode == AddMode.DOWNLOAD.value:
        return str(download(OgcApiCatalogue(url, authcfg_for(url)), record, feedback))
    return None


def apply_version(layer: QgsVectorLayer, record: CatalogueRecord, path: str | None) -> None:
    """Point the layer at the new version, keeping its style and name (UI thread)."""
    if path:
        layer.setDataSource(path, layer.name(), "ogr", QgsDataProvider.ProviderOptions())
    else:
        layer.dataProvider().reloadData()
    describe_layer(layer, record)
    layer.triggerRepaint()


def add_change_layer(layer: QgsVectorLayer, url: str, changes: CatalogueRecord) -> QgsVectorLayer:
    """The change layer of a refreshed harvested layer, styled, just above it in the layer tree (UI thread)."""
    from .constraints.change_style import style_changes

    added = OgcApiCatalogue(url, authcfg_for(url)).layer(changes.id, changes.title, changes)
    style_changes(added)
    project = layer.project() or QgsProject.instance()
    project.addMapLayer(added, False)
    node = project.layerTreeRoot().findLayer(layer.id())
    parent = node.parent() if node is not None else project.layerTreeRoot()
    parent.insertLayer(parent.children().index(node) if node is not None else 0, added)
    return added
