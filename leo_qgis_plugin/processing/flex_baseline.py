"""``leo:flexbaseline``: baselines, delivered flexibility and payments for flexibility events."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ..core.compat import FeatureRequestFlag, ProcessingNumberParameterType, ProcessingSourceType
from ..core.flex.definitions import (
    AVAILABILITY_GBP_PER_KW_H,
    UTILISATION_GBP_PER_KWH,
    BaselineError,
    LoadUnit,
    Method,
)
from .base import LeoAlgorithm

METHODS = list(Method)
UNITS = list(LoadUnit)


class FlexBaselineAlgorithm(LeoAlgorithm):
    NAME = "flexbaseline"
    DISPLAY_NAME = "Baseline flexibility events"
    GROUP = "Flexibility"
    GROUP_ID = "flexibility"
    HELP = (
        "For each flexibility event, works out the baseline (what the site or zone would have used), the metered "
        "consumption, the delivered flexibility (baseline minus metered for turn-down, the reverse for turn-up) and "
        "delivery as a share of the request, then prices it and summarises per provider, zone and month.\n\n"
        "Methods: BL01 (Elexon's BSC baselining methodology, as used by the Demand Flexibility Service: the mean of "
        "the 10 most recent clean working days in the last 60, or 4 non-working days for weekend and bank-holiday "
        "events, with an optional in-day adjustment and cap); mid 8 of 10; high X of Y; nominated (a profile table "
        "with event id, period number and kWh); fixed reference (a profile table with site id, UK time HH:MM and "
        "kWh). Earlier event days and days with missing or outlying readings are never like-days; events without "
        "enough clean like-days are flagged, never computed from less. Readings are flagged with Project LEO's "
        "cleaning labels (miss_val, mul_miss_val, large_gap, outlier, fmt_err).\n\n"
        "Events on a zone (e.g. a CMZ) use the sum of its sites' load when a zones layer lists its sites "
        "(comma-separated).\n\nTimes are UTC: date-time fields are read as UTC clock times (QGIS 3.22 drops "
        "the zone when reading files and OGC API services; LEO and SSEN publish UTC). Times in text fields "
        "must carry a zone (Z or +01:00) unless you choose to read text without a zone as UTC."
    )

    LOAD = "LOAD"
    SITE = "SITE_FIELD"
    TIME = "TIME_FIELD"
    VALUE = "VALUE_FIELD"
    UNIT = "VALUE_UNIT"
    STAMP_AT_END = "STAMPS_MARK_END"
    NAIVE_UTC = "NAIVE_AS_UTC"
    EVENTS = "EVENTS"
    EVENT_ID = "EVENT_ID_FIELD"
    EVENT_SITE = "EVENT_SITE_FIELD"
    START = "START_FIELD"
    END = "END_FIELD"
    REQUESTED = "REQUESTED_MW_FIELD"
    ZONES = "ZONES"
    ZONE_ID = "ZONE_ID_FIELD"
    ZONE_MEMBERS = "ZONE_MEMBERS_FIELD"
    METHOD = "METHOD"
    ADJUST = "IN_DAY_ADJUSTMENT"
    CAP = "ADJUSTMENT_CAP_KWH"
    HIGH_X = "HIGH_X"
    HIGH_Y = "HIGH_Y"
    PROFILES = "PROFILES"
    AVAILABILITY = "AVAILABILITY_GBP_PER_KW_H"
    UTILISATION = "UTILISATION_GBP_PER_KWH"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"
    CHARTS = "CHARTS"

    def initAlgorithm(self, config=None) -> None:  # noqa: N802
        table = [ProcessingSourceType.Vector]
        self.addParameter(QgsProcessingParameterVectorLayer(self.LOAD, "Load series (site, time, value)", table))
        self._field(self.SITE, "Site id field", self.LOAD, "primary_id")
        self._field(self.TIME, "Time field", self.LOAD, "timestamp")
        self._field(self.VALUE, "Value field", self.LOAD, "total_consumption_active_import")
        self.addParameter(QgsProcessingParameterEnum(self.UNIT, "Values are", [u.value for u in UNITS],
                                                     defaultValue=UNITS.index(LoadUnit.WH)))
        self.addParameter(QgsProcessingParameterBoolean(
            self.STAMP_AT_END, "Times mark the end of each interval (as SSEN's half-hourly data)", True))
        self.addParameter(QgsProcessingParameterBoolean(self.NAIVE_UTC, "Read text times without a zone as UTC", False))
        self.addParameter(QgsProcessingParameterVectorLayer(self.EVENTS, "Flexibility events", table))
        self._field(self.EVENT_ID, "Event id field", self.EVENTS, "event_id")
        self._field(self.EVENT_SITE, "Event site or zone field", self.EVENTS, "zone_id")
        self._field(self.START, "Event start field", self.EVENTS, "start")
        self._field(self.END, "Event end field", self.EVENTS, "end")
        self._field(self.REQUESTED, "Requested MW field", self.EVENTS, "requested_mw")
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.ZONES, "Zones made of sites (e.g. flex-zones)", table, optional=True))
        self._field(self.ZONE_ID, "Zone id field", self.ZONES, "zone_id")
        self._field(self.ZONE_MEMBERS, "Zone sites field (comma-separated site ids)", self.ZONES, "primary_ids")
        self.addParameter(QgsProcessingParameterEnum(self.METHOD, "Method", [m.value for m in METHODS], defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean(self.ADJUST, "In-day adjustment (BL01, mid 8 of 10)", False))
        self.addParameter(QgsProcessingParameterNumber(
            self.CAP, "Adjustment cap per period (kWh; empty for none)", ProcessingNumberParameterType.Double,
            optional=True, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(self.HIGH_X, "High X of Y: X", defaultValue=5, minValue=1))
        self.addParameter(QgsProcessingParameterNumber(self.HIGH_Y, "High X of Y: Y", defaultValue=10, minValue=1))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.PROFILES, "Profiles for nominated or fixed reference baselines (key, slot, kwh)", table,
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.AVAILABILITY, "Availability price (£/kW/h) when an event has none",
            ProcessingNumberParameterType.Double, AVAILABILITY_GBP_PER_KW_H, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.UTILISATION, "Utilisation price (£/kWh) when an event has none",
            ProcessingNumberParameterType.Double, UTILISATION_GBP_PER_KWH, minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, "Baselines", ProcessingSourceType.Vector))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.SUMMARY, "Business case by provider, zone and month", ProcessingSourceType.Vector))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.CHARTS, "Charts and CSV for reports (folder)", optional=True, createByDefault=False))

    def _field(self, name: str, label: str, parent: str, default: str) -> None:
        # Optional with a default: qgis_process (3.22) otherwise demands every field name even when it has one.
        self.addParameter(QgsProcessingParameterField(name, label, default, parent, optional=True))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        # Imported when run, not at QGIS start-up.
        from ..core.flex.analysis import run_baselines
        from ..core.flex.baseline import BaselineOptions
        from ..core.flex.business_case import Prices
        from ..core.flex.inputs import EventFields, LoadFields, read_groups
        from ..core.flex.outputs import results_layer, summary_layer
        from ..core.flex.report import write_report

        text = lambda name: self.parameterAsString(parameters, name, context)  # noqa: E731
        load_fields = LoadFields(text(self.SITE), text(self.TIME), text(self.VALUE),
                                 UNITS[self.parameterAsEnum(parameters, self.UNIT, context)],
                                 self.parameterAsBool(parameters, self.STAMP_AT_END, context),
                                 self.parameterAsBool(parameters, self.NAIVE_UTC, context))
        event_fields = EventFields(text(self.EVENT_ID), text(self.EVENT_SITE), text(self.START), text(self.END),
                                   text(self.REQUESTED))
        method = METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]
        cap = parameters.get(self.CAP)
        profiles = self.parameterAsVectorLayer(parameters, self.PROFILES, context)
        try:
            nominated, reference = _profiles(profiles, method)
            options = BaselineOptions(
                method, in_day_adjustment=self.parameterAsBool(parameters, self.ADJUST, context),
                adjustment_cap_kwh=None if cap in (None, "") else self.parameterAsDouble(parameters, self.CAP, context),
                high_x=self.parameterAsInt(parameters, self.HIGH_X, context),
                high_y=self.parameterAsInt(parameters, self.HIGH_Y, context),
                nominated=nominated, reference=reference)
            zones = self.parameterAsVectorLayer(parameters, self.ZONES, context)
            groups = read_groups(zones, text(self.ZONE_ID), text(self.ZONE_MEMBERS)) if zones else None
            run = run_baselines(
                self.parameterAsVectorLayer(parameters, self.LOAD, context),
                self.parameterAsVectorLayer(parameters, self.EVENTS, context), options, load_fields, event_fields,
                groups, Prices(self.parameterAsDouble(parameters, self.AVAILABILITY, context),
                              self.parameterAsDouble(parameters, self.UTILISATION, context)), feedback=feedback)
        except BaselineError as exc:
            raise QgsProcessingException(str(exc)) from None
        for note in run.notes:
            feedback.pushInfo(note)
        for site, counts in run.flag_counts.items():
            flagged = ", ".join(f"{flag.value} {n}" for flag, n in counts.items() if n)
            if flagged:
                feedback.pushWarning(f"Load at {site}: {flagged}")
        computed = sum(r.delivered_kwh is not None for r in run.results)
        feedback.pushInfo(f"{len(run.results)} events; {computed} with delivered flexibility, "
                          f"{len(run.results) - computed} flagged without.")
        outputs = {self.OUTPUT: self.write_table(parameters, self.OUTPUT, context, results_layer(run.rows)),
                   self.SUMMARY: self.write_table(parameters, self.SUMMARY, context,
                                                  summary_layer(run.summary_table))}
        folder = self.parameterAsString(parameters, self.CHARTS, context)
        if folder and parameters.get(self.CHARTS):
            write_report(run, Path(folder))
            outputs[self.CHARTS] = folder
        return outputs


def _profiles(layer, method: Method) -> tuple[dict[str, list[float]], dict[str, dict[str, float]]]:
    """Nominated profiles (event id -> kWh by period number) or fixed references (site -> {HH:MM: kWh})."""
    if layer is None or method not in (Method.NOMINATED, Method.FIXED_REFERENCE):
        return {}, {}
    names = layer.fields().names()
    if not {"key", "slot", "kwh"} <= set(names):
        raise BaselineError(f"The profiles layer needs the fields key, slot and kwh; it has {', '.join(names)}.")
    nominated: dict[str, dict[int, float]] = {}
    reference: dict[str, dict[str, float]] = {}
    for feature in layer.getFeatures(QgsFeatureRequest().setFlags(FeatureRequestFlag.NoGeometry)):
        key, slot, kwh = str(feature["key"]), str(feature["slot"]).strip(), feature["kwh"]
        try:
            if method is Method.NOMINATED:
                nominated.setdefault(key, {})[int(slot)] = float(kwh)
            else:
                reference.setdefault(key, {})[slot] = float(kwh)
        except (TypeError, ValueError):
            raise BaselineError(f"Profiles, feature {feature.id()}: slot {slot!r} and kwh {kwh!r} must be a period "
                                "number (nominated) or HH:MM (fixed reference), and a number.") from None
    return {k: [v[i] for i in sorted(v)] for k, v in nominated.items()}, reference
