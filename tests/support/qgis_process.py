"""Run ``qgis_process`` with the plugin enabled in a profile of its own, as a user would from a shell."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .servers import ROOT


def qgis_process() -> str:
    """The ``qgis_process`` to call. Debian 12's wrapper script passes ``--noversioncheck`` (from
    /etc/default/qgis), which qgis_process rejects, so there the program behind it is called; Debian 13's and
    unstable's wrappers strip that option and are called as they are."""
    wrapper = shutil.which("qgis_process")
    if wrapper is None:
        raise RuntimeError("qgis_process is not installed (Debian package qgis-providers / qgis).")
    binary = Path(wrapper + ".bin")
    if binary.exists() and "noversioncheck" not in Path(wrapper).read_text(errors="replace"):
        return str(binary)
    return wrapper


def run_algorithm(algorithm: str, parameters: list[str], config: Path) -> subprocess.CompletedProcess:
    """``qgis_process run ALGORITHM -- NAME=VALUE ...``; the completed process (text output)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QGIS_PLUGINPATH": str(ROOT),
           "QGIS_CUSTOM_CONFIG_PATH": str(config)}
    enabled = config / ".leo-enabled"  # qgis_process fails on enabling a plugin twice
    if not enabled.exists():
        subprocess.run([qgis_process(), "plugins", "enable", "leo_qgis_plugin"], env=env, capture_output=True,
                       timeout=120, check=True)
        enabled.touch()
    return subprocess.run([qgis_process(), "run", algorithm, "--", *parameters], env=env, capture_output=True,
                          text=True, timeout=300)
