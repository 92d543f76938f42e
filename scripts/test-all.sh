#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every check: types, lint and format, unit, integration
# (real Mosquitto, socat pseudo-terminals, Debian's PostgreSQL) and end-to-end tests (Debian's Chromium via playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh mosquitto:mosquitto socat:socat chromium:chromium pdftoppm:poppler-utils \
  g++:g++ make:make python3:python3 certutil:libnss3-tools '/usr/lib/postgresql/*/bin/initdb:postgresql'
npm install --no-audit --no-fund
npm run build
npm run typecheck
npm run lint
npm run depcheck
# The failures again after the coverage table, so that the end of the log says what failed.
log="$(mktemp)"
if ! npm test 2>&1 | tee "$log"; then
  echo
  echo '== failed =='
  sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *(FAIL|×) |AssertionError' | sort -u | head -60
  # And vitest's own account of each failure (message and stack), which a kept tail of the log loses.
  echo '== why =='
  sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '/Failed Tests [0-9]/{on=1} /Test Files /{on=0} on' | head -200
  rm -f "$log"
  exit 1
fi
rm -f "$log"
