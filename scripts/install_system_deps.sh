#!/usr/bin/env bash
# Installs the Debian packages LEO for QGIS needs (QGIS, GDAL, SpatiaLite, PostgreSQL/PostGIS for the
# tests, Xvfb for headless screenshots, Node.js and npm to build the web portal's scripts, Chromium for its
# browser tests) on Debian 12 (QGIS 3.22), 13 (QGIS 3.40) or unstable (QGIS 3.44).
# Names are the same on every release: `postgresql` and `postgresql-postgis` take the release's own
# PostgreSQL major version. Idempotent: does nothing when everything is already installed.
set -euo pipefail

PACKAGES=(
  python3-qgis qgis-providers qgis python3-gdal python3-venv python3-pip
  python3-owslib
  python3-matplotlib
  xvfb xauth imagemagick
  libsqlite3-mod-spatialite
  postgresql postgresql-postgis
  zip gdal-bin
  debootstrap
  chromium fonts-dejavu-core
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm from Debian, unless a node and npm are already there (e.g. NodeSource's nodejs, which
# bundles npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Tests start their own throwaway PostgreSQL cluster on a free port; stop apt from
# creating and starting a system cluster on 5432.
if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi

echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
