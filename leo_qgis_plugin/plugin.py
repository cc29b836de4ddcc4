"""Wiring only: what the plugin registers with QGIS on load, and removes on unload."""

from __future__ import annotations

from .core.settings import ensure_default_connection


class LeoPlugin:
    """The QGIS plugin object returned by ``classFactory``."""

    def __init__(self, iface):
        self.iface = iface

    def initGui(self) -> None:  # noqa: N802 - QGIS API name
        from . import resources  # noqa: F401 - registers the plugin's Qt resources (icons)

        ensure_default_connection()

    def unload(self) -> None:
        from . import resources

        resources.qCleanupResources()
