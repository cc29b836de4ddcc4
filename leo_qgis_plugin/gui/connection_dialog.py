"""Adding or editing a catalogue connection: name, URL, kind, and an authentication configuration from
QGIS's authentication database (passwords and tokens never go into the plugin's settings)."""

from __future__ import annotations

from qgis.gui import QgsAuthConfigSelect
from qgis.PyQt.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from ..core.settings import ConnectionKind, ConnectionSettings


class ConnectionDialog(QDialog):
    def __init__(self, connection: ConnectionSettings | None = None, taken: set[str] = frozenset(), parent=None):
        super().__init__(parent)
        self.setWindowTitle("Catalogue connection")
        self.original = connection
        self.taken = set(taken) - ({connection.name} if connection else set())
        form = QFormLayout(self)
        self.name = QLineEdit(connection.name if connection else "")
        self.url = QLineEdit(connection.url if connection else "https://")
        self.kind = QComboBox()
        self.kind.addItem("LEO catalogue / OGC API Records", ConnectionKind.OGC_API_RECORDS.value)
        self.kind.addItem("CKAN portal (e.g. SSEN, National Grid, NESO)", ConnectionKind.CKAN.value)
        self.kind.addItem("Opendatasoft portal (e.g. UK Power Networks, Northern Powergrid)",
                          ConnectionKind.OPENDATASOFT.value)
        if connection:
            self.kind.setCurrentIndex(self.kind.findData(connection.kind.value))
        self.auth = QgsAuthConfigSelect(self)
        if connection and connection.authcfg:
            self.auth.setConfigId(connection.authcfg)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #b00020")
        form.addRow("Name", self.name)
        form.addRow("URL", self.url)
        form.addRow("Kind", self.kind)
        form.addRow("Authentication", self.auth)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def connection(self) -> ConnectionSettings:
        return ConnectionSettings(self.name.text().strip(), self.url.text().strip(),
                                  ConnectionKind(self.kind.currentData()), self.auth.configId())

    def accept(self) -> None:
        connection = self.connection()
        if not connection.name:
            self.problem.setText("Give the connection a name.")
        elif "/" in connection.name:
            self.problem.setText("A name cannot contain '/'.")
        elif connection.name in self.taken:
            self.problem.setText("Another connection has this name.")
        elif not connection.url.startswith(("http://", "https://")) or len(connection.url) < 10:
            self.problem.setText("The URL must start with http:// or https://.")
        else:
            super().accept()
