"""The QGIS version matrix: the whole test suite on every supported QGIS, one Debian release each.

``make test-qgis`` runs this as root with the system Python (standard library only). For each release the
suite runs either on this machine (when it is that release) or in a Debian root built with debootstrap and
cached under ``var/matrix/<release>``, by the project's own ``make test`` (which installs the release's
packages and its pinned venv), with the source copied in fresh. It prints a table and exits non-zero
(failing CI) unless every release ran and passed. A release that could not be built or installed is
reported with the reason, never as passed.

    python3 scripts/qgis_matrix.py [bookworm trixie sid]   (default: all three)
    python3 scripts/qgis_matrix.py --in trixie -- bash scripts/run_tests.sh tests/test_plugin.py
        (a command in an already set-up chroot, on a fresh copy of the source: for developers)

With LEO_MATRIX_HOST_REPORT=var/test-report.xml the row of this machine's own release is read from the report
of the `make test` that has just run (as .ci/run does) instead of running the suite a second time.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The chroots; another checkout (a git worktree) may share them: LEO_MATRIX_CACHE=/path/to/main/var/matrix.
CACHE = Path(os.environ.get("LEO_MATRIX_CACHE", ROOT / "var" / "matrix"))
RELEASES = {"bookworm": "QGIS 3.22 LTR (Debian 12)", "trixie": "QGIS 3.40 (Debian 13)",
            "sid": "QGIS 3.44 LTR (Debian unstable)"}
INSIDE = f"/src/{ROOT.name}"  # where this checkout's copy lives inside a chroot (one per checkout)
# Kept between runs inside a chroot: its venv and what the suite caches (the demo database).
KEPT = {".venv", ".stamps", "var", "node_modules"}
# Where scripts/run_tests.sh (`make test`) writes its JUnit report, relative to the source.
REPORT = "var/test-report.xml"
VERSIONS_PY = ("import json, sys, numpy; from osgeo import gdal; from qgis.core import Qgis; "
               "print(json.dumps({'qgis': Qgis.version(), 'python': sys.version.split()[0], "
               "'gdal': gdal.__version__, 'numpy': numpy.__version__}))")


@dataclass
class Row:
    release: str
    where: str = ""
    qgis: str = "-"
    python: str = "-"
    gdal: str = "-"
    numpy: str = "-"
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    problem: str = ""  # why the release did not run or did not pass; empty when it passed

    @property
    def ok(self) -> bool:
        return not self.problem and self.failed == 0 and self.passed > 0


class MatrixError(Exception):
    """A release could not be set up; the message is the reason shown in the table."""


def run(command: list[str], log: Path, env: dict[str, str] | None = None, timeout: float = 3600) -> None:
    """Run a command, its output appended to ``log``; a failure raises MatrixError with the log's tail."""
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        try:
            code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=timeout).returncode
        except subprocess.TimeoutExpired as exc:
            raise MatrixError(f"{command[0]} took longer than {timeout:.0f} s (log: {log})") from exc
    if code != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise MatrixError(f"{' '.join(command[:3])} failed ({code}): {' / '.join(tail)} (log: {log})")


def host_release() -> str:
    return subprocess.run(["bash", str(ROOT / "scripts/debian_release.sh")], capture_output=True, text=True,
                          check=True).stdout.strip()


def apt_mirror() -> str:
    """The Debian mirror: LEO_MATRIX_MIRROR, else the one this machine's own apt sources name (reachable here)."""
    if os.environ.get("LEO_MATRIX_MIRROR"):
        return os.environ["LEO_MATRIX_MIRROR"]
    for source in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        if not source.is_file():
            continue
        for line in source.read_text().splitlines():
            words = line.split()
            if line.startswith("URIs:") and "debian-security" not in line and "/debian" in line:
                return words[1]
            if words[:1] == ["deb"] and "/debian" in line and "security" not in line:
                return next(w for w in words[1:] if w.startswith("http"))
    return "http://deb.debian.org/debian"


# --- chroots ---------------------------------------------------------------------------------------------

# (where in the chroot, mount's arguments before the target), in mounting order.
MOUNTS = [("proc", ["-t", "proc", "proc"]), ("sys", ["-t", "sysfs", "sysfs"]), ("dev", ["--bind", "/dev"]),
          ("dev/pts", ["--bind", "/dev/pts"]), ("dev/shm", ["-t", "tmpfs", "tmpfs"]), ("tmp", ["-t", "tmpfs", "tmpfs"])]


def mounts_under(root: Path) -> list[str]:
    """Mount points inside ``root``, deepest first."""
    prefix = str(root.resolve()) + "/"
    points = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


