"""Turning the bytes of a published text file into text, as spreadsheet programs save it."""

from __future__ import annotations

import codecs

from .errors import FormatError


def decode_text(data: bytes, what: str = "file") -> str:
    """Decode UTF-8 (with or without BOM) or Windows-1252; refuse empty or binary input."""
    if not data.strip():
        raise FormatError(f"The {what} is empty.")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        raise FormatError(f"The {what} is UTF-16 text; save it as UTF-8 or Windows-1252 CSV.")
    if b"\x00" in data[:65536]:
        raise FormatError(f"The {what} is not a text file (it contains binary data).")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV" in the Windows-1252 code page.
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"The {what} cannot be decoded: byte 0x{data[exc.start]:02x} at position "
            f"{exc.start} is neither UTF-8 nor Windows-1252 text."
        ) from None
