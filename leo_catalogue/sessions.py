"""Browser sessions of the web portal: a signed cookie standing for an API token, never the token itself.

Signing in posts a token once; the server answers with an HttpOnly cookie holding the token's hash and an
expiry, signed with the server's secret (HMAC-SHA256). A revoked or expired token ends its sessions at once,
because every request looks the hash up again. The secret is ``LEO_SESSION_SECRET``, else a random one kept in
``var/session-secret`` (mode 0600) so that restarts and several workers on one machine share it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from functools import lru_cache

from .config import VAR_DIR

COOKIE = "leo_session"
DEFAULT_HOURS = 8


def session_seconds() -> int:
    """How long a sign-in lasts: ``LEO_SESSION_HOURS`` (default 8)."""
    return int(float(os.environ.get("LEO_SESSION_HOURS", DEFAULT_HOURS)) * 3600)


@lru_cache(maxsize=1)
def _secret() -> bytes:
    configured = os.environ.get("LEO_SESSION_SECRET")
    if configured:
        return configured.encode()
    path = VAR_DIR / "session-secret"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def _sign(payload: bytes) -> str:
    return hmac.new(_secret(), payload, hashlib.sha256).hexdigest()


def make_cookie(token_hash: str, now: float | None = None) -> str:
    """The cookie value for a signed-in token (by its stored hash)."""
    expires = int((now or time.time()) + session_seconds())
    payload = base64.urlsafe_b64encode(json.dumps({"h": token_hash, "e": expires}).encode())
    return f"{payload.decode()}.{_sign(payload)}"


def read_cookie(value: str, now: float | None = None) -> str | None:
    """The token hash a cookie stands for, or None when it is forged, damaged or past its expiry."""
    payload, _, signature = value.partition(".")
    if not payload or not hmac.compare_digest(_sign(payload.encode()), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
        token_hash, expires = str(data["h"]), int(data["e"])
    except (ValueError, KeyError, TypeError):
        return None
    return token_hash if expires > (now or time.time()) else None
