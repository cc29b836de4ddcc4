"""The web portal as HTTP sees it (no browser): pages on the API's own URLs for browsers, facets, the dataset
page's parts, the same access rules as the API through a sign-in session, and hostile input. The browser's
view is in test_portal_browser.py."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

import httpx
import pytest

from leo_catalogue.portal.styles import COLOURBLIND_RAG, SSEN_RAG, TYPE_RADII
from leo_catalogue.sessions import COOKIE, make_cookie, read_cookie

from .support.demo import PRIMARIES
from .support.portal import REGISTERED, RESTRICTED, SECRET_WORD
from .support.servers import CatalogueServer

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def page(base: str, path: str, **kwargs) -> httpx.Response:
    return httpx.get(base.rstrip("/") + path, headers={"Accept": BROWSER_ACCEPT, **kwargs.pop("headers", {})},
                     timeout=60, **kwargs)


def config(response: httpx.Response, element_id: str) -> dict | None:
    """A JSON configuration block of a page (what its scripts read)."""
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', response.text, re.S)
    return json.loads(found.group(1)) if found else None


def test_a_browser_gets_the_portal_and_every_other_client_json(server):
    assert page(server.url, "/").headers["content-type"].startswith("text/html")
    for accept in ("application/json", "*/*", "", "application/json, text/html;q=0.5", "application/geo+json"):
        response = httpx.get(server.url, headers={"Accept": accept} if accept else {}, timeout=30)
        assert response.headers["content-type"].startswith("application/json"), accept
    assert page(server.url, "/?f=json").headers["content-type"].startswith("application/json")
    items = page(server.url, "/collections/ssen-headroom/items?limit=2")
    assert "<h1>SSEN network headroom" in items.text  # a browser reading items sees a table
    assert "Vary" in httpx.get(server.url, timeout=30).headers


def test_a_planner_searches_headroom_and_sees_it_with_facets(server):
    response = page(server.url, "/collections/catalogue/items?q=headroom")
    assert response.status_code == 200
    assert "SSEN network headroom, Oxfordshire (synthetic)" in response.text
    assert "match “headroom”" in response.text
    extents = config(response, "extents-data")
    assert {e["id"] for e in extents} >= {"ssen-headroom", "ssen-primary-areas"}
    assert all(e["href"].endswith("?f=html") and len(e["bbox"]) == 4 for e in extents)
    matched = int(re.search(r"<strong>(\d+)</strong> datasets?", response.text).group(1))
    kinds = re.findall(r'name="kind" value="(\w+)"[^>]*>\s*<span class="facet-label">[^<]*</span> '
                       r'<span class="count">\((\d+)\)', response.text)
    assert kinds and sum(int(n) for _k, n in kinds) == matched


def test_facets_narrow_and_count_each_choice_with_the_other_filters(server):
    everything = page(server.url, "/collections/catalogue/items?limit=50")
    onlyreal = page(server.url, "/collections/catalogue/items?provenance=real&limit=50")
    assert "SSEN network headroom" in everything.text and "SSEN network headroom" not in onlyreal.text
    assert "Oxfordshire local authority districts" in onlyreal.text
    # Choices within one facet are alternatives: with "real" ticked, "synthetic" still counts its records.
    assert re.search(r'value="synthetic"[^>]*>\s*<span class="facet-label">Synthetic data</span> '
                     r'<span class="count">\(5\)', onlyreal.text)
    two = page(server.url, "/collections/catalogue/items?kind=table&kind=vector&publisher=Office+for+National+Statistics")
    assert two.status_code == 200 and "<strong>2</strong> datasets" in two.text
    keyword = page(server.url, "/collections/catalogue/items?keywords=boundaries")
    assert "<strong>2</strong> datasets" in keyword.text


def test_sorting_paging_and_dates_work_without_javascript(server):
    first = page(server.url, "/collections/catalogue/items?sortby=title&limit=2")
    titles = re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', first.text)
    assert titles == sorted(titles) and len(titles) == 2
    assert "Page 1 of 5" in first.text
    following = re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = page(server.url, following)
    assert "Page 2 of 5" in second.text and titles[0] not in second.text
    dated = page(server.url, "/collections/catalogue/items?from=2019-11-01&to=2019-11-30")
    assert "<strong>1</strong> dataset" in dated.text and "LEOD041F06" in dated.text
    placed = page(server.url, "/collections/catalogue/items?bbox=-1.26,51.75,-1.25,51.76&kind=timeseries&q=meter")
    assert "LEOD041F06" in placed.text


@pytest.mark.parametrize("hostile", ["<script>alert('x')</script>", "\"><img src=x onerror=alert(1)>",
                                     "{{ 7*7 }}", "headroom' OR 1=1 --", "ü" * 3000, "%00\u0000"])
def test_markup_and_odd_search_words_are_shown_as_text(server, hostile):
    response = page(server.url, "/collections/catalogue/items", params={"q": hostile})
    assert response.status_code in (200, 400)
    body = response.text
    assert "<script>alert" not in body and "<img src=x" not in body
    if response.status_code == 200 and "<" in hostile:
        assert "&lt;" in body
    if "{{" in hostile:
        assert "{{ 7*7 }}" in body  # never evaluated as a template


@pytest.mark.parametrize("query, message", [("bbox=1,2,3", "bbox must be 4 numbers"),
                                            ("kind=raster", "unknown kind 'raster'"),
                                            ("from=yesterday", "From: 'yesterday' is not a date"),
                                            ("sortby=secret", "cannot sort"),
                                            ("limit=-5", "limit must be"), ("colour=red", "colour")])
def test_bad_filters_get_the_search_page_with_a_clear_message(server, query, message):
    response = page(server.url, f"/collections/catalogue/items?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.text and message in unescape(response.text)
    assert 'id="q"' in response.text  # the form is there to correct it


def test_the_dataset_page_shows_the_record_in_plain_view(server):
    response = page(server.url, "/collections/catalogue/items/ssen-headroom")
    text = response.text
    for expected in ("SSEN network headroom, Oxfordshire (synthetic)", "CC-BY-4.0", "Synthetic data generated",
                     "badge-synthetic", "Every quarter", "Versions", "(current)", "Estimated Demand Headroom (MVA)",
                     "Use it in QGIS", f'value="{server.url}"', "Table preview", "Primary", "LEO for QGIS"):
        assert expected in text, expected
    hrefs = set(re.findall(r'class="download" href="([^"]+)"', text))
    assert hrefs == {f"/collections/ssen-headroom/download?f={f}" for f in ("gpkg", "shp", "geojson", "csv")}
    map_config = config(response, "map-config")
    assert map_config["items"] == "/collections/ssen-headroom/items" and map_config["style"]["categories"]
    assert config(response, "chart-config") is None  # not a time series
    assert page(server.url, "/collections/ssen-headroom").text.count("Map preview") == 1


def test_a_time_series_page_has_a_chart_of_its_sites_and_a_map_of_the_latest_instant(server):
    response = page(server.url, "/collections/substation-load-hh")
    chart = config(response, "chart-config")
    assert chart["siteField"] == "primary_id" and len(chart["sites"]) == PRIMARIES
    assert chart["fields"][0]["name"] == "avg_kw" and chart["windowSeconds"] == 7 * 24 * 3600
    assert config(response, "map-config")["datetime"] == "2026-01-01T00:00:00Z"
    meter = config(page(server.url, "/collections/leo-mvs-leod041f06"), "chart-config")
    assert meter["windowSeconds"] < 4 * 3600  # 5-second readings: a shorter first window


def test_a_dataset_without_geometry_shows_its_table_and_no_map(server):
    response = page(server.url, "/collections/leo-price-2019-01-23")
    assert response.status_code == 200
    assert config(response, "map-config") is None and 'id="dataset-map"' not in response.text
    assert "Table preview" in response.text and "None: a table" in response.text
    assert config(response, "chart-config")["siteField"] is None


def test_the_download_form_turns_its_choices_into_the_api_download(server):
    response = httpx.get(server.url.rstrip("/") + "/portal/download/substation-load-hh",
                         params={"f": "csv", "from": "2025-03-01", "to": "2025-03-01", "bbox": "-1.3,51.7,-1.2,51.8"},
                         timeout=120, follow_redirects=False)
    assert response.status_code == 303
    target = response.headers["location"]
    assert target.startswith("/collections/substation-load-hh/download?f=csv&datetime=2025-03-01%2F2025-03-01&bbox=")
    rows = httpx.get(server.url.rstrip("/") + target, timeout=120).text.splitlines()
    assert rows[0].startswith("fid,wkt,primary_id") and 48 <= len(rows) - 1 < 48 * 20
    assert httpx.get(server.url.rstrip("/") + "/portal/download/x?evil=1", timeout=30).status_code == 400


def test_no_size_is_shown_before_a_download_was_made(portal):
    server, _tokens = portal  # a server of this module's own: the shared one may have sent downloads already
    assert 'class="size"' not in page(server.url, "/collections/oxon-districts").text


def test_sizes_of_downloads_are_shown_once_known(server):
    body = httpx.get(server.url.rstrip("/") + "/collections/oxon-districts/download?f=geojson", timeout=60).content
    after = page(server.url, "/collections/oxon-districts").text
    shown = re.search(r'download\?f=geojson" download>GeoJSON</a> <span class="size">([\d.]+) kB', after)
    assert shown and abs(float(shown.group(1)) - len(body) / 1000) < 0.1


def test_pages_carry_a_content_security_policy(server):
    headers = page(server.url, "/collections/ssen-headroom").headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"


def test_the_map_styles_are_the_plugins(qgis_app):
    from leo_qgis_plugin.core.constraints.definitions import TYPE_SIZES, Rag, RagPalette

    assert SSEN_RAG == {rag.value: colour for rag, colour in RagPalette.SSEN.value.colours.items()}
    assert COLOURBLIND_RAG == {rag.value: colour for rag, colour in RagPalette.COLOURBLIND.value.colours.items()}
    assert {Rag(r) for r in SSEN_RAG} == set(Rag)
    assert {kind: round(radius * 2 / 3.78, 1) for kind, radius in TYPE_RADII.items()} == TYPE_SIZES


# --- access -------------------------------------------------------------------------------------------------

@contextmanager
def sign_in(base: str, token: str) -> Iterator[httpx.Client]:
    """A client signed in through the portal's form, as a browser is (its cookie, no Authorization header)."""
    with httpx.Client(base_url=base, headers={"Accept": BROWSER_ACCEPT}, timeout=60) as client:
        response = client.post("/signin", data={"token": token, "next": "/?f=html"})
        assert response.status_code == 303 and response.headers["location"] == "/?f=html"
        yield client


