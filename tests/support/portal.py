"""The web portal's test catalogue (the demo plus datasets that are not public, and tokens) and a headless
Chromium from Debian driven by Playwright."""

from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import shapely

from leo_catalogue.accounts import Role, create_token
from leo_catalogue.db import make_engine
from leo_catalogue.records import AccessLevel, DatasetKind, DatasetRecord, Provenance
from leo_catalogue.store import put_dataset
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

CHROMIUM = Path("/usr/bin/chromium")
# As root in a container or chroot Chromium needs --no-sandbox; nothing may reach the network on its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                 "--disable-default-apps", "--mute-audio"]
RESTRICTED = "ssen-private-feeders"  # SSEN's own, for its organisation
REGISTERED = "consortium-meters"  # for any signed-in user
SECRET_WORD = "zebrafinch"  # in the descriptions of both: must never show to those without access


def _private(dataset_id: str, access: AccessLevel, organisation: str) -> DatasetRecord:
    return DatasetRecord(
        id=dataset_id, title=f"Private feeder loads {dataset_id}", description=f"Not public: {SECRET_WORD} feeders.",
        keywords=["feeders", "headroom"], licence="SSEN internal", attribution="SSEN", provenance=Provenance.REAL,
        publisher="SSEN private data", kind=DatasetKind.VECTOR, access=access, organisation=organisation,
        fields=[FieldDef("name", FieldType.STRING, "Feeder"), FieldDef("load_kw", FieldType.NUMBER, "Load", "", "kW")],
        geometry_type="Point")


def build_portal_catalogue(demo_sqlite_path: Path, folder: Path) -> tuple[str, dict[str, str]]:
    """A copy of the demo with a restricted and a registered dataset; (database URL, tokens by user)."""
    target = folder / "portal.sqlite"
    shutil.copy(demo_sqlite_path, target)
    url = f"sqlite:///{target}"
    engine = make_engine(url)
    for dataset_id, access, organisation in ((RESTRICTED, AccessLevel.RESTRICTED, "SSEN"),
                                             (REGISTERED, AccessLevel.REGISTERED, "")):
        rows = [{"name": f"F{n}", "load_kw": 10.0 * n, "geometry": shapely.Point(-1.25 + n / 100, 51.75)}
                for n in range(5)]
        put_dataset(engine, _private(dataset_id, access, organisation), [rows])
    tokens = {"ssen": create_token(engine, "sam", "SSEN", Role.VIEWER),
              "council": create_token(engine, "cat", "Oxford City Council", Role.VIEWER)}
    engine.dispose()
    return url, tokens


def chromium_version() -> str:
    """Debian's Chromium's version; a clear failure (never a skip) when it is missing."""
    assert CHROMIUM.exists(), ("Chromium is not installed: run `make setup` (scripts/install_system_deps.sh installs "
                               "Debian's chromium package).")
    return subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=60).stdout.strip()


@contextmanager
def chromium(**context_options):
    """A fresh browser context in headless Debian Chromium (a new profile each time)."""
    from playwright.sync_api import sync_playwright

    chromium_version()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(**{"viewport": {"width": 1366, "height": 900}, "locale": "en-GB",
                                         "timezone_id": "Europe/London", **context_options})
        try:
            yield context
        finally:
            context.close()
            browser.close()
