"""Why a file that is nearly one of the published formats is not one: how it was saved (UTF-16 text, a
separator other than the format's), its column names' letter case, the columns it lacks.

Spreadsheet programs re-save published CSV files in these ways; naming the difference tells the user what to
change, where "not a file this plugin reads" would not.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .dno_headroom import PUBLISHERS, column_table
from .lv_feeder import COLUMNS as FEEDER_COLUMNS
from .lv_feeder import REQUIRED as FEEDER_REQUIRED
from .ssen_headroom import HEADER as SSEN_HEADER

SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


@dataclass(frozen=True)
class Format:
    title: str
    columns: tuple[str, ...]   # the published header (or the columns that identify the format)
    required: tuple[str, ...]  # of those, what a file must have
    separators: tuple[str, ...] = (",",)


def _formats() -> list[Format]:
    feeder = tuple(name for name, _ in FEEDER_COLUMNS)
    known = [Format("SSEN's LV-feeder half-hourly data", feeder, FEEDER_REQUIRED),
             Format("SSEN's headroom file", tuple(SSEN_HEADER), tuple(SSEN_HEADER)),
             Format("a Project LEO meter file", ("Date", "Time"), ("Date", "Time"), ("\t", ","))]
    for dno, owner in PUBLISHERS.items():
        if dno != "SSEN":
            identifying = tuple(sorted(column_table(dno)[1]))
            known.append(Format(f"{owner} headroom file", identifying, ()))
    return known


def _decoded(head: bytes) -> tuple[str, str | None]:
    """The text of a file's first bytes, and its encoding when that is one the formats are not saved in."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace"), "UTF-16"
    if len(head) > 3 and head[1] == 0 and head[3] == 0:  # UTF-16 little-endian without a byte-order mark
        return head.decode("utf-16-le", "replace"), "UTF-16"
    if len(head) > 3 and head[0] == 0 and head[2] == 0:
        return head.decode("utf-16-be", "replace"), "UTF-16"
    return head.decode("utf-8-sig", "replace"), None


def explain(head: bytes, name: str) -> str | None:
    """The reason a file (its first bytes) is nearly, but not, one of the formats; None when it is none."""
    text, encoding = _decoded(head)
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    best: tuple[float, Format, str, list[str]] | None = None
    for separator in SEPARATORS:
        cells = [c.strip().strip('"') for c in first.split(separator)]
        lowered = {c.lower() for c in cells}
        for known in _formats():
            share = sum(c.lower() in lowered for c in known.columns) / len(known.columns)
            if share >= 0.5 and (best is None or share > best[0]):
                best = (share, known, separator, cells)
    if best is None:
        return None
    _, known, separator, cells = best
    reasons = []
    if encoding:
        reasons.append(f"it is saved as {encoding} text (as Excel's \"Unicode text\" does); the format is UTF-8 "
                       "or Windows-1252 text")
    if separator not in known.separators:
        wanted = " or ".join(SEPARATORS[s] for s in known.separators)
        reasons.append(f"its columns are separated by {SEPARATORS[separator]}, not {wanted}")
    spelled = {k.lower(): k for k in known.columns}
    recased = [c for c in cells if c not in known.columns and c.lower() in spelled][:3]
    if recased:
        case = "upper case" if all(c.isupper() for c in recased) else "another letter case"
        reasons.append(f"its column names are in {case} ({', '.join(recased)}, …) where the format writes "
                       f"{', '.join(spelled[c.lower()] for c in recased)}")
    found = {c.lower() for c in cells}
    missing = [c for c in known.required if c.lower() not in found]
    if missing:
        reasons.append(f"it lacks the column(s) {', '.join(missing)}")
    if not reasons:
        return None
    return f"{name} looks like {known.title} but {'; '.join(reasons)}. Save it as published and open it again."