def test_signing_in_shows_what_the_token_may_see_and_signing_out_hides_it(portal):
    server, tokens = portal
    anonymous = page(server.url, f"/collections/catalogue/items?q={SECRET_WORD}")
    assert "Private feeder loads" not in anonymous.text and "<strong>0</strong> datasets" in anonymous.text
    with sign_in(server.url, tokens["ssen"]) as ssen:
        cookie = ssen.cookies[COOKIE]
        assert tokens["ssen"] not in cookie
        found = ssen.get(f"/collections/catalogue/items?q={SECRET_WORD}")
        assert "<strong>2</strong> datasets" in found.text and "Signed in as <strong>sam</strong>" in found.text
        assert "Who may see it" in found.text  # the access facet, for signed-in users only
        assert ssen.get(f"/collections/{RESTRICTED}").status_code == 200
        # The map preview's requests carry the same session (the browser's fetch sends the cookie).
        assert ssen.get(f"/collections/{RESTRICTED}/items", headers={"Accept": "application/geo+json"}).status_code == 200
        # The session reads; it never writes: a delete with only the cookie is anonymous.
        assert ssen.delete(f"/collections/{RESTRICTED}").status_code == 401
        out = ssen.post("/signout", data={"next": "/?f=html"})
        assert out.status_code == 303 and COOKIE not in ssen.cookies
        assert ssen.get(f"/collections/{RESTRICTED}").status_code == 404
    with sign_in(server.url, tokens["council"]) as council:
        assert council.get(f"/collections/{REGISTERED}").status_code == 200
        assert council.get(f"/collections/{RESTRICTED}").status_code == 404
        listed = council.get(f"/collections/catalogue/items?q={SECRET_WORD}").text
        assert f"Private feeder loads {REGISTERED}" in listed and f"Private feeder loads {RESTRICTED}" not in listed


