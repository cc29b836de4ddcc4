"""Accounts and access levels: tokens created by the CLI, sent as Bearer or Basic; registered and
restricted datasets never leak to those without access, on any endpoint (a matrix over endpoints and
kinds of user), on SpatiaLite and PostGIS."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import shapely

from leo_catalogue.db import make_engine
from leo_catalogue.records import AccessLevel, DatasetKind, DatasetRecord, Provenance
from leo_catalogue.store import init_catalogue, put_dataset
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

from .support.auth import token_authcfg
from .support.servers import ROOT, CatalogueServer

PRIVATE = {"ssen-private-feeders": (AccessLevel.RESTRICTED, "SSEN"), "consortium-meters": (AccessLevel.REGISTERED, "")}


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leo_catalogue", *args, "--db", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def _record(dataset_id: str, title: str, access: AccessLevel, organisation: str) -> DatasetRecord:
    return DatasetRecord(id=dataset_id, title=title, description="secret words zebrafinch" if access.value != "public"
                         else "open words", keywords=["headroom"], licence="OGL", attribution="",
                         provenance=Provenance.SYNTHETIC, publisher="LEO", kind=DatasetKind.VECTOR,
                         fields=[FieldDef("name", FieldType.STRING)], access=access, organisation=organisation,
                         geometry_type="Point")


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def catalogue(request, tmp_path_factory):
    """On each backend: a public dataset, a restricted (SSEN's) and a registered one; tokens for four kinds
    of user."""
    folder = tmp_path_factory.mktemp("access")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'access.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_cluster").create_database("access")
    engine = make_engine(url)
    init_catalogue(engine)
    public = _record("public-sites", "Public headroom sites", AccessLevel.PUBLIC, "LEO")
    put_dataset(engine, public, [[{"name": "a", "geometry": shapely.Point(-1.4, 51.5)},
                                  {"name": "b", "geometry": shapely.Point(-1.0, 51.9)}]])
    for dataset_id, (access, organisation) in PRIVATE.items():
        record = _record(dataset_id, f"Private headroom {dataset_id}", access, organisation)
        put_dataset(engine, record, [[{"name": str(n), "geometry": shapely.Point(-1.2, 51.7)} for n in range(3)]])
    engine.dispose()
    tokens = {}
    for name, org, role in [("ssen", "SSEN", "viewer"), ("council", "Oxford City Council", "viewer"),
                            ("admin", "LEO", "admin")]:
        made = cli(url, "create-token", "--user", name, "--org", org, "--role", role)
        assert made.returncode == 0, made.stderr
        tokens[name] = made.stdout.strip()
        assert tokens[name].startswith("leo_") and "only its hash is stored" in made.stderr
    if request.param == "sqlite":
        assert tokens["ssen"] not in (folder / "access.sqlite").read_bytes().decode("latin-1")  # only its hash
    server = CatalogueServer(url).start()
    yield server, tokens
    server.stop()


def get(server, path: str, token: str | None = None, basic: bool = False):
    request = urllib.request.Request(server.url.rstrip("/") + path)
    if token is not None:
        value = f"Basic {base64.b64encode(f'me:{token}'.encode()).decode()}" if basic else f"Bearer {token}"
        request.add_header("Authorization", value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


# Who sees what: anonymous sees neither; any signed-in user the registered one; SSEN its restricted one.
SEES = {None: set(), "council": {"consortium-meters"}, "ssen": set(PRIVATE), "admin": set(PRIVATE)}
ENDPOINTS = ["/collections/{id}", "/collections/{id}/items", "/collections/{id}/items/1",
             "/collections/{id}/queryables", "/collections/{id}/download?f=csv", "/collections/{id}/download?f=gpkg",
             "/collections/catalogue/items/{id}", "/collections/{id}/items?f=html"]


@pytest.mark.parametrize("user", list(SEES))
def test_private_datasets_never_leak(catalogue, user):
    server, tokens = catalogue
    token = tokens.get(user)
    visible = SEES[user]
    for dataset_id in PRIVATE:
        for endpoint in ENDPOINTS:
            status, body, _ = get(server, endpoint.format(id=dataset_id), token)
            expected = 200 if dataset_id in visible else 404
            assert status == expected, (user, endpoint, dataset_id, status)
            if expected == 404:
                assert b"zebrafinch" not in body and b"Private headroom" not in body
    status, body, _ = get(server, "/collections", token)
    listed = {c["id"] for c in json.loads(body)["collections"]}
    assert listed & set(PRIVATE) == visible
    for query in ("?q=zebrafinch", "?q=zebrafinch&sortby=title", "?limit=100", "?bbox=-1.3,51.6,-1.1,51.8",
                  "?q=private,headroom&limit=100"):
        status, body, _ = get(server, f"/collections/catalogue/items{query}", token)
        data = json.loads(body)
        found = {f["id"] for f in data["features"]} & set(PRIVATE)
        assert found == visible, (user, query)
        if query == "?q=zebrafinch":
            assert data["numberMatched"] == len(visible)


def test_tokens_as_bearer_or_basic_and_bad_tokens(catalogue):
    server, tokens = catalogue
    assert get(server, "/collections/ssen-private-feeders", tokens["ssen"], basic=True)[0] == 200
    for bad, message in (("leo_not-a-real-token", "not valid"), ("", "carries no token")):
        status, body, headers = get(server, "/collections", bad)
        assert status == 401 and message in json.loads(body)["description"]
        assert "Basic" in {k.lower(): v for k, v in headers.items()}["www-authenticate"]
    request = urllib.request.Request(server.url + "collections", headers={"Authorization": "Digest abc"})
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request, timeout=30)
    assert failure.value.code == 401 and "Bearer" in json.loads(failure.value.read())["description"]
    # Malformed credentials are a malformed request (400 naming the header), never a server error.
    for malformed in ("Basic !!!", "Basic \u00e9t\u00e9", "Basic " + base64.b64encode(b"\xff\xfe:x").decode()):
        request = urllib.request.Request(server.url + "collections", headers={"Authorization": malformed})
        with pytest.raises(urllib.error.HTTPError) as failure:
            urllib.request.urlopen(request, timeout=30)
        assert failure.value.code == 400 and json.loads(failure.value.read())["parameter"] == "Authorization"


def test_expired_and_revoked_tokens_are_refused(tmp_path):
    from datetime import datetime, timedelta, timezone

    from leo_catalogue.accounts import Role, create_token
    from leo_catalogue.store import init_catalogue

    url = f"sqlite:///{tmp_path / 'expiry.sqlite'}"
    engine = make_engine(url)
    init_catalogue(engine)
    expired = create_token(engine, "old", "SSEN", Role.VIEWER, datetime.now(timezone.utc) - timedelta(days=1))
    engine.dispose()
    made = cli(url, "create-token", "--user", "new", "--org", "SSEN", "--role", "viewer", "--expires-days", "30")
    assert made.returncode == 0 and " until " in made.stderr
    assert cli(url, "create-token", "--user", "x", "--org", "y", "--role", "viewer",
               "--expires-days", "0").returncode == 2
    server = CatalogueServer(url).start()
    try:
        status, body, _ = get(server, "/collections", expired)
        assert status == 401 and "expired on" in json.loads(body)["description"]
        assert get(server, "/account", made.stdout.strip())[0] == 200
        revoked = cli(url, "revoke-token", "--user", "new")
        assert revoked.returncode == 0 and "1 token(s) of new revoked" in revoked.stdout
        assert get(server, "/account", made.stdout.strip())[0] == 401
        assert cli(url, "revoke-token", "--user", "nobody").returncode == 1
    finally:
        server.stop()


def test_the_extent_and_counts_do_not_leak(catalogue):
    server, tokens = catalogue
    anonymous = json.loads(get(server, "/collections/catalogue")[1])
    admin = json.loads(get(server, "/collections/catalogue", tokens["admin"])[1])
    assert anonymous["extent"] == admin["extent"]  # the private datasets lie inside the public extent anyway
    total = json.loads(get(server, "/collections/catalogue/items?limit=1")[1])["numberMatched"]
    assert json.loads(get(server, "/collections/catalogue/items?limit=1", tokens["ssen"])[1])["numberMatched"] == total + 2


def test_create_token_refuses_bad_input(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert cli(url, "create-token", "--user", "x", "--org", "y", "--role", "superuser").returncode == 2
    refused = cli(url, "create-token", "--user", " ", "--org", "y", "--role", "viewer")
    assert refused.returncode == 2 and "needs a user name" in refused.stderr


def test_qgis_reads_restricted_data_with_the_token_in_its_authentication_database(catalogue, project):
    from leo_qgis_plugin import api
    from leo_qgis_plugin.core.exceptions import NetworkError

    server, tokens = catalogue
    with token_authcfg("ssen", tokens["ssen"]) as authcfg:
        signed_in = api.connect(server.url, authcfg=authcfg)
        assert {r.id for r in signed_in.search("zebrafinch").records} == set(PRIVATE)
        layer = api.add_dataset(signed_in, "ssen-private-feeders", mode="live")
        assert layer.featureCount() == 3  # QGIS's OAPIF provider sends the token too
        assert api.connect(server.url).search("zebrafinch").total == 0
        with pytest.raises(NetworkError, match="HTTP 404"):
            api.connect(server.url).get("ssen-private-feeders")


def test_a_token_kept_by_the_plugin_uses_the_api_header_method_where_qgis_has_it(catalogue):
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    from leo_qgis_plugin import api
    from leo_qgis_plugin.core.exceptions import LeoError

    server, tokens = catalogue
    with token_authcfg("council", tokens["council"]) as authcfg:
        config = QgsAuthMethodConfig()
        assert QgsApplication.authManager().loadAuthenticationConfig(authcfg, config, True)
        if "APIHeader" in QgsApplication.authManager().authMethodsKeys():
            assert config.method() == "APIHeader" and config.config("Authorization") == f"Bearer {tokens['council']}"
        else:  # QGIS 3.22: no API-header method; the server takes the token as Basic's password
            assert config.method() == "Basic" and config.config("password") == tokens["council"]
        # Signed in: the registered dataset is found (SSEN's restricted one is not the council's).
        assert {r.id for r in api.connect(server.url, authcfg=authcfg).search("zebrafinch").records} == {
            "consortium-meters"}
    with pytest.raises(LeoError, match="one line"):
        api.store_token("bad", "abc\ndef")
