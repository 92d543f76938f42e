// Entry of the backend utility process (utilityProcess.fork from the main process): the kiosk core
// with its scanner, SQLite log and MQTT uplink, speaking to the main process over process.parentPort.
// Arguments: --config <kiosk.json> [--demo-samples <samples.json>].
import { log } from '../src/base/log.js';
import { type PortLike, serveBackend } from './backend-server.js';

function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const port = (process as { parentPort?: PortLike }).parentPort;
if (!port) {
  log.error('kiosk backend: no parent port; this file runs only as an Electron utility process');
  process.exit(2);
}
const configPath = argValue(process.argv, '--config');
if (!configPath) {
  log.error('kiosk backend: --config <kiosk.json> is required');
  process.exit(2);
}

serveBackend(port, {
  configPath,
  demoSamplesFile: argValue(process.argv, '--demo-samples'),
  // A short delay lets the last message (fatal, stopped) leave the port before the process ends.
  exit: (code) => {
    setTimeout(() => process.exit(code), 100);
  },
}).catch((err: unknown) => {
  log.error('kiosk backend: fatal', err);
  process.exit(1);
});
