"""The web portal in a real browser: Debian's headless Chromium driven by Playwright, against the real server on
127.0.0.1. A resident types a search, opens a dataset, sees its features drawn (pixels, not elements), moves the
chart, downloads files and opens them, signs in to see a restricted dataset and out again, gets around with the
keyboard alone and on a phone; axe-core finds no serious accessibility problem."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from .support.faults import FaultyServer
from .support.portal import RESTRICTED, SECRET_WORD, chromium, chromium_version
from .support.servers import ROOT, CatalogueServer

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SSEN_RED, SSEN_AMBER, SSEN_GREEN = (0xD7, 0x19, 0x1C), (0xF5, 0xA3, 0x00), (0x1A, 0x96, 0x41)
CHART_BLUE = (0x0B, 0x4F, 0x9C)
TILE_COLOUR = (120, 200, 240)
# The pages checked with axe-core: each kind of page the portal has.
AXE_PAGES = ["/?f=html", "/collections/catalogue/items?f=html&q=load&kind=timeseries",
             "/collections/catalogue/items/ssen-headroom?f=html", "/collections/substation-load-hh?f=html",
             "/collections/leo-price-2019-01-23?f=html", "/collections/oxon-districts/items?f=html&limit=5",
             "/collections?f=html", "/signin", "/collections/nope?f=html", "/conformance?f=html"]
SERIOUS = {"serious", "critical"}


def colour_pixels(png: bytes, colour: tuple[int, int, int], tolerance: int = 14) -> int:
    """How many pixels of a screenshot are within ``tolerance`` of a colour."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for pixel in image.getdata() if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour)))


@pytest.fixture()
def browser():
    with chromium() as context:
        errors: list[str] = []
        context.on("weberror", lambda error: errors.append(str(error.error)))
        context.on("console", lambda message: errors.append(message.text)
                   if message.type == "error" and "Content Security Policy" in message.text else None)
        yield context
        assert not errors, errors  # no script error on any page


def base(portal) -> str:
    return portal[0].url.rstrip("/")


# Waits go through Playwright's expect(), never wait_for_function: the pages' Content-Security-Policy forbids the
# eval that a string predicate needs, and the tests keep that policy on.
def wait_for_map(page) -> str:
    expect(page.locator("#map-status")).to_have_text(re.compile("^Showing"), timeout=30_000)
    page.wait_for_timeout(400)  # the frame after the last features arrived
    return page.locator("#map-status").text_content()


def wait_for_chart(page):
    expect(page.locator("#chart-status")).to_contain_text("readings", timeout=30_000)


def test_chromium_is_debians():
    assert re.match(r"Chromium \d+\.", chromium_version())


def test_typing_a_search_shows_results_and_a_result_opens_its_map(portal, browser):
    page = browser.new_page()
    page.goto(base(portal) + "/")
    assert page.title().startswith("Search the catalogue")
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#q").press_sequentially("headr", delay=60)
    expect(page.locator("#result-count")).to_contain_text("headr")
    assert page.evaluate("window.stillTheSamePage") is True  # results came without a page load
    assert "q=headr" in page.url
    first = page.locator(".result h3 a").first
    assert first.text_content() == "SSEN network headroom, Oxfordshire (synthetic)"
    first.click()
    page.wait_for_url("**/collections/catalogue/items/ssen-headroom?f=html")
    assert wait_for_map(page).startswith("Showing all")
    shot = page.locator("#dataset-map").screenshot()
    for name, colour in (("red", SSEN_RED), ("amber", SSEN_AMBER), ("green", SSEN_GREEN)):
        assert colour_pixels(shot, colour) > 40, f"no {name} substations drawn"
    # The colour-blind-safe palette redraws the same substations in other colours.
    page.locator("#colourblind").check()
    page.wait_for_timeout(300)
    assert colour_pixels(page.locator("#dataset-map").screenshot(), SSEN_RED) < 10


