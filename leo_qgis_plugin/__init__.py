"""LEO for QGIS: Project LEO (Local Energy Oxfordshire) data and network headroom in QGIS.

Nothing heavy is imported here: the catalogue server imports ``leo_qgis_plugin.core.formats``
without QGIS, and QGIS start-up must stay fast.
"""


def classFactory(iface):  # noqa: N802 - the name QGIS looks for
    """QGIS entry point."""
    from .plugin import LeoPlugin

    return LeoPlugin(iface)
