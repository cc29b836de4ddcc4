"""Progress that says what is happening: a QgsFeedback that also reports its current step in words
("downloading 12.0 of 138.2 MB"), and a feedback for one part of a longer piece of work."""

from __future__ import annotations

from qgis.core import QgsFeedback
from qgis.PyQt.QtCore import Qt, pyqtSignal


class StepFeedback(QgsFeedback):
    """A feedback whose steps are told in words, e.g. to a panel's status line (queued to the UI thread)."""

    stepChanged = pyqtSignal(str)  # noqa: N815 - Qt signal naming


class PartFeedback(QgsFeedback):
    """One part of a parent's work: 0–100 % here is ``start``–``end`` % of the parent; cancelling the parent
    cancels this; steps go to the parent."""

    def __init__(self, parent: QgsFeedback | None, start: float, end: float) -> None:
        super().__init__()
        self.parent_feedback = parent
        if parent is not None:
            parent.canceled.connect(self.cancel, Qt.ConnectionType.DirectConnection)
            if parent.isCanceled():
                self.cancel()
            self.progressChanged.connect(lambda percent: parent.setProgress(start + (end - start) * percent / 100))


def set_step(feedback: QgsFeedback | None, text: str) -> None:
    """Tell the feedback (or the one it is part of) what is being done now."""
    while feedback is not None:
        signal = getattr(feedback, "stepChanged", None)
        if signal is not None:
            signal.emit(text)
            return
        feedback = getattr(feedback, "parent_feedback", None)


def report_bytes(feedback: QgsFeedback | None, done: int, total: int) -> None:
    """A transfer's progress in megabytes, as a step."""
    if total > 0:
        set_step(feedback, f"downloading {done / 1e6:,.1f} of {total / 1e6:,.1f} MB")
    else:
        set_step(feedback, f"downloading: {done / 1e6:,.1f} MB so far")
