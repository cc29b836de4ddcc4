"""The plugin's update checker on a real layer tree view, as tests drive it."""

from __future__ import annotations

from dataclasses import dataclass, field

from qgis.core import QgsLayerTreeModel, QgsProject
from qgis.gui import QgsLayerTreeView

from .qt import wait_for


@dataclass
class CheckedTree:
    """A layer tree view over ``project``, its UpdateChecker after one check, and what the checker said."""

    view: QgsLayerTreeView
    checker: object
    counts: list[int] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def checked_tree(project: QgsProject) -> CheckedTree:
    """Check the project's catalogue layers for newer versions, as opening a project does, and wait for it."""
    from leo_qgis_plugin.gui.updates import UpdateChecker

    view = QgsLayerTreeView()
    view.setModel(QgsLayerTreeModel(project.layerTreeRoot()))
    tree = CheckedTree(view, UpdateChecker(view))
    tree.checker.checked.connect(tree.counts.append)
    tree.checker.message.connect(lambda text, _level: tree.messages.append(text))
    tree.checker.check()
    wait_for(lambda: tree.counts)
    return tree
