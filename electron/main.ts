// Entry of the Electron main process. Everything is in shell.ts; this file only fixes where the app
// keeps its files and reads how it was started. The kiosk core does not run here but in a utility
// process (see backend-supervisor.ts).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { log } from '../src/base/log.js';
import { parseShellOptions } from './options.js';
import { runShell } from './shell.js';

// One predictable folder whatever the product name: ~/.config/checkpoint-kiosk (kiosk.json if not
// elsewhere, Chromium's data, logs/incidents.log).
app.setPath('userData', join(app.getPath('appData'), 'checkpoint-kiosk'));
app.setAppLogsPath(join(app.getPath('userData'), 'logs'));

const appDir = fileURLToPath(new URL('.', import.meta.url));
const options = parseShellOptions(process.argv, process.env, {
  userData: app.getPath('userData'),
  cwd: process.cwd(),
});

runShell(options, { appDir }).catch((err: unknown) => {
  log.error('kiosk (electron): could not start:', err);
  app.exit(1);
});
