"""DNO portals through QGIS's network stack (proxies, SSL settings, ``authcfg`` for API keys): a transport for
``formats.portal_session`` and the session for a portal address."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from qgis.core import QgsFeedback

from .auth import portal_key
from .exceptions import NetworkError
from .formats.portal_session import Answer, PortalError, PortalSession, Throttle, Unreachable
from .formats.portals import Portal, portal, portal_for_url
from .network import fetch_answer

T = TypeVar("T")

# One set of rate limits per portal address for the whole QGIS session, whichever search or task asks.
_THROTTLES: dict[str, dict[str, Throttle]] = {}


def qgis_transport(authcfg: str = "", feedback: QgsFeedback | None = None):
    def get(url: str, headers: dict[str, str]) -> Answer:
        if feedback is not None and feedback.isCanceled():
            raise NetworkError(f"Cancelled: {url}")
        try:
            status, answer_headers, body = fetch_answer(url, headers, authcfg, feedback)
        except NetworkError as exc:
            if feedback is not None and feedback.isCanceled():
                raise
            raise Unreachable(str(exc)) from None
        return Answer(status, answer_headers, body)

    return get


def portal_at(url: str, kind: str, operator: str = "") -> Portal:
    """The configured portal of ``operator`` (a key such as ``npg``) served at ``url``, else the configured
    portal at ``url`` (its name, rate limits, User-Agent), else a plain one of ``kind``."""
    if operator:
        return portal(operator).at(url)
    known = portal_for_url(url)
    if known is not None:
        return known
    return Portal(key="", operator="", name=url, kind=kind, url=url if url.endswith("/") else url + "/", licence="")


def session_for(url: str, kind: str, authcfg: str = "", feedback: QgsFeedback | None = None,
                operator: str = "") -> PortalSession:
    """A rate-limited session with the portal; its API key, if any, comes from ``authcfg`` (QGIS's
    authentication database: an API-header configuration ``Authorization: Apikey …``)."""
    key = portal_key(authcfg)  # a key kept as Basic's password is sent as the portal expects, not as Basic
    session = PortalSession(portal_at(url, kind, operator), qgis_transport("" if key else authcfg, feedback), key)
    session.transport_authcfg = "" if key else authcfg
    session.throttles = _THROTTLES.setdefault(session.portal.url, session.throttles)
    return session


class PortalCatalogue:
    """What the plugin's CKAN and Opendatasoft catalogues share: the portal's address, its API key (in
    ``authcfg``), the offline cache and a rate-limited session per call; ``kind`` is set by each."""

    kind = ""

    def __init__(self, url: str, authcfg: str = "", cache: Path | None = None, operator: str = "") -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.authcfg = authcfg or ""
        self.cache = cache
        self.operator = operator  # a configured operator's key, when its portal is served from another address

    def _session(self, feedback: QgsFeedback | None) -> PortalSession:
        return session_for(self.url, self.kind, self.authcfg, feedback, self.operator)

    def _call(self, what: Callable[[PortalSession], T], feedback: QgsFeedback | None) -> T:
        """``what`` with a session; a PortalError (it names the portal and dataset) as NetworkError."""
        try:
            return what(self._session(feedback))
        except PortalError as exc:
            raise NetworkError(str(exc)) from None
