"""The harvest's portal transport: urllib, since the catalogue server has no QGIS."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request

from leo_qgis_plugin.core.formats.portal_session import Answer, Unreachable

from ..importers.sources import MAX_BYTES


def urllib_transport(timeout: float = 60.0):
    """A portal transport over urllib (the server has no QGIS): any HTTP status as an Answer."""

    def get(url: str, headers: dict[str, str]) -> Answer:
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read(MAX_BYTES + 1)
                if len(body) > MAX_BYTES:
                    raise Unreachable(f"the answer is larger than {MAX_BYTES // 2 ** 20} MB")
                expected = response.headers.get("Content-Length")
                if expected and expected.isdigit() and len(body) < int(expected):
                    raise Unreachable(f"the answer was cut short ({len(body)} of {expected} bytes)")
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, body)
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read(65536))
        except http.client.IncompleteRead as exc:
            raise Unreachable(f"the answer was cut short after {len(exc.partial)} bytes") from None
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            raise Unreachable(str(getattr(exc, "reason", exc)) or type(exc).__name__) from None

    return get
