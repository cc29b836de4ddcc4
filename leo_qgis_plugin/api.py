"""Scripting API of LEO for QGIS (for the QGIS Python console, scripts and notebooks).

    from leo_qgis_plugin import api
    catalogue = api.connect("http://127.0.0.1:8765/")
    overlay = api.add_constraint_overlay(catalogue, kind="demand")
    sites, summary = api.screen_sites(catalogue, my_layer, demand_expression='"homes" * 2.5')
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeedback,
    QgsGeometry,
    QgsLayerTreeGroup,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)

from .core.aggregate.stats import Stat
from .core.catalogue import OgcApiCatalogue
from .core.ckan import CkanCatalogue
from .core.constraints.definitions import AREAS_DATASET, SUBSTATIONS_DATASET, ConstraintKind
from .core.constraints.headroom_file import OpenedHeadroom, headroom_layer, read_source_bytes
from .core.constraints.operators import add_operator_overlay as _operator_overlay
from .core.constraints.overlay import ConstraintOverlay
from .core.constraints.screening import ScreeningResult
from .core.constraints.screening import screen_sites as _screen
from .core.datasets import AddMode, open_by_id
from .core.exceptions import LeoError
from .core.export.exporter import ExportOptions, ExportReport
from .core.export.exporter import export_layers as _export
from .core.export.formats import ExportFormat
from .core.extract import ExtractFormat
from .core.extract import extract_dataset as _extract
from .core.flex.baseline import BaselineOptions, Method
from .core.flex.business_case import Prices
from .core.flex.inputs import EventFields, LoadFields, read_groups
from .core.gb_headroom_layer import operator_headroom
from .core.licences import LICENCES
from .core.opendatasoft import OpendatasoftCatalogue
from .core.project_layers import add_layer
from .core.upload import AccessLevel, UploadDetails, UploadResult
from .core.upload import upload_layer as _upload


def connect(url: str, kind: str = "ogcapi", authcfg: str | None = None,
            operator: str = "") -> OgcApiCatalogue | CkanCatalogue | OpendatasoftCatalogue:
    """A catalogue connection: ``ogcapi`` (the LEO server, any OGC API Records catalogue), ``ckan`` (SSEN's,
    National Grid's and NESO's portals, any CKAN portal) or ``opendatasoft`` (UK Power Networks', Northern
    Powergrid's, Electricity North West's and SP Energy Networks' portals). ``operator`` (``ssen``, ``nged``,
    ``neso``, ``ukpn``, ``npg``, ``enwl``, ``spen``) applies that operator's rate limits and headroom mapping
    to a portal served from another address."""
    if kind == "ckan":
        return CkanCatalogue(url, authcfg or "", operator=operator)
    if kind == "opendatasoft":
        return OpendatasoftCatalogue(url, authcfg or "", operator=operator)
    if kind != "ogcapi":
        raise LeoError(f"Catalogue kind {kind!r} is not known; use 'ogcapi', 'ckan' or 'opendatasoft'.")
    return OgcApiCatalogue(url, authcfg or "")


def open_operator_headroom(url: str, kind: str, authcfg: str = "", operator: str = "",
                           add_to_project: bool = True) -> list[OpenedHeadroom]:
    """Every headroom dataset of a GB operator, fetched from its portal now, as layers on the GB headroom schema
    (styled like the overlay when added)."""
    opened = operator_headroom(url, kind, authcfg, operator=operator)
    if add_to_project:
        for item in opened:
            ConstraintOverlay.from_layers({"substations": item.layer}).set_kind(ConstraintKind.DEMAND)
    return opened


def store_token(name: str, token: str, scheme: str = "Bearer") -> str:
    """Keep a catalogue API token in QGIS's authentication database; the ``authcfg`` for :func:`connect`.
    As an ``Authorization: <scheme> <token>`` header where QGIS has the APIHeader method, else as Basic's
    password. ``scheme="Apikey"`` for an Opendatasoft portal's API key."""
    from .core.auth import store_token as _store

    return _store(name, token, scheme)


def add_dataset(catalogue: OgcApiCatalogue, dataset_id: str, mode: str = "auto",
                project: QgsProject | None = None) -> QgsVectorLayer:
    """Add a catalogue dataset to the project: ``live`` (OGC API - Features), ``download`` (a cached
    GeoPackage) or ``auto`` (download above 50,000 features). Offline, a cached copy is used if there is one."""
    layer, _offline = open_by_id(catalogue, dataset_id, AddMode(mode))
    return add_layer(layer, project)


