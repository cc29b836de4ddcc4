"""Reading a headroom CSV (a file, or a URL through QGIS's network stack) off the UI thread."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsFeedback, QgsTask

from ..core.constraints.headroom_file import OpenedHeadroom, headroom_layer, read_source_bytes
from ..core.exceptions import LeoError
from ..core.formats.errors import FormatError


class OpenHeadroomFileTask(QgsTask):
    def __init__(self, source: str, authcfg: str, done: Callable[[OpenedHeadroom], None],
                 failed: Callable[[str], None]) -> None:
        super().__init__(f"LEO: reading {source}", QgsTask.CanCancel)
        self.source = source
        self.authcfg = authcfg
        self.done = done
        self.failed = failed
        self.data: bytes = b""
        self.name = ""
        self.error = ""
        self.feedback = QgsFeedback()

    def run(self) -> bool:
        try:
            self.data, self.name = read_source_bytes(self.source, self.authcfg, self.feedback)
        except (LeoError, FormatError, OSError) as exc:
            self.error = str(exc)
            return False
        return not self.isCanceled()

    def cancel(self) -> None:
        self.feedback.cancel()
        super().cancel()

    def finished(self, result: bool) -> None:
        if not result:
            self.failed(self.error or "Cancelled.")
            return
        try:
            self.done(headroom_layer(self.data, self.name))
        except FormatError as exc:
            self.failed(str(exc))
