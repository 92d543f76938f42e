#!/usr/bin/env bash
# Sets up a fresh Debian machine and starts the kiosk. With no kiosk.json it runs the demo checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh g++:g++ make:make python3:python3 socat:socat
npm install --no-audit --no-fund
npm run build
exec node bin/kiosk.js start "$@"
