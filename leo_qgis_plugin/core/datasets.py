"""Adding catalogue datasets to QGIS: a live OGC API - Features layer, or a downloaded GeoPackage kept
in a cache per dataset and version (so it opens again offline)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from qgis.core import QgsApplication, QgsFeedback, QgsVectorLayer

from .catalogue import PROPERTY_PREFIX, OgcApiCatalogue, describe_layer
from .default_styles import apply_default_style
from .exceptions import LeoError, NetworkError
from .layer_roles import mark
from .models import CatalogueRecord
from .progress import PartFeedback, set_step
from .project_layers import best_operation
from .resumable import fetch_resumable
from .temporal.properties import configure_temporal

# Above this many features a dataset is downloaded rather than read live page by page.
LIVE_LIMIT = 50_000


class AddMode(str, Enum):
    AUTO = "auto"
    LIVE = "live"
    DOWNLOAD = "download"


def cache_folder() -> Path:
    """The plugin's download cache inside the QGIS profile."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "cache" / "leo_qgis"


def cache_size() -> int:
    """Bytes used by downloads in the cache."""
    folder = cache_folder()
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def clear_cache() -> int:
    """Remove cached downloads; the number removed. Files open in layers on Windows stay until closed."""
    folder = cache_folder()
    removed = 0
    for path in (p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []:
        try:
            path.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def cached_path(catalogue: OgcApiCatalogue, dataset_id: str, version: str) -> Path:
    server = hashlib.sha1(catalogue.url.encode()).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in dataset_id)
    return cache_folder() / server / safe / f"v{version or '0'}.gpkg"


def save_atomically(target: Path, write: Callable[[Path], object]) -> Path:
    """Put a file in the cache as a whole: ``write`` fills a temporary file, renamed only when complete;
    on any failure the temporary file is removed and the cache is as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.part-{os.getpid()}")
    try:
        write(partial)
        partial.replace(target)
    except OSError as exc:
        raise LeoError(f"Could not save {target.name} in the cache ({exc.strerror}).") from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def download(catalogue: OgcApiCatalogue, record: CatalogueRecord, feedback: QgsFeedback | None = None) -> Path:
    """The dataset's GeoPackage in the cache, streamed to disk if it is not there yet (an interrupted download
    resumes where it stopped, see resumable.py)."""
    target = cached_path(catalogue, record.id, record.version)
    if target.exists():
        return target
    url = f"{catalogue.url}collections/{record.id}/download?f=gpkg"
    fetch_resumable(url, target, catalogue.authcfg, feedback, accept="application/geopackage+sqlite3")
    with target.open("rb") as head:
        if head.read(16) != b"SQLite format 3\x00":
            target.unlink(missing_ok=True)
            raise NetworkError(f"The download of {record.id!r} is not a GeoPackage.")
    return target


def cached_layer(catalogue: OgcApiCatalogue, dataset_id: str) -> QgsVectorLayer | None:
    """The newest cached copy of a dataset, for when the catalogue cannot be reached."""
    folder = cached_path(catalogue, dataset_id, "0").parent
    copies = sorted(folder.glob("v*.gpkg"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.exists() else []
    if not copies:
        return None
    layer = QgsVectorLayer(str(copies[0]), f"{dataset_id} (offline copy)", "ogr")
    return layer if layer.isValid() else None


def open_dataset(catalogue: OgcApiCatalogue, record: CatalogueRecord, mode: AddMode = AddMode.AUTO,
                 feedback: QgsFeedback | None = None, live_limit: int = LIVE_LIMIT) -> QgsVectorLayer:
    """A layer for a dataset, live or downloaded, with its metadata and provenance filled in."""
    if mode is AddMode.AUTO:
        mode = AddMode.DOWNLOAD if record.feature_count > live_limit else AddMode.LIVE
    if mode is AddMode.LIVE:
        layer = catalogue.layer(record.id, record.title, record)
    else:
        set_step(feedback, f"downloading {record.title}")
        path = download(catalogue, record, PartFeedback(feedback, 0, 85))
        _progress(feedback, 88, f"opening {record.title}")
        layer = QgsVectorLayer(str(path), record.title, "ogr")
        if not layer.isValid():
            path.unlink(missing_ok=True)
            raise LeoError(f"The downloaded copy of {record.id!r} could not be opened; try again.")
        describe_layer(layer, record)
        layer.setCustomProperty(f"{PROPERTY_PREFIX}/catalogue", catalogue.url)
    return finish_layer(layer, record, mode, feedback)


def finish_layer(layer: QgsVectorLayer, record: CatalogueRecord, mode: AddMode,
                 feedback: QgsFeedback | None = None) -> QgsVectorLayer:
    """What every dataset layer gets, however it is added (panel, Browser, drag and drop, scripts): what it is
    (dataset id and role), its default style, its time settings; and its extent worked out now, so that
    adding it to the project reads nothing. Reads features: run it in a task."""
    mark(layer, record.id)
    layer.setCustomProperty(f"{PROPERTY_PREFIX}/mode", mode.value)
    _progress(feedback, 92, f"styling {record.title}")
    apply_default_style(layer, record.id)
    _progress(feedback, 95, "setting up time")
    configure_temporal(layer, record)
    best_operation(layer.crs())  # asked of PROJ here, not when the layer lands on the map
    if layer.providerType() != "OAPIF":  # a live layer's extent is the collection's, known already
        _progress(feedback, 98, "working out the extent")
        layer.extent()
    return layer


def _progress(feedback: QgsFeedback | None, percent: float, doing: str) -> None:
    if feedback is not None:
        feedback.setProgress(percent)
        set_step(feedback, doing)


def open_by_id(catalogue: OgcApiCatalogue, dataset_id: str, mode: AddMode = AddMode.AUTO,
               feedback: QgsFeedback | None = None) -> tuple[QgsVectorLayer, bool]:
    """(layer, offline): the dataset from the catalogue, or its cached copy when the catalogue is unreachable."""
    if "open-dataset" in getattr(catalogue, "capabilities", ()):  # a portal's dataset: files or an export
        return catalogue.open_dataset(dataset_id, feedback), False
    try:
        record = catalogue.get(dataset_id, feedback)
    except NetworkError:
        layer = cached_layer(catalogue, dataset_id)
        if layer is None:
            raise
        return layer, True
    return open_dataset(catalogue, record, mode, feedback), False
