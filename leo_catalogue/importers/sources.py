"""Reading an importer's input from a local path or an http(s) URL, with clear errors."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from leo_qgis_plugin.core.formats.errors import FormatError

MAX_BYTES = 512 * 1024 * 1024
USER_AGENT = "LEO-catalogue/0.1 (+https://github.com/project-leo/leo-qgis)"


def read_source(source: str, timeout: float = 60.0) -> tuple[bytes, str]:
    """(bytes, display name) of a file path or URL; FormatError with the reason when unreadable."""
    if source.startswith(("http://", "https://")):
        # SSEN's portal refuses Python's default user agent.
        request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read(MAX_BYTES + 1)
                expected = response.headers.get("Content-Length")
        except urllib.error.HTTPError as exc:
            raise FormatError(f"Could not download {source}: the server answered HTTP {exc.code} {exc.reason}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FormatError(f"Could not download {source}: {reason}.") from None
        except Exception as exc:  # noqa: BLE001 - http.client raises IncompleteRead and others
            raise FormatError(f"Could not download {source}: {type(exc).__name__}: {exc}.") from None
        if expected is not None and expected.isdigit() and len(data) < int(expected):
            raise FormatError(f"Download of {source} was cut short ({len(data)} of {expected} bytes).")
        name = source.rsplit("/", 1)[-1] or source
    else:
        path = Path(source)
        if not path.is_file():
            raise FormatError(f"No such file: {source}.")
        if path.stat().st_size > MAX_BYTES:
            raise FormatError(f"{source} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        data = path.read_bytes()
        name = path.name
    if len(data) > MAX_BYTES:
        raise FormatError(f"{source} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    return data, name
