"""How the portal's map preview draws each dataset: the plugin's default styles (``core/default_styles.py``)
written as data for the browser. Headroom and supply areas by RAG status, flexibility zones hatched and dashed,
events as red areas, other polygons (boundaries) as outlines without fill. The colours are the plugin's;
``tests/test_portal.py`` checks they stay the same."""

from __future__ import annotations

from ..records import DatasetRecord

# The plugin's RagPalette: SSEN's own red, amber, green, and the colour-blind-safe Okabe-Ito alternative.
SSEN_RAG = {"Red": "#d7191c", "Amber": "#f5a300", "Green": "#1a9641"}
COLOURBLIND_RAG = {"Red": "#d55e00", "Amber": "#f0e442", "Green": "#0072b2"}
NO_DATA = "#9e9e9e"
# Symbol diameters in QGIS are millimetres (GSP 5.0, BSP 3.8, primary 2.6); at 96 dpi a millimetre is 3.78 px.
TYPE_RADII = {"GSP": 9.5, "BSP": 7.2, "Primary": 4.9}
BOUNDARY = "#37474f"
ZONE = "#6a3d9a"
EVENT = "#d7191c"
POINT = "#1f78b4"
# ONS boundary names end in "nm" (lad20nm, msoa11nm); other files use "name" (as default_styles.name_field).
_NAME_SUFFIXES = ("nm", "name")


def _rag(field: str, opacity: float = 1.0) -> dict:
    return {"field": field, "colours": SSEN_RAG, "colourblind": COLOURBLIND_RAG, "unknown": NO_DATA,
            "opacity": opacity}


def name_field(record: DatasetRecord) -> str | None:
    """The field that names each feature, if there is one."""
    return next((f.name for f in record.fields if f.name.lower().endswith(_NAME_SUFFIXES)), None)


def map_style(record: DatasetRecord) -> dict:
    """The preview style of a dataset (read by ``js/style.js``)."""
    if record.id == "ssen-headroom":
        return {"categories": _rag("demand_rag"), "stroke": "#202020", "strokeWidth": 1,
                "radiusBy": {"field": "substation_type", "values": TYPE_RADII, "default": TYPE_RADII["Primary"]},
                "label": "name", "title": "Demand headroom RAG status"}
    if record.id == "ssen-primary-areas":
        return {"categories": _rag("demand_rag", 0.45), "stroke": "#5a5a5a", "strokeWidth": 0.8,
                "label": "name", "title": "Demand headroom RAG status"}
    if record.id == "flex-zones":
        return {"stroke": ZONE, "strokeWidth": 2.5, "dash": [8, 5], "hatch": ZONE, "label": "name",
                "title": "Constraint managed zone"}
    if record.id == "flex-events":
        return {"fill": "rgba(215,25,28,0.35)", "stroke": EVENT, "strokeWidth": 2.5, "label": "zone_name",
                "title": "Flexibility event area"}
    polygons = (record.geometry_type or "").endswith("Polygon")
    if polygons:
        return {"stroke": BOUNDARY, "strokeWidth": 1.5, "label": name_field(record), "title": "Boundary"}
    return {"fill": POINT, "stroke": "#202020", "strokeWidth": 1, "radius": 5, "width": 2.5,
            "label": name_field(record), "title": "Feature"}


def legend(style: dict) -> list[dict]:
    """Legend entries (label, colour, shape) for the text beside the map."""
    if "categories" in style:
        categories = style["categories"]
        return [*({"label": rag, "colour": colour} for rag, colour in categories["colours"].items()),
                {"label": "No data", "colour": categories["unknown"]}]
    return [{"label": style["title"], "colour": style.get("fill") or style["stroke"],
             "outline": style.get("fill") is None}]
