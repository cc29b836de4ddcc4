"""DNO portals through QGIS's network stack (proxies, SSL settings, ``authcfg`` for API keys): a transport for
``formats.portal_session`` and the session for a portal address."""

from __future__ import annotations

from qgis.core import QgsFeedback

from .auth import portal_key
from .exceptions import NetworkError
from .formats.portal_session import Answer, PortalSession, Throttle, Unreachable
from .formats.portals import Portal, portal, portal_for_url
from .network import fetch_answer

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
