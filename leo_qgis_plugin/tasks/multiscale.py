"""Building a multi-scale view in the background: boundaries from the catalogue, then the aggregates."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsApplication, QgsFeedback, QgsTask, QgsVectorLayer

from ..core.aggregate.multiscale import build_levels, standard_levels
from ..core.aggregate.stats import Stat
from ..core.catalogue import OgcApiCatalogue
from .background import BackgroundTask, copy_for_task


def multiscale_task(catalogue: OgcApiCatalogue, layer: QgsVectorLayer, fields: list[str], stats: list[Stat],
                    rag_fields: list[str], done: Callable[[list], None], failed: Callable[[str], None]) -> QgsTask:
    """done(built levels) on the UI thread, ready for ``multiscale.add_group``."""
    # The user's layer lives on the UI thread: the task reads a copy of it.
    copy = copy_for_task(layer)

    def work(feedback: QgsFeedback) -> list:
        source = copy()
        districts = catalogue.layer("oxon-districts")
        msoas = catalogue.layer("oxon-msoa")
        built = build_levels(source, standard_levels(districts, msoas), fields, stats, rag_fields, feedback)
        for _, view_layer, _ in built:
            view_layer.moveToThread(QgsApplication.instance().thread())
        return built

    return BackgroundTask(f"LEO: multi-scale view of {layer.name()}", work, done, failed)
