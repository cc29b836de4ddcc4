"""Exporting layers for colleagues and contractors: Shapefile done properly, GeoPackage, GeoJSON, CSV."""