def test_facets_and_the_map_view_filter_narrow_the_results(portal, browser):
    page = browser.new_page()
    page.goto(base(portal) + "/?f=html")
    page.get_by_label("Real data").check()
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^\s*4 datasets"))
    assert "provenance=real" in page.url
    assert page.get_by_label("Real data").is_checked()  # kept ticked and focused across the swap
    page.get_by_label("Only datasets in the map view").check()
    expect(page).to_have_url(re.compile("bbox="))
    assert page.locator("#bbox").input_value().count(",") == 3


def test_the_chart_draws_a_series_and_moves_earlier_and_later(portal, browser):
    page = browser.new_page()
    page.goto(base(portal) + "/collections/substation-load-hh?f=html")
    wait_for_chart(page)
    first_status = page.locator("#chart-status").text_content()
    assert "Average load (kW)" in first_status and "337 readings" in first_status
    before = page.locator("#chart").screenshot()
    assert colour_pixels(before, CHART_BLUE, 30) > 300  # the line is drawn
    start = page.locator("#chart-from").input_value()
    page.locator("#chart-earlier").click()
    expect(page.locator("#chart-status")).not_to_have_text(first_status)
    wait_for_chart(page)
    assert page.locator("#chart-from").input_value() == "2025-12-18T00:00" and start == "2025-12-25T00:00"
    assert page.locator("#chart").screenshot() != before
    page.locator("#chart-later").click()
    expect(page.locator("#chart-from")).to_have_value("2025-12-25T00:00")
    witney = next(t for t in page.locator("#chart-site option").all_text_contents() if t.startswith("Witney"))
    page.locator("#chart-site").select_option(label=witney)
    expect(page.locator("#chart-status")).to_contain_text("Witney")


def test_a_dataset_without_geometry_has_its_table_and_chart_and_no_map(portal, browser):
    page = browser.new_page()
    page.goto(base(portal) + "/collections/leo-price-2019-01-23?f=html")
    wait_for_chart(page)
    assert page.locator("#dataset-map").count() == 0
    assert page.locator("table.data tbody tr").first.is_visible()


def test_downloads_are_files_that_open(portal, browser, tmp_path):
    from osgeo import ogr

    page = browser.new_page()
    page.goto(base(portal) + "/collections/oxon-districts?f=html")
    with page.expect_download() as info:
        page.get_by_role("link", name="GeoJSON", exact=True).click()
    data = json.loads(Path(info.value.path()).read_text())
    assert len(data["features"]) == 5 and data["license"] == "Open Government Licence v3.0"
    with page.expect_download() as info:
        page.get_by_role("link", name="GeoPackage", exact=True).first.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert ogr.Open(str(target)).GetLayer(0).GetFeatureCount() == 5
    page.reload()
    assert page.locator(".downloads .size").count() == 2  # the sizes are known now
    # Part of a time series: one day, only the primaries in the map's view, as CSV.
    page.goto(base(portal) + "/collections/substation-load-hh?f=html")
    wait_for_map(page)
    page.locator("#download-format").select_option("csv")
    page.locator("#download-from").fill("2025-03-01")
    page.locator("#download-to").fill("2025-03-01")
    page.locator("#dataset-map").click()
    for _ in range(3):
        page.keyboard.press("+")
    page.wait_for_timeout(800)
    page.get_by_label("Only what is in the map view").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the part").click()
    rows = Path(info.value.path()).read_text().splitlines()
    assert rows[0].startswith("fid,wkt,primary_id")
    days = {row.split(",")[4][:10] for row in rows[1:]}
    assert days <= {"2025-03-01", "2025-03-02"} and 48 <= len(rows) - 1 < 48 * 40


