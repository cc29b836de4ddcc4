"""Opening catalogue datasets as layers off the UI thread (OAPIF layers fetch on creation)."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsApplication, QgsFeedback, QgsTask, QgsVectorLayer

from ..core.catalogue import OgcApiCatalogue
from ..core.exceptions import LeoError


class OpenDatasetsTask(QgsTask):
    """Creates live layers for several datasets; ``done(layers)`` or ``failed(message)`` on the UI thread."""

    def __init__(self, catalogue: OgcApiCatalogue, datasets: dict[str, str], done: Callable[[dict], None],
                 failed: Callable[[str], None]) -> None:
        super().__init__("LEO: opening network constraint layers", QgsTask.CanCancel)
        self.catalogue = catalogue
        self.datasets = datasets  # role -> dataset id
        self.done = done
        self.failed = failed
        self.layers: dict[str, QgsVectorLayer] = {}
        self.error = ""
        self.feedback = QgsFeedback()

    def run(self) -> bool:
        try:
            for n, (role, dataset_id) in enumerate(self.datasets.items()):
                if self.isCanceled():
                    return False
                record = self.catalogue.get(dataset_id, self.feedback)
                layer = self.catalogue.layer(dataset_id, record=record)
                # Layers made in a task belong to its thread until handed to the UI thread.
                layer.moveToThread(QgsApplication.instance().thread())
                self.layers[role] = layer
                self.setProgress(100.0 * (n + 1) / len(self.datasets))
        except LeoError as exc:
            self.error = str(exc)
            return False
        return True

    def cancel(self) -> None:
        self.feedback.cancel()
        super().cancel()

    def finished(self, result: bool) -> None:
        if result:
            self.done(self.layers)
        else:
            self.failed(self.error or "Cancelled.")
