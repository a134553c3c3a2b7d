#!/usr/bin/env bash
# Install the Debian packages the test suite drives for real: Prometheus (dashboard
# checks), faketime (a really shifted process clock), Chromium (HTML report render)
# and the PostgreSQL server (the suite's second database). Skips what is present.
set -euo pipefail

need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v faketime >/dev/null || need+=(faketime)
command -v chromium >/dev/null || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: need root to install: ${need[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${need[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts packaged daemons on install; the tests start their own on loopback.
systemctl stop prometheus postgresql >/dev/null 2>&1 || true
pkill -x prometheus >/dev/null 2>&1 || true