def unmount_all(root: Path) -> None:
    for point in mounts_under(root):
        subprocess.run(["umount", "-l", point], check=False)
    left = mounts_under(root)
    if left:
        raise MatrixError(f"could not unmount {', '.join(left)}")


def bootstrap(release: str, root: Path, log: Path) -> None:
    """A minimal Debian root for ``release`` (about 2 minutes); a half-built one is rebuilt."""
    ready = root / ".leo-bootstrapped"
    if ready.exists():
        return
    if root.exists():
        unmount_all(root)  # never delete through a bind mount of the host's /dev
        shutil.rmtree(root)
    if not shutil.which("debootstrap"):
        raise MatrixError("debootstrap is not installed (make setup installs it)")
    mirror = apt_mirror()
    run(["debootstrap", "--variant=minbase", "--include=ca-certificates,make", release, str(root), mirror], log,
        timeout=1800)
    apt_conf = root / "etc/apt/apt.conf.d"
    # Unstable's Release file is often past its Valid-Until on mirrors; no daemons start in the chroot.
    if release == "sid":
        (apt_conf / "99leo-valid-until").write_text('Acquire::Check-Valid-Until "false";\n')
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    ready.write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


@contextmanager
def chroot_lock(root: Path):
    """One user of a chroot at a time (checkouts sharing the cache take turns)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def mount(root: Path) -> None:
    # Called holding the chroot's lock: anything still mounted was left by a run that was killed.
    unmount_all(root)
    for target, args in MOUNTS:
        (root / target).mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *args, str(root / target)], check=True)
    # The host's CA bundle: pip reaches the package registry only through what this machine trusts.
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    (root / "etc/ssl/certs").mkdir(parents=True, exist_ok=True)
    shutil.copy(bundle, root / "etc/ssl/certs/leo-host-ca.crt")
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")


def source_files() -> list[str]:
    """The working tree as git sees it: tracked and new files, none that .gitignore excludes."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    return [name for name in listed if name and (ROOT / name).is_file()]


