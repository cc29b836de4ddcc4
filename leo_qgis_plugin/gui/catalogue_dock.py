"""The "LEO catalogue" dock: search as you type, see a dataset's record, add it to the map."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timezone
from typing import TYPE_CHECKING

from qgis.core import Qgis, QgsApplication, QgsRectangle, QgsSettings
from qgis.PyQt.QtCore import QDate, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core.catalogue import OgcApiCatalogue, SearchResults
from ..core.datasets import AddMode, cache_size, clear_cache
from ..core.project_layers import add_layer
from ..core.settings import (
    SELECTED_KEY,
    ConnectionKind,
    ConnectionSettings,
    load_connections,
    mirror_as_qgis_oapif_connection,
    remove_connection,
    save_connection,
)
from ..tasks.catalogue import add_dataset_task, search_task
from .connection_dialog import ConnectionDialog
from .record_html import record_html

if TYPE_CHECKING:
    from ..core.ckan import CkanCatalogue

DEBOUNCE_MS = 200  # results ~200 ms after typing stops: under the 300 ms goal
PAGE = 20


class CatalogueDock(QDockWidget):
    """Search the selected catalogue connection and add datasets as layers (all network work in tasks)."""

    message = pyqtSignal(str, int)  # text, Qgis.MessageLevel

    def __init__(self, map_extent: Callable[[], QgsRectangle | None] = lambda: None,
                 zoom_to: Callable[[QgsRectangle], None] = lambda _r: None, parent=None) -> None:
        super().__init__("LEO catalogue", parent)
        self.setObjectName("LeoCatalogueDock")
        self.map_extent = map_extent  # the canvas extent in WGS 84, from the plugin
        self.zoom_to = zoom_to
        self.task = None
        self.add_task = None
        self.generation = 0  # of searches: only the latest one's answer is shown
        self.records: list = []
        self.results: SearchResults | None = None
        body = QWidget()
        layout = QVBoxLayout(body)
        connections = QHBoxLayout()
        self.connection = QComboBox()
        self.new_connection = QPushButton("New…")
        self.edit_connection = QPushButton("Edit…")
        self.remove_connection = QPushButton("Remove")
        connections.addWidget(self.connection, 1)
        for button in (self.new_connection, self.edit_connection, self.remove_connection):
            connections.addWidget(button)
        layout.addLayout(connections)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search LEO data: headroom, load, flexibility, Didcot…")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.in_extent = QCheckBox("Only in the current map extent")
        layout.addWidget(self.in_extent)
        filters = QFormLayout()
        self.keywords = QLineEdit()
        self.keywords.setPlaceholderText("e.g. flexibility, network")
        filters.addRow("Keywords", self.keywords)
        self.kind = QComboBox()
        for label, value in (("All kinds", None), ("Vector", "vector"), ("Table", "table"),
                             ("Time series", "timeseries")):
            self.kind.addItem(label, value)
        filters.addRow("Kind", self.kind)
        times = QHBoxLayout()
        self.use_time = QCheckBox("From")
        self.start = QDateEdit(QDate(2019, 1, 1))
        self.end = QDateEdit(QDate.currentDate())
        for widget in (self.start, self.end):
            widget.setCalendarPopup(True)
            widget.setDisplayFormat("dd MMM yyyy")
        times.addWidget(self.use_time)
        times.addWidget(self.start)
        times.addWidget(QLabel("to"))
        times.addWidget(self.end)
        filters.addRow("Time", times)
        self.sort = QComboBox()
        for label, value in (("Best match", None), ("Title", "title"), ("Recently updated", "-updated")):
            self.sort.addItem(label, value)
        filters.addRow("Sort by", self.sort)
        layout.addLayout(filters)
        self.count = QLabel("")
        self.count.setWordWrap(True)  # a long status never widens the dock
        layout.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        splitter.addWidget(self.list)
        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(True)
        splitter.addWidget(self.details)
        layout.addWidget(splitter, 1)
        self.more = QPushButton("Show more results")
        self.more.setVisible(False)
        layout.addWidget(self.more)
        buttons = QHBoxLayout()
        self.mode = QComboBox()
        for label, mode in (("Automatic", AddMode.AUTO), ("Live (OGC API)", AddMode.LIVE),
                            ("Download (GeoPackage)", AddMode.DOWNLOAD)):
            self.mode.addItem(label, mode.value)
        self.zoom = QPushButton("Zoom to extent")
        self.add = QPushButton("Add to map")
        for widget in (self.mode, self.zoom, self.add):
            buttons.addWidget(widget)
        layout.addLayout(buttons)
        cache = QHBoxLayout()
        self.cache_size = QLabel("")
        self.cache_size.setWordWrap(True)
        self.clear_cache = QPushButton("Clear cache")
        self.check_updates = QPushButton("Check for updates")
        self.check_updates.setToolTip("Look for newer versions of the project's layers from catalogues")
        cache.addWidget(self.cache_size, 1)
        cache.addWidget(self.clear_cache)
        cache.addWidget(self.check_updates)
        layout.addLayout(cache)
        self.setWidget(body)

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self.debounce.start())
        self.in_extent.toggled.connect(lambda _c: self.run_search())
        self.keywords.textChanged.connect(lambda _t: self.debounce.start())
        for combo in (self.kind, self.sort):
            combo.currentIndexChanged.connect(lambda _i: self.run_search())
        self.use_time.toggled.connect(lambda _c: self.run_search())
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _d: self.use_time.isChecked() and self.debounce.start())
        self.clear_cache.clicked.connect(self.clear_downloads)
        self.new_connection.clicked.connect(lambda: self.edit(None))
        self.edit_connection.clicked.connect(lambda: self.edit(self.connection.currentData()))
        self.remove_connection.clicked.connect(self.remove_selected)
        self.connection.currentIndexChanged.connect(self._connection_changed)
        self.list.currentRowChanged.connect(self.show_record)
        self.more.clicked.connect(lambda: self.run_search(offset=len(self.records)))
        self.add.clicked.connect(self.add_selected)
        self.zoom.clicked.connect(self.zoom_selected)
        self.reload_connections()
        self.show_cache_size()
        self._enable()

    # --- connections --------------------------------------------------------------------

    def reload_connections(self) -> None:
        selected = QgsSettings().value(SELECTED_KEY, "")
        self.connection.blockSignals(True)
        self.connection.clear()
        for connection in load_connections():
            self.connection.addItem(connection.name, connection)
        index = self.connection.findText(selected)
        self.connection.setCurrentIndex(max(index, 0))
        self.connection.blockSignals(False)

    def edit(self, connection: ConnectionSettings | None) -> None:
        """Add (connection None) or edit a connection."""
        taken = {self.connection.itemText(i) for i in range(self.connection.count())}
        dialog = ConnectionDialog(connection, taken, self)
        if not dialog.exec():
            return
        new = dialog.connection()
        if connection is not None and connection.name != new.name:
            remove_connection(connection.name)
        save_connection(new)
        if new.kind is ConnectionKind.OGC_API_RECORDS:
            mirror_as_qgis_oapif_connection(new)
        QgsSettings().setValue(SELECTED_KEY, new.name)
        self.reload_connections()
        self.run_search()

    def remove_selected(self) -> None:
        connection = self.connection.currentData()
        if connection is not None:
            remove_connection(connection.name)
            self.reload_connections()
            self.run_search()

    def _connection_changed(self) -> None:
        QgsSettings().setValue(SELECTED_KEY, self.connection.currentText())
        self.list.clear()  # the other catalogue's results are not this one's
        self.records = []
        self.details.clear()
        self.count.setText("")
        self._enable()
        self.run_search()

    def catalogue(self) -> OgcApiCatalogue | CkanCatalogue | None:
        connection = self.connection.currentData()
        if connection is None:
            return None
        if connection.kind is ConnectionKind.CKAN:
            from ..core.ckan import CkanCatalogue  # loaded when a CKAN portal is first used

            return CkanCatalogue(connection.url, connection.authcfg)
        if connection.kind is ConnectionKind.OPENDATASOFT:
            from ..core.opendatasoft import OpendatasoftCatalogue  # loaded when first used

            return OpendatasoftCatalogue(connection.url, connection.authcfg)
        return OgcApiCatalogue(connection.url, connection.authcfg)

    @staticmethod
    def _cancel(task) -> None:
        try:
            if task is not None:
                task.cancel()
        except RuntimeError:  # already finished: deleted by the task manager
            pass

    def cancel_tasks(self) -> None:
        """Cancel this panel's search and download (when the plugin unloads)."""
        self.generation += 1  # a search finishing now is dropped: the panel may be gone
        self._cancel(self.task)
        self._cancel(self.add_task)

    # --- searching ----------------------------------------------------------------------

    def run_search(self, offset: int = 0) -> None:
        catalogue = self.catalogue()
        if catalogue is None:
            self.count.setText("No catalogue connection is configured.")
            return
        # Searches are quick: rather than cancelling one under way (cancelling a QgsBlockingNetworkRequest at the
        # wrong moment can leave it waiting for ever in QGIS 3.22), let it finish and drop its stale answer.
        self.generation += 1
        generation = self.generation
        bbox = None
        if self.in_extent.isChecked():
            extent = self.map_extent()
            if extent is not None:
                bbox = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
        query = {"text": self.search.text(), "bbox": bbox, "limit": PAGE, "offset": offset,
                 "keywords": [k.strip() for k in self.keywords.text().split(",") if k.strip()] or None,
                 "kinds": [self.kind.currentData()] if self.kind.currentData() else None,
                 "sortby": self.sort.currentData() or (None if self.search.text().strip() else "-updated")}
        if self.use_time.isChecked():
            query["start"] = datetime.combine(self.start.date().toPyDate(), time.min, timezone.utc)
            query["end"] = datetime.combine(self.end.date().toPyDate(), time.max, timezone.utc)
        self.task = search_task(
            catalogue, lambda results: generation == self.generation and self._show_results(results, offset),
            lambda text: generation == self.generation and self._search_failed(text), **query)
        QgsApplication.taskManager().addTask(self.task)

    def _show_results(self, results: SearchResults, offset: int) -> None:
        if offset == 0:
            self.list.clear()
            self.records = []
            self.details.clear()
        self.results = results
        for record in results.records:
            updated = record.updated.strftime("%d %b %Y") if record.updated else "–"
            # Words, not a ⏱ glyph: many platform fonts draw that as a missing-glyph box.
            kind = "Time series" if record.is_time_series else (record.kind or "dataset").capitalize()
            item = QListWidgetItem(f"{record.title}\n{kind} · {record.publisher} · updated {updated} · "
                                   f"{record.licence} · {record.provenance}")
            item.setToolTip(record.description)
            self.list.addItem(item)
            self.records.append(record)
        self.count.setText(f"{results.total} dataset(s)" if results.total else "No datasets match.")
        self.more.setVisible(results.has_more)
        self._enable()

    def _search_failed(self, text: str) -> None:
        if text != "Cancelled.":
            self.count.setText(f"Offline or unreachable: {text}")
            self.message.emit(text, Qgis.Warning)

    # --- the selected record --------------------------------------------------------------

    def selected(self):
        row = self.list.currentRow()
        return self.records[row] if 0 <= row < len(self.records) else None

    def show_record(self, _row: int) -> None:
        record = self.selected()
        self.details.setHtml(record_html(record) if record else "")
        self._enable()

    def _enable(self) -> None:
        record = self.selected()
        self.add.setEnabled(record is not None and self.add_task is None)
        self.zoom.setEnabled(record is not None and record.spatial_extent is not None)

    def zoom_selected(self) -> None:
        record = self.selected()
        if record and record.spatial_extent:
            self.zoom_to(QgsRectangle(*record.spatial_extent))

    def add_selected(self) -> None:
        record, catalogue = self.selected(), self.catalogue()
        if record is None or catalogue is None:
            return
        self.add_task = add_dataset_task(catalogue, record.id, AddMode(self.mode.currentData()), self._added,
                                         self._add_failed)
        self._enable()
        self.count.setText(f"Opening {record.title}…")
        title = record.title
        self.add_task.feedback.stepChanged.connect(lambda step: self.count.setText(f"{title}: {step}…"))
        QgsApplication.taskManager().addTask(self.add_task)

    def show_cache_size(self) -> None:
        size = cache_size()
        self.cache_size.setText(f"Downloads kept for offline use: {size / 1024 ** 2:,.1f} MB")
        self.clear_cache.setEnabled(size > 0)

    def clear_downloads(self) -> None:
        removed = clear_cache()
        self.show_cache_size()
        self.message.emit(f"Removed {removed} downloaded file(s) from the cache.", Qgis.Info)

    def _added(self, result) -> None:
        layer, offline = result
        self.add_task = None
        self.show_cache_size()
        add_layer(layer)
        text = f"Added {layer.name()}" + (" from the offline copy: the catalogue is unreachable." if offline else ".")
        self.count.setText(text)
        self.message.emit(text, Qgis.Warning if offline else Qgis.Success)
        self._enable()

    def _add_failed(self, text: str) -> None:
        self.add_task = None
        self.count.setText(text)
        self.message.emit(text, Qgis.Critical)
        self._enable()
