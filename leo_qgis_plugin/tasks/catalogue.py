"""Catalogue searches and openings of datasets, as background tasks."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsApplication, QgsFeedback, QgsTask

from ..core.catalogue import OgcApiCatalogue, SearchResults
from ..core.datasets import AddMode, open_by_id
from .background import BackgroundTask


def _to_ui_thread(layer):
    # A layer made in a task belongs to its thread until handed to the UI thread.
    layer.moveToThread(QgsApplication.instance().thread())
    return layer


def search_task(catalogue: OgcApiCatalogue, done: Callable[[SearchResults], None], failed: Callable[[str], None],
                **query) -> QgsTask:
    return BackgroundTask("LEO: searching the catalogue",
                          lambda feedback: catalogue.search(feedback=feedback, **query), done, failed)


def add_dataset_task(catalogue: OgcApiCatalogue, dataset_id: str, mode: AddMode, done: Callable,
                     failed: Callable[[str], None]) -> QgsTask:
    """done((layer, offline))."""
    def work(feedback: QgsFeedback):
        layer, offline = open_by_id(catalogue, dataset_id, mode, feedback)
        return _to_ui_thread(layer), offline

    return BackgroundTask(f"LEO: opening {dataset_id}", work, done, failed)


def open_datasets_task(catalogue: OgcApiCatalogue, datasets: dict[str, str], done: Callable[[dict], None],
                       failed: Callable[[str], None]) -> QgsTask:
    """Live layers for several datasets (role -> dataset id); done({role: layer})."""
    def work(feedback: QgsFeedback) -> dict:
        layers = {}
        for n, (role, dataset_id) in enumerate(datasets.items()):
            if feedback.isCanceled():
                break
            layers[role] = _to_ui_thread(catalogue.layer(dataset_id, record=catalogue.get(dataset_id, feedback)))
            feedback.setProgress(100.0 * (n + 1) / len(datasets))
        return layers

    return BackgroundTask("LEO: opening network constraint layers", work, done, failed)
