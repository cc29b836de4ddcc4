"""A token in QGIS's authentication database, as a user would keep it: a Basic configuration whose password
is the token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def token_authcfg(name: str, token: str) -> Iterator[str]:
    """The id of a Basic authcfg carrying ``token``; removed afterwards."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("leo-tests", True)
    config = QgsAuthMethodConfig("Basic")
    config.setName(name)
    config.setConfig("username", name)
    config.setConfig("password", token)
    ok, config = manager.storeAuthenticationConfig(config)
    assert ok
    try:
        yield config.id()
    finally:
        manager.removeAuthenticationConfig(config.id())
