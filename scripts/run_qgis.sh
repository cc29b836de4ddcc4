#!/usr/bin/env bash
# `make run`: start the catalogue server in the background, open its web portal in the desktop's browser
# (LEO_OPEN_PORTAL=1, as `make run` sets; the URL is printed either way), then QGIS desktop with the plugin
# enabled in a project-local profile. Closing QGIS stops the server this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
port="${LEO_PORT:-8765}"
url="http://127.0.0.1:${port}/"
profiles="${LEO_PROFILES_DIR:-$root/var/qgis-profiles}"
profile_dir="$profiles/profiles/leo"
mkdir -p "$profile_dir/QGIS" var/log

answers() { .venv/bin/python - "$url" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=1) as r:
        sys.exit(0 if b"LEO catalogue" in r.read() else 1)
except Exception:
    sys.exit(1)
PY
}

server_pid=""
if answers; then
  echo "A LEO catalogue server already answers at $url; using it."
else
  .venv/bin/python -m leo_catalogue serve --host 127.0.0.1 --port "$port" > var/log/server.log 2>&1 &
  server_pid=$!
  trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    answers && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "The catalogue server failed to start; see var/log/server.log:" >&2
      tail -n 20 var/log/server.log >&2
      exit 1
    fi
    sleep 0.2
  done
  answers || { echo "The catalogue server did not answer at $url." >&2; exit 1; }
  echo "Catalogue server on $url (log: var/log/server.log)."
fi

echo "Web portal (search, preview and download in a browser): ${url}"
if [ "${LEO_OPEN_PORTAL:-0}" = 1 ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; } \
    && command -v xdg-open >/dev/null; then
  xdg-open "$url" >/dev/null 2>&1 &
fi

# Enable the plugin in the project-local profile (QGIS reads [PythonPlugins] at start).
ini="$profile_dir/QGIS/QGIS3.ini"
touch "$ini"
if ! grep -q '^\[PythonPlugins\]' "$ini"; then
  printf '\n[PythonPlugins]\nleo_qgis_plugin=true\n' >> "$ini"
elif ! grep -q '^leo_qgis_plugin=true' "$ini"; then
  sed -i '/^\[PythonPlugins\]/a leo_qgis_plugin=true' "$ini"
fi

export QGIS_PLUGINPATH="$root"
export LEO_CATALOGUE_URL="$url"
qgis_args=(--profiles-path "$profiles" --profile leo --noversioncheck --nologo "$@")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: running QGIS on a virtual screen (Xvfb)."
  xvfb-run -a -s '-screen 0 1600x1000x24' qgis "${qgis_args[@]}"
else
  qgis "${qgis_args[@]}"
fi
