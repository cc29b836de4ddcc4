"""Accounts: API tokens with a role in an organisation, and who may see which datasets.

Access levels: ``public`` (anyone), ``registered`` (any valid token), ``restricted`` (tokens of the
dataset's organisation). Roles: viewers read what their access allows; editors also upload datasets and
replace or delete their organisation's; admins read, replace and delete everything.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection, Engine

from .db import write_transaction
from .records import AccessLevel, DatasetRecord
from .schema import api_tokens

TOKEN_PREFIX = "leo_"


class Role(str, Enum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is asking: anonymous, or a token's user in an organisation with a role."""

    user: str = ""
    organisation: str = ""
    role: Role | None = None

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    def may_read(self, record: DatasetRecord) -> bool:
        if record.access is AccessLevel.PUBLIC or self.role is Role.ADMIN:
            return True
        if record.access is AccessLevel.REGISTERED:
            return self.signed_in
        return self.signed_in and bool(record.organisation) and record.organisation == self.organisation

    @property
    def may_upload(self) -> bool:
        return self.role in (Role.EDITOR, Role.ADMIN)

    def may_write(self, record: DatasetRecord) -> bool:
        """May replace (upload a new version of) or delete this dataset."""
        if self.role is Role.ADMIN:
            return True
        return self.role is Role.EDITOR and bool(record.organisation) and record.organisation == self.organisation


ANONYMOUS = Principal()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ExpiredToken(Exception):
    """A known token past its expiry date."""

    def __init__(self, expired: datetime) -> None:
        super().__init__(f"expired on {expired:%d %B %Y %H:%M} UTC")
        self.expired = expired


def create_token(engine: Engine, user: str, organisation: str, role: Role, expires: datetime | None = None) -> str:
    """A new token, stored hashed; the only time the token itself is known. ``expires``: None for never."""
    if not user.strip() or not organisation.strip():
        raise ValueError("A token needs a user name and an organisation.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(engine) as conn:
        conn.execute(insert(api_tokens).values(token_hash=hash_token(token), user=user.strip(),
                                               organisation=organisation.strip(), role=Role(role).value,
                                               created=datetime.now(timezone.utc), expires=expires))
    return token


def revoke_tokens(engine: Engine, user: str, organisation: str | None = None) -> int:
    """Remove a user's tokens (in one organisation, or all); how many were removed."""
    condition = api_tokens.c.user == user.strip()
    if organisation:
        condition &= api_tokens.c.organisation == organisation.strip()
    with write_transaction(engine) as conn:
        return conn.execute(delete(api_tokens).where(condition)).rowcount


def principal_for(conn: Connection, token: str) -> Principal | None:
    """The token's principal, or None when the token is not known; ExpiredToken when it has expired."""
    return principal_for_hash(conn, hash_token(token))


def principal_for_hash(conn: Connection, token_hash: str) -> Principal | None:
    """The principal of the token with this stored hash (a portal session), as ``principal_for``."""
    row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash)).first()
    if row is None:
        return None
    if row.expires is not None and row.expires <= datetime.now(timezone.utc):
        raise ExpiredToken(row.expires)
    return Principal(row.user, row.organisation, Role(row.role))
