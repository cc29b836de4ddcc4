"""Which boundary contains each point, for a million points in well under a second.

The boundaries are painted into an image, each filled with its own colour, then every outline is painted
over thickly in a reserved colour. A point whose pixel carries a boundary's colour lies in that boundary's
interior (the pixel is wholly inside it: no edge crosses it); a point on an outline pixel, near an edge,
is tested exactly against the geometries. So the answer is exact, and the exact test runs for the few
points near edges only.
"""

from __future__ import annotations

import numpy as np
from qgis.core import QgsGeometry, QgsGeometryEngine, QgsPointXY, QgsRectangle, QgsSpatialIndex
from qgis.PyQt.QtCore import QPointF, Qt
from qgis.PyQt.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF

EDGE = 0xFFFFFF
MAX_PIXELS = 4096  # longest side of the image: 64 MB at most


def containing_boundary(xs: np.ndarray, ys: np.ndarray, boundaries: list[QgsGeometry]) -> np.ndarray:
    """For each point, the index of the boundary containing it, or -1 outside them all (same CRS).
    A point exactly on a border shared by two boundaries goes to the first of them."""
    result = np.full(len(xs), -1, dtype=np.int64)
    shapes = [(i, g) for i, g in enumerate(boundaries) if g is not None and not g.isEmpty()]
    if not shapes or not len(xs):
        return result
    extent = QgsRectangle(shapes[0][1].boundingBox())
    for _, geometry in shapes[1:]:
        extent.combineExtentWith(geometry.boundingBox())
    size = max(extent.width(), extent.height()) / (MAX_PIXELS - 4) or 1.0
    width, height = int(extent.width() / size) + 3, int(extent.height() / size) + 3
    origin = (extent.xMinimum() - size, extent.yMaximum() + size)
    pixels = _paint(shapes, width, height, origin, size)
    columns = np.floor((xs - origin[0]) / size).astype(np.int64)
    rows = np.floor((origin[1] - ys) / size).astype(np.int64)
    inside_image = (columns >= 0) & (columns < width) & (rows >= 0) & (rows < height)
    colour = np.zeros(len(xs), dtype=np.uint32)
    colour[inside_image] = pixels[rows[inside_image], columns[inside_image]]
    painted = (colour > 0) & (colour != EDGE)
    result[painted] = colour[painted].astype(np.int64) - 1
    near_edge = np.nonzero(colour == EDGE)[0]
    if len(near_edge):
        result[near_edge] = _exact(xs[near_edge], ys[near_edge], shapes)
    return result


def _paint(shapes: list[tuple[int, QgsGeometry]], width: int, height: int, origin: tuple[float, float],
           size: float) -> np.ndarray:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    paths = [(index, _path(geometry, origin, size)) for index, geometry in shapes]
    painter.setPen(Qt.PenStyle.NoPen)
    for index, path in paths:
        painter.setBrush(QColor.fromRgb(index + 1))
        painter.drawPath(path)
    # Three pixels wide: every pixel an edge passes through, even by a corner, is marked.
    painter.setPen(QPen(QColor.fromRgb(EDGE), 3))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for _, path in paths:
        painter.drawPath(path)
    painter.end()
    bits = image.constBits()
    bits.setsize(image.sizeInBytes())
    raw = np.frombuffer(bits, dtype=np.uint32).reshape(height, image.bytesPerLine() // 4)[:, :width]
    return raw & 0xFFFFFF


def _path(geometry: QgsGeometry, origin: tuple[float, float], size: float) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)  # holes stay empty
    polygons = geometry.asMultiPolygon() if geometry.isMultipart() else [geometry.asPolygon()]
    for polygon in polygons:
        for ring in polygon:
            path.addPolygon(QPolygonF([QPointF((p.x() - origin[0]) / size, (origin[1] - p.y()) / size)
                                       for p in ring]))
            path.closeSubpath()
    return path


def _exact(xs: np.ndarray, ys: np.ndarray, shapes: list[tuple[int, QgsGeometry]]) -> np.ndarray:
    index = QgsSpatialIndex()
    engines: dict[int, QgsGeometryEngine] = {}
    for i, geometry in shapes:
        index.addFeature(i, geometry.boundingBox())
        engines[i] = QgsGeometry.createGeometryEngine(geometry.constGet())
        engines[i].prepareGeometry()
    found = np.full(len(xs), -1, dtype=np.int64)
    for n, (x, y) in enumerate(zip(xs.tolist(), ys.tolist())):
        point = QgsGeometry.fromPointXY(QgsPointXY(x, y))
        for candidate in sorted(index.intersects(point.boundingBox())):
            if engines[candidate].intersects(point.constGet()):
                found[n] = candidate
                break
    return found
