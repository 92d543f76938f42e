// The `kiosk` command line (spec/cli.md). Each sub-command lives in its own file and registers itself.
// `start` pulls in the whole kiosk, so it is loaded only when asked for: `verify` stays quick.
import { Command, CommanderError } from 'commander';
import { KioskError } from '../contract/errors.js';
import { register as registerCerts } from './certs.js';
import { register as registerCommandCentre } from './command-centre.js';
import { register as registerDecodeImage } from './decode-image.js';
import { register as registerIdnKey } from './idn-key.js';
import { register as registerIssue } from './issue.js';
import { register as registerKeys } from './keys.js';
import { register as registerSign } from './sign.js';
import { register as registerSimulateFleet } from './simulate-fleet.js';
import { register as registerSimulateScanner } from './simulate-scanner.js';
import { register as registerVerify } from './verify.js';

const program = new Command('kiosk')
  .description('checkpoint-kiosk: xác thực giấy đi đường ngoại tuyến / offline travel-permit verification')
  .exitOverride();

registerVerify(program);
registerKeys(program);
registerIssue(program);
registerSign(program);
registerSimulateScanner(program);
registerSimulateFleet(program);
registerCommandCentre(program);
registerDecodeImage(program);
registerIdnKey(program);
registerCerts(program);
if (process.argv[2] === 'start' || process.argv.length <= 2 || process.argv.includes('--help')) {
  const { register: registerStart } = await import('./start.js');
  registerStart(program);
} else {
  program.command('start').description('run the kiosk (see `kiosk start --help`)');
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (err instanceof KioskError) {
    console.error(`kiosk: [${err.code}] ${err.vi}\nkiosk: [${err.code}] ${err.en}`);
  } else {
    console.error(`kiosk: Lỗi / Error: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(2);
}
