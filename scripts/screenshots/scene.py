"""Shared set-up of the docs scenes (run inside desktop QGIS by scripts/take_screenshots.sh)."""

from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsRectangle, QgsSettings
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface

# A scripted scene must not stop at QGIS's datum-transformation question.
QgsSettings().setValue("/projections/promptWhenMultipleTransformsExist", False, QgsSettings.App)


def show_in_british_national_grid(xmin: float, ymin: float, xmax: float, ymax: float, delay_ms: int = 3000) -> None:
    """Once the layers have loaded: British National Grid (as UK councils work), this extent, a clean screen."""

    def finish() -> None:
        QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:27700"))
        iface.mapCanvas().setExtent(QgsRectangle(xmin, ymin, xmax, ymax))
        iface.mapCanvas().refresh()
        # QGIS warns when the OSTN15 grid is missing (it is not in Debian's proj-data): not the scene's subject.
        QTimer.singleShot(1500, iface.messageBar().clearWidgets)

    QTimer.singleShot(delay_ms, finish)
