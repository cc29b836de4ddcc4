"""Fast playback of a time series: one feature per site whose value is looked up per frame.

QGIS's own temporal filter re-reads and re-filters the whole series for every frame; here the series is
a matrix in memory (series.SeriesMatrix) and a frame only rewrites one value per site in a small memory
layer, so frames stay cheap however long the series is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
from qgis.core import (
    QgsDateTimeRange,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsGeometry,
    QgsMarkerSymbol,
    QgsProperty,
    QgsRuleBasedRenderer,
    QgsVectorLayer,
)

from ..compat import MetaType, SymbolLayerProperty
from ..exceptions import LeoError
from .clock import from_qdatetime, to_qdatetime, uk_label
from .series import SeriesMatrix

# Utilisation bands: colours as the network constraint RAG (red above firm capacity).
BANDS = (("Over firm capacity (> 100 %)", '"utilisation_pct" > 100', "#d7191c"),
         ("High (80-100 %)", '"utilisation_pct" > 80 AND "utilisation_pct" <= 100', "#f5a300"),
         ("Below 80 %", '"utilisation_pct" <= 80', "#1a9641"))


def palette_bands() -> tuple[tuple[str, str, str], ...]:
    """The utilisation bands in the RAG palette the user chose (colour-blind safe or SSEN's)."""
    from ..constraints.definitions import Rag, RagPalette

    colours = RagPalette.current().value.colours
    return tuple((label, expression, colours[rag]) for (label, expression, _), rag in zip(BANDS, Rag))


class PlaybackLayer:
    """A point layer (one feature per site) showing the current frame's value and utilisation."""

    def __init__(self, series: SeriesMatrix, locations: dict[str, QgsGeometry], crs: str, name: str,
                 unit: str = "kW", capacity: dict[str, float] | None = None) -> None:
        self.series = series
        self.unit = unit
        self.capacity = np.array([(capacity or {}).get(site, np.nan) for site in series.sites], dtype=np.float32)
        self.scale_max = float(np.nanpercentile(series.values, 99)) if np.isfinite(series.values).any() else 1.0
        self.warnings: list[str] = []
        self.layer = QgsVectorLayer(f"Point?crs={crs}", name, "memory")
        self.layer.dataProvider().addAttributes([
            QgsField("site_id", MetaType.String), QgsField("value", MetaType.Double),
            QgsField("utilisation_pct", MetaType.Double), QgsField("frame", MetaType.String)])
        self.layer.updateFields()
        self.layer.setCustomProperty("leo_qgis/dataset/role", "playback")  # drawn over the overlay
        self.listeners: list[Callable[[np.ndarray], None]] = []  # told each frame's values (e.g. aggregates)
        features = []
        for site in series.sites:
            feature = QgsFeature(self.layer.fields())
            feature["site_id"] = site
            if site in locations:
                feature.setGeometry(locations[site])
            features.append(feature)
        self.layer.dataProvider().addFeatures(features)
        self.layer.updateExtents()
        self.fids = [f.id() for f in self.layer.getFeatures(QgsFeatureRequest().setNoAttributes())]
        self.columns = [self.layer.fields().indexOf(n) for n in ("value", "utilisation_pct", "frame")]
        self._style()

    def copy(self) -> PlaybackLayer:
        """An independent copy (its own memory layer, the same series), e.g. to render in a background task."""
        locations = {f["site_id"]: QgsGeometry(f.geometry()) for f in self.layer.getFeatures() if f.hasGeometry()}
        capacity = {site: float(c) for site, c in zip(self.series.sites, self.capacity.tolist()) if c == c}
        return PlaybackLayer(self.series, locations, self.layer.crs().authid(), self.layer.name(), self.unit,
                             capacity)

    def show_frame(self, start: datetime, end: datetime) -> np.ndarray:
        """Write the frame's values (NaN: no data) into the layer and repaint it; the values."""
        values = self.series.frame(start, end)
        utilisation = 100.0 * values / self.capacity
        label = uk_label(start)
        changes = {}
        for fid, value, share in zip(self.fids, values.tolist(), utilisation.tolist()):
            changes[fid] = {self.columns[0]: None if value != value else round(value, 1),
                            self.columns[1]: None if share != share else round(share, 1),
                            self.columns[2]: label}
        self.layer.dataProvider().changeAttributeValues(changes)
        self.layer.triggerRepaint()
        for listener in self.listeners:
            listener(values)
        return values

    def _style(self) -> None:
        """Size by value; colour by utilisation of firm capacity (red above 100 %); hollow grey for no data."""
        size = QgsProperty.fromExpression(f'scale_linear(coalesce("value", 0), 0, {self.scale_max:.1f}, 2, 9)')
        root = QgsRuleBasedRenderer.Rule(None)
        no_data = QgsMarkerSymbol.createSimple({"name": "circle", "color": "255,255,255,0", "outline_color": "#7a7a7a",
                                               "outline_style": "dash", "size": "2.5"})
        root.appendChild(QgsRuleBasedRenderer.Rule(no_data, 0, 0, '"value" IS NULL', "No data"))
        bands = palette_bands() if np.isfinite(self.capacity).any() else (("Load", '"value" IS NOT NULL', "#2b83ba"),)
        for label, expression, colour in bands:
            symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "outline_color": "#202020"})
            symbol.symbolLayer(0).setDataDefinedProperty(SymbolLayerProperty.Size, size)
            root.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, expression, label))
        self.layer.setRenderer(QgsRuleBasedRenderer(root))
        self.layer.setMapTipTemplate(
            f"<b>[% \"site_id\" %]</b> at [% \"frame\" %]<br>[% coalesce(format_number(\"value\", 0) || ' {self.unit}', "
            "'no data') %] ([% coalesce(format_number(\"utilisation_pct\", 0) || ' % of firm capacity', '') %])")


