"""Dropping SSEN's and Project LEO's files on QGIS opens them with LEO's readers (typed fields);
any other file is left to QGIS."""

from __future__ import annotations

from pathlib import Path

from qgis.gui import QgsCustomDropHandler


class LeoFileDropHandler(QgsCustomDropHandler):
    def __init__(self, open_path) -> None:
        super().__init__()
        self.open_path = open_path  # callable(path): opens the file (in a task) and adds the layer

    def customUriProviderKey(self) -> str:  # noqa: N802 - QGIS API name
        from .browser import DROP_KEY

        return DROP_KEY

    def handleCustomUriDrop(self, uri) -> None:  # noqa: N802 - a catalogue dataset dragged from the Browser
        from .browser import handle_drop

        handle_drop(uri)

    def handleFileDrop(self, file: str) -> bool:  # noqa: N802
        from ..core.open_files import file_kind  # the readers load on the first drop, not at QGIS start-up

        if file_kind(Path(file)) is None:
            return False
        self.open_path(file)
        return True
