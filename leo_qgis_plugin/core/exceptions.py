"""Errors with messages meant for the user (shown in the message bar, never as a traceback)."""


class LeoError(Exception):
    """Something the user can act on; ``str(error)`` is the message to show."""


class NetworkError(LeoError):
    """A request to a catalogue failed (unreachable, HTTP error, not the expected content)."""
