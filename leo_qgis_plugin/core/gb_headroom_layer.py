"""An operator's published headroom dataset, fetched from its portal, as a layer on the GB headroom schema."""

from __future__ import annotations

from qgis.core import QgsFeedback

from .constraints.headroom_file import OpenedHeadroom, layer_of_table
from .exceptions import NetworkError
from .formats.errors import FormatError
from .formats.gb_release import fetch_source, source_stamp
from .formats.portal_session import PortalSession
from .formats.portals import HeadroomSource
from .portal_transport import session_for


def gb_headroom_layer(session: PortalSession, source: HeadroomSource, published: str = "",
                      feedback: QgsFeedback | None = None) -> OpenedHeadroom:
    """The source's newest release as a point layer (rows without a location kept, and reported)."""
    try:
        stamp, found = source_stamp(session, source)
        table = fetch_source(session, source, published or stamp, found)
    except FormatError as exc:
        raise NetworkError(str(exc)) from None
    return layer_of_table(session.portal.operator or session.portal.name, source.dataset, table)


def operator_headroom(url: str, kind: str, authcfg: str = "", feedback: QgsFeedback | None = None,
                      operator: str = "") -> list[OpenedHeadroom]:
    """Every headroom dataset of the configured operator whose portal is at ``url``, as layers."""
    session = session_for(url, kind, authcfg, feedback, operator)
    if not session.portal.headroom:
        raise NetworkError(f"{session.portal.name} is not a configured operator with headroom datasets "
                           "(see dno_portals.json).")
    return [gb_headroom_layer(session, source, feedback=feedback) for source in session.portal.headroom]
