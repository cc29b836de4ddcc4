"""The plugin's own files (icons, styles, docs) by path inside the plugin folder.

Qt 6 has no resource compiler for Python (no pyrcc output, so no qrc paths of our own), so files
are loaded from where the plugin is installed; ``resources.qrc`` at the top of the repository lists them.
"""

from __future__ import annotations

from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parents[1]


def resource_path(relative: str) -> str:
    """The absolute path of a file shipped in the plugin folder, e.g. ``icons/leo.svg``."""
    return str(PLUGIN_DIR / relative)


LEO_ICON = resource_path("icons/leo.svg")
