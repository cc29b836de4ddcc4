"""Opening an SSEN or LEO file in the background, with progress and cancel (an LV-feeder day of a whole licence
area is 806 MB: it is streamed into a GeoPackage)."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsApplication, QgsFeedback, QgsTask

from ..core.open_files import OpenedFile, open_file
from .background import BackgroundTask


def open_file_task(path: str, done: Callable[[OpenedFile], None], failed: Callable[[str], None]) -> QgsTask:
    def work(feedback: QgsFeedback) -> OpenedFile | None:
        opened = open_file(path, feedback)
        if opened is not None:
            opened.layer.moveToThread(QgsApplication.instance().thread())
        return opened

    return BackgroundTask(f"LEO: opening {path}", work, done, failed)
