"""Time: temporal properties of catalogue layers, the Temporal Controller, fast playback of series."""
