"""The portal forms' own fields, turned into the API's parameters."""

from __future__ import annotations

from datetime import date

from ..errors import bad_parameter

LABELS = {"from": "From", "to": "To"}


def date_interval(params) -> str | None:
    """The form's dates ``from`` and ``to`` (either may be empty) as the API's ``datetime`` interval, or None."""
    ends = {}
    for name in ("from", "to"):
        value = (params.get(name) or "").strip()
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise bad_parameter(name, f"{LABELS[name]}: {value!r} is not a date such as 2025-01-31.") from None
        ends[name] = value
    if not ends["from"] and not ends["to"]:
        return None
    return f"{ends['from'] or '..'}/{ends['to'] or '..'}"
