"""The error every reader raises for input it cannot accept."""


class FormatError(ValueError):
    """The input is not in the expected format; the message says what is wrong, for a user."""