def site_locations(layer: QgsVectorLayer, series: SeriesMatrix) -> dict[str, QgsGeometry]:
    """Each site's point, read from one of its rows."""
    fids = [fid for fid in series.first_row.values() if fid >= 0]
    site_of = {fid: site for site, fid in series.first_row.items()}
    return {site_of[f.id()]: QgsGeometry(f.geometry()) for f in layer.getFeatures(QgsFeatureRequest().setFilterFids(fids))
            if not f.geometry().isEmpty()}


def capacity_from_headroom(headroom: QgsVectorLayer) -> dict[str, float]:
    """Firm capacity per substation in kW, from SSEN's headroom: maximum demand plus demand headroom
    (unity power factor)."""
    missing = [f for f in ("asset_id", "max_demand_mva", "demand_headroom_mva") if f not in headroom.fields().names()]
    if missing:
        raise LeoError(f"{headroom.name()!r} has no {', '.join(missing)}: firm capacity needs SSEN's headroom "
                       "(maximum demand and demand headroom per substation). Choose another layer under "
                       "'Firm capacity from', or None.")
    capacity = {}
    for feature in headroom.getFeatures():
        demand, spare = feature["max_demand_mva"], feature["demand_headroom_mva"]
        if isinstance(demand, (int, float)) and isinstance(spare, (int, float)):
            capacity[str(feature["asset_id"])] = (demand + spare) * 1000
    return capacity


@dataclass
class SiteSources:
    """What a playback layer needs besides the series: where each site is, and its firm capacity."""

    locations: dict[str, QgsGeometry]
    crs: str
    capacity: dict[str, float] | None = None


def read_sites(layer: QgsVectorLayer, series: SeriesMatrix, headroom: QgsVectorLayer | None = None,
               sites: QgsVectorLayer | None = None, sites_id_field: str = "") -> SiteSources:
    """Site points from the series' own rows, or for a table without geometry from a ``sites`` layer joined
    by ``sites_id_field``; capacities from a headroom layer. Reads features: run it where I/O may wait."""
    capacity = capacity_from_headroom(headroom) if headroom is not None else None
    if sites is not None:
        locations = {str(f[sites_id_field]): QgsGeometry(f.geometry()) for f in sites.getFeatures() if f.hasGeometry()}
        return SiteSources(locations, sites.crs().authid(), capacity)
    return SiteSources(site_locations(layer, series), layer.crs().authid(), capacity)


def make_playback(layer: QgsVectorLayer, series: SeriesMatrix, sources: SiteSources) -> PlaybackLayer:
    """The playback layer for a series read from ``layer`` (no reading here: safe on the UI thread)."""
    view = PlaybackLayer(series, sources.locations, sources.crs, f"{layer.name()} (playback)",
                         capacity=sources.capacity)
    view.warnings = extent_warnings(layer, series)
    missing = [site for site in series.sites if site not in sources.locations]
    if missing:
        view.warnings.append(f"{len(missing)} site(s) have no location and are not drawn: {', '.join(missing[:5])}"
                             + ("…" if len(missing) > 5 else ""))
    return view


def extent_warnings(layer: QgsVectorLayer, series: SeriesMatrix) -> list[str]:
    """A warning when the catalogue record's time range does not match the data; the layer's metadata then
    takes the data's real range (which the Temporal Controller uses)."""
    extents = layer.metadata().extent().temporalExtents()
    if not extents or not extents[0].begin().isValid() or not len(series.instants):
        return []
    first, last = int(series.instants[0]), int(series.instants[-1])
    claimed = (from_qdatetime(extents[0].begin()).timestamp(), from_qdatetime(extents[0].end()).timestamp())
    slack = series.step.total_seconds()
    if abs(claimed[0] - first) <= slack and abs(claimed[1] - last) <= slack:
        return []
    real = (datetime.fromtimestamp(first, timezone.utc), datetime.fromtimestamp(last, timezone.utc))
    metadata = layer.metadata()
    extent = metadata.extent()
    extent.setTemporalExtents([QgsDateTimeRange(to_qdatetime(real[0]), to_qdatetime(real[1]))])
    metadata.setExtent(extent)
    layer.setMetadata(metadata)
    return [f"The record of {layer.name()} says its data runs {uk_label(from_qdatetime(extents[0].begin()))} to "
            f"{uk_label(from_qdatetime(extents[0].end()))}, but it runs {uk_label(real[0])} to {uk_label(real[1])}; "
            "the data's range is used."]
