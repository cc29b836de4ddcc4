"""Benchmarks of getting data in (`make bench`):

- a 100 MB GeoPackage of points uploaded to the real catalogue server over loopback (multipart, as QGIS
  sends it), with the server's memory watched; a 10 MB upload alongside shows whether memory grows with
  the file;
- an 800 MB file in SSEN's LV-feeder format (generated; one real day is 806 MB) imported with
  `python -m leo_catalogue import-lv-feeder`, with its peak memory.

Each is set against ogr2ogr loading the same file in the same run (the LV-feeder file into SpatiaLite and,
by COPY, into PostgreSQL; LEO_BENCH_LV_MB sets a smaller file). Prints figures and
ratios; asserts nothing.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_lv_feeder_file import write as write_lv_feeder_file  # noqa: E402

from leo_catalogue.accounts import Role, create_token  # noqa: E402
from leo_catalogue.db import make_engine  # noqa: E402
from leo_catalogue.store import init_catalogue  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402

PYTHON = sys.executable
MB = 1024 * 1024


def points_gpkg(target: Path, count: int) -> Path:
    """Random points over Oxfordshire (EPSG:27700) with three fields, written by ogr2ogr from a CSV."""
    rng = random.Random(1)
    csv_path = target.with_suffix(".csv")
    with csv_path.open("w") as out:
        out.write("x,y,site_id,site_name,demand_kva\n")
        for n in range(count):
            out.write(f"{rng.uniform(420000, 480000):.2f},{rng.uniform(180000, 245000):.2f},{n},Site {n},"
                      f"{rng.uniform(1, 500):.3f}\n")
    subprocess.run(["ogr2ogr", "-f", "GPKG", str(target), str(csv_path), "-nln", "sites", "-a_srs", "EPSG:27700",
                    "-oo", "X_POSSIBLE_NAMES=x", "-oo", "Y_POSSIBLE_NAMES=y", "-oo", "AUTODETECT_TYPE=YES"],
                   check=True, capture_output=True)
    csv_path.unlink()
    return target


def ogr2ogr_seconds(source: Path, target: Path, *options: str) -> float:
    start = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "SQLite", "-dsco", "SPATIALITE=YES", str(target), str(source), *options],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'catalogue.sqlite'}"
        engine = make_engine(url)
        init_catalogue(engine)
        self.token = create_token(engine, "bench", "LEO", Role.EDITOR)
        engine.dispose()
        self.port = 8790 + os.getpid() % 100
        env = {**os.environ, "LEO_VAR_DIR": str(folder / "var"), "LEO_MAX_UPLOAD_MB": "2048"}
        self.process = subprocess.Popen([PYTHON, "-m", "leo_catalogue", "serve", "--db", url, "--port",
                                         str(self.port), "--log-level", "warning"], cwd=ROOT, env=env)
        for _ in range(300):
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=1).request("GET", "/")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the catalogue server did not start")

    def upload(self, path: Path, dataset_id: str) -> tuple[float, float, int]:
        """(seconds, peak server RSS growth in MB, HTTP status) of a multipart upload streamed from disk."""
        boundary = "leo-bench"
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n{dataset_id}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="licence"\r\n\r\nOGL\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="id"\r\n\r\n{dataset_id}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        baseline = rss_mb(self.process.pid)
        peak = [baseline]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb(self.process.pid))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.putrequest("POST", "/collections")
        connection.putheader("Authorization", f"Bearer {self.token}")
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
        connection.endheaders()
        connection.send(head)
        with path.open("rb") as data:
            while chunk := data.read(MB):
                connection.send(chunk)
        connection.send(tail)
        response = connection.getresponse()
        response.read()
        seconds = time.perf_counter() - start
        done.set()
        watcher.join()
        return seconds, peak[0] - baseline, response.status

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def bench_upload(folder: Path) -> None:
    small = points_gpkg(folder / "small.gpkg", 77_000)    # about 10 MB
    large = points_gpkg(folder / "large.gpkg", 770_000)   # about 100 MB
    print(f"Upload: GeoPackages of {small.stat().st_size / MB:.0f} MB and {large.stat().st_size / MB:.0f} MB "
          "(points, 3 fields, EPSG:27700)")
    reference = ogr2ogr_seconds(large, folder / "reference.sqlite", "-t_srs", "EPSG:4326")
    print(f"  ogr2ogr GeoPackage -> SpatiaLite in EPSG:4326 (reference): {reference:.1f} s")
    server = Server(folder / "server")
    try:
        for path in (small, large):
            seconds, growth, status = server.upload(path, path.stem)
            print(f"  upload {path.stat().st_size / MB:.0f} MB: HTTP {status} in {seconds:.1f} s "
                  f"({path.stat().st_size / MB / seconds:.1f} MB/s), server memory +{growth:.0f} MB at peak")
            if path is large:
                print(f"  ratio upload / ogr2ogr: {seconds / reference:.2f} (goal: under 30 s)")
    finally:
        server.stop()


def timed_import(source: Path, url: str) -> tuple[float, str, int, float]:
    """import-lv-feeder as a user runs it: seconds, its first line, exit code, peak memory (MB)."""
    start = time.perf_counter()
    process = subprocess.Popen([PYTHON, "-m", "leo_catalogue", "import-lv-feeder", str(source), "--dataset-id",
                                "lv-feeder", "--db", url], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    summary = process.stdout.read().splitlines()[0] if process.stdout else ""
    return seconds, summary, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024


def bench_lv_feeder(folder: Path, megabytes: float) -> None:
    source = write_lv_feeder_file(folder / "lv_feeder_usage.csv", megabytes)
    print(f"Ingest: {source.stat().st_size / MB:.0f} MB in SSEN's LV-feeder format"
          + ("" if megabytes >= 800 else f" (LEO_BENCH_LV_MB={megabytes:g}; the goal is stated for 800 MB)"))
    reference = ogr2ogr_seconds(source, folder / "reference-feeder.sqlite", "-oo", "AUTODETECT_TYPE=YES")
    print(f"  SQLite: ogr2ogr CSV -> SpatiaLite (reference, typed by GDAL): {reference:.1f} s")
    seconds, summary, code, peak = timed_import(source, f"sqlite:///{folder / 'feeder.sqlite'}")
    print(f"  SQLite: import-lv-feeder: {summary} exit {code}, {seconds:.1f} s, peak memory {peak:.0f} MB "
          f"(goals: at most ogr2ogr's time, under 1 GB)")
    print(f"  SQLite: ratio import / ogr2ogr: {seconds / reference:.2f} (goal <= 1)")
    cluster = PostgresCluster()
    try:
        url = cluster.start()
        init_catalogue(make_engine(url))
        start = time.perf_counter()
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:host=127.0.0.1 port={cluster.port} user=postgres dbname=leo",
                        str(source), "-nln", "reference_feeder", "-oo", "AUTODETECT_TYPE=YES"],
                       check=True, capture_output=True)
        reference = time.perf_counter() - start
        print(f"  PostGIS: ogr2ogr CSV -> PostgreSQL (reference, COPY, typed by GDAL): {reference:.1f} s")
        seconds, summary, code, peak = timed_import(source, url)
        print(f"  PostGIS: import-lv-feeder (COPY): {summary} exit {code}, {seconds:.1f} s, peak memory {peak:.0f} MB")
        print(f"  PostGIS: ratio import / ogr2ogr: {seconds / reference:.2f} (goal <= 1)")
    finally:
        cluster.stop()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="leo-bench-ingest-"))
    try:
        bench_upload(folder)
        bench_lv_feeder(folder, float(os.environ.get("LEO_BENCH_LV_MB", "800")))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
