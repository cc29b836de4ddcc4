"""Processing: the ``leo`` provider whose algorithms expose core operations to models and qgis_process."""