def test_a_dataset_out_of_reach_has_the_same_404_page_as_one_that_does_not_exist(portal):
    server, _tokens = portal
    hidden = page(server.url, f"/collections/catalogue/items/{RESTRICTED}")
    missing = page(server.url, "/collections/catalogue/items/no-such-dataset-here")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(RESTRICTED, "X") == missing.text.replace("no-such-dataset-here", "X")
    for path in (f"/collections/{RESTRICTED}", f"/collections/{RESTRICTED}/items", "/collections/catalogue/items"):
        assert SECRET_WORD not in page(server.url, path).text


def test_the_token_never_appears_in_an_address_a_page_or_the_log(portal):
    server, tokens = portal
    token = tokens["ssen"]
    with sign_in(server.url, token) as ssen:
        for path in ("/?f=html", f"/collections/{RESTRICTED}", "/signin", f"/collections/{RESTRICTED}/items"):
            assert token not in ssen.get(path).text
    refused = httpx.post(server.url.rstrip("/") + "/signin", data={"token": token + "x", "next": "/"}, timeout=30)
    assert refused.status_code == 401 and "not valid" in refused.text and token not in refused.text
    time.sleep(0.5)
    log = server.log.read_text()
    assert "POST /signin" in log and token not in log and token[:20] not in log


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_signing_in_returns_only_to_this_site(portal, next_url):
    server, tokens = portal
    response = httpx.post(server.url.rstrip("/") + "/signin", data={"token": tokens["council"], "next": next_url},
                          timeout=30)
    assert response.status_code == 303 and response.headers["location"] == "/?f=html"


