"""Writing the synthetic network as SSEN's published headroom CSV, quirks included.

The file goes through ``import-ssen-headroom`` like SSEN's real file, so the demo
exercises the same reader: null markers in numeric columns, ``33 / 11`` voltages,
``Sep-26`` dates, quoted multi-line text and a row without coordinates.
"""

from __future__ import annotations

import csv
import io

from osgeo import osr

from leo_qgis_plugin.core.formats.ssen_headroom import HEADER

from .network import VOLTAGES, Substation

_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # the National Grid alphabet has no I


def _to_bng():
    wgs84, bng = osr.SpatialReference(), osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    bng.ImportFromEPSG(27700)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    bng.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return osr.CoordinateTransformation(wgs84, bng)


def grid_reference(easting: float, northing: float) -> str:
    """A 6-figure OS grid reference such as ``SU 512 062``."""
    e100k, n100k = int(easting // 100000), int(northing // 100000)
    first = (19 - n100k) - (19 - n100k) % 5 + (e100k + 10) // 5
    second = (19 - n100k) * 5 % 25 + e100k % 5
    letters = _LETTERS[first] + _LETTERS[second]
    return f"{letters} {int(easting % 100000) // 100:03d} {int(northing % 100000) // 100:03d}"


def _number(value: float | None, null: str = "DATA NOT AVAILABLE") -> str:
    return null if value is None else f"{value:g}"


def headroom_csv(network: list[Substation]) -> bytes:
    """The network as an SSEN headroom CSV (UTF-8, CRLF line ends, as downloaded)."""
    transform = _to_bng()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n, s in enumerate(network):
        if s.latitude is not None:
            easting, northing, _ = transform.TransformPoint(s.longitude, s.latitude)
            grid = grid_reference(easting, northing)
        else:
            grid = ""
        comment = ""
        if n == 7:
            comment = "Site shared with a 132 kV switching station.\nAccess via the service road only."
        elif s.single_transformer:
            comment = "Single transformer site"
        rating, count = s.firm_capacity_mva, s.transformer_count
        nameplate = f"{count} x {rating if count == 1 else round(rating / max(count - 1, 1), 1):g} MVA"
        writer.writerow([
            s.asset_id, s.gsp_group, "England / SEPD", s.display_name, s.upstream_gsp, s.upstream_bsp or "N/A",
            s.kind, VOLTAGES[s.kind],
            "" if s.latitude is None else f"{s.latitude:.6f}",
            "" if s.longitude is None else f"{s.longitude:.6f}",
            grid, comment, "DATA NOT AVAILABLE" if n % 9 == 4 else f"{s.name.upper().replace(' ', '_')[:8]}_{s.kind[0]}",
            nameplate, "Yes" if s.single_transformer else "No",
            _number(s.max_demand_mva), _number(s.min_demand_mva), _number(s.contracted_demand_mva),
            _number(s.contracted_bess_mva, "DATA NOT APPLICABLE" if n % 2 else ""),
            _number(s.demand_headroom_mva), s.demand_rag, s.demand_constraint or "",
            "N/A" if s.kind == "Primary" else "DATA NOT AVAILABLE",
            _number(s.connected_generation_mw), _number(s.contracted_generation_mw),
            "Yes" if s.kind == "GSP" else "N/A",
            _number(s.generation_headroom_mw), _number(s.fault_rating_ka), _number(s.fault_level_ka),
            s.generation_rag, s.generation_constraint or "",
            s.upstream_works or "", s.upstream_completion or "",
            s.substation_works or "", s.substation_completion or "",
        ])
    return buffer.getvalue().encode("utf-8")
