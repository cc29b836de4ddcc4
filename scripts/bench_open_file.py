"""Benchmark of opening a large SSEN LV-feeder file in QGIS (`make bench`): about 1 GB built by repeating the
real rows (leo_catalogue/data/real/ssen/, ids and times changed), opened with the plugin's `open_file` in a
fresh QGIS process: streamed, typed, repeats resolved, into an indexed GeoPackage with its quality summary.
Prints the time and the peak memory of the process, then the same for opening it again (the GeoPackage is
reused) and for `ogr2ogr` turning the same CSV into a GeoPackage (the reference, typed by GDAL). Asserts
nothing.

    python scripts/bench_open_file.py [--megabytes 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_lv_feeder_file import write_real_rows  # noqa: E402

PYTHON = sys.executable
MB = 1024 * 1024


def measured(command: list[str], **options) -> tuple[float, float, float, str]:
    """(seconds, processor seconds, peak memory in MB, standard output) of a command run to its end (processor
    time says more than wall time on a machine others share)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, **options)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{command[0]} failed ({status}): {output}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


def child(path: str, cache: str) -> None:
    """In a fresh process: QGIS, the plugin's open_file, the layer read back; prints what was opened."""
    sys.path.insert(0, str(ROOT))
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from leo_qgis_plugin.core import open_files

    open_files.cache_folder = lambda: Path(cache)  # the benchmark's own cache, removed afterwards
    start = time.perf_counter()
    opened = open_files.open_file(path)
    seconds = time.perf_counter() - start
    print(json.dumps({"rows": opened.rows, "features": opened.layer.featureCount(), "seconds": seconds,
                      "source": opened.layer.source(), "quality": opened.quality.headline()}))
    del opened
    app.exitQgis()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1024)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    folder = Path(tempfile.mkdtemp(prefix="leo-bench-open-"))
    try:
        source = write_real_rows(folder / "lv_feeder_usage_2024-02-12.csv", args.megabytes)
        size = source.stat().st_size / MB
        print(f"Open in QGIS: {size:.0f} MB in SSEN's LV-feeder format (real rows repeated), "
              f"{sum(1 for _ in source.open()) - 1:,} rows")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        command = [PYTHON, __file__, "--child", str(source), str(folder / "cache")]
        seconds, cpu, peak, output = measured(command, env=env)
        opened = json.loads(output.splitlines()[-1])
        print(f"  open_file: {opened['rows']:,} rows into {Path(opened['source'].split('|')[0]).name}, "
              f"{seconds:.1f} s ({opened['seconds']:.1f} s in open_file; processor {cpu:.1f} s), peak memory "
              f"{peak:.0f} MB ({peak / size:.2f} x the file; goal under 1 GB)")
        print(f"  quality: {opened['quality']}")
        again, _cpu, again_peak, _ = measured(command, env=env)
        print(f"  open_file again (the GeoPackage reused): {again:.1f} s, peak memory {again_peak:.0f} MB")
        reference, reference_cpu, reference_peak, _ = measured([
            "ogr2ogr", "-f", "GPKG", str(folder / "reference.gpkg"), str(source), "-oo", "AUTODETECT_TYPE=YES",
            "-nln", "lv_feeder"])
        print(f"  ogr2ogr CSV -> GeoPackage (reference, typed by GDAL, no repeats resolved, no index): "
              f"{reference:.1f} s (processor {reference_cpu:.1f} s), peak memory {reference_peak:.0f} MB")
        print(f"  ratio open_file / ogr2ogr: time {seconds / reference:.2f}, processor {cpu / reference_cpu:.2f}, "
              f"memory {peak / reference_peak:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
