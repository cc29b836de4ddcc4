"""Server-side extraction: a catalogue dataset, whole or filtered (box, time range, CQL2), written to a file
by the server's download formats and streamed to disk, never loaded into QGIS. Blocking: run it in a task
or a Processing algorithm."""

from __future__ import annotations

import os
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from qgis.core import QgsFeedback

from .exceptions import LeoError
from .network import fetch_to_file

if TYPE_CHECKING:  # the catalogue client is not loaded at QGIS start-up (the Processing provider imports this)
    from .catalogue import OgcApiCatalogue


class ExtractFormat(Enum):
    """The server's download formats: (label, its ``f`` value, file extension)."""

    GEOPACKAGE = ("GeoPackage", "gpkg", ".gpkg")
    SHAPEFILE_ZIP = ("Shapefile (zipped)", "shp", ".zip")
    GEOJSON = ("GeoJSON", "geojson", ".geojson")
    CSV = ("CSV (WKT geometry)", "csv", ".csv")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def server_name(self) -> str:
        """The server's ``f`` for it."""
        return self.value[1]

    @property
    def extension(self) -> str:
        return self.value[2]


def extract_dataset(catalogue: OgcApiCatalogue, dataset_id: str, destination: Path,
                    fmt: ExtractFormat = ExtractFormat.GEOPACKAGE,
                    bbox: tuple[float, float, float, float] | None = None, start: datetime | None = None,
                    end: datetime | None = None, cql: str = "", overwrite: bool = False,
                    feedback: QgsFeedback | None = None) -> Path:
    """Download the dataset (filtered by a WGS 84 ``bbox``, a UTC time range and a CQL2 text filter) to
    ``destination``. Streamed to a temporary file beside it and renamed when complete: a failure or a cancel
    leaves nothing. Refuses to overwrite unless ``overwrite``."""
    destination = Path(destination)
    if destination.suffix.lower() != fmt.extension:
        destination = destination.with_name(destination.name + fmt.extension)
    if destination.exists() and not overwrite:
        raise LeoError(f"{destination} exists; choose another name or allow overwriting.")
    if not destination.parent.is_dir():
        raise LeoError(f"The folder {destination.parent} does not exist.")
    params = {"f": fmt.server_name}
    if bbox:
        params["bbox"] = ",".join(f"{v:.7f}" for v in bbox)
    if any(t is not None and t.tzinfo is None for t in (start, end)):
        raise LeoError("Give the time range in UTC (a datetime with a time zone).")
    if start or end:
        from .catalogue import interval_end

        params["datetime"] = f"{interval_end(start)}/{interval_end(end)}"
    if cql.strip():
        params.update({"filter": cql.strip(), "filter-lang": "cql2-text"})
    url = f"{catalogue.url}collections/{quote(dataset_id)}/download?{urlencode(params)}"
    partial = destination.with_name(f".{destination.name}.part-{os.getpid()}")
    try:
        fetch_to_file(url, partial, catalogue.authcfg, feedback)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination
