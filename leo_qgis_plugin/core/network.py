"""HTTP through QGIS's network stack, so proxies, SSL settings and ``authcfg`` work.

Blocking calls: use them inside a QgsTask, a Processing algorithm or a script, never on the UI thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from qgis.core import QgsApplication, QgsFeedback, QgsNetworkAccessManager
from qgis.PyQt.QtCore import QEventLoop, QFile, QIODevice, QUrl
from qgis.PyQt.QtNetwork import QHttpMultiPart, QHttpPart, QNetworkReply, QNetworkRequest

from .exceptions import NetworkError
from .progress import report_bytes

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
    """A GET through QGIS's network manager, each chunk handed to ``write`` as it arrives."""
    _transfer(url, authcfg, feedback, accept, write, lambda manager, request: manager.get(request))


def _transfer(url: str, authcfg: str, feedback: QgsFeedback | None, accept: str, write: Callable[[bytes], object],
              send: Callable[[QgsNetworkAccessManager, QNetworkRequest], QNetworkReply], uploading: bool = False) -> None:
    """One request through QGIS's network manager (``send`` issues it), each chunk of the answer handed to
    ``write``; progress is the upload's when ``uploading``, else the download's.

    Our own event loop, not QgsBlockingNetworkRequest: in QGIS 3.22 a blocking request cancelled mid-flight
    can wait forever, holding a worker thread; here cancelling aborts the reply, which ends the loop."""
    request = QNetworkRequest(QUrl(url))
    request.setRawHeader(b"Accept", accept.encode())
    # Follow redirects but never from https to http (Qt 6 has only this attribute, Qt 5.9+ both).
    request.setAttribute(QNetworkRequest.Attribute.RedirectPolicyAttribute,
                         QNetworkRequest.RedirectPolicy.NoLessSafeRedirectPolicy)
    request.setAttribute(QNetworkRequest.Attribute.CacheLoadControlAttribute, QNetworkRequest.CacheLoadControl.AlwaysNetwork)
    if authcfg and not QgsApplication.authManager().updateNetworkRequest(request, authcfg):
        raise NetworkError(f"The authentication configuration {authcfg!r} could not be applied to {url}.")
    if feedback is not None and feedback.isCanceled():
        raise NetworkError(f"Cancelled: {url}")
    reply = send(QgsNetworkAccessManager.instance(), request)
    loop = QEventLoop()
    write_errors: list[OSError] = []
    body_start: list[bytes] = []  # kept from an error answer, for the server's own message

    def write_chunk() -> None:
        # An exception must not escape a Qt slot (PyQt aborts the process): keep it, stop the transfer.
        try:
            chunk = bytes(reply.readAll())
            status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute) or 0
            if status >= 400:
                body_start.append(chunk[:4096])
            else:
                write(chunk)
        except OSError as exc:
            write_errors.append(exc)
            reply.abort()

    def progress(done: int, total: int) -> None:
        if total > 0:
            feedback.setProgress(100.0 * done / total)
        report_bytes(feedback, done, total)

    reply.readyRead.connect(write_chunk)
    reply.finished.connect(loop.quit)
    if feedback is not None:
        feedback.canceled.connect(reply.abort)
        (reply.uploadProgress if uploading else reply.downloadProgress).connect(progress)
        if feedback.isCanceled():  # cancelled while the request was being sent: the signal came too early
            reply.abort()
    if not reply.isFinished():
        loop.exec()
    if not write_errors:
        write_chunk()
    reply.readyRead.disconnect(write_chunk)
    if feedback is not None:
        feedback.canceled.disconnect(reply.abort)
    failed = reply.error() != QNetworkReply.NetworkError.NoError
    status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
    message = reply.errorString()
    reply.deleteLater()
    if write_errors:
        raise write_errors[0]
    _raise_for(url, status, failed, message, feedback, _server_message(b"".join(body_start)))


def _server_message(body: bytes) -> str:
    """The ``description`` of a JSON error answer (what the LEO catalogue says went wrong), or ''."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    return str(data.get("description", "")) if isinstance(data, dict) else ""


def post_form(url: str, fields: dict[str, str], file_path: Path, authcfg: str = "",
              feedback: QgsFeedback | None = None) -> dict:
    """POST ``fields`` and a file as multipart/form-data (the file streamed from disk, not read into memory);
    the JSON answer. NetworkError with the server's own message when it refuses."""
    parts = QHttpMultiPart(QHttpMultiPart.ContentType.FormDataType)
    for name, value in fields.items():
        part = QHttpPart()
        part.setHeader(QNetworkRequest.KnownHeaders.ContentDispositionHeader, f'form-data; name="{name}"')
        part.setBody(value.encode("utf-8"))
        parts.append(part)
    device = QFile(str(file_path))
    if not device.open(QIODevice.OpenModeFlag.ReadOnly):
        raise NetworkError(f"Could not read {file_path}.")
    part = QHttpPart()
    part.setHeader(QNetworkRequest.KnownHeaders.ContentDispositionHeader,
                   f'form-data; name="file"; filename="{file_path.name}"')
    part.setHeader(QNetworkRequest.KnownHeaders.ContentTypeHeader, "application/octet-stream")
    part.setBodyDevice(device)
    parts.append(part)
    chunks: list[bytes] = []
    try:
        _transfer(url, authcfg, feedback, "application/json", chunks.append,
                  lambda manager, request: manager.post(request, parts), uploading=True)
    finally:
        device.close()
    return _json_object(url, b"".join(chunks))


def delete(url: str, authcfg: str = "", feedback: QgsFeedback | None = None) -> None:
    """DELETE a resource; NetworkError with the server's message when refused."""
    _transfer(url, authcfg, feedback, "application/json", lambda _chunk: None,
              lambda manager, request: manager.deleteResource(request))


def _raise_for(url: str, status: int | None, failed: bool, message: str, feedback: QgsFeedback | None,
               server_message: str = "") -> None:
    """NetworkError naming what went wrong: cancelled, an HTTP status with a hint (and the server's own
    message when it gave one), cut short, unreachable."""
    if feedback is not None and feedback.isCanceled():
        raise NetworkError(f"Cancelled: {url}")
    if not failed:
        return
    said = f" The catalogue said: {server_message}" if server_message else ""
    if status in _HINTS:
        raise NetworkError(f"{url}: HTTP {status}, {_HINTS[status]}.{said}")
    if status and status in (400, 409, 411, 413, 415, 422):
        raise NetworkError(f"The catalogue refused it (HTTP {status}): {server_message or message}")
    if status and 200 <= status < 300:
        raise NetworkError(f"The answer from {url} was cut short ({message}); try again.")
    if status:
        raise NetworkError(f"{url}: the server answered HTTP {status}; try again later or tell its owner.{said}")
    raise NetworkError(f"Could not reach {url}: {message or 'no answer'}")


def fetch_json(url: str, authcfg: str = "", feedback: QgsFeedback | None = None) -> dict:
    """A JSON object from a GET; NetworkError if the answer is not JSON (e.g. an HTML error page)."""
    return _json_object(url, fetch(url, authcfg, feedback))


def _json_object(url: str, body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:80].decode("utf-8", "replace").strip()
        raise NetworkError(f"{url} did not answer with JSON (it began: {start!r}).") from None
    if not isinstance(data, dict):
        raise NetworkError(f"{url} answered JSON that is not an object.")
    return data
