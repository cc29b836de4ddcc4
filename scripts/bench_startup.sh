#!/usr/bin/env bash
# Benchmark: what the plugin adds to QGIS start-up, measured in real QGIS desktop (Xvfb when there is
# no display) by QGIS's own start-up profiler. Prints the figure; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LEO_BENCH_OUT="$work/result.txt"
for run in 1 2 3; do  # the first start warms the disk cache; report the last
  LEO_PROFILES_DIR="$work/profiles" bash scripts/run_qgis.sh --code scripts/bench_startup_probe.py \
    > "$work/qgis-$run.log" 2>&1 || { echo "QGIS failed to start; see the log:"; tail -n 20 "$work/qgis-$run.log"; exit 1; }
done
cat "$LEO_BENCH_OUT"
