"""Sharing a layer through the catalogue: the layer written to a GeoPackage, checked on this machine (features,
CRS, geometry validity, size), then sent with the connection's credentials. Blocking: run it in a task
or a Processing algorithm."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import (
    QgsFeatureRequest,
    QgsFeedback,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

from .catalogue import OgcApiCatalogue
from .compat import GeometryType, GeometryValidationEngine
from .exceptions import LeoError
from .licences import LICENCES
from .models import AccessLevel

MAX_UPLOAD_BYTES = 1024 * 1024 * 1024  # the catalogue's default limit; it says so itself if it has another
MAX_REPORTED = 10


@dataclass
class UploadDetails:
    """What the catalogue's record of the shared layer says (the metadata form)."""

    title: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    licence: str = LICENCES[0]
    access: AccessLevel = AccessLevel.PUBLIC
    organisation: str = ""  # empty: the token's organisation (admins may name another)
    time_field: str = ""      # instants, or the start of periods when time_end_field is set
    time_end_field: str = ""
    repair: bool = False      # repair invalid geometries on the server instead of refusing them

    def form(self) -> dict[str, str]:
        """The multipart form fields (empty ones left out, so a new version keeps what it does not change)."""
        values = {"title": self.title.strip(), "description": self.description.strip(),
                  "keywords": ", ".join(k.strip() for k in self.keywords if k.strip()),
                  "licence": self.licence.strip(), "access": AccessLevel(self.access).value,
                  "organisation": self.organisation.strip(), "repair": "true" if self.repair else ""}
        if self.time_field and self.time_end_field:
            values.update(time_start_field=self.time_field, time_end_field=self.time_end_field)
        elif self.time_field:
            values["time_field"] = self.time_field
        return {key: value for key, value in values.items() if value}


@dataclass
class LayerCheck:
    """What the local checks found."""

    features: int = 0
    invalid: int = 0
    examples: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # each stops the upload

    def report(self) -> str:
        lines = [f"{self.features} feature(s)."]
        if self.invalid:
            more = f" and {self.invalid - len(self.examples)} more" if self.invalid > len(self.examples) else ""
            lines.append(f"{self.invalid} feature(s) have invalid geometry: {'; '.join(self.examples)}{more}.")
        return "\n".join([*lines, *self.problems])


@dataclass
class UploadResult:
    dataset_id: str
    version: str
    feature_count: int
    notes: list[str]
    url: str


def check_layer(layer: QgsVectorLayer, feedback: QgsFeedback | None = None,
                geometries: QgsVectorLayer | None = None) -> LayerCheck:
    """Local checks before anything is sent: features, a CRS, geometry validity (GEOS, as the server checks),
    the geometries read from ``geometries`` (a local copy of the layer) when given."""
    check = LayerCheck(features=layer.featureCount())
    if check.features == 0:
        check.problems.append("The layer has no features: there is nothing to share.")
    spatial = layer.isSpatial()
    if spatial and not layer.crs().isValid():
        check.problems.append("The layer has no coordinate reference system: set one (Layer Properties > Source).")
    if not spatial or layer.geometryType() == GeometryType.Point:  # points are valid by construction
        return check
    request = QgsFeatureRequest().setNoAttributes()
    total = max(check.features, 1)
    for number, feature in enumerate((geometries or layer).getFeatures(request)):
        if feedback is not None:
            if feedback.isCanceled():
                raise LeoError("Cancelled.")
            if number % 1000 == 0:
                feedback.setProgress(100.0 * number / total)
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isGeosValid():
            continue
        check.invalid += 1
        if len(check.examples) < MAX_REPORTED:
            errors = geometry.validateGeometry(GeometryValidationEngine.Geos)
            reason = errors[0].what() if errors else "not valid"
            check.examples.append(f"feature {feature.id()}: {reason}")
    return check


def write_geopackage(layer: QgsVectorLayer, target: Path, feedback: QgsFeedback | None = None) -> Path:
    """The layer (all its features and fields, in its own CRS) as a one-layer GeoPackage."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = "layer"
    options.feedback = feedback
    error, message, _path, _layer = QgsVectorFileWriter.writeAsVectorFormatV3(
        layer, str(target), QgsProject.instance().transformContext(), options)
    if error != QgsVectorFileWriter.NoError:
        raise LeoError(f"Could not write the layer for upload: {message}")
    return target


def upload_layer(catalogue: OgcApiCatalogue, layer: QgsVectorLayer, details: UploadDetails,
                 dataset_id: str | None = None, feedback: QgsFeedback | None = None,
                 log: Callable[[str], object] = lambda _message: None) -> UploadResult:
    """Check, package and send a layer: a new dataset, or a new version of ``dataset_id`` (earlier versions
    are kept on the server). LeoError with a message to show when the checks or the catalogue refuse it."""
    if not dataset_id and not details.title.strip():
        raise LeoError("A title is needed for a new dataset.")
    if not layer.isValid():
        raise LeoError(f"The layer {layer.name()!r} cannot be read (its source is missing or broken).")
    with tempfile.TemporaryDirectory(prefix="leo-upload-") as folder:
        # Written first and checked from the copy: a layer from a web service is read once, not twice.
        path = write_geopackage(layer, Path(folder) / f"{_file_stem(layer.name())}.gpkg", feedback)
        log("Checking the layer…")
        check = check_layer(layer, feedback, QgsVectorLayer(str(path), layer.name(), "ogr"))
        log(check.report())
        if check.problems:
            raise LeoError(" ".join(check.problems))
        if check.invalid and not details.repair:
            raise LeoError(f"{check.report()}\nFix them (Vector > Geometry Tools > Fix Geometries) or tick "
                           "'Repair invalid geometries' to have the catalogue repair them.")
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise LeoError(f"The layer is {size // 2**20} MB as a GeoPackage; the catalogue takes at most "
                           f"{MAX_UPLOAD_BYTES // 2**20} MB. Share a part of it, or fewer fields.")
        log(f"Sending {size / 2**20:.1f} MB to {catalogue.url}…")
        answer = catalogue.publish(path, details.form(), dataset_id, feedback)
    return UploadResult(answer["id"], answer["version"], answer["feature_count"], answer.get("notes", []),
                        f"{catalogue.url}collections/{answer['id']}")


def _file_stem(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60] or "layer"
