"""HTTP through QGIS's network stack, so proxies, SSL settings and ``authcfg`` work.

Blocking calls: use them inside a QgsTask, a Processing algorithm or a script, never on the UI thread.
"""

from __future__ import annotations

import json

from qgis.core import QgsBlockingNetworkRequest, QgsFeedback
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

from .exceptions import NetworkError

_HINTS = {
    401: "the catalogue needs you to sign in: choose an authentication configuration for this connection",
    403: "your account has no access to this: ask the catalogue's owner for access",
    404: "not found on the catalogue",
}


def fetch(url: str, authcfg: str = "", feedback: QgsFeedback | None = None, accept: str = "application/json") -> bytes:
    """The body of a GET, or NetworkError with a message naming what went wrong."""
    request = QNetworkRequest(QUrl(url))
    request.setRawHeader(b"Accept", accept.encode())
    blocking = QgsBlockingNetworkRequest()
    if authcfg:
        blocking.setAuthCfg(authcfg)
    error = blocking.get(request, forceRefresh=True, feedback=feedback)
    reply = blocking.reply()
    status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
    if feedback is not None and feedback.isCanceled():
        raise NetworkError(f"Cancelled: {url}")
    if error != QgsBlockingNetworkRequest.NoError:
        if status in _HINTS:
            raise NetworkError(f"{url}: HTTP {status}, {_HINTS[status]}.")
        if status and 200 <= status < 300:
            raise NetworkError(f"The answer from {url} was cut short ({blocking.errorMessage()}); try again.")
        if status:
            raise NetworkError(f"{url}: the server answered HTTP {status}; try again later or tell its owner.")
        detail = blocking.errorMessage() or "no answer"
        raise NetworkError(f"Could not reach {url}: {detail}")
    return bytes(reply.content())


def fetch_json(url: str, authcfg: str = "", feedback: QgsFeedback | None = None) -> dict:
    """A JSON object from a GET; NetworkError if the answer is not JSON (e.g. an HTML error page)."""
    body = fetch(url, authcfg, feedback)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:80].decode("utf-8", "replace").strip()
        raise NetworkError(f"{url} did not answer with JSON (it began: {start!r}).") from None
    if not isinstance(data, dict):
        raise NetworkError(f"{url} answered JSON that is not an object.")
    return data
