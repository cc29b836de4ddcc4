#!/usr/bin/env bash
# Benchmark: the README walk-through in real desktop QGIS (Xvfb when there is no display), each step through
# the plugin's own widgets, with a heartbeat on QGIS's UI thread. Prints the longest stall of each step
# (the goal: under 100 ms) and any error the Log Messages panel received; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(.venv/bin/python -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
mkdir -p var/bench
export LEO_BENCH_OUT="$work/result.json" LEO_BENCH_SHOTS="$(pwd)/var/bench"
LEO_PORT="$port" LEO_PROFILES_DIR="$work/profiles" timeout 1800 \
  bash scripts/run_qgis.sh --code scripts/bench_walkthrough_probe.py > "$work/qgis.log" 2>&1 \
  || { echo "QGIS failed or timed out; the end of its log:"; tail -n 20 "$work/qgis.log"; exit 1; }
.venv/bin/python - "$LEO_BENCH_OUT" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print("README walk-through in desktop QGIS: longest UI-thread stall per step (goal < 100 ms)")
for s in report["steps"]:
    if "error" in s:
        print(f"  {s['step']:<55} ERROR {s['error'].splitlines()[-1]}")
    else:
        print(f"  {s['step']:<55} {s['longest_stall_ms']:>6} ms stall  {s['seconds']:>6.1f} s"
              + ("" if s["done"] else "  (not done: timed out)"))
print(f"  project CRS {report['project_crs']}; Layers panel: {', '.join(report['layer_tree'])}")
print(f"  message-log errors: {len(report['log'])}")
for line in report["log"]:
    print("   ", line.replace("\n", " ")[:300])
PY
echo "Canvas screenshots: var/bench/walkthrough-*.png"
