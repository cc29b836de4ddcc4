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
    max_bytes: int = 1024 * MB            # LEO_MAX_UPLOAD_MB: the request body
    max_unpacked_bytes: int = 2048 * MB   # LEO_MAX_UNPACKED_MB: everything a zip holds, once unpacked
    max_ratio: int = 200                  # unpacked / packed, per entry, over 1 MB (a zip bomb's sign)
    max_entries: int = 100
    max_fields: int = 500                          # LEO_MAX_FIELDS (SQLite takes 2000 columns, PostgreSQL 1600)
    max_vertices_per_feature: int = 250_000        # LEO_MAX_VERTICES_PER_FEATURE
    max_vertices: int = 50_000_000                 # LEO_MAX_VERTICES_PER_UPLOAD
    batch_bytes: int = 64 * MB                     # what one batch of features read from the file may take

    @classmethod
    def from_environment(cls) -> UploadLimits:
        """From ``LEO_MAX_UPLOAD_MB`` (default 1024), ``LEO_MAX_UNPACKED_MB`` (default twice the upload size),
        ``LEO_MAX_FIELDS``, ``LEO_MAX_VERTICES_PER_FEATURE`` and ``LEO_MAX_VERTICES_PER_UPLOAD``."""
        megabytes = _env("LEO_MAX_UPLOAD_MB", 1024)
        return cls(max_bytes=megabytes * MB, max_unpacked_bytes=_env("LEO_MAX_UNPACKED_MB", 2 * megabytes) * MB,
                   max_fields=_env("LEO_MAX_FIELDS", cls.max_fields),
                   max_vertices_per_feature=_env("LEO_MAX_VERTICES_PER_FEATURE", cls.max_vertices_per_feature),
                   max_vertices=_env("LEO_MAX_VERTICES_PER_UPLOAD", cls.max_vertices))


def _env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default
