"""What an upload may be: sizes and the zip-bomb guard, from the environment or defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1024 * 1024


class UploadError(Exception):
    """An upload that is refused, with the message to show its sender (HTTP 422 unless said otherwise)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 1024 * MB            # the request body
    max_unpacked_bytes: int = 4096 * MB   # everything a zip holds, once unpacked
    max_ratio: int = 200                  # unpacked / packed, per entry, over 1 MB (a zip bomb's sign)
    max_entries: int = 100

    @classmethod
    def from_environment(cls) -> UploadLimits:
        """``LEO_MAX_UPLOAD_MB`` sets the upload size; a zip may unpack to four times that."""
        megabytes = int(os.environ.get("LEO_MAX_UPLOAD_MB", "1024"))
        return cls(max_bytes=megabytes * MB, max_unpacked_bytes=4 * megabytes * MB)
