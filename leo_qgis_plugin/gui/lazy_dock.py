"""A dock panel made the first time it is opened: its menu and toolbar action exists from the start, the
panel (and the modules behind it) only when wanted, which keeps QGIS's start-up quick. Whether it was open
is remembered, so a panel left open is there again at the next start."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QObject, Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QDockWidget

OPEN_KEY = "leo_qgis/open_panels"


class LazyDock(QObject):
    def __init__(self, name: str, text: str, icon: QIcon, make: Callable[[], QDockWidget], iface) -> None:
        super().__init__(iface.mainWindow())
        self.name = name
        self.make = make
        self.iface = iface
        self.dock: QDockWidget | None = None
        self.action = QAction(icon, text, iface.mainWindow())
        self.action.setCheckable(True)
        self.action.toggled.connect(self._toggled)

    def get(self) -> QDockWidget:
        """The panel, made and added to QGIS's window if it is not yet."""
        if self.dock is None:
            self.dock = self.make()
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            self.dock.toggleViewAction().toggled.connect(self._shown)
        return self.dock

    def restore(self) -> None:
        """Open the panel now if it was open when QGIS last closed."""
        if self.name in QgsSettings().value(OPEN_KEY, [], list):
            self.action.setChecked(True)

    def _toggled(self, checked: bool) -> None:
        if checked:
            dock = self.get()
            dock.show()
            dock.raise_()
            self._shown(True)  # a new panel's own action is checked already: it says nothing on showing
        elif self.dock is not None:
            self.dock.hide()

    def _shown(self, shown: bool) -> None:
        """Follow the panel's own close button and View menu entry; remember it for the next start."""
        if self.action.isChecked() != shown:
            self.action.blockSignals(True)
            self.action.setChecked(shown)
            self.action.blockSignals(False)
        settings = QgsSettings()
        names = [n for n in settings.value(OPEN_KEY, [], list) if n != self.name] + ([self.name] if shown else [])
        settings.setValue(OPEN_KEY, names)

    def remove(self) -> None:
        """Take the panel and the action out of QGIS (on unload), keeping what is remembered."""
        if self.dock is not None:
            self.dock.toggleViewAction().toggled.disconnect(self._shown)
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        self.action.deleteLater()
        self.deleteLater()
