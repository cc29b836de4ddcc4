"""Sending a finished file as a static one: ETag and 304, Content-Length, and one byte range (206 / 416), so that
an interrupted download can resume where it stopped.

Range headers are taken strictly: one ``bytes=first-last``, ``bytes=first-`` or ``bytes=-suffix`` range of at
most 19 digits a number. Anything else (several ranges, another unit, malformed or reversed numbers) is ignored
and the whole file sent, as HTTP allows; a range that starts past the end answers 416 with the file's size.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

CHUNK = 1024 * 1024
_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """(first, last) inclusive for a satisfiable single range; None to send the whole file; False when the range
    cannot be satisfied (416)."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        return (max(0, size - suffix), size - 1) if suffix > 0 and size > 0 else False
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return False
    return start, min(end, size - 1)


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def file_answer(request: Request, path: Path, media: str, filename: str, etag: str) -> Response:
    """The file at ``path`` (opened at once: a newer file put in its place later does not change this answer)."""
    headers = {"ETag": etag, "Accept-Ranges": "bytes", "Cache-Control": "no-cache",
               "Content-Disposition": f'attachment; filename="{filename}"'}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    handle = path.open("rb")
    size = os.fstat(handle.fileno()).st_size
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != etag:
        wanted = None  # the client's part is of another file: send the whole new one
    span = byte_range(wanted, size)
    if span is False:
        handle.close()
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    first, last = span if span else (0, size - 1)
    length = max(0, last - first + 1)
    headers["Content-Length"] = str(length)
    status = 200
    if span:
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    if request.method == "HEAD":
        handle.close()
        return Response(status_code=status, headers=headers, media_type=media)

    def chunks() -> Iterator[bytes]:
        with handle:
            handle.seek(first)
            left = length
            while left > 0 and (data := handle.read(min(CHUNK, left))):
                left -= len(data)
                yield data

    return StreamingResponse(chunks(), status_code=status, media_type=media, headers=headers)
