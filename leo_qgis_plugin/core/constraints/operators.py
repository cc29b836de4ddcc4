"""The GB operators' headroom for a place: the catalogue's ``gb-headroom-<operator>`` datasets whose extent
covers (or is near) a box, the nearer first, added to the constraint overlay.

The operators' extents are their published substations' extent (the catalogue computes it), not their
licence-area boundaries: a box between two operators finds both.
"""

from __future__ import annotations

from qgis.core import QgsProject, QgsRectangle

from ..catalogue import OgcApiCatalogue
from ..models import CatalogueRecord
from .definitions import ConstraintKind
from .overlay import ConstraintOverlay

GB_KEYWORD = "GB headroom"
NEAR_DEGREES = 0.25  # an operator this close to the box (about 20 km) is taken too: sites near a border


def operators_for(catalogue: OgcApiCatalogue, bbox: tuple[float, float, float, float]) -> list[CatalogueRecord]:
    """The GB headroom datasets near a WGS 84 box (west, south, east, north), nearest first."""
    west, south, east, north = bbox
    grown = (west - NEAR_DEGREES, south - NEAR_DEGREES, east + NEAR_DEGREES, north + NEAR_DEGREES)
    found = catalogue.search(bbox=grown, keywords=[GB_KEYWORD], limit=50).records
    centre = QgsRectangle(*bbox).center()

    def distance(record: CatalogueRecord) -> float:
        if not record.spatial_extent:
            return float("inf")
        extent = QgsRectangle(*record.spatial_extent)
        if extent.contains(centre):
            return 0.0
        dx = max(extent.xMinimum() - centre.x(), 0, centre.x() - extent.xMaximum())
        dy = max(extent.yMinimum() - centre.y(), 0, centre.y() - extent.yMaximum())
        return (dx * dx + dy * dy) ** 0.5

    return sorted(found, key=distance)


def add_operator_overlay(catalogue: OgcApiCatalogue, bbox: tuple[float, float, float, float],
                         kind: ConstraintKind = ConstraintKind.DEMAND,
                         project: QgsProject | None = None) -> tuple[ConstraintOverlay, list[CatalogueRecord]]:
    """Add each nearby operator's substations to the overlay (styled like it), nearest first on top."""
    records = operators_for(catalogue, bbox)
    overlay = ConstraintOverlay.find(project)
    for record in records:  # the nearest first, on top
        layer = catalogue.layer(record.id, f"{record.publisher} substations", record)
        overlay = ConstraintOverlay.from_layers({"substations": layer}, project)
    if overlay is not None:
        overlay.set_kind(kind)
    return overlay, records
