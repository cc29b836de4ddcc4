"""Exporting one or many layers, all or nothing: written to a staging folder beside the destination,
then moved into place; a failure or a refusal leaves nothing behind."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeedback,
    QgsField,
    QgsGeometry,
    QgsMemoryProviderUtils,
    QgsProject,
    QgsRectangle,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime, QTime

from ..compat import GeometryType, MetaType, WkbType, attribution, set_attribution
from ..exceptions import LeoError
from . import shapefile
from .direct import DirectSource, direct_source
from .formats import ExportFormat
from .sidecar import sidecar_text

TEXT_DATE_TYPES = (MetaType.DateTime, MetaType.Time)


@dataclass
class ExportOptions:
    """What to export and how. ``extent``/``clip`` are in ``area_crs`` (default: the layer's CRS)."""

    fmt: ExportFormat
    crs: QgsCoordinateReferenceSystem | None = None
    extent: QgsRectangle | None = None
    clip: QgsGeometry | None = None
    area_crs: QgsCoordinateReferenceSystem | None = None
    selected_only: bool = False
    fields: list[str] | None = None
    overwrite: bool = False


@dataclass
class ExportReport:
    destination: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    features: int = 0

    def message(self) -> str:
        text = f"Exported {self.features} feature(s) to {self.destination}."
        return text + (" " + " ".join(self.notes) if self.notes else "")


class _IsoDateTimes(QgsVectorFileWriter.FieldValueConverter):
    """Shapefiles have no date-time type: date-times and times become ISO 8601 text (UTC)."""

    def __init__(self, layer: QgsVectorLayer) -> None:
        super().__init__()
        self.layer = layer
        self.indexes = {i for i, f in enumerate(layer.fields()) if f.type() in TEXT_DATE_TYPES}
        self.clones: list[_IsoDateTimes] = []

    def fieldDefinition(self, source: QgsField) -> QgsField:  # noqa: N802 - QGIS API name
        if source.type() in TEXT_DATE_TYPES:
            return QgsField(source.name(), MetaType.String, "String", 25)
        return QgsField(source)

    def convert(self, index: int, value):
        if index in self.indexes and value is not None:
            if isinstance(value, QDateTime) and value.isValid():
                return value.toUTC().toString("yyyy-MM-ddTHH:mm:ss") + "Z"
            if isinstance(value, QTime) and value.isValid():
                return value.toString("HH:mm:ss")
            return None
        return value

    def clone(self) -> _IsoDateTimes:
        return _IsoDateTimes(self.layer)


def _safe_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "layer"
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate.lower())
    return candidate


def _field_indexes(layer: QgsVectorLayer, names: list[str] | None) -> list[int]:
    if not names:
        return list(range(layer.fields().count()))
    unknown = [n for n in names if layer.fields().indexOf(n) < 0]
    if unknown:
        raise LeoError(f"Layer {layer.name()!r} has no field(s) {', '.join(unknown)}.")
    return [layer.fields().indexOf(n) for n in names]


def _area(layer: QgsVectorLayer, options: ExportOptions) -> QgsGeometry | None:
    """The clip area (extent and/or polygon) in the layer's CRS, or None."""
    parts = []
    if options.extent is not None and not options.extent.isEmpty():
        parts.append(QgsGeometry.fromRect(options.extent))
    if options.clip is not None and not options.clip.isEmpty():
        parts.append(QgsGeometry(options.clip))
    if not parts:
        return None
    area = parts[0] if len(parts) == 1 else parts[0].intersection(parts[1])
    source_crs = options.area_crs or layer.crs()
    if source_crs != layer.crs():
        area.transform(QgsCoordinateTransform(source_crs, layer.crs(), QgsProject.instance()))
    return area.makeValid() if not area.isGeosValid() else area


def _prepared(layer: QgsVectorLayer, options: ExportOptions, geometry_type: int | None,
              feedback: QgsFeedback | None) -> tuple[QgsVectorLayer, bool]:
    """The layer itself, or a memory copy clipped / limited to one geometry type. (layer, is_copy)"""
    area = _area(layer, options)
    if area is None and geometry_type is None:
        return layer, False
    request = QgsFeatureRequest()
    if options.selected_only:
        request.setFilterFids(layer.selectedFeatureIds())
    if area is not None:
        request.setFilterRect(area.boundingBox())
        engine = QgsGeometry.createGeometryEngine(area.constGet())
        engine.prepareGeometry()
    wkb_type = layer.wkbType()
    if geometry_type is not None:
        wkb_type = {GeometryType.Point: WkbType.MultiPoint, GeometryType.Line:
                    WkbType.MultiLineString, GeometryType.Polygon: WkbType.MultiPolygon}[geometry_type]
    copy = QgsMemoryProviderUtils.createMemoryLayer(layer.name(), layer.fields(), wkb_type, layer.crs())
    features = []
    for feature in layer.getFeatures(request):
        if feedback is not None and feedback.isCanceled():
            raise LeoError("Export cancelled.")
        geometry = feature.geometry()
        if geometry_type is not None and (geometry.isNull() or geometry.type() != geometry_type):
            continue
        if area is not None:
            if geometry.isNull() or not engine.intersects(geometry.constGet()):
                continue
            geometry = geometry.intersection(area)
            if geometry.isEmpty():
                continue
        if geometry_type is not None:
            geometry.convertToMultiType()
        out = QgsFeature(feature)
        out.setGeometry(geometry)
        features.append(out)
    copy.dataProvider().addFeatures(features)
    copy.setMetadata(layer.metadata())
    set_attribution(copy, attribution(layer))
    for key in layer.customPropertyKeys():
        copy.setCustomProperty(key, layer.customProperty(key))
    return copy, True


