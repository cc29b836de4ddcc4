"""Readers of the published formats (SSEN, Project LEO), in pure Python.

Standard library only: the plugin zip must be self-contained and the catalogue
server imports these same readers, so nothing here may import ``qgis``.
"""