def test_forms_posted_from_another_site_are_refused(portal):
    server, tokens = portal
    response = httpx.post(server.url.rstrip("/") + "/signin", data={"token": tokens["ssen"]},
                          headers={"Origin": "https://evil.example"}, timeout=30)
    assert response.status_code == 403 and COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("token", ["", " ", "x" * 10_000, "leo_' OR 1=1 --", "<script>"])
def test_a_bad_token_gets_the_sign_in_form_again(portal, token):
    server, _tokens = portal
    response = httpx.post(server.url.rstrip("/") + "/signin", data={"token": token}, timeout=30)
    assert response.status_code == 401 and 'id="token"' in response.text and 'role="alert"' in response.text
    assert "<script>" not in response.text.split("</header>")[1]


def test_a_forged_damaged_or_old_session_is_anonymous(portal):
    server, tokens = portal
    from leo_catalogue.accounts import hash_token

    good = make_cookie(hash_token(tokens["ssen"]))
    assert read_cookie(good) == hash_token(tokens["ssen"])
    payload, _, signature = good.partition(".")
    for cookie in (f"{payload}.{'0' * len(signature)}", f"{payload}x.{signature}", "nonsense", "",
                   make_cookie(hash_token(tokens["ssen"]), now=time.time() - 10 * 24 * 3600)):
        response = page(server.url, f"/collections/{RESTRICTED}", cookies={COOKIE: cookie})
        assert response.status_code == 404, cookie
    assert page(server.url, f"/collections/{RESTRICTED}", cookies={COOKIE: good}).status_code == 200


def test_a_broken_basemap_setting_does_not_break_the_pages(demo_sqlite_path):
    for setting, expected in (("not a url {z}", None), ("ftp://tiles.example/{z}/{x}/{y}.png", None),
                              ("http://127.0.0.1:9/{z}/{x}/{y}.png", "http://127.0.0.1:9")):
        server = CatalogueServer(f"sqlite:///{demo_sqlite_path}", env={"LEO_BASEMAP_URL": setting}).start()
        try:
            response = page(server.url, "/collections/ssen-headroom")
            assert response.status_code == 200
            basemap = config(response, "map-config")["basemap"]
            assert (basemap or {}).get("origin") == expected
            if expected:
                assert expected in response.headers["content-security-policy"]
        finally:
            server.stop()
