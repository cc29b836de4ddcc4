"""The "LEO network constraints" dock: add the overlay, switch demand/generation, filter, screen sites."""

from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..core.catalogue import OgcApiCatalogue
from ..core.constraints.definitions import (
    AREAS_DATASET,
    SUBSTATION_TYPES,
    SUBSTATIONS_DATASET,
    ZONES_DATASET,
    ConstraintKind,
    RagPalette,
)
from ..core.constraints.overlay import ConstraintOverlay
from ..core.constraints.styling import style_substations
from ..core.settings import selected_connection
from ..tasks.catalogue import open_datasets_task
from ..tasks.headroom_file import open_headroom_file_task

VOLTAGES = [("All voltages", None), ("400 kV", 400.0), ("132 kV", 132.0), ("33 kV", 33.0)]


class ConstraintsDock(QDockWidget):
    """Controls for the SSEN network-constraints overlay; restyles the same layers, never copies them."""

    message = pyqtSignal(str, int)  # text, Qgis.MessageLevel
    screen_requested = pyqtSignal()

    def __init__(self, parent=None) -> None:
        super().__init__("LEO network constraints", parent)
        self.setObjectName("LeoConstraintsDock")
        self.task = None
        body = QWidget()
        layout = QVBoxLayout(body)

        self.add_button = QPushButton("Add network constraints overlay")
        self.add_button.clicked.connect(self.add_overlay)
        layout.addWidget(self.add_button)

        form = QFormLayout()
        kinds = QHBoxLayout()
        self.kind_buttons = QButtonGroup(self)
        for kind in ConstraintKind:
            button = QRadioButton(f"{kind.value.capitalize()} headroom ({kind.unit})")
            button.setProperty("kind", kind.value)
            button.setChecked(kind is ConstraintKind.DEMAND)
            self.kind_buttons.addButton(button)
            kinds.addWidget(button)
        self.kind_buttons.buttonClicked.connect(lambda _b: self.restyle())
        form.addRow("Colour by", kinds)
        types = QHBoxLayout()
        self.type_boxes = {}
        for kind in SUBSTATION_TYPES:
            box = QCheckBox(kind)
            box.setChecked(True)
            box.toggled.connect(lambda _c: self.apply_filter())
            self.type_boxes[kind] = box
            types.addWidget(box)
        form.addRow("Substations", types)
        self.voltage = QComboBox()
        for label, value in VOLTAGES:
            self.voltage.addItem(label, value)
        self.voltage.currentIndexChanged.connect(lambda _i: self.apply_filter())
        form.addRow("Voltage", self.voltage)
        self.palette = QComboBox()
        for palette in RagPalette:
            self.palette.addItem(palette.value.label, palette.name)
        self.palette.setCurrentIndex(list(RagPalette).index(RagPalette.current()))
        self.palette.currentIndexChanged.connect(self.change_palette)
        form.addRow("RAG colours", self.palette)
        layout.addLayout(form)

        self.open_button = QPushButton("Open headroom CSV (SSEN, NGED, NPG)…")
        self.open_button.clicked.connect(self.choose_headroom_file)
        layout.addWidget(self.open_button)
        self.screen_button = QPushButton("Screen my sites…")
        self.screen_button.clicked.connect(self.screen_requested)
        layout.addWidget(self.screen_button)
        self.status = QLabel("")
        self.status.setWordWrap(True)  # a long status never widens the dock
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.setWidget(body)

    # --- state --------------------------------------------------------------------------

    @property
    def kind(self) -> ConstraintKind:
        return ConstraintKind(self.kind_buttons.checkedButton().property("kind"))

    def _say(self, text: str, level: int = Qgis.Info) -> None:
        self.status.setText(text)
        self.message.emit(text, level)

    # --- actions ------------------------------------------------------------------------

    def add_overlay(self) -> None:
        overlay = ConstraintOverlay.find()
        if overlay is not None:
            self.restyle()
            self._say("The network constraints overlay is already in the project; restyled it.")
            return
        connection = selected_connection()
        if connection is None:
            self._say("No catalogue connection is configured.", Qgis.Warning)
            return
        catalogue = OgcApiCatalogue(connection.url, connection.authcfg)
        datasets = {"zones": ZONES_DATASET, "substations": SUBSTATIONS_DATASET, "areas": AREAS_DATASET}
        self.add_button.setEnabled(False)
        self.status.setText(f"Opening the overlay from {connection.name}…")
        self.task = open_datasets_task(catalogue, datasets, self._overlay_ready, self._failed)
        QgsApplication.taskManager().addTask(self.task)

    def _overlay_ready(self, layers: dict) -> None:
        self.add_button.setEnabled(True)
        titles = {"zones": "Flexibility zones (CMZs)", "substations": "Substations", "areas": "Primary supply areas"}
        for role, layer in layers.items():
            layer.setName(titles[role])
        ConstraintOverlay.from_layers(layers)
        self.restyle()
        self.apply_filter()
        self._say("Network constraints overlay added.", Qgis.Success)

    def _failed(self, text: str) -> None:
        self.add_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self._say(text, Qgis.Critical)

    def restyle(self) -> None:
        overlay = ConstraintOverlay.find()
        if overlay is not None:
            overlay.set_kind(self.kind, RagPalette[self.palette.currentData()])

    def apply_filter(self) -> None:
        overlay = ConstraintOverlay.find()
        if overlay is None:
            return
        types = [kind for kind, box in self.type_boxes.items() if box.isChecked()]
        voltage = self.voltage.currentData()
        overlay.set_filter(types if len(types) < len(self.type_boxes) else None, [voltage] if voltage else None)

    def change_palette(self) -> None:
        RagPalette[self.palette.currentData()].save()
        self.restyle()

    def choose_headroom_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a headroom CSV", "", "CSV files (*.csv *.CSV);;All files (*)")
        if not path:
            url, ok = QInputDialog.getText(self, "Open a headroom CSV", "…or a URL (e.g. a CKAN resource):")
            if not ok or not url.strip():
                return
            path = url.strip()
        self.open_headroom(path)

    def open_headroom(self, source: str, authcfg: str = "") -> None:
        self.open_button.setEnabled(False)
        self.status.setText(f"Reading {source}…")
        self.task = open_headroom_file_task(source, authcfg, self._headroom_ready, self._failed)
        QgsApplication.taskManager().addTask(self.task)

    def _headroom_ready(self, opened) -> None:
        self.open_button.setEnabled(True)
        QgsProject.instance().addMapLayer(opened.layer, False)
        QgsProject.instance().layerTreeRoot().insertLayer(0, opened.layer)
        style_substations(opened.layer, self.kind, RagPalette[self.palette.currentData()].value)
        level = Qgis.Warning if opened.rows_without_location or opened.warnings else Qgis.Success
        self._say(opened.message(), level)
