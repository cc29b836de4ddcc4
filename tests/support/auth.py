"""A token in QGIS's authentication database, kept as a user would keep it through the plugin: an
``Authorization: Bearer`` header where QGIS has the APIHeader method (3.40, 3.44), else the password of Basic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def token_authcfg(name: str, token: str, scheme: str = "Bearer") -> Iterator[str]:
    """The id of an authcfg carrying ``token`` (``scheme`` Apikey for an Opendatasoft key); removed afterwards."""
    from qgis.core import QgsApplication

    from leo_qgis_plugin.core.auth import store_token

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("leo-tests", True)
    authcfg = store_token(name, token, scheme)
    try:
        yield authcfg
    finally:
        manager.removeAuthenticationConfig(authcfg)
