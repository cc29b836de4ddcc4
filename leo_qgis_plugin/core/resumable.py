"""Downloads that resume: a large file is streamed into ``<name>.part`` beside its target, renamed to the target only
once complete. When a transfer is cut short, the part is kept if the server can resume it (it sent an ETag and
``Accept-Ranges: bytes``) and the rest is asked for (``Range`` with ``If-Range``: a changed file comes whole
again); otherwise it is removed, so a broken download leaves nothing behind.

Blocking, like network.py: call it in a QgsTask.
"""

from __future__ import annotations

import re
from pathlib import Path

from qgis.core import QgsFeedback

from .exceptions import LeoError, NetworkError
from .network import stream_get

ATTEMPTS = 4  # a connection cut short is resumed this many times in one call while each attempt brings bytes
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class _Part:
    """The partial file and the ETag it belongs to (in ``<name>.part.etag``)."""

    def __init__(self, target: Path) -> None:
        self.path = target.with_name(f"{target.name}.part")
        self.tag_path = target.with_name(f"{target.name}.part.etag")

    @property
    def etag(self) -> str:
        try:
            return self.tag_path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() and self.etag else 0

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.tag_path.unlink(missing_ok=True)


class _Attempt:
    """One GET of the rest of the file: decides from the answer's head whether it continues the part or
    starts it again, and writes the chunks there."""

    def __init__(self, part: _Part, offset: int) -> None:
        self.part = part
        self.offset = offset
        self.expected: int | None = None  # the whole file's size, when the server said it
        self.resumable = False
        self.unsatisfiable = False
        self.written = 0
        self._out = None

    def head(self, status: int, header) -> None:
        if status == 416:
            self.unsatisfiable = True
            return
        if status >= 300:
            return
        etag, ranges = header("ETag"), header("Accept-Ranges")
        self.resumable = bool(etag) and not etag.startswith("W/") and ranges.lower() == "bytes"
        if status == 206:
            match = _CONTENT_RANGE.fullmatch(header("Content-Range").strip())
            if match is None or int(match.group(1)) != self.offset:
                raise NetworkError("The catalogue resumed the download at the wrong place; try again.")
            self.expected = int(match.group(3))
            self._out = self.part.path.open("ab")
        else:  # the whole file: the part (if any) was of something else
            self.offset = 0
            length = header("Content-Length")
            self.expected = int(length) if length.isdigit() else None
            self._out = self.part.path.open("wb")
            if self.resumable:
                self.part.tag_path.write_text(etag, encoding="utf-8")
            else:
                self.part.tag_path.unlink(missing_ok=True)

    def write(self, chunk: bytes) -> None:
        if self._out is not None and chunk:
            self._out.write(chunk)
            self.written += len(chunk)

    def close(self, quiet: bool = False) -> None:
        """Close the part; its last buffered bytes are written here, so a full disk may only show now (Python
        3.14 buffers 128 KB). ``quiet``: on the way out of a failure, when that is not the error to report."""
        if self._out is not None:
            out, self._out = self._out, None
            try:
                out.close()
            except OSError:
                if not quiet:
                    raise


def fetch_resumable(url: str, target: Path, authcfg: str = "", feedback: QgsFeedback | None = None,
                    accept: str = "application/octet-stream") -> Path:
    """Stream a GET to ``target`` through a part file that resumes (see the module's note); ``target`` appears only
    complete. NetworkError as network.fetch; after a cancel the part is kept for the next call when resumable."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = _Part(target)
    for _attempt in range(ATTEMPTS):
        offset = part.size()
        if not offset:
            part.tag_path.unlink(missing_ok=True)  # a part without its tag cannot be resumed: it is written anew
        headers = {"Range": f"bytes={offset}-", "If-Range": part.etag} if offset else {}
        attempt = _Attempt(part, offset)
        try:
            stream_get(url, authcfg, feedback, accept, attempt.write, headers=headers, on_head=attempt.head,
                       done_before=offset)
            attempt.close()
        except NetworkError:
            attempt.close(quiet=True)
            if attempt.unsatisfiable:  # the part is not a beginning of the server's file: start again
                part.remove()
                continue
            cancelled = feedback is not None and feedback.isCanceled()
            if not attempt.resumable:
                part.remove()
                raise
            if cancelled or not attempt.written:
                raise
            continue  # cut short after some bytes: ask for the rest
        except OSError as exc:
            attempt.close(quiet=True)
            part.remove()
            raise LeoError(f"Could not save {target.name} in the cache ({exc.strerror or exc}).") from None
        size = part.path.stat().st_size if part.path.exists() else 0
        if attempt.expected is not None and size != attempt.expected:
            part.remove()
            raise NetworkError(f"The download from {url} has {size:,} bytes where {attempt.expected:,} were "
                               "announced; try again.")
        part.path.replace(target)
        part.tag_path.unlink(missing_ok=True)
        return target
    raise NetworkError(f"The download from {url} was cut short {ATTEMPTS} times; try again later.")
