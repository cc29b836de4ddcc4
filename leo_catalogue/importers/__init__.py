"""Importers: published files into catalogue datasets, through the plugin's own readers."""
