"""API tokens in QGIS's authentication database (never in plain settings)."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsAuthMethodConfig

from .compat import token_auth_method
from .exceptions import LeoError


def store_token(name: str, token: str, scheme: str = "Bearer") -> str:
    """Keep a catalogue API token under ``name``; the new configuration's id (an ``authcfg``). ``scheme`` is the
    Authorization header's (``Bearer`` for the LEO catalogue, ``Apikey`` for Opendatasoft portals)."""
    token = token.strip()
    if not token or any(c in token for c in "\r\n"):
        raise LeoError("An API token is one line of text: paste it again.")
    method = token_auth_method()
    config = QgsAuthMethodConfig(method)
    config.setName(name)
    if method == "APIHeader":
        config.setConfig("Authorization", f"{scheme} {token}")
    else:
        config.setConfig("username", name)
        config.setConfig("password", token)
    manager = QgsApplication.authManager()
    ok, stored = manager.storeAuthenticationConfig(config)
    if not ok:
        raise LeoError("QGIS could not store the token: unlock its authentication database (master password) "
                       "and try again.")
    return stored.id()


def portal_key(authcfg: str) -> str:
    """The API key of an ``authcfg`` kept as Basic's password (QGIS 3.22 has no APIHeader method), which a
    portal session then sends as ``Authorization: Apikey …``; '' for an APIHeader configuration (QGIS adds
    that header itself) or none."""
    if not authcfg:
        return ""
    config = QgsAuthMethodConfig()
    QgsApplication.authManager().loadAuthenticationConfig(authcfg, config, True)
    return config.config("password", "") if config.method() == "Basic" else ""
