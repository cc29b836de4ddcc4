"""Who is asking: an API token as ``Authorization: Bearer TOKEN``, or as the password of HTTP Basic (what
QGIS's authentication database sends); no header is anonymous; a token that is not valid is 401, never
quietly treated as anonymous. Without a header, the web portal's session cookie counts for reading (GET and
HEAD) only: changing anything needs the token itself, so no other site can make a signed-in browser write."""

from __future__ import annotations

import base64
import binascii

from fastapi import Request

from ..accounts import ANONYMOUS, ExpiredToken, Principal, principal_for, principal_for_hash
from ..errors import bad_parameter, unauthorized
from ..sessions import COOKIE, read_cookie
from .state import connection


def principal(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    found = _principal(request)
    request.state.principal = found
    return found


def _principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "").strip()
    if not header:
        return _session_principal(request)
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        token = value.strip()
    elif scheme.lower() == "basic":
        try:
            _user, _, token = base64.b64decode(value.strip().encode("ascii"), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeError, ValueError):
            raise bad_parameter("Authorization", "The Basic credentials are not base64 of user:token in UTF-8.") \
                from None
    else:
        # Never echo what was sent: a token sent without "Bearer " would be the scheme.
        raise unauthorized("This kind of Authorization is not accepted; send Bearer TOKEN, or Basic with the token "
                           "as the password.")
    if not token:
        raise unauthorized("The authorization header carries no token.")
    try:
        with connection(request) as conn:
            found = principal_for(conn, token)
    except ExpiredToken as exc:
        raise unauthorized(f"This token {exc}: ask the catalogue's admin for a new one.") from None
    if found is None:
        raise unauthorized("This token is not valid: it was mistyped or has been revoked.")
    return found


def _session_principal(request: Request) -> Principal:
    """The portal session's user for a read; anonymous for no cookie, a write, or a session that has ended."""
    cookie = request.cookies.get(COOKIE)
    if not cookie or request.method not in ("GET", "HEAD"):
        return ANONYMOUS
    token_hash = read_cookie(cookie)
    if token_hash is None:
        return ANONYMOUS
    try:
        with connection(request) as conn:
            return principal_for_hash(conn, token_hash) or ANONYMOUS
    except ExpiredToken:
        return ANONYMOUS
