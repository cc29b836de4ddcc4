"""Small, hand-made network layers in British National Grid for screening tests."""

from __future__ import annotations

from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer


def layer(uri: str, name: str, rows: list[tuple[list, str | None]]) -> QgsVectorLayer:
    result = QgsVectorLayer(uri, name, "memory")
    features = []
    for attributes, wkt in rows:
        feature = QgsFeature(result.fields())
        feature.setAttributes(attributes)
        if wkt:
            feature.setGeometry(QgsGeometry.fromWkt(wkt))
        features.append(feature)
    assert result.dataProvider().addFeatures(features)[0], f"{name}: features rejected"
    return result


def headroom() -> QgsVectorLayer:
    """P1 (1.0 MVA, Green), P2 (0.3 MVA, Amber) and a BSP that screening must ignore."""
    uri = ("Point?crs=EPSG:27700&field=asset_id:string&field=name:string&field=substation_type:string"
           "&field=demand_headroom_mva:double&field=demand_rag:string&field=generation_headroom_mw:double"
           "&field=generation_rag:string&field=demand_constraint:string&field=substation_works_completion:date")
    return layer(uri, "headroom", [
        (["P1", "Primary One", "Primary", 1.0, "Green", 2.0, "Green", None, None], "POINT(450000 200000)"),
        (["P2", "Primary Two", "Primary", 0.3, "Amber", 0.1, "Red", "Substation Thermal Capacity", "2027-09-01"],
         "POINT(460000 200000)"),
        (["B1", "A BSP", "BSP", 50.0, "Green", 50.0, "Green", None, None], "POINT(455000 205000)"),
    ])


def areas() -> QgsVectorLayer:
    return layer("Polygon?crs=EPSG:27700&field=asset_id:string", "areas", [
        (["P1"], "POLYGON((445000 195000, 455000 195000, 455000 205000, 445000 205000, 445000 195000))"),
        (["P2"], "POLYGON((455000 195000, 461000 195000, 461000 205000, 455000 205000, 455000 195000))"),
    ])


def sites(crs: str = "EPSG:27700") -> QgsVectorLayer:
    """s1, s2 in P1's area; s3 far outside; s4 1.5 km from P2 outside its area; s5 an invalid polygon in P2's
    area; s6 without geometry; s7 with a demand that is not a number."""
    uri = f"Unknown?crs={crs}&field=site:string&field=kva:string&field=distance_m:double"
    rows = [
        (["s1", "400", 1.0], "POINT(449000 199000)"),
        (["s2", "700", 2.0], "POINT(451000 201000)"),
        (["s3", "10", 3.0], "POINT(480000 200000)"),
        (["s4", "100", 4.0], "POINT(461500 200000)"),
        (["s6", "5", 6.0], None),
        (["s7", "lots", 7.0], "POINT(452000 202000)"),
    ]
    points = layer(uri.replace("Unknown", "Point"), "sites", rows)
    return points


def polygon_sites() -> QgsVectorLayer:
    return layer("Polygon?crs=EPSG:27700&field=site:string&field=kva:double", "plots", [
        # a bow-tie: invalid as drawn, inside P2's area
        (["s5", 50.0], "POLYGON((457000 199000, 459000 201000, 459000 199000, 457000 201000, 457000 199000))"),
        (["s8", 20.0], "POLYGON((446000 196000, 447000 196000, 447000 197000, 446000 197000, 446000 196000))"),
    ])
