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

READ_BUFFER = 4 * 1024 * 1024
_HINTS = {
    401: "the catalogue needs you to sign in: choose an authentication configuration for this connection",
    403: "your account has no access to this: ask the catalogue's owner for access",
    404: "not found on the catalogue",
}


def fetch(url: str, authcfg: str = "", feedback: QgsFeedback | None = None, accept: str = "application/json") -> bytes:
    """The body of a GET, or NetworkError with a message naming what went wrong."""
    chunks: list[bytes] = []
    stream_get(url, authcfg, feedback, accept, chunks.append)
    return b"".join(chunks)


def fetch_to_file(url: str, target: Path, authcfg: str = "", feedback: QgsFeedback | None = None,
                  accept: str = "application/octet-stream") -> Path:
    """Stream a GET to ``target`` chunk by chunk (memory stays small, whatever the size), reporting
    progress; NetworkError as ``fetch``. The caller owns ``target``, complete or not."""
    with target.open("wb") as out:
        stream_get(url, authcfg, feedback, accept, out.write)
    return target


def stream_get(url: str, authcfg: str, feedback: QgsFeedback | None, accept: str, write: Callable[[bytes], object],
               headers: dict[str, str] | None = None, on_head: Callable[[int, Callable[[str], str]], object] | None = None,
               done_before: int = 0) -> None:
    """A GET through QGIS's network manager, each chunk handed to ``write`` as it arrives (see ``_transfer``)."""
    _transfer(url, authcfg, feedback, accept, write, lambda manager, request: manager.get(request),
              headers=headers, on_head=on_head, done_before=done_before)


def fetch_answer(url: str, headers: dict[str, str], authcfg: str = "", feedback: QgsFeedback | None = None,
                 write: Callable[[bytes], object] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(HTTP status, headers with lower-case names, body) of a GET with extra ``headers``, whatever the status
    (an error answer's body is its first 4 KB); NetworkError only when no complete answer came. With ``write``
    the body is streamed to it instead (and returned empty)."""
    chunks: list[bytes] = []
    answer: dict = {}
    _transfer(url, authcfg, feedback, headers.get("Accept", "*/*"), write or chunks.append,
              lambda manager, request: manager.get(request), headers=headers, answer=answer)
    return answer["status"], answer["headers"], answer["error_body"] or b"".join(chunks)



def _transfer(url: str, authcfg: str, feedback: QgsFeedback | None, accept: str, write: Callable[[bytes], object],
              send: Callable[[QgsNetworkAccessManager, QNetworkRequest], QNetworkReply], uploading: bool = False,
              headers: dict[str, str] | None = None, on_head: Callable[[int, Callable[[str], str]], object] | None = None,
              done_before: int = 0, answer: dict | None = None) -> None:
    """One request through QGIS's network manager (``send`` issues it), each chunk of the answer handed to
    ``write``; progress is the upload's when ``uploading``, else the download's (by bytes, counting
    ``done_before`` bytes already on disk). ``headers`` are added to the request; ``on_head(status, header)`` is
    called once, before the first chunk, with the status and a function giving a response header's value; an
    OSError or NetworkError it raises stops the transfer and is raised here. With ``answer``, an HTTP error
    status is not raised: its status, headers and error body are put in ``answer``.

    Our own event loop, not QgsBlockingNetworkRequest: in QGIS 3.22 a blocking request cancelled mid-flight
    can wait forever, holding a worker thread; here cancelling aborts the reply, which ends the loop."""
    request = QNetworkRequest(QUrl(url))
    request.setRawHeader(b"Accept", accept.encode())
    for name, value in (headers or {}).items():
        request.setRawHeader(name.encode("latin-1"), value.encode("latin-1"))
    if answer is not None:
        # A cached 200 then a 500 for the same URL made Qt report the 500 as a 200 cut short after 60 s.
        request.setAttribute(QNetworkRequest.Attribute.CacheSaveControlAttribute, False)
    # Follow redirects but never from https to http (Qt 6 has only this attribute, Qt 5.9+ both).
    request.setAttribute(QNetworkRequest.Attribute.RedirectPolicyAttribute,
                         QNetworkRequest.RedirectPolicy.NoLessSafeRedirectPolicy)
    request.setAttribute(QNetworkRequest.Attribute.CacheLoadControlAttribute, QNetworkRequest.CacheLoadControl.AlwaysNetwork)
    if authcfg and not QgsApplication.authManager().updateNetworkRequest(request, authcfg):
        raise NetworkError(f"The authentication configuration {authcfg!r} could not be applied to {url}.")
    if feedback is not None and feedback.isCanceled():
        raise NetworkError(f"Cancelled: {url}")
    reply = send(QgsNetworkAccessManager.instance(), request)
    # Qt would otherwise hold the whole answer in memory and hand it over in a few huge pieces: with a bounded
    # buffer the network waits for the disk, memory stays small and writing overlaps receiving.
    reply.setReadBufferSize(READ_BUFFER)
    loop = QEventLoop()
    write_errors: list[Exception] = []
    body_start: list[bytes] = []  # kept from an error answer, for the server's own message
    head_seen: list[bool] = []

    def header(name: str) -> str:
        return bytes(reply.rawHeader(name.encode())).decode("latin-1")

    def write_chunk() -> None:
        # An exception must not escape a Qt slot (PyQt aborts the process): keep it, stop the transfer.
        try:
            status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute) or 0
            if on_head is not None and not head_seen:
                head_seen.append(True)
                on_head(status, header)
            chunk = reply.read(reply.bytesAvailable()) or b""  # bytes at once (readAll's QByteArray is one more copy)
            if status >= 400:
                body_start.append(chunk[:4096])
            else:
                write(chunk)
        except (OSError, NetworkError) as exc:
            write_errors.append(exc)
            reply.abort()

    def progress(done: int, total: int) -> None:
        if total > 0:
            feedback.setProgress(100.0 * (done_before + done) / (done_before + total))
        report_bytes(feedback, done_before + done, done_before + total)

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
    if answer is not None:
        answer.update(status=status or 0, error_body=b"".join(body_start), headers={
            bytes(k).decode("latin-1").lower(): bytes(v).decode("latin-1") for k, v in reply.rawHeaderPairs()})
    reply.deleteLater()
    if write_errors:
        raise write_errors[0]
    if answer is not None and status and status >= 300 and not (feedback is not None and feedback.isCanceled()):
        return
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
