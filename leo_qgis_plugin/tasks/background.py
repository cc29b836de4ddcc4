"""One QgsTask for all of the plugin's background work: network, downloads, parsing."""

from __future__ import annotations

import traceback
from collections.abc import Callable

from qgis.core import Qgis, QgsFeedback, QgsMapLayer, QgsMessageLog, QgsRasterLayer, QgsTask, QgsVectorLayer
from qgis.PyQt.QtXml import QDomDocument

from ..core.exceptions import LeoError
from ..core.formats.errors import FormatError
from ..core.progress import StepFeedback


class BackgroundTask(QgsTask):
    """Runs ``work(feedback)`` off the UI thread, cancellable, with progress in QGIS's task manager;
    then ``done(result)`` or ``failed(message)`` on the UI thread."""

    def __init__(self, description: str, work: Callable[[QgsFeedback], object], done: Callable[[object], None],
                 failed: Callable[[str], None]) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.work = work
        self.done = done
        self.failed = failed
        self.feedback = StepFeedback()
        self.feedback.progressChanged.connect(self.setProgress)
        self.result = None
        self.error = ""

    def run(self) -> bool:
        try:
            self.result = self.work(self.feedback)
        except (LeoError, FormatError) as exc:
            self.error = str(exc)
            return False
        except OSError as exc:
            self.error = f"{exc.strerror or exc}: {exc.filename or ''}".strip(": ")
            return False
        except Exception as exc:  # noqa: BLE001 - a bug of ours: the user is told, the details logged
            QgsMessageLog.logMessage(f"{self.description()}:\n{traceback.format_exc()}", "LEO", Qgis.Critical)
            self.error = (f"{self.description().removeprefix('LEO: ')} failed ({type(exc).__name__}: {exc}). Nothing "
                          "was changed; please report it with the details in View → Panels → Log Messages (LEO).")
            return False
        return not self.isCanceled()

    def cancel(self) -> None:
        self.feedback.cancel()
        super().cancel()

    def finished(self, result: bool) -> None:
        if result:
            self.done(self.result)
        else:
            self.failed("Cancelled." if self.isCanceled() else (self.error or "Something went wrong."))


def copy_for_task(layer: QgsMapLayer, keep_style: bool = False) -> Callable[[], QgsMapLayer]:
    """How a task gets its own copy of a layer the UI thread owns. Memory layers are cloned at once (their
    features are in the layer: no I/O); others are reopened from their source inside the task, so that
    opening them (an OGC API service answering, a large file) never happens on QGIS's UI thread. With
    ``keep_style`` the copy is drawn as the layer is (symbols, labels, time settings: its QML, taken now)."""
    if layer.providerType() == "memory":
        clone = layer.clone()
        return lambda: clone
    source, name, provider = layer.source(), layer.name(), layer.providerType()
    subset = layer.subsetString() if isinstance(layer, QgsVectorLayer) else ""
    kind = QgsVectorLayer if isinstance(layer, QgsVectorLayer) else QgsRasterLayer
    style = None
    if keep_style:
        style = QDomDocument()
        layer.exportNamedStyle(style)

    def reopen() -> QgsMapLayer:
        copy = kind(source, name, provider)
        if subset:
            copy.setSubsetString(subset)
        if not copy.isValid():
            raise LeoError(f"{name!r} could not be opened again for the background work: {source}")
        if style is not None:
            copy.importNamedStyle(style)
        return copy

    return reopen