def add_constraint_overlay(catalogue: OgcApiCatalogue, kind: str = "demand",
                           project: QgsProject | None = None) -> ConstraintOverlay:
    """Add (or restyle) the "SSEN network constraints" group: substations, supply areas and CMZs."""
    return ConstraintOverlay.add(catalogue, ConstraintKind(kind), project)


def add_operator_overlay(catalogue: OgcApiCatalogue, bbox: tuple[float, float, float, float], kind: str = "demand",
                         project: QgsProject | None = None) -> tuple[ConstraintOverlay, list]:
    """Add the substations of every GB operator whose headroom covers or is near a WGS 84 box (west, south,
    east, north) to the overlay, the nearest first; (overlay, their catalogue records)."""
    return _operator_overlay(catalogue, bbox, ConstraintKind(kind), project)


def open_headroom_csv(path_or_url: str, authcfg: str = "", add_to_project: bool = True) -> OpenedHeadroom:
    """Open an SSEN, NGED or NPG headroom CSV (path or URL) as a layer styled like the overlay."""
    data, name = read_source_bytes(path_or_url, authcfg)
    opened = headroom_layer(data, name)
    if add_to_project:
        ConstraintOverlay.from_layers({"substations": opened.layer}).set_kind(ConstraintKind.DEMAND)
    return opened


def export_layers(layers: list[QgsVectorLayer], destination: str, fmt: str = "shp-zip",
                  crs: str | QgsCoordinateReferenceSystem | None = None, extent: QgsRectangle | None = None,
                  selected_only: bool = False, fields: list[str] | None = None, overwrite: bool = False,
                  clip: QgsGeometry | None = None, area_crs: str | None = None) -> ExportReport:
    """Export layers: fmt ``shp-zip``, ``shp``, ``gpkg``, ``geojson``, ``csv`` (WKT) or ``csv-xy``.

    ``crs`` e.g. "EPSG:27700"; ``extent``/``clip`` in ``area_crs`` (default: each layer's CRS).
    """
    target = QgsCoordinateReferenceSystem(crs) if isinstance(crs, str) else crs
    options = ExportOptions(ExportFormat.from_name(fmt), target, extent, clip,
                            QgsCoordinateReferenceSystem(area_crs) if area_crs else None, selected_only, fields,
                            overwrite)
    return _export(layers, destination, options)


def upload_layer(catalogue: OgcApiCatalogue, layer: QgsVectorLayer, title: str = "", description: str = "",
                 keywords: list[str] | None = None, licence: str = LICENCES[0], access: str = "public",
                 temporal_field: str | tuple[str, str] | None = None, dataset_id: str | None = None,
                 organisation: str = "", repair: bool = False, feedback: QgsFeedback | None = None) -> UploadResult:
    """Share a layer through the catalogue (an editor's token in the connection's authcfg): a new dataset, or
    a new version of ``dataset_id`` (earlier versions kept). ``access``: public, registered or restricted;
    ``temporal_field``: a field of instants, or (start, end) fields of periods. Checked here first; LeoError
    with the reason when refused."""
    start, end = (temporal_field, "") if isinstance(temporal_field, str) or temporal_field is None else temporal_field
    if access not in {a.value for a in AccessLevel}:
        raise LeoError(f"access is public, registered or restricted, not {access!r}.")
    details = UploadDetails(title, description, list(keywords or []), licence, AccessLevel(access), organisation,
                            start or "", end or "", repair)
    return _upload(catalogue, layer, details, dataset_id, feedback)


def extract_dataset(catalogue: OgcApiCatalogue, dataset_id: str, destination: str, fmt: str = "gpkg",
                    bbox: tuple[float, float, float, float] | None = None, start=None, end=None, cql: str = "",
                    overwrite: bool = False, feedback: QgsFeedback | None = None) -> str:
    """A catalogue dataset, whole or filtered (WGS 84 ``bbox``, UTC ``start``/``end``, CQL2 text), written by
    the server and streamed to ``destination``: fmt ``gpkg``, ``shp`` (zipped), ``geojson`` or ``csv``. Never
    loaded into QGIS; nothing is overwritten unless ``overwrite``. Returns the file's path."""
    formats = {f.server_name: f for f in ExtractFormat}
    if fmt not in formats:
        raise LeoError(f"Unknown format {fmt!r}; use one of {', '.join(formats)}.")
    return str(_extract(catalogue, dataset_id, Path(destination), formats[fmt], bbox, start, end, cql, overwrite,
                        feedback))


