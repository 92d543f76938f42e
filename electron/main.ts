// Entry of the Electron main process. Everything is in shell.ts; this file only reads how it was
// started. The kiosk core does not run here but in a utility process (see backend-supervisor.ts).
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { parseShellOptions } from './options.js';
import { runShell } from './shell.js';

const appDir = fileURLToPath(new URL('.', import.meta.url));
const options = parseShellOptions(process.argv, process.env, {
  userData: app.getPath('userData'),
  cwd: process.cwd(),
});

runShell(options, { appDir }).catch((err: unknown) => {
  console.error('kiosk (electron): could not start:', err);
  app.exit(1);
});
