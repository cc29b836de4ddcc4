"""Plain file layers to Shapefile by GDAL directly: VectorTranslate writes them at ogr2ogr's speed (QGIS's
writer takes about 40 % longer on a million points), and the checks Shapefile needs (geometry types, text
over 254 bytes) read only the columns concerned through GDAL's Arrow interface.

Used only when that gives exactly what QGIS's writer would: a whole file layer as it is on disk (no
selection, clip, unsaved edits or virtual fields) and no date-time fields (which become ISO text through
QGIS's writer).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, ogr
from qgis.core import QgsCoordinateReferenceSystem, QgsFeedback, QgsVectorLayer

from ..compat import FieldOrigin, GeometryType, MetaType
from ..exceptions import LeoError
from ..gdal_source import GdalSource, gdal_source
from .shapefile import DATE_TYPES, GEOMETRY_SUFFIX, TEXT_BYTES

# OGR's flat geometry types as QGIS's geometry types.
_OGR_TYPES = {ogr.wkbPoint: GeometryType.Point, ogr.wkbMultiPoint: GeometryType.Point,
              ogr.wkbLineString: GeometryType.Line, ogr.wkbMultiLineString: GeometryType.Line,
              ogr.wkbPolygon: GeometryType.Polygon, ogr.wkbMultiPolygon: GeometryType.Polygon}


class DirectSource:
    """A file layer GDAL writes itself, with the fields to export."""

    def __init__(self, source: GdalSource, layer: QgsVectorLayer, field_indexes: list[int]) -> None:
        self.source = source
        self.names = [layer.fields().at(i).name() for i in field_indexes]
        self.text_names = [layer.fields().at(i).name() for i in field_indexes
                           if layer.fields().at(i).type() == MetaType.String]

    def scan(self) -> tuple[list[int], dict[str, int]]:
        """As ``shapefile.scan``: the geometry types present and, per text field, the values over 254 bytes.
        A layer declaring one geometry type is taken at its word; only GEOMETRY layers are looked into."""
        layer = self.source.layer
        declared = _OGR_TYPES.get(ogr.GT_Flatten(layer.GetGeomType()))
        ogr_fields = [layer.GetLayerDefn().GetFieldDefn(i).GetName()
                      for i in range(layer.GetLayerDefn().GetFieldCount())]
        wanted = [n for n in self.text_names if n in ogr_fields]
        geometry_column = layer.GetGeometryColumn() or "wkb_geometry"
        ignored = [n for n in ogr_fields if n not in wanted] + ([] if declared is None else ["OGR_GEOMETRY"])
        layer.SetIgnoredFields(ignored)
        found: set[int] = set() if declared is None else {declared}
        counts: dict[str, int] = {}
        try:
            if wanted or declared is None:
                for batch in layer.GetArrowStreamAsNumPy():  # with the FID: see uploads' reader
                    for name in wanted:
                        over = _long_values(batch[name])
                        if over:
                            counts[name] = counts.get(name, 0) + over
                    if declared is None and geometry_column in batch:
                        found |= _geometry_types(batch[geometry_column])
        finally:
            layer.SetIgnoredFields([])
            layer.ResetReading()
        return sorted(t for t in found if t in GEOMETRY_SUFFIX), counts

    def translate(self, path: str, source_crs: QgsCoordinateReferenceSystem, target_crs: QgsCoordinateReferenceSystem,
                  feedback: QgsFeedback | None = None) -> None:
        """Write the Shapefile (UTF-8 with its .cpg, the .prj from the CRS) with ogr2ogr's own code."""
        layer = self.source.layer
        fid_column = layer.GetFIDColumn()
        # QGIS shows a GeoPackage's fid as a field; OGR SQL's FID writes it as one, as QGIS's writer does.
        columns = ", ".join(f'FID AS "{n}"' if n == fid_column else f'"{n}"' for n in self.names)
        sql = f'SELECT {columns} FROM "{layer.GetName()}"'

        def progress(complete: float, _message, _data) -> int:
            if feedback is None:
                return 1
            feedback.setProgress(90.0 * complete)
            return 0 if feedback.isCanceled() else 1

        crs = {}  # a table, or a layer without a CRS, is written without one
        if source_crs.isValid() and target_crs.isValid():
            crs = {"srcSRS": source_crs.toWkt(), "dstSRS": target_crs.toWkt(), "reproject": source_crs != target_crs}
        try:
            result = gdal.VectorTranslate(
                path, self.source.dataset.GetName(), format="ESRI Shapefile", SQLStatement=sql, SQLDialect="OGRSQL",
                layerName=Path(path).stem, layerCreationOptions=["ENCODING=UTF-8"], callback=progress, **crs)
        except RuntimeError as exc:
            if feedback is not None and feedback.isCanceled():
                raise LeoError("Export cancelled.") from None
            raise LeoError(f"GDAL could not write {path}: {exc}") from None
        if result is None:
            raise LeoError("Export cancelled." if feedback is not None and feedback.isCanceled()
                           else f"GDAL could not write {path}.")
        result = None  # closes the file


def direct_source(layer: QgsVectorLayer, field_indexes: list[int]) -> DirectSource | None:
    """A DirectSource when GDAL alone gives what QGIS's writer would for the whole layer; else None."""
    fields = layer.fields()
    if not field_indexes or layer.isModified() or any(fields.fieldOrigin(i) != FieldOrigin.Provider
                                                      for i in field_indexes):
        return None
    if any(layer.fields().at(i).type() in DATE_TYPES for i in field_indexes):
        return None
    source = gdal_source(layer)
    if source is None:
        return None
    ogr_fields = {source.layer.GetLayerDefn().GetFieldDefn(i).GetName()
                  for i in range(source.layer.GetLayerDefn().GetFieldCount())}
    names = {layer.fields().at(i).name() for i in field_indexes}
    if not names <= ogr_fields | {source.layer.GetFIDColumn()}:
        return None
    return DirectSource(source, layer, field_indexes)


def _long_values(column) -> int:
    """How many values of an Arrow text column are over 254 bytes (UTF-8)."""
    data = np.ma.getdata(column)
    if data.dtype.kind == "S":
        if data.dtype.itemsize <= TEXT_BYTES:
            return 0
        lengths = np.char.str_len(data)
    else:
        lengths = np.array([len(v) if isinstance(v, bytes) else 0 for v in data.tolist()])
    return int(np.count_nonzero((lengths > TEXT_BYTES) & ~np.ma.getmaskarray(column)))


def _geometry_types(column) -> set[int]:
    """The geometry types in an Arrow column of WKB, read from each value's header (no shapely: QGIS's
    Python does not have it)."""
    codes = set()
    for wkb in np.ma.getdata(column)[~np.ma.getmaskarray(column)].tolist():
        if len(wkb) >= 5:
            code = int.from_bytes(wkb[1:5], "little" if wkb[0] == 1 else "big")
            codes.add((code & 0x0FFFFFFF) % 1000)  # without ISO Z/M (1000s) or EWKB flags
    return {_OGR_TYPES[c] for c in codes if c in _OGR_TYPES}
