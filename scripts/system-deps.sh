#!/usr/bin/env bash
# Installs the Debian packages the kiosk or its tests need, when missing. As root it uses apt-get;
# otherwise it stops and names the packages to install.
set -euo pipefail
need=()
for pair in "$@"; do
  cmd=${pair%%:*}; pkg=${pair##*:}
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