def copy_source(root: Path) -> None:
    """The current source into the chroot, replacing the last copy but its venv and caches."""
    target = root / INSIDE.lstrip("/")
    target.mkdir(parents=True, exist_ok=True)
    for entry in target.iterdir():
        if entry.name not in KEPT:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    listing = "\0".join(source_files()).encode()
    pack = subprocess.Popen(["tar", "-C", str(ROOT), "--null", "-T", "-", "-cf", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    unpack = subprocess.Popen(["tar", "-C", str(target), "-xf", "-"], stdin=pack.stdout)
    pack.stdout.close()
    pack.communicate(listing)
    if pack.wait() != 0 or unpack.wait() != 0:
        raise MatrixError(f"could not copy the source into {target}")


def chroot_env(release: str) -> dict[str, str]:
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
           "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive", "PIP_CERT": "/etc/ssl/certs/leo-host-ca.crt",
           # npm (the web portal's build) trusts the same bundle.
           "NPM_CONFIG_CAFILE": "/etc/ssl/certs/leo-host-ca.crt", "NODE_EXTRA_CA_CERTS": "/etc/ssl/certs/leo-host-ca.crt",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "TERM": "dumb",
           "TMPDIR": "/tmp"}
    for name in ("CI", "PIP_DEFAULT_TIMEOUT", "PIP_INDEX_URL"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def in_chroot(root: Path, script: str, log: Path, release: str, timeout: float = 3600) -> None:
    run(["chroot", str(root), "/bin/bash", "-c", f"cd {INSIDE} && {script}"], log, env=chroot_env(release),
        timeout=timeout)


# --- one release ---------------------------------------------------------------------------------------------

def read_report(report: Path, row: Row) -> None:
    if not report.exists():
        raise MatrixError("the suite wrote no report (it did not start: see the log)")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in ET.parse(report).getroot().iter("testsuite"):
        for key in counts:
            counts[key] += int(suite.get(key, 0))
    row.failed = counts["failures"] + counts["errors"]
    row.skipped = counts["skipped"]
    row.passed = counts["tests"] - row.failed - row.skipped


def read_versions(python: list[str], row: Row, log: Path) -> None:
    result = subprocess.run([*python, "-c", VERSIONS_PY], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if result.returncode != 0:
        with log.open("a") as out:
            out.write(result.stderr)
        return
    versions = json.loads(result.stdout.strip().splitlines()[-1])
    row.qgis, row.python, row.gdal, row.numpy = (versions[k] for k in ("qgis", "python", "gdal", "numpy"))


def run_release(release: str, host: str, logs: Path) -> Row:
    row = Row(release)
    reused = False
    report = ROOT / REPORT
    log = logs / f"{release}.log"
    log.write_text("")
    started = time.monotonic()
    try:
        if release == host:
            row.where = "this machine"
            report = ROOT / REPORT
            reused = bool(os.environ.get("LEO_MATRIX_HOST_REPORT"))
            if reused:
                report = ROOT / os.environ["LEO_MATRIX_HOST_REPORT"]
                row.where = f"this machine (the report of the make test just run, {report.relative_to(ROOT)})"
            else:
                report.unlink(missing_ok=True)
                try:
                    run(["make", "-C", str(ROOT), "test"], log)
                except MatrixError as exc:
                    row.problem = "" if report.exists() else str(exc)
            read_versions([str(ROOT / ".venv/bin/python")], row, log)
        else:
            root = CACHE / release
            row.where = f"chroot {root}"
            with chroot_lock(root):
                bootstrap(release, root, log)
                try:
                    mount(root)
                    copy_source(root)
                    report = root / INSIDE.lstrip("/") / REPORT
                    report.unlink(missing_ok=True)
                    in_chroot(root, "make setup", log, release)
                    try:
                        in_chroot(root, "make test", log, release)
                    except MatrixError as exc:
                        row.problem = "" if report.exists() else str(exc)
                    read_versions(["chroot", str(root), f"{INSIDE}/.venv/bin/python"], row, log)
                finally:
                    unmount_all(root)
        read_report(report, row)
        if row.failed:
            row.problem = f"{row.failed} failed (log: {log})"
    except MatrixError as exc:
        row.problem = str(exc)
    row.seconds = time.monotonic() - started
    if release == host and reused and report.exists():  # the time of the run that made the report
        row.seconds = sum(float(s.get("time", 0)) for s in ET.parse(report).getroot().iter("testsuite"))
    return row


def table(rows: list[Row]) -> str:
    header = ["Debian", "QGIS", "Python", "GDAL", "numpy", "passed", "failed", "skipped", "time", "result"]
    lines = [[r.release, r.qgis, r.python, r.gdal, r.numpy, str(r.passed), str(r.failed), str(r.skipped),
              f"{r.seconds / 60:.1f} min", "passed" if r.ok else f"NOT PASSED: {r.problem}"] for r in rows]
    widths = [max(len(x) for x in column) for column in zip(header, *lines)]
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths))]
    out.append("-|-".join("-" * w for w in widths))
    out += [" | ".join(c.ljust(w) for c, w in zip(line, widths)) for line in lines]
    return "\n".join(out)


def run_in(release: str, command: list[str]) -> int:
    """One command inside a release's chroot (set up by an earlier matrix run), output to the terminal."""
    root = CACHE / release
    if not (root / ".leo-bootstrapped").exists():
        print(f"No chroot for {release}: run 'make test-qgis QGIS_RELEASES={release}' first.", file=sys.stderr)
        return 2
    with chroot_lock(root):
        try:
            mount(root)
            copy_source(root)
            return subprocess.run(["chroot", str(root), "/bin/bash", "-c", f"cd {INSIDE} && \"$@\"", "-", *command],
                                  env=chroot_env(release)).returncode
        finally:
            unmount_all(root)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--in"] and len(argv) > 3 and argv[2] == "--":
        return run_in(argv[1], argv[3:])
    releases = argv or list(RELEASES)
    unknown = [r for r in releases if r not in RELEASES]
    if unknown:
        print(f"Unknown release(s) {unknown}; the matrix knows {list(RELEASES)}.", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("The QGIS matrix builds Debian roots with debootstrap and chroot: run it as root.", file=sys.stderr)
        return 2
    logs = Path(os.environ.get("LEO_MATRIX_LOGS", ROOT / "var" / "matrix-logs"))
    logs.mkdir(parents=True, exist_ok=True)
    host = host_release()
    rows = []
    for release in releases:
        print(f"== {release}: {RELEASES[release]} ...", flush=True)
        row = run_release(release, host, logs)
        print(f"   {row.where}: QGIS {row.qgis}, {row.passed} passed, {row.failed} failed, {row.skipped} skipped, "
              f"{row.seconds / 60:.1f} min{'' if row.ok else ' - ' + row.problem}", flush=True)
        rows.append(row)
    print("\nQGIS version matrix\n" + table(rows))
    (logs / "matrix.json").write_text(json.dumps([row.__dict__ for row in rows], indent=1))
    if all(row.ok for row in rows):
        return 0
    print("\nNot every QGIS version passed.")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
