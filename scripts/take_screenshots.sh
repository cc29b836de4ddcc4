#!/usr/bin/env bash
# Docs screenshots under Xvfb: QGIS desktop as `make run` opens it, with scripted scenes.
# Usage: scripts/take_screenshots.sh [NAME]   (writes docs/images/*.png; NAME: only that scene)
set -euo pipefail
cd "$(dirname "$0")/.."
export LEO_PORT="${LEO_PORT:-8781}"
display=":$(( (RANDOM % 400) + 100 ))"
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp &
xvfb_pid=$!
trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
export DISPLAY="$display"
mkdir -p var/log
sleep 1

only="${1:-}"  # a scene name to take only that one
shoot() {  # shoot NAME SCENE WAIT_SECONDS
  [ -n "$only" ] && [ "$only" != "$1" ] && return 0
  local name=$1 scene=$2 wait=$3
  # A fresh QGIS profile per scene: nothing one scene opens (panels, layers) shows in the next.
  local profiles
  profiles=$(mktemp -d /tmp/leo-screenshot-profile-XXXXXX)
  LEO_PROFILES_DIR="$profiles" bash scripts/run_qgis.sh --code "scripts/screenshots/$scene" \
    > "var/log/screenshot-$name.log" 2>&1 &
  local pid=$!
  sleep "$wait"
  import -display "$display" -window root "docs/images/$name.png"
  pkill -P "$pid" qgis 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$profiles"
  echo "docs/images/$name.png"
}

shoot first-map first_map.py 25
shoot constraints-overlay constraints.py 25
shoot screening screening.py 30
shoot export export.py 25
shoot share share.py 25
shoot catalogue-dock catalogue.py 25
shoot multiscale multiscale.py 30
shoot flex-baselines flex.py 75
shoot time-playback time.py 45