def delete_dataset(catalogue: OgcApiCatalogue, dataset_id: str, version: str | None = None) -> None:
    """Delete one of your organisation's datasets with all its versions, or only one earlier ``version``
    (editors; admins any)."""
    if version is None:
        catalogue.delete(dataset_id)
    else:
        catalogue.delete_version(dataset_id, version)


def screen_sites(catalogue: OgcApiCatalogue, layer: QgsVectorLayer, demand_expression: str | None = None,
                 generation_expression: str | None = None, max_distance_m: float = 2000,
                 feedback: QgsFeedback | None = None) -> tuple[QgsVectorLayer, QgsVectorLayer]:
    """Screen a layer of sites against the catalogue's headroom; returns (sites layer, summary table)."""
    result = screening(catalogue, layer, demand_expression, generation_expression, max_distance_m, feedback)
    return result.sites, result.summary


def screening(catalogue: OgcApiCatalogue, layer: QgsVectorLayer, demand_expression: str | None = None,
              generation_expression: str | None = None, max_distance_m: float = 2000,
              feedback: QgsFeedback | None = None) -> ScreeningResult:
    """Like screen_sites, with the counts and messages of the run."""
    headroom = catalogue.layer(SUBSTATIONS_DATASET)
    areas = catalogue.layer(AREAS_DATASET)
    return _screen(layer, headroom, areas, demand_expression, generation_expression, max_distance_m, feedback)


def flex_baseline(load: QgsVectorLayer, events: QgsVectorLayer, method: str = "BL01",
                  zones: QgsVectorLayer | None = None, in_day_adjustment: bool = False,
                  adjustment_cap_kwh: float | None = None, high_x: int = 5, high_y: int = 10,
                  nominated: dict[str, list[float]] | None = None, reference: dict[str, dict[str, float]] | None = None,
                  load_fields: LoadFields = LoadFields(), event_fields: EventFields = EventFields(),
                  prices: Prices = Prices(), report_folder: str | None = None,
                  project: QgsProject | None = None) -> QgsVectorLayer:
    """Baseline every flexibility event and add two tables to the project: the baselines (one row per event:
    ``event_id, site_id, method, baseline_kwh, metered_kwh, delivered_kwh, delivery_ratio, flags``, ...) and
    the business case by provider, zone and month. Returns the baselines table; each row's ``load_quality``
    and :func:`quality` of the table give the load's settlement periods flagged with Project LEO's labels.

    ``method``: ``BL01``, ``mid8of10``, ``highXofY``, ``nominated`` (``nominated={event_id: [kWh per period]}``)
    or ``fixed`` (``reference={site_id: {"HH:MM": kWh}}``). ``zones`` (e.g. flex-zones) lets events name a zone
    whose load is the sum of its sites. ``report_folder``: also write CSV and PNG charts there.
    """
    from pathlib import Path

    from .core.flex.analysis import run_baselines
    from .core.flex.outputs import results_layer, summary_layer
    from .core.flex.report import write_report
    from .core.layer_quality import store_quality

    options = BaselineOptions(Method(method), in_day_adjustment=in_day_adjustment,
                              adjustment_cap_kwh=adjustment_cap_kwh, high_x=high_x, high_y=high_y,
                              nominated=nominated or {}, reference=reference or {})
    groups = read_groups(zones) if zones is not None else None
    run = run_baselines(load, events, options, load_fields, event_fields, groups, prices)
    if report_folder:
        write_report(run, Path(report_folder))
    results = results_layer(run.rows)
    store_quality(results, run.quality, run.notes)  # api.quality(results) gives it back
    (project or QgsProject.instance()).addMapLayers([results, summary_layer(run.summary_table)])
    return results


def quality(layer: QgsVectorLayer, fields: list[str] | None = None, site_field: str | None = None,
            time_field: str | None = None):
    """Project LEO's data-quality labels on a layer's fields (default: the numbers it measures), one series per
    site (``site_field``, guessed from LEO's and SSEN's names), in readings: runs of missing values of 1–2
    ``miss_val``, 3–10 ``mul_miss_val``, more than 10 ``large_gap``; ``outlier`` (z-score above 5); ``fmt_err``
    (text where a number belongs, or a text value out of its column's case or spacing). Returns a
    QualitySummary: ``.columns[field].flagged[label]`` and ``.runs[...]``, ``.totals()``, ``.first_gap``,
    ``.last_gap``, ``.lines()``. For a layer opened by ``open_file`` or made by ``flex_baseline`` it is the
    summary kept with the layer."""
    from .core.layer_quality import layer_quality

    return layer_quality(layer, fields, site_field, time_field)


