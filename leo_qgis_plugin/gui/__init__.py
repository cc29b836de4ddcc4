"""GUI: docks, dialogs, the Browser data item provider and layer-tree indicators."""
