"""Charts in the panels: matplotlib on Qt, made the first time a chart is needed or shown. Importing
matplotlib's Qt backend takes about a quarter of a second, which must not be paid at QGIS start-up."""

from __future__ import annotations

import threading
import warnings

from qgis.PyQt.QtWidgets import QLabel, QVBoxLayout, QWidget

MIN_HEIGHT = 140  # pixels: below this a chart cannot be laid out (axes, ticks, title)


def _quiet_canvas(base):
    """A matplotlib canvas that, squeezed too small to lay out, skips that drawing instead of printing a
    traceback ("Singular matrix") or a "tight layout not applied" warning; it draws again when it has room."""

    class QuietCanvas(base):
        def draw(self) -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                try:
                    super().draw()
                except ValueError:  # numpy's LinAlgError is one: a zero-sized figure cannot be inverted
                    return

    return QuietCanvas


class LazyChart(QWidget):
    """A chart made when first drawn; until then a note of what will appear. matplotlib is imported beside the
    UI thread as soon as the chart is shown (seconds on a busy machine), so drawing it later is quick."""

    def __init__(self, height: float = 2.4, on_create=None, parent=None,
                 placeholder: str = "The chart appears here.") -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._height = height
        self._on_create = on_create  # called with the canvas once it exists (e.g. to connect clicks)
        self.canvas = None
        self.axes = None
        self._missing = False
        self._importing = None
        self.placeholder = QLabel(placeholder)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: gray")
        self._layout.addWidget(self.placeholder)

    def ensure(self) -> bool:
        """Make the chart if it is not made yet; False when matplotlib is missing (a note says so)."""
        if self.axes is not None or self._missing:
            return self.axes is not None
        try:
            from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg
            from matplotlib.figure import Figure
        except ImportError:
            self._missing = True
            self.placeholder.setText("Charts need matplotlib (apt install python3-matplotlib).")
            return False
        figure = Figure(figsize=(4, self._height), layout="tight")
        self.canvas = _quiet_canvas(FigureCanvasQTAgg)(figure)
        self.canvas.setMinimumHeight(MIN_HEIGHT)
        self.axes = figure.add_subplot()
        self.placeholder.hide()
        self._layout.addWidget(self.canvas)
        if self._on_create is not None:
            self._on_create(self.canvas)
        return True

    def redraw(self) -> None:
        if self.canvas is not None:
            self.canvas.draw_idle()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API name
        if self._importing is None and self.axes is None:
            self._importing = threading.Thread(target=_import_matplotlib, name="LEO chart imports", daemon=True)
            self._importing.start()
        super().showEvent(event)


def _import_matplotlib() -> None:
    try:
        import matplotlib.backends.backend_qt5agg  # noqa: F401
        import matplotlib.figure  # noqa: F401
    except ImportError:
        return
