"""Property-based: schemathesis generates requests for every operation of the server's own OpenAPI document
(/api) and sends each as an anonymous user, a viewer, an editor and an admin, on SpatiaLite and PostGIS. No
answer may be a server error, an answer the document does not list, or JSON that browsers cannot parse."""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from .support.upload_catalogue import Catalogue
from .support.upload_files import points_gpkg

USERS = (None, "viewer", "council", "admin")
EXAMPLES = int(os.environ.get("LEO_FUZZ_EXAMPLES", "12"))  # per operation; raise it for a deeper run


@schemathesis.check
def browser_parsable_json(ctx, response, case) -> bool | None:
    """A JSON answer must parse under JSON's own rules (no NaN, no Infinity): what JSON.parse accepts."""
    kind = response.headers.get("content-type", [""])
    kind = kind[0] if isinstance(kind, list) else kind
    if "json" not in kind or not response.content:
        return None
    def refuse(constant):
        raise AssertionError(f"the answer holds {constant}, which is not JSON")
    json.loads(response.content, parse_constant=refuse)
    return True


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def fuzzed(request, tmp_path_factory):
    """A catalogue with datasets at every access level, and a token per kind of user."""
    root = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    url = (f"sqlite:///{root / 'fuzz.sqlite'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_cluster").create_database("fuzz"))
    catalogue = Catalogue(url, root)
    from osgeo import ogr
    sites = points_gpkg(root / "sites.gpkg", [{"x": 451000 + i, "y": 206000, "name": f"s{i}", "at": "2024-01-01"}
                                              for i in range(20)], fields={"name": ogr.OFTString, "at": ogr.OFTDate})
    for access in ("public", "registered", "restricted"):
        answer = catalogue.upload(sites, id=f"sites-{access}", title=f"Sites {access}", access=access)
        assert answer.status_code == 201, answer.text
    yield catalogue
    catalogue.stop()


def test_no_request_gets_a_server_error_or_invalid_json(fuzzed):
    schema = schemathesis.openapi.from_url(fuzzed.base + "/api")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15, "every operation of the API document"
    failures = {}
    calls = 0
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case) -> None:
            nonlocal calls
            for user in USERS:
                response = case.call(base_url=fuzzed.base, headers=fuzzed.headers(user), timeout=120)
                calls += 1
                case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                                         browser_parsable_json])
        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected: every operation is tried first
            failures[operation.label] = str(exc)[:2000]
    print(f"schemathesis: {len(operations)} operations, {calls} requests, {len(failures)} failing")
    assert not failures, json.dumps(failures, indent=1)
