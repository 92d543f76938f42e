#!/usr/bin/env bash
# Restores the Node build of the native modules in the repository's node_modules (what the tests and
# `kiosk start` use), e.g. after someone ran electron-rebuild in place instead of
# scripts/rebuild-electron.sh, which builds for Electron in dist/electron-app only. Builds from source
# with node-gyp (g++, make, python3) when no prebuilt binary can be fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
npm rebuild better-sqlite3 @serialport/bindings-cpp cbor-extract
node -e '
  const Database = require("better-sqlite3");
  new Database(":memory:").prepare("select 1").get();
  console.log("rebuild-node: better-sqlite3 loads in Node " + process.version + " (ABI " + process.versions.modules + ")");
'
