"""Docs screenshots of the web portal in Debian's headless Chromium (docs/images/portal-*.png).

    .venv/bin/python scripts/portal_screenshots.py   (the demo catalogue, a server on a free port)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect  # noqa: E402

from leo_catalogue.config import default_database_url  # noqa: E402
from tests.support.portal import chromium  # noqa: E402
from tests.support.servers import CatalogueServer  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def main() -> None:
    server = CatalogueServer(default_database_url()).start()
    base = server.url.rstrip("/")
    try:
        with chromium(viewport={"width": 1440, "height": 1000}) as context:
            page = context.new_page()
            page.goto(base + "/?f=html")
            page.locator("#q").press_sequentially("headroom", delay=40)
            expect(page.locator("#result-count")).to_contain_text("headroom")
            page.wait_for_timeout(1200)
            page.screenshot(path=IMAGES / "portal-search.png")
            page.goto(base + "/collections/catalogue/items/ssen-headroom?f=html")
            expect(page.locator("#map-status")).to_contain_text("Showing")
            page.wait_for_timeout(800)
            page.screenshot(path=IMAGES / "portal-dataset.png")
            page.goto(base + "/collections/substation-load-hh?f=html")
            expect(page.locator("#chart-status")).to_contain_text("readings")
            page.wait_for_timeout(800)
            page.locator("#chart-heading").scroll_into_view_if_needed()
            page.locator("section:has(#chart-heading)").screenshot(path=IMAGES / "portal-chart.png")
        with chromium(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2) as context:
            page = context.new_page()
            page.goto(base + "/collections/catalogue/items?f=html&q=flexibility")
            page.wait_for_timeout(1200)
            page.screenshot(path=IMAGES / "portal-phone.png")
    finally:
        server.stop()
    for name in ("search", "dataset", "chart", "phone"):
        print(IMAGES / f"portal-{name}.png")


if __name__ == "__main__":
    main()
