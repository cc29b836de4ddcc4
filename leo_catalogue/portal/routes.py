"""The portal's own routes: signing in and out, the download form, the county outline and the static files."""

from __future__ import annotations

import json
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..accounts import ExpiredToken, hash_token, principal_for
from ..errors import ApiError, bad_parameter
from ..sessions import COOKIE, make_cookie, session_seconds
from .forms import date_interval
from .templating import render

router = APIRouter(include_in_schema=False)
MAX_TOKEN_LENGTH = 200


def _same_site(request: Request) -> None:
    """Forms are posted from the portal's own pages only (a cross-site post is refused)."""
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise ApiError(403, "This form can only be sent from the catalogue's own pages.", code="Forbidden")


def _next(value: str | None) -> str:
    """Where to go after signing in or out: a path on this server, never another site."""
    parts = urlsplit(value or "/")
    if parts.scheme or parts.netloc or not (value or "/").startswith("/") or (value or "").startswith("//"):
        return "/?f=html"
    return value or "/?f=html"


@router.get("/signin")
def signin_form(request: Request):
    from ..api.auth import principal

    return render(request, "signin.html", principal(request), next=_next(request.query_params.get("next")),
                  session_hours=session_seconds() // 3600)


@router.post("/signin")
async def signin(request: Request):
    """Take an API token from the form's body (never a URL) and answer with a session cookie."""
    from ..accounts import ANONYMOUS

    _same_site(request)
    form = await request.form()
    token = str(form.get("token", "")).strip()
    target = _next(str(form.get("next", "")))
    problem = None
    who = None
    if not token or len(token) > MAX_TOKEN_LENGTH:
        problem = "Paste the API token the catalogue's administrator gave you."
    else:
        try:
            with request.app.state.engine.connect() as conn:
                who = principal_for(conn, token)
        except ExpiredToken as exc:
            problem = f"This token {exc}: ask the catalogue's administrator for a new one."
        if who is None and problem is None:
            problem = "This token is not valid: it was mistyped or has been revoked."
    if problem:
        return render(request, "signin.html", ANONYMOUS, status=401, next=target, problem=problem,
                      session_hours=session_seconds() // 3600)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, make_cookie(hash_token(token)), max_age=session_seconds(), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/signout")
async def signout(request: Request):
    _same_site(request)
    form = await request.form()
    response = RedirectResponse(_next(str(form.get("next", ""))), status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/portal/download/{collection_id}")
def download_form(request: Request, collection_id: str):
    """The download form's choices (format, dates from/to, the map view) as the API's download URL.

    The form works without JavaScript; the API itself checks the dataset, access and every value.
    """
    params = request.query_params
    unknown = set(params.keys()) - {"f", "from", "to", "bbox", "version"}
    if unknown:
        raise bad_parameter(sorted(unknown)[0], "The download form has no such field.")
    query = [("f", params.get("f") or "gpkg")]
    interval = date_interval(params)
    if interval:
        query.append(("datetime", interval))
    for name in ("bbox", "version"):
        if params.get(name, "").strip():
            query.append((name, params[name].strip()))
    return RedirectResponse(f"/collections/{collection_id}/download?{urlencode(query)}", status_code=303)


@lru_cache(maxsize=1)
def _outline() -> bytes:
    import shapely

    from ..demo.boundaries import county_outline, read_layer

    outline = shapely.simplify(county_outline(read_layer("lad20", ["lad20cd"])), 0.001)
    return json.dumps({"type": "Feature", "properties": {"name": "Oxfordshire"},
                       "geometry": shapely.geometry.mapping(outline)}).encode()


@router.get("/portal/outline.geojson")
def county_outline_geojson():
    """Oxfordshire's outline (ONS, Open Government Licence): the map's background without a basemap."""
    return Response(_outline(), media_type="application/geo+json", headers={"Cache-Control": "public, max-age=86400"})
