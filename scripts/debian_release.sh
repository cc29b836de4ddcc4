#!/usr/bin/env bash
# Prints the Debian release this machine runs, as the project names it: bookworm, trixie or sid
# (Debian unstable calls itself after the next release, e.g. "forky/sid": that is sid here).
set -euo pipefail
root="${1:-}"
if grep -q '/sid' "$root/etc/debian_version" 2>/dev/null; then
  echo sid
  exit 0
fi
codename=$(. "$root/etc/os-release" && echo "${VERSION_CODENAME:-}")
if [ -z "$codename" ]; then
  echo "Cannot tell the Debian release from $root/etc/os-release." >&2
  exit 1
fi
echo "$codename"
