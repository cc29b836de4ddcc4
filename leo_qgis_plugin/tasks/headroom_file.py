"""Reading a headroom CSV (a file, or a URL through QGIS's network stack) as a background task."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsApplication, QgsFeedback, QgsTask

from ..core.constraints.headroom_file import OpenedHeadroom, headroom_layer, read_source_bytes
from .background import BackgroundTask


def open_headroom_file_task(source: str, authcfg: str, done: Callable[[OpenedHeadroom], None],
                            failed: Callable[[str], None]) -> QgsTask:
    def work(feedback: QgsFeedback) -> OpenedHeadroom:
        data, name = read_source_bytes(source, authcfg, feedback)
        opened = headroom_layer(data, name)
        opened.layer.moveToThread(QgsApplication.instance().thread())
        return opened

    return BackgroundTask(f"LEO: reading {source}", work, done, failed)
