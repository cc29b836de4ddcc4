"""Catalogue connections, stored in QGIS settings; credentials only as an ``authcfg`` id.

Passwords and tokens never go into QgsSettings: a connection names an entry of the
QGIS authentication database instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum

from qgis.core import QgsSettings

from .compat import save_oapif_connection
from .formats.portals import portals

SETTINGS_PREFIX = "leo_qgis"
CONNECTIONS_KEY = f"{SETTINGS_PREFIX}/connections"
SELECTED_KEY = f"{SETTINGS_PREFIX}/selected_connection"
DEFAULT_CONNECTION_NAME = "LEO demo catalogue (local)"
DEFAULT_URL = "http://127.0.0.1:8765/"
# GB network operators' open-data portals offered from the first start: name -> (url, kind), from dno_portals.json.
PORTALS = {f"{p.name} ({p.operator}) open data portal": (p.url, p.kind) for p in portals().values()}


class ConnectionKind(str, Enum):
    """The protocol a catalogue speaks."""

    OGC_API_RECORDS = "ogcapi-records"
    CKAN = "ckan"
    OPENDATASOFT = "opendatasoft"


@dataclass
class ConnectionSettings:
    """One catalogue connection."""

    name: str
    url: str
    kind: ConnectionKind = ConnectionKind.OGC_API_RECORDS
    authcfg: str = ""

    @property
    def base_url(self) -> str:
        return self.url if self.url.endswith("/") else self.url + "/"


def _key(name: str) -> str:
    # QgsSettings treats "/" as a group separator; keep names flat.
    return f"{CONNECTIONS_KEY}/{name.replace('/', '_')}"


def save_connection(connection: ConnectionSettings, settings: QgsSettings | None = None) -> None:
    """Store (or replace) a connection."""
    settings = settings or QgsSettings()
    key = _key(connection.name)
    settings.setValue(f"{key}/url", connection.url)
    settings.setValue(f"{key}/kind", connection.kind.value)
    settings.setValue(f"{key}/authcfg", connection.authcfg)


def load_connections(settings: QgsSettings | None = None) -> list[ConnectionSettings]:
    """Every stored connection, by name."""
    settings = settings or QgsSettings()
    settings.beginGroup(CONNECTIONS_KEY)
    names = settings.childGroups()
    settings.endGroup()
    connections = []
    for name in sorted(names):
        key = _key(name)
        try:
            kind = ConnectionKind(settings.value(f"{key}/kind", ConnectionKind.OGC_API_RECORDS.value))
        except ValueError:
            kind = ConnectionKind.OGC_API_RECORDS
        connections.append(ConnectionSettings(
            name=name, url=settings.value(f"{key}/url", ""), kind=kind,
            authcfg=settings.value(f"{key}/authcfg", "") or "",
        ))
    return connections


def remove_connection(name: str, settings: QgsSettings | None = None) -> None:
    """Forget a connection (its authentication entry stays in the QGIS auth database)."""
    settings = settings or QgsSettings()
    settings.remove(_key(name))


def mirror_as_qgis_oapif_connection(connection: ConnectionSettings) -> None:
    """Also offer the catalogue's datasets through QGIS's own OGC API - Features connections."""
    save_oapif_connection(connection.name, connection.base_url, connection.authcfg)


def ensure_default_connection(settings: QgsSettings | None = None) -> ConnectionSettings | None:
    """Add the local LEO catalogue connection on first start; None when nothing was written.

    ``LEO_CATALOGUE_URL`` (set by ``make run``) always wins, so a changed ``LEO_PORT``
    is followed; without it, existing connections are left as the user set them.
    """
    settings = settings or QgsSettings()
    url = os.environ.get("LEO_CATALOGUE_URL")
    existing = load_connections(settings)
    if url is None and existing:
        return None
    if not existing:
        for name, (portal, kind) in PORTALS.items():
            save_connection(ConnectionSettings(name, portal, ConnectionKind(kind)), settings)
    connection = ConnectionSettings(DEFAULT_CONNECTION_NAME, url or DEFAULT_URL)
    save_connection(connection, settings)
    mirror_as_qgis_oapif_connection(connection)
    settings.setValue(SELECTED_KEY, connection.name)
    return connection


def selected_connection(settings: QgsSettings | None = None) -> ConnectionSettings | None:
    """The connection the user last chose (or the first one)."""
    settings = settings or QgsSettings()
    connections = load_connections(settings)
    name = settings.value(SELECTED_KEY, "")
    return next((c for c in connections if c.name == name), connections[0] if connections else None)


def authcfg_for(url: str, settings: QgsSettings | None = None) -> str:
    """The authcfg of the stored connection with this URL ('' if none)."""
    wanted = url if url.endswith("/") else url + "/"
    return next((c.authcfg for c in load_connections(settings) if c.base_url == wanted), "")