def aggregate(layer: QgsVectorLayer, boundaries_layer: QgsVectorLayer, fields: list[str] | None = None,
              stats: list[str] = ("sum", "mean"), rag_fields: list[str] | None = None,
              project: QgsProject | None = None) -> QgsVectorLayer:
    """Aggregate a layer into boundaries and add the result: one polygon per boundary with ``count`` and
    ``<field>_<stat>`` (stats: count, sum, mean, min, max) and ``<rag field>_red_share`` etc. Points count
    where they fall; polygons and lines are apportioned by area and length. Features outside every boundary
    are in the result's custom property ``leo_qgis/aggregate/outside``."""
    from .core.aggregate.aggregate import aggregate as _aggregate
    from .core.aggregate.multiscale import style_aggregate

    result = _aggregate(layer, boundaries_layer, fields, [Stat(s) for s in stats], rag_fields)
    style_aggregate(result.layer)
    add_layer(result.layer, project)
    return result.layer


def multiscale(layer: QgsVectorLayer, fields: list[str] | None = None, stats: list[str] = ("sum", "mean"),
               rag_fields: list[str] | None = None, catalogue: OgcApiCatalogue | None = None,
               districts: QgsVectorLayer | None = None, msoas: QgsVectorLayer | None = None,
               project: QgsProject | None = None) -> QgsLayerTreeGroup:
    """A layer group "<layer> across scales": aggregates at county, district and MSOA level and the raw
    features, each visible in its band of map scales. Boundaries: ``districts`` and ``msoas`` if given, else
    the catalogue's oxon-districts and oxon-msoa (``catalogue``, or the selected LEO connection)."""
    from .core.aggregate.multiscale import add_group, build_levels, standard_levels
    from .core.settings import authcfg_for, selected_connection

    if districts is None or msoas is None:
        if catalogue is None:
            connection = selected_connection()
            if connection is None:
                raise LeoError("No LEO catalogue connection: give district and MSOA layers, or a catalogue.")
            catalogue = OgcApiCatalogue(connection.url, authcfg_for(connection.url))
        districts = districts or catalogue.layer("oxon-districts")
        msoas = msoas or catalogue.layer("oxon-msoa")
    built = build_levels(layer, standard_levels(districts, msoas), list(fields or []), [Stat(s) for s in stats],
                         list(rag_fields or []))
    group = add_group(layer.name(), built, project)
    follow_frames(layer, [view for _, view, result in built if result is not None])
    return group


def follow_frames(layer: QgsVectorLayer, aggregate_layers: list[QgsVectorLayer]) -> None:
    """If ``layer`` is a playback layer, its aggregates (with ``value_<stat>`` fields) follow every frame."""
    from .core.aggregate.frames import FrameAggregates
    from .core.temporal.controller import bound_playbacks

    for playback in bound_playbacks():
        if playback.layer is layer:
            FrameAggregates(playback, aggregate_layers)  # kept alive by the playback it listens to


def temporal_controller():
    """QGIS's Temporal Controller (the map canvas's), or one made for scripts run without QGIS desktop."""
    from qgis import utils

    from .core.temporal.controller import canvas_controller

    return canvas_controller(utils.iface.mapCanvas() if utils.iface is not None else None)


def play(layer: QgsVectorLayer, start=None, end=None, step_minutes: float | None = None):
    """Prepare the Temporal Controller for a temporal layer: its range (or start..end, UTC datetimes) and
    its natural step (or step_minutes), on the first frame, ready to play. Several layers share one
    timeline. Returns the controller."""
    from datetime import timedelta

    from qgis.core import QgsDateTimeRange

    from .core.temporal.clock import to_qdatetime
    from .core.temporal.controller import layer_range, layer_step, prepare

    if (start is None) != (end is None):
        raise LeoError("Give both start and end, or neither (the layer's own range is played).")
    if start is not None:
        extent = QgsDateTimeRange(to_qdatetime(start), to_qdatetime(end))
    else:
        extent = layer_range(layer)
        if extent is None:
            raise LeoError(f"{layer.name()!r} has no time range of its own: give start and end.")
    step = timedelta(minutes=step_minutes) if step_minutes else layer_step(layer)
    controller = temporal_controller()
    prepare(controller, extent, step, share=start is None and end is None)
    return controller


