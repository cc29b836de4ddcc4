"""Write a file in SSEN's LV-feeder format of about the size asked (deterministic), for benchmarks: the
real head rows' shape, many feeders, 48 half hours of 12 February 2024.

    python scripts/make_lv_feeder_file.py OUT.csv --megabytes 800
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


def write(target: Path, megabytes: float) -> Path:
    limit = int(megabytes * 1024 * 1024)
    with target.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        written, feeder = len(HEADER), 0
        while written < limit:
            feeder += 1
            primary, secondary, lv = feeder // 400, feeder // 8, feeder % 8 + 1
            dataset_id = f"{primary:04d}{secondary % 1000:03d}{feeder % 1000:03d}{lv:02d}"
            lines = []
            for index, stamp in enumerate(TIMES):
                energy = 800.0 + (feeder * 37 + index * 101) % 2400
                lines.append(f"{dataset_id},Scottish and Southern Electricity Networks,SSEN,{secondary % 1000:03d},"
                             f"SUBSTATION {secondary},{lv:02d},\"\",\"\",{15 + feeder % 60}.0,{energy},\"\","
                             f"{energy},{15 + feeder % 60}.0,{energy / 30:.1f},{stamp},2024-02-14T00:07:06.000Z,"
                             "2024-03-25T12:46:46.298Z\n")
            block = "".join(lines)
            out.write(block)
            written += len(block)
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--megabytes", type=float, default=800)
    args = parser.parse_args()
    write(args.target, args.megabytes)
