"""LEO's algorithms chained in a Processing model, as an analyst builds one in the Model Designer: extract red
substations from the catalogue on the server, then export them as a zipped Shapefile in British National Grid."""

from __future__ import annotations

import zipfile

from .support.http_client import Http


def test_a_model_extracts_then_exports(sqlite_server, leo_processing, tmp_path):
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelParameter,
        QgsProcessingParameterString,
    )

    static = QgsProcessingModelChildParameterSource.fromStaticValue
    model = QgsProcessingModelAlgorithm("Red substations for a contractor", "LEO")
    model.addModelParameter(QgsProcessingParameterString("catalogue", "Catalogue"),
                            QgsProcessingModelParameter("catalogue"))
    extract = QgsProcessingModelChildAlgorithm("leo:extractdataset")
    extract.setChildId("extract")
    extract.addParameterSources("CATALOGUE", [QgsProcessingModelChildParameterSource.fromModelParameter("catalogue")])
    for name, value in (("DATASET_ID", "ssen-headroom"), ("FORMAT", 0), ("FILTER", "demand_rag = 'Red'"),
                        ("OVERWRITE", False), ("OUTPUT", str(tmp_path / "red.gpkg"))):
        extract.addParameterSources(name, [static(value)])
    model.addChildAlgorithm(extract)
    export = QgsProcessingModelChildAlgorithm("leo:exportlayers")
    export.setChildId("export")
    export.addParameterSources("LAYERS", [QgsProcessingModelChildParameterSource.fromChildOutput("extract", "OUTPUT")])
    for name, value in (("FORMAT", 0), ("CRS", "EPSG:27700"), ("OVERWRITE", False), ("SELECTED_ONLY", False),
                        ("OUTPUT", str(tmp_path / "red-for-contractor.zip"))):
        export.addParameterSources(name, [static(value)])
    model.addChildAlgorithm(export)
    assert model.validate()[0], model.validate()[1]

    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    _results, ok = model.run({"catalogue": sqlite_server.url}, context, feedback)
    assert ok
    archive = tmp_path / "red-for-contractor.zip"
    names = zipfile.ZipFile(archive).namelist()
    assert any(n.endswith(".shp") for n in names) and any(n.endswith(".prj") for n in names)
    from osgeo import ogr

    dataset = ogr.Open(f"/vsizip/{archive}/{next(n for n in names if n.endswith('.shp'))}")
    expected = Http(sqlite_server.url).json("/collections/ssen-headroom/items?limit=1&demand_rag=Red")["numberMatched"]
    assert dataset.GetLayer(0).GetFeatureCount() == expected > 0
    assert "27700" in dataset.GetLayer(0).GetSpatialRef().ExportToWkt() or \
        "British_National_Grid" in dataset.GetLayer(0).GetSpatialRef().ExportToWkt()
