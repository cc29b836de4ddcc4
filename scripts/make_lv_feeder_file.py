"""Write a file in SSEN's LV-feeder format of about the size asked (deterministic), for benchmarks: many
feeders, 48 half hours of 12 February 2024. By default rows of the real head rows' shape with made values;
with ``--real-rows`` the real rows themselves (leo_catalogue/data/real/ssen/), repeated for each made feeder
with only its id and the half-hour changed.

    python scripts/make_lv_feeder_file.py OUT.csv --megabytes 800 [--real-rows]
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path

HEADER = ("dataset_id,dno_name,dno_alias,secondary_substation_id,secondary_substation_name,lv_feeder_id,"
          "lv_feeder_name,substation_geo_location,aggregated_device_count_active,primary_consumption_active_import,"
          "secondary_consumption_active_import,total_consumption_active_import,aggregated_device_count_reactive,"
          "total_consumption_reactive_import,data_collection_log_timestamp,insert_time,last_modified_time\n")
START = datetime(2024, 2, 12, tzinfo=timezone.utc)
TIMES = [(START + timedelta(minutes=30 * (i + 1))).strftime("%Y-%m-%dT%H:%M:%S.000Z") for i in range(48)]


def _write_feeders(target: Path, megabytes: float, feeder_lines) -> Path:
    """The header, then ``feeder_lines(feeder)`` (a day of one feeder's rows) for feeders 1, 2, ... until the file
    reaches ``megabytes``."""
    limit = int(megabytes * 1024 * 1024)
    with target.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        written, feeder = len(HEADER), 0
        while written < limit:
            feeder += 1
            block = "".join(feeder_lines(feeder))
            out.write(block)
            written += len(block)
    return target


def _made_up_day(feeder: int) -> list[str]:
    primary, secondary, lv = feeder // 400, feeder // 8, feeder % 8 + 1
    dataset_id = f"{primary:04d}{secondary % 1000:03d}{feeder % 1000:03d}{lv:02d}"
    lines = []
    for index, stamp in enumerate(TIMES):
        energy = 800.0 + (feeder * 37 + index * 101) % 2400
        lines.append(f"{dataset_id},Scottish and Southern Electricity Networks,SSEN,{secondary % 1000:03d},"
                     f"SUBSTATION {secondary},{lv:02d},\"\",\"\",{15 + feeder % 60}.0,{energy},\"\","
                     f"{energy},{15 + feeder % 60}.0,{energy / 30:.1f},{stamp},2024-02-14T00:07:06.000Z,"
                     "2024-03-25T12:46:46.298Z\n")
    return lines


def write(target: Path, megabytes: float) -> Path:
    """Made-up feeders in SSEN's format."""
    return _write_feeders(target, megabytes, _made_up_day)


REAL = Path(__file__).resolve().parent.parent / "leo_catalogue" / "data" / "real" / "ssen"


def write_real_rows(target: Path, megabytes: float) -> Path:
    """The real rows repeated: feeder k's half-hour n is real row (k + n) with k's id and n's time stamp."""
    real = [line.split(",") for name in ("lv_feeder_usage_2024-02-12_head.csv", "lv_feeder_usage_2024-02-12_lookup_rows.csv")
            for line in (REAL / name).read_text().splitlines()[1:]]

    def real_day(feeder: int) -> list[str]:
        lines = []
        for index, stamp in enumerate(TIMES):
            cells = list(real[(feeder + index) % len(real)])
            cells[0], cells[14] = f"{feeder:012d}", stamp
            lines.append(",".join(cells) + "\n")
        return lines

    return _write_feeders(target, megabytes, real_day)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--megabytes", type=float, default=800)
    parser.add_argument("--real-rows", action="store_true", help="repeat the real rows (ids and times changed)")
    args = parser.parse_args()
    (write_real_rows if args.real_rows else write)(args.target, args.megabytes)