def _written_names(path: Path) -> list[str]:
    """Field names as the driver actually wrote them (GDAL shortens Shapefile names itself)."""
    written = QgsVectorLayer(str(path), "written", "ogr")
    return written.fields().names()


class _Job:
    """One export into a staging folder."""

    def __init__(self, layers: list[QgsVectorLayer], destination: Path, options: ExportOptions,
                 feedback: QgsFeedback | None) -> None:
        self.layers = layers
        self.destination = destination
        self.options = options
        self.feedback = feedback
        self.spec = options.fmt.value
        self.staging = Path(tempfile.mkdtemp(prefix=".leo-export-", dir=destination.parent))
        self.report = ExportReport(destination)
        self.names: set[str] = set()
        self.long_text: dict[str, int] = {}

    def run(self) -> ExportReport:
        try:
            for number, layer in enumerate(self.layers):
                self.export_layer(layer, first=number == 0)
                if self.feedback is not None:
                    self.feedback.setProgress(90.0 * (number + 1) / len(self.layers))
            self.publish()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
        return self.report

    def target_crs(self, layer: QgsVectorLayer) -> QgsCoordinateReferenceSystem:
        return self.options.crs if self.options.crs and self.options.crs.isValid() else layer.crs()

    def export_layer(self, layer: QgsVectorLayer, first: bool) -> None:
        if self.options.fmt is ExportFormat.CSV_XY and layer.geometryType() not in (
                GeometryType.Point, GeometryType.Null):
            raise LeoError(f"X/Y columns need a point layer; {layer.name()!r} is not one. Choose CSV with WKT.")
        base = _safe_name(layer.name(), self.names)
        direct = None
        if self.options.fmt.is_shapefile:
            whole = not self.options.selected_only and _area(layer, self.options) is None
            direct = direct_source(layer, _field_indexes(layer, self.options.fields)) if whole else None
            request = QgsFeatureRequest()
            if self.options.selected_only:
                request.setFilterFids(layer.selectedFeatureIds())
            types, self.long_text = direct.scan() if direct else shapefile.scan(layer, request)
            if len(types) > 1:
                self.report.notes.append(f"{layer.name()}: mixed geometry types, one Shapefile per type.")
                for geometry_type in types:
                    self.write(layer, f"{base}_{shapefile.GEOMETRY_SUFFIX[geometry_type]}", first, geometry_type)
                return
        self.write(layer, base, first, None, direct)

    def write(self, layer: QgsVectorLayer, base: str, first: bool, geometry_type: int | None,
              direct: DirectSource | None = None) -> None:
        """One layer (or its features of one geometry type) into the staging folder, with its notes: by GDAL
        directly when ``direct`` is given, else by QGIS's writer."""
        source, is_copy = _prepared(layer, self.options, geometry_type, self.feedback)
        indexes = _field_indexes(source, self.options.fields)
        crs = self.target_crs(layer)
        notes: list[str] = []
        save = QgsVectorFileWriter.SaveVectorOptions()
        save.driverName = self.spec.driver
        save.fileEncoding = "UTF-8"
        save.layerOptions = list(self.spec.layer_options)
        save.attributes = indexes
        save.onlySelectedFeatures = self.options.selected_only and not is_copy
        save.feedback = self.feedback
        if crs != source.crs():
            save.ct = QgsCoordinateTransform(source.crs(), crs, QgsProject.instance())
        if self.options.fmt.is_shapefile:
            notes += self.shapefile_checks(source, indexes)
            if any(source.fields().at(i).type() in TEXT_DATE_TYPES for i in indexes):
                # The writer keeps a bare pointer: this local must outlive writeAsVectorFormatV3.
                converter = _IsoDateTimes(source)
                save.fieldValueConverter = converter
                notes.append("date-time fields are written as ISO 8601 text in UTC (Shapefiles have no date-time type)")
        if self.spec.one_file_for_all:
            path = self.staging / f"export.{self.spec.extension}"
            save.layerName = base
            save.actionOnExistingFile = (QgsVectorFileWriter.CreateOrOverwriteFile if first
                                         else QgsVectorFileWriter.CreateOrOverwriteLayer)
        else:
            path = self.staging / f"{base}.{self.spec.extension}"
        if direct is not None:
            direct.translate(str(path), source.crs(), crs, self.feedback)
        else:
            error, message, _, _ = QgsVectorFileWriter.writeAsVectorFormatV3(
                source, str(path), QgsProject.instance().transformContext(), save)
            if error != QgsVectorFileWriter.NoError and not (self.feedback and self.feedback.isCanceled()):
                raise LeoError(f"Could not export {layer.name()!r}: {message}")
        if self.feedback is not None and self.feedback.isCanceled():
            raise LeoError("Export cancelled.")
        if self.options.fmt.is_shapefile:
            notes += self.field_mapping(source, indexes, path, base)
        count = source.selectedFeatureCount() if save.onlySelectedFeatures else source.featureCount()
        self.report.features += count
        sidecar = self.staging / f"{base}.metadata.txt"
        sidecar.write_text(sidecar_text(layer, crs, count, notes), encoding="utf-8")
        self.report.notes += [f"{layer.name()}: {note}." for note in notes]

    def shapefile_checks(self, source: QgsVectorLayer, indexes: list[int]) -> list[str]:
        count = source.selectedFeatureCount() if self.options.selected_only else source.featureCount()
        dbf, shp = shapefile.estimated_sizes(count, shapefile.record_bytes(source, indexes),
                                             shapefile.sample_geometry_bytes(source))
        if max(dbf, shp) > shapefile.SIZE_LIMIT:
            raise LeoError(f"{source.name()!r} would make a Shapefile over 2 GB (about {max(dbf, shp) / 1024 ** 3:.1f} GB), "
                           "which most programs cannot read. Export it as GeoPackage, or clip or filter it first.")
        return [f"{n} value(s) of {name!r} are longer than the 254 bytes a Shapefile keeps and are cut short"
                for name, n in self.long_text.items() if source.fields().indexOf(name) in indexes]

    def field_mapping(self, source: QgsVectorLayer, indexes: list[int], path: Path, base: str) -> list[str]:
        originals = [source.fields().at(i).name() for i in indexes]
        written = _written_names(path)
        renamed = [(o, w) for o, w in zip(originals, written) if o != w]
        mapping = self.staging / f"{base}.fields.csv"
        mapping.write_text("field,shapefile_field\n" + "".join(f"{o},{w}\n" for o, w in zip(originals, written)),
                           encoding="utf-8")
        if not renamed:
            return []
        shown = ", ".join(f"{o} → {w}" for o, w in renamed[:6]) + (" …" if len(renamed) > 6 else "")
        return [f"{len(renamed)} field name(s) shortened to Shapefile's 10 characters ({shown}); "
                f"the full list is in {base}.fields.csv"]

    def publish(self) -> None:
        """Move the staged files into place (zipped, or as one file, or into a folder)."""
        staged = sorted(p for p in self.staging.iterdir() if p.is_file())
        if self.spec.zipped:
            archive = self.staging / "export.zip.part"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
                for path in staged:
                    out.write(path, path.name)
            self._replace(archive, self.destination)
            self.report.files = [self.destination]
            return
        if self.spec.one_file_for_all:
            data = self.staging / f"export.{self.spec.extension}"
            self._replace(data, self.destination)
            files = [self.destination]
            for note in (p for p in staged if p.name.endswith(".txt") or p.name.endswith(".csv")):
                target = self.destination.with_name(f"{self.destination.stem}.{note.name}")
                self._replace(note, target)
                files.append(target)
            self.report.files = files
            return
        self.destination.mkdir(parents=True, exist_ok=True)
        clashes = [p.name for p in staged if (self.destination / p.name).exists()]
        if clashes and not self.options.overwrite:
            raise LeoError(f"{self.destination} already has {', '.join(clashes[:4])}; choose overwrite or another folder.")
        for path in staged:
            self._replace(path, self.destination / path.name)
        self.report.files = [self.destination / p.name for p in staged]

    def _replace(self, source: Path, target: Path) -> None:
        if target.exists() and not self.options.overwrite:
            raise LeoError(f"{target} already exists; choose overwrite or another name.")
        source.replace(target)


def export_layers(layers: list[QgsVectorLayer], destination: str | Path, options: ExportOptions,
                  feedback: QgsFeedback | None = None) -> ExportReport:
    """Export layers; a .zip or .gpkg path for those formats, otherwise a folder. LeoError on refusal."""
    if not layers:
        raise LeoError("Choose at least one layer to export.")
    invalid = [layer.name() for layer in layers if not isinstance(layer, QgsVectorLayer) or not layer.isValid()]
    if invalid:
        raise LeoError(f"Cannot export {', '.join(invalid)}: not a valid vector layer.")
    destination = Path(destination)
    spec = options.fmt.value
    if spec.zipped and destination.suffix.lower() != ".zip":
        destination = destination.with_suffix(".zip")
    if spec.one_file_for_all and destination.suffix.lower() != f".{spec.extension}":
        destination = destination.with_suffix(f".{spec.extension}")
    if (spec.zipped or spec.one_file_for_all) and destination.exists() and not options.overwrite:
        raise LeoError(f"{destination} already exists; choose overwrite or another name.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    return _Job(layers, destination, options, feedback).run()
