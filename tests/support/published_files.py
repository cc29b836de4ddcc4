"""Files in the published formats, made by the tests from the real rows (leo_catalogue/data/real/): SSEN's
LV-feeder CSV for any days and feeders, Project LEO's meter and price files stamped in UK clock time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .servers import ROOT

UK = ZoneInfo("Europe/London")
UTC = timezone.utc
REAL = ROOT / "leo_catalogue/data/real"
FEEDERS = REAL / "ssen/lv_feeder_usage_2024-02-12_head.csv"
LOOKUP = REAL / "ssen/lv_feeder_postcode_mapping.csv"
METER = REAL / "leo/MVSA1_2_1_P11_LCH_01092020_LEOD041F06.txt"
PRICES = REAL / "leo/Price_session2.csv"
HALF_HOUR = timedelta(minutes=30)


def feeder_header() -> str:
    return FEEDERS.read_text().splitlines()[0]


def feeder_row(stamp: str, energy: float, feeder: str = "000200200402",
               modified: str = "2024-03-25T12:46:46.298Z") -> str:
    """A real row of SSEN's file with its feeder, time stamp (as written), energy (Wh) and issue time changed."""
    cells = FEEDERS.read_text().splitlines()[1].split(",")
    cells[0], cells[14], cells[16] = feeder, stamp, modified
    cells[9] = cells[11] = f"{energy:.1f}"
    return ",".join(cells)


def uk_day_half_hours(day: datetime) -> list[datetime]:
    """The UTC ends of the half-hours of a UK day (46 in spring, 50 in autumn, 48 otherwise)."""
    start = day.replace(tzinfo=UK).astimezone(UTC)
    end = (day + timedelta(days=1)).replace(tzinfo=UK).astimezone(UTC)
    return [start + HALF_HOUR * (n + 1) for n in range(int((end - start) / HALF_HOUR))]


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def feeder_file(stamps: list[datetime], feeders: tuple[str, ...] = ("000200200402",), energy=None) -> str:
    """An LV-feeder file: every feeder at every stamp."""
    energy = energy or (lambda n: 1000.0 + 7 * n)
    rows = [feeder_row(iso(at), energy(n), feeder) for feeder in feeders for n, at in enumerate(stamps)]
    return "\n".join([feeder_header(), *rows]) + "\n"


def price_day(day: datetime) -> bytes:
    """Project LEO's price file re-stamped for a UK day: a row per settlement period, stamped at its end in UK
    clock time, as the real file is (50 rows for an autumn day, 46 for a spring day)."""
    real = PRICES.read_text(encoding="utf-8").splitlines()
    prices = [line.split(",")[1] for line in real[1:]]
    rows = [f"{end.astimezone(UK):%Y-%m-%d %H:%M:%S},{prices[n % len(prices)]}"
            for n, end in enumerate(uk_day_half_hours(day))]
    return "\n".join([real[0], *rows]).encode() + b"\n"


def meter_from(start: datetime) -> bytes:
    """The real meter file re-stamped: its rows, 5 seconds apart from ``start`` (UTC), in UK clock time."""
    lines = METER.read_text().splitlines()
    out = [lines[0]]
    for n, line in enumerate(lines[1:]):
        local = (start + timedelta(seconds=5 * n)).astimezone(UK)
        cells = line.split("\t")
        cells[0], cells[1] = f"{local:%d/%m/%Y}", f"{local:%H:%M:%S}"
        out.append("\t".join(cells))
    return ("\r\n".join(out) + "\r\n").encode()
