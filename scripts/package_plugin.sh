#!/usr/bin/env bash
# Builds dist/leo_qgis_plugin-VERSION.zip: the plugin folder with metadata.txt and compiled resources.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$1"
out="dist/leo_qgis_plugin-${version}.zip"
mkdir -p dist
rm -f "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r leo_qgis_plugin "$stage/"
find "$stage" -name __pycache__ -type d -prune -exec rm -rf {} +
cp LICENSE "$stage/leo_qgis_plugin/LICENSE"
(cd "$stage" && zip -qr - leo_qgis_plugin) > "$out"
echo "Built $out"
