#!/usr/bin/env bash
# Runs the whole test suite headless. QT_QPA_PLATFORM must be set before pytest starts:
# pytest-qgis creates the QgsApplication while conftest.py is loading.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR_TESTS:-$(mktemp -d -t leo-xdg-XXXXXX)}"
chmod 700 "$XDG_RUNTIME_DIR"
export SPATIALITE_LIBRARY_PATH=mod_spatialite
# A JUnit report for the QGIS matrix (scripts/qgis_matrix.py reads its counts).
mkdir -p var
exec .venv/bin/python -m pytest --junitxml=var/test-report.xml "$@"