def playback(layer: QgsVectorLayer, value_field: str | None = None, site_field: str | None = None,
             time_field: str | None = None, headroom: QgsVectorLayer | None = None,
             sites: QgsVectorLayer | None = None, sites_id_field: str = "site_id",
             project: QgsProject | None = None):
    """Fast playback of a time-series layer (e.g. substation-load-hh): one point per site whose value
    follows the Temporal Controller, sized by value and, with a ``headroom`` layer (ssen-headroom),
    coloured by utilisation of firm capacity (red above 100 %). A table without geometry plays at the
    points of a ``sites`` layer joined by ``sites_id_field``. Returns the PlaybackLayer (``.warnings``)."""
    from .core.temporal.controller import bind_playback
    from .core.temporal.playback import make_playback, read_sites
    from .core.temporal.properties import layer_stamps_mark_end
    from .core.temporal.series import read_series, series_fields

    guessed = series_fields(layer) or ("primary_id", "timestamp", "avg_kw")
    series = read_series(layer, site_field or guessed[0], time_field or guessed[1], value_field or guessed[2],
                         layer_stamps_mark_end(layer))
    view = make_playback(layer, series, read_sites(layer, series, headroom, sites, sites_id_field))
    project = project or QgsProject.instance()
    add_layer(view.layer, project)
    bind_playback(view, temporal_controller(), project)
    return view


def time_series(catalogue: OgcApiCatalogue, dataset_id: str, site_id: str, start=None, end=None,
                field: str | None = None) -> list:
    """One site's series from the catalogue as (UTC datetime, value) pairs, in time order; ``field``
    defaults to the dataset's average kW (or its first number)."""
    from .core.temporal.remote import fetch_series

    return fetch_series(catalogue, catalogue.get(dataset_id), site_id, start, end, field)


def export_animation(folder: str, start=None, end=None, step_minutes: float | None = None,
                     layers: list | None = None, extent: QgsRectangle | None = None, size: tuple[int, int] = (1280, 800),
                     movie: str = "gif", frames_per_second: float = 4, project: QgsProject | None = None):
    """Render each frame from start to end (UTC datetimes; default: the Temporal Controller's range and
    step) to ``folder/frame0001.png``… with its UK time stamped on it, and an animated ``gif`` or ``mp4``
    (``movie="none"`` for frames only). Playback layers move with the frames. Returns the result
    (``.frames``, ``.movie``, ``.note`` saying why no movie could be made)."""
    from datetime import timedelta
    from pathlib import Path

    from qgis.core import QgsMapSettings
    from qgis.PyQt.QtCore import QSize

    from .core.temporal.animation import Movie
    from .core.temporal.animation import export_animation as _export
    from .core.temporal.clock import from_qdatetime
    from .core.temporal.controller import bound_playbacks

    project = project or QgsProject.instance()
    controller = temporal_controller()
    extents = controller.temporalExtents()
    if start is None or end is None:
        if not extents.begin().isValid():
            raise LeoError("No time range: give start and end, or prepare the Temporal Controller (api.play).")
        start, end = start or from_qdatetime(extents.begin()), end or from_qdatetime(extents.end())
    step = timedelta(minutes=step_minutes) if step_minutes else timedelta(seconds=controller.frameDuration().seconds())
    layers = layers or [node.layer() for node in project.layerTreeRoot().findLayers() if node.isVisible()]
    if not layers:
        raise LeoError("Nothing to animate: show a layer on the map, or give layers.")
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs() if project.crs().isValid() else layers[0].crs())
    if extent is None:
        extent = QgsRectangle()
        for layer in layers:
            extent.combineExtentWith(settings.layerExtentToOutputExtent(layer, layer.extent()))
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    playbacks = [p for p in bound_playbacks() if p.layer in layers]

    def on_frame(frame_start, frame_end) -> None:
        for playback in playbacks:
            playback.show_frame(frame_start, frame_end)

    return _export(settings, start, end, step, Path(folder), Movie(movie), frames_per_second, on_frame=on_frame)


def open_file(path: str, project: QgsProject | None = None) -> QgsVectorLayer:
    """Open an SSEN headroom or LV-feeder CSV or a Project LEO meter or price file as a typed layer and add
    it to the project (a postcode lookup beside an LV-feeder file is joined)."""
    from .core.open_files import open_file as _open

    opened = _open(path)
    add_layer(opened.layer, project)
    return opened.layer
