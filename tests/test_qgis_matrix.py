"""The QGIS version matrix reports a release it could not set up with the reason, and fails: a matrix that
ran nothing proves nothing (run as root, as CI does; the real runs are `make test-qgis`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .support.servers import ROOT

MATRIX = ROOT / "scripts" / "qgis_matrix.py"


@pytest.mark.skipif(os.geteuid() != 0, reason="the matrix builds roots with debootstrap and chroot: root only")
def test_a_release_that_cannot_be_installed_is_reported_with_the_reason_and_fails(tmp_path):
    host = subprocess.run(["bash", str(ROOT / "scripts/debian_release.sh")], capture_output=True, text=True,
                          check=True).stdout.strip()
    release = "sid" if host != "sid" else "trixie"  # one this machine is not: it needs a root of its own
    # Nothing listens on port 9: every download from that mirror is refused.
    env = {**os.environ, "CI": "true", "LEO_MATRIX_CACHE": str(tmp_path / "matrix"),
           "LEO_MATRIX_LOGS": str(tmp_path / "logs"), "LEO_MATRIX_MIRROR": "http://127.0.0.1:9/debian"}
    result = subprocess.run(["/usr/bin/python3", str(MATRIX), release], env=env, capture_output=True, text=True,
                            timeout=900, cwd=ROOT)
    assert result.returncode == 1, result.stdout + result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith(f"{release} "))
    assert "NOT PASSED: debootstrap" in row and "failed" in row
    assert "| 0      | 0 " in row  # nothing ran, nothing is claimed
    assert "Not every QGIS version passed." in result.stdout
    assert not (tmp_path / "matrix" / release / ".leo-bootstrapped").exists()  # a half-built root is not kept as ready
    recorded = json.loads((tmp_path / "logs" / "matrix.json").read_text())
    assert recorded[0]["release"] == release and recorded[0]["problem"].startswith("debootstrap")


def test_an_unknown_release_is_refused():
    result = subprocess.run([sys.executable, str(MATRIX), "buster"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Unknown release" in result.stderr
