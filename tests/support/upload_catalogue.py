"""A catalogue server over a fresh database with an API token for each kind of user, for upload tests."""

from __future__ import annotations

from pathlib import Path

import requests

from leo_catalogue.accounts import Role, create_token
from leo_catalogue.db import make_engine
from leo_catalogue.store import init_catalogue

from .servers import CatalogueServer

OGL = "Open Government Licence v3.0"
USERS = {"council": ("Oxford City Council", Role.EDITOR), "ssen": ("SSEN", Role.EDITOR),
         "viewer": ("Oxford City Council", Role.VIEWER), "admin": ("LEO", Role.ADMIN)}


class Catalogue:
    """A server over a fresh database with a token per kind of user; uploads wait in ``staging``."""

    def __init__(self, url: str, root: Path, **env: str) -> None:
        self.db_url = url
        self.engine = make_engine(url)
        init_catalogue(self.engine)
        self.tokens = {name: create_token(self.engine, name, org, role) for name, (org, role) in USERS.items()}
        self.staging = root / "var" / "uploads"
        self.server = CatalogueServer(url, env={"LEO_VAR_DIR": str(root / "var"), **env}).start()

    @property
    def base(self) -> str:
        return self.server.url.rstrip("/")

    def headers(self, user: str | None) -> dict:
        return {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}

    def upload(self, path: Path | None, user: str | None = "council", dataset: str | None = None,
               name: str | None = None, data: bytes | None = None, **fields) -> requests.Response:
        target = f"{self.base}/collections/{dataset}/versions" if dataset else f"{self.base}/collections"
        if dataset is None:
            fields.setdefault("title", "Oxfordshire MSOAs")
            fields.setdefault("licence", OGL)
        body = data if data is not None else path.read_bytes()
        return requests.post(target, headers=self.headers(user), data=fields,
                             files={"file": (name or path.name, body)}, timeout=120)

    def get(self, path: str, user: str | None = None) -> requests.Response:
        return requests.get(self.base + path, headers=self.headers(user), timeout=60)

    def stored_tables(self) -> set[str]:
        with self.engine.connect() as conn:
            names = conn.dialect.get_table_names(conn)
        return {n for n in names if n.startswith("d_")}

    def staged(self) -> list[Path]:
        return list(self.staging.rglob("*")) if self.staging.exists() else []

    def stop(self) -> None:
        self.server.stop()
        self.engine.dispose()
