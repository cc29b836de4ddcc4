"""The note that travels with every export: what the data is, where it came from, its licence."""

from __future__ import annotations

from datetime import datetime, timezone

from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer

from ..catalogue import PROPERTY_PREFIX
from ..compat import attribution


def provenance(layer: QgsVectorLayer) -> dict[str, str]:
    """Title, source, licence and attribution of a layer, from its metadata and LEO's layer properties."""
    metadata = layer.metadata()
    dataset = layer.customProperty(f"{PROPERTY_PREFIX}/id", "")
    catalogue = layer.customProperty(f"{PROPERTY_PREFIX}/catalogue", "")
    version = layer.customProperty(f"{PROPERTY_PREFIX}/version", "")
    if dataset:
        source = f"{dataset} (version {version}) from {catalogue}"
    elif layer.providerType() == "memory":
        source = f"QGIS layer {layer.name()!r} (made in QGIS, not saved to a file)"
    else:
        source = layer.publicSource()
    return {
        "title": metadata.title() or layer.name(),
        "source": source,
        "licence": "; ".join(metadata.licenses()) or "not stated",
        "attribution": attribution(layer) or "; ".join(metadata.rights()) or "not stated",
    }


def sidecar_text(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem, features: int, notes: list[str]) -> str:
    info = provenance(layer)
    lines = [
        f"Title: {info['title']}",
        f"Source: {info['source']}",
        f"Licence: {info['licence']}",
        f"Attribution: {info['attribution']}",
        f"Exported: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} with LEO for QGIS",
        f"CRS: {crs.authid()} ({crs.description()})",
        f"Features: {features}",
    ]
    if notes:
        lines.append("Notes:")
        lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"
