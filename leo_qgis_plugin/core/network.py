"""HTTP through QGIS's network stack, so proxies, SSL settings and ``authcfg`` work.

Blocking calls: use them inside a QgsTask, a Processing algorithm or a script, never on the UI thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from qgis.core import QgsApplication, QgsFeedback, QgsNetworkAccessManager
from qgis.PyQt.QtCore import QEventLoop, QUrl
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from .exceptions import NetworkError

_HINTS = {
    401: "the catalogue needs you to sign in: choose an authentication configuration for this connection",
    403: "your account has no access to this: ask the catalogue's owner for access",
    404: "not found on the catalogue",
}


def fetch(url: str, authcfg: str = "", feedback: QgsFeedback | None = None, accept: str = "application/json") -> bytes:
    """The body of a GET, or NetworkError with a message naming what went wrong."""
    chunks: list[bytes] = []
    _get(url, authcfg, feedback, accept, chunks.append)
    return b"".join(chunks)


def fetch_to_file(url: str, target: Path, authcfg: str = "", feedback: QgsFeedback | None = None,
                  accept: str = "application/octet-stream") -> Path:
    """Stream a GET to ``target`` chunk by chunk (memory stays small, whatever the size), reporting
    progress; NetworkError as ``fetch``. The caller owns ``target``, complete or not."""
    with target.open("wb") as out:
        _get(url, authcfg, feedback, accept, out.write)
    return target


def _get(url: str, authcfg: str, feedback: QgsFeedback | None, accept: str, write: Callable[[bytes], object]) -> None:
    """A GET through QGIS's network manager, each chunk handed to ``write`` as it arrives.

    Our own event loop, not QgsBlockingNetworkRequest: in QGIS 3.22 a blocking request cancelled mid-flight
    can wait forever, holding a worker thread; here cancelling aborts the reply, which ends the loop."""
    request = QNetworkRequest(QUrl(url))
    request.setRawHeader(b"Accept", accept.encode())
    request.setAttribute(QNetworkRequest.FollowRedirectsAttribute, True)
    request.setAttribute(QNetworkRequest.CacheLoadControlAttribute, QNetworkRequest.AlwaysNetwork)
    if authcfg and not QgsApplication.authManager().updateNetworkRequest(request, authcfg):
        raise NetworkError(f"The authentication configuration {authcfg!r} could not be applied to {url}.")
    if feedback is not None and feedback.isCanceled():
        raise NetworkError(f"Cancelled: {url}")
    reply = QgsNetworkAccessManager.instance().get(request)
    loop = QEventLoop()
    write_errors: list[OSError] = []

    def write_chunk() -> None:
        # An exception must not escape a Qt slot (PyQt aborts the process): keep it, stop the download.
        try:
            write(bytes(reply.readAll()))
        except OSError as exc:
            write_errors.append(exc)
            reply.abort()

    def progress(done: int, total: int) -> None:
        if total > 0:
            feedback.setProgress(100.0 * done / total)

    reply.readyRead.connect(write_chunk)
    reply.finished.connect(loop.quit)
    if feedback is not None:
        feedback.canceled.connect(reply.abort)
        reply.downloadProgress.connect(progress)
    if not reply.isFinished():
        loop.exec_()
    if not write_errors:
        write_chunk()
    reply.readyRead.disconnect(write_chunk)
    if feedback is not None:
        feedback.canceled.disconnect(reply.abort)
    failed = reply.error() != QNetworkReply.NoError
    status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
    message = reply.errorString()
    reply.deleteLater()
    if write_errors:
        raise write_errors[0]
    _raise_for(url, status, failed, message, feedback)


def _raise_for(url: str, status: int | None, failed: bool, message: str, feedback: QgsFeedback | None) -> None:
    """NetworkError naming what went wrong: cancelled, an HTTP status with a hint, cut short, unreachable."""
    if feedback is not None and feedback.isCanceled():
        raise NetworkError(f"Cancelled: {url}")
    if not failed:
        return
    if status in _HINTS:
        raise NetworkError(f"{url}: HTTP {status}, {_HINTS[status]}.")
    if status and 200 <= status < 300:
        raise NetworkError(f"The answer from {url} was cut short ({message}); try again.")
    if status:
        raise NetworkError(f"{url}: the server answered HTTP {status}; try again later or tell its owner.")
    raise NetworkError(f"Could not reach {url}: {message or 'no answer'}")


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
