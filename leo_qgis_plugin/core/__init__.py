"""Core: catalogue clients, models, layer building, settings. Knows no widgets and no ``iface``."""
