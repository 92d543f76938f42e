// The `kiosk` command line (spec/cli.md). Each sub-command lives in its own file and registers itself.
import { Command, CommanderError } from 'commander';
import { register as registerIssue } from './issue.js';
import { register as registerKeys } from './keys.js';
import { register as registerSign } from './sign.js';
import { register as registerSimulateScanner } from './simulate-scanner.js';
import { register as registerStart } from './start.js';
import { register as registerVerify } from './verify.js';

const program = new Command('kiosk')
  .description('checkpoint-kiosk: xác thực giấy đi đường ngoại tuyến / offline travel-permit verification')
  .exitOverride();

registerVerify(program);
registerKeys(program);
registerIssue(program);
registerSign(program);
registerSimulateScanner(program);
registerStart(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  const message = err instanceof Error ? err.message : String(err);
  console.error(`kiosk: ${message}`);
  process.exit(2);
}
