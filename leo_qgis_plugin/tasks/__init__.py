"""Tasks: ``QgsTask`` subclasses for network and long work (search, download, upload, export)."""
