#!/usr/bin/env bash
# Installs the Debian packages the kiosk or its tests need, when missing. As root it uses apt-get;
# otherwise it stops and names the packages to install. Each argument is command:package; a command
# starting with / is a path pattern instead (PostgreSQL's binaries are not on PATH, and carry a version).
set -euo pipefail
need=()
for pair in "$@"; do
  cmd=${pair%%:*}; pkg=${pair##*:}
  if [[ $cmd == /* ]]; then
    compgen -G "$cmd" >/dev/null || need+=("$pkg")
    continue
  fi
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Thiếu gói / missing Debian packages: ${need[*]}" >&2
  echo "Cài bằng / install with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
