"""The code stays ruff clean (the project's lint rules are in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from .support.servers import ROOT


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