def test_signing_in_shows_a_restricted_dataset_and_signing_out_hides_it(portal, browser):
    server, tokens = portal
    page = browser.new_page()
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    page.goto(base(portal) + f"/collections/catalogue/items?f=html&q={SECRET_WORD}")
    assert page.locator(".result").count() == 0
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("API token").fill(tokens["ssen"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**q={SECRET_WORD}**")
    assert "Signed in as sam" in page.locator(".site-header").text_content()
    page.get_by_role("link", name=f"Private feeder loads {RESTRICTED}").click()
    assert wait_for_map(page) == "Showing all 5 features."  # the map's own requests carry the session
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script can read the session
    assert page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)") == "{}{}"
    assert tokens["ssen"] not in page.content()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.locator(".site-header").get_by_role("link", name="Sign in").is_visible()
    page.goto(base(portal) + f"/collections/{RESTRICTED}?f=html")
    assert page.locator("h1").text_content() == "Page not found"
    assert not any(tokens["ssen"] in address for address in addresses)
    assert tokens["ssen"] not in server.log.read_text()


def test_keyboard_alone_reaches_a_dataset_and_moves_its_map(portal, browser):
    page = browser.new_page()
    page.goto(base(portal) + "/?f=html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("flexibility zones")
    expect(page.locator("#result-count")).to_contain_text("flexibility zones")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip the filters to the results"
    page.keyboard.press("Enter")
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.tagName, document.activeElement.textContent]")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", focused
        if focused == ["A", "Flexibility zones (CMZs), Oxfordshire (synthetic)"]:
            break
    else:
        pytest.fail("the first result could not be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/flex-zones?f=html")
    wait_for_map(page)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "dataset-map":
            break
    else:
        pytest.fail("the map could not be reached with Tab")
    before = page.locator("#dataset-map").screenshot()
    page.keyboard.press("+")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(800)
    assert page.locator("#dataset-map").screenshot() != before


def test_markup_typed_into_the_search_is_shown_as_text(portal, browser):
    page = browser.new_page()
    page.goto(base(portal) + "/?f=html")
    hostile = '<img src=x onerror="window.hacked=1">'
    page.locator("#q").fill(hostile)
    expect(page.locator("#result-count")).to_contain_text("<img")
    assert page.evaluate("window.hacked") is None
    assert page.locator(".result-count img").count() == 0


def test_on_a_phone_the_pages_fit_the_screen(portal):
    with chromium(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2) as ctx:
        page = ctx.new_page()
        for path in ("/?f=html&q=load", "/collections/substation-load-hh?f=html"):
            page.goto(base(portal) + path)
            page.wait_for_timeout(1500)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert page.locator(".map").first.bounding_box()["width"] > 300


def test_a_broken_basemap_gives_way_to_a_plain_background_and_a_working_one_is_drawn(demo_sqlite_path):
    tile = io.BytesIO()
    Image.new("RGB", (256, 256), TILE_COLOUR).save(tile, "PNG")
    with FaultyServer(tile.getvalue()) as tiles:
        for path, works in (("/error/{z}/{x}/{y}.png", False), ("/html/{z}/{x}/{y}.png", False),
                            ("/ok/{z}/{x}/{y}.png", True)):
            server = CatalogueServer(f"sqlite:///{demo_sqlite_path}", env={"LEO_BASEMAP_URL": tiles.url + path}).start()
            try:
                with chromium() as context:
                    page = context.new_page()
                    page.goto(server.url + "collections/ssen-headroom?f=html")
                    wait_for_map(page)
                    page.wait_for_timeout(1000)
                    shot = page.locator("#dataset-map").screenshot()
                    assert colour_pixels(shot, SSEN_RED) > 40, path  # the data is drawn either way
                    assert (colour_pixels(shot, TILE_COLOUR, 6) > 5000) is works, path
                    note = page.locator(".map-note")
                    assert (note.count() == 0) is works, path
                    if not works:
                        assert "basemap could not be loaded" in note.text_content()
            finally:
                server.stop()


def test_axe_finds_no_serious_accessibility_problem(portal, tmp_path):
    assert AXE.exists(), "axe-core is not installed: run `make setup` (npm ci)"
    report = {}
    with chromium(bypass_csp=True) as context:  # axe is injected as a script of the test's own
        page = context.new_page()
        for path in AXE_PAGES:
            page.goto(base(portal) + path)
            page.wait_for_timeout(1500)  # maps and charts drawn
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: "
                                   "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
            report[path] = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
                             "first": v["nodes"][0]["target"]} for v in result["violations"]]
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "axe-report.json").write_text(json.dumps(report, indent=1))
    serious = {path: [v for v in found if v["impact"] in SERIOUS] for path, found in report.items()}
    assert not any(serious.values()), serious
