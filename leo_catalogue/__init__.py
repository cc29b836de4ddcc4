"""LEO catalogue API server: dataset records and data served over OGC APIs."""

__version__ = "0.1.0"
