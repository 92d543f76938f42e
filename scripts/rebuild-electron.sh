#!/usr/bin/env bash
# Stages the Electron app in dist/electron-app (compiled code, built renderer, production node_modules)
# and rebuilds its native module (better-sqlite3) for Electron's ABI THERE. The repository's own
# node_modules keep their Node build, so `npm test` keeps working: nothing here touches them.
# serialport and cbor-extract ship N-API prebuilds, which load in Electron unchanged.
#
# Needs Electron's headers or better-sqlite3's prebuilt binaries, both downloaded from the internet
# (not reachable on our CI machines: this script is documented, not run in CI).
#
# Usage: scripts/rebuild-electron.sh [--arch x64|arm64] [--stage-only] [--out DIR]
#   --stage-only  copy files only; electron-builder rebuilds per target arch when packaging.
#   --out DIR     stage somewhere else than dist/electron-app (the tests do).
# Then: electron dist/electron-app [--windowed] [--config kiosk.json]
set -euo pipefail
cd "$(dirname "$0")/.."

ARCH="$(node -p process.arch)"
STAGE_ONLY=0
STAGE=dist/electron-app
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="$2"; shift 2 ;;
    --stage-only) STAGE_ONLY=1; shift ;;
    --out) STAGE="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "rebuild-electron: unknown option $1" >&2; exit 2 ;;
  esac
done

if [ ! -f dist/electron/main.js ] || [ ! -f dist/electron/backend.js ] || [ ! -f dist/renderer/index.html ]; then
  npm run build
fi

case "$(cd "$(dirname "$STAGE")" 2>/dev/null && pwd)/$(basename "$STAGE")" in
  /|"$PWD"|"$PWD/"|"$PWD/dist"|"$HOME") echo "rebuild-electron: refusing to stage into $STAGE" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$STAGE")"
echo "rebuild-electron: staging $STAGE"
rm -rf "$STAGE"
mkdir -p "$STAGE/dist"
cp -a dist/src dist/electron dist/renderer "$STAGE/dist/"
# The app's package.json: the root's metadata and runtime dependencies, the shell as its entry.
node -e '
  const fs = require("fs");
  const root = JSON.parse(fs.readFileSync("package.json", "utf8"));
  const app = {
    name: root.name, productName: "Checkpoint Kiosk", version: root.version,
    description: root.description, license: root.license, private: true, type: "module",
    author: { name: "Checkpoint kiosk maintainers", email: "kiosk-maintainers@example.invalid" },
    homepage: "https://example.invalid/checkpoint-kiosk",
    main: "dist/electron/main.js", dependencies: root.dependencies,
  };
  fs.writeFileSync(process.argv[1], JSON.stringify(app, null, 2) + "\n");
' "$STAGE/package.json"
# Production dependencies only, as npm resolved them (nested copies come with their parent).
# typescript is an optional peer of i18next, never loaded at run time.
npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | sed "s|^$PWD/||" \
  | grep '^node_modules/' | grep -v 'node_modules/.*/node_modules/' | grep -vx 'node_modules/typescript' \
  | sort -u | while read -r dir; do cp -a --parents "$dir" "$STAGE/"; done

if [ "$STAGE_ONLY" = 1 ]; then
  echo "rebuild-electron: staged (no rebuild)"
  exit 0
fi

ELECTRON_VERSION="$(node -p 'require("./node_modules/electron/package.json").version')"
echo "rebuild-electron: better-sqlite3 for Electron $ELECTRON_VERSION ($ARCH)"
npx --no-install electron-rebuild --version "$ELECTRON_VERSION" --arch "$ARCH" \
  --module-dir "$STAGE" --only better-sqlite3 --force
echo "electron-$ELECTRON_VERSION-$ARCH" > "$STAGE/.electron-native"
echo "rebuild-electron: done; run: electron $STAGE"
