#!/usr/bin/env node
// The `kiosk` command. Runs the compiled CLI; `npm run build` (run by `npm ci` via `prepare`) makes it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('kiosk: chưa biên dịch, hãy chạy `npm run build` / not built yet: run `npm run build`');
  process.exit(2);
}
await import(main);
