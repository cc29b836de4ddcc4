"""Run ``qgis_process`` with the plugin enabled in a profile of its own, as a user would from a shell."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .servers import ROOT

# Debian 12's /usr/bin/qgis_process wrapper adds --noversioncheck, which qgis_process rejects.
QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def run_algorithm(algorithm: str, parameters: list[str], config: Path) -> subprocess.CompletedProcess:
    """``qgis_process run ALGORITHM -- NAME=VALUE ...``; the completed process (text output)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QGIS_PLUGINPATH": str(ROOT),
           "QGIS_CUSTOM_CONFIG_PATH": str(config)}
    enabled = config / ".leo-enabled"  # qgis_process fails on enabling a plugin twice
    if not enabled.exists():
        subprocess.run([QGIS_PROCESS, "plugins", "enable", "leo_qgis_plugin"], env=env, capture_output=True,
                       timeout=120, check=True)
        enabled.touch()
    return subprocess.run([QGIS_PROCESS, "run", algorithm, "--", *parameters], env=env, capture_output=True,
                          text=True, timeout=300)
