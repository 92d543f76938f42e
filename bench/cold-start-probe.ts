// Child process of bench/cold-start.ts: a kiosk started on the given database, timed from the process's
// own start to "ready to scan" (start() resolved: the log open and checked, documents verified, the
// scan service running); then, on a database of its own, a guard goes on duty and a first permit is
// judged and committed (not on the shared cached log: the audit bench reads it as generated); then the
// resident memory is read. Prints one JSON line.
//   node bench/cold-start-probe.js <db> [<idn key file> --no-scan]
import { readFileSync } from 'node:fs';
import { CheckpointConfig } from '../src/contract/checkpoint.js';
import { generateKeyPair, loadPublicKey } from '../src/contract/keys.js';
import { buildTrustList } from '../src/documents/trust-list.js';
import { Kiosk } from '../src/kiosk.js';
import { onDuty } from '../test/fixtures/duty.js';
import { benchPermits, benchTrustPayload } from './fixtures.js';

const loadedMs = performance.now();
const [database, idnKeyFile] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const scan = !process.argv.includes('--no-scan');
const issuer = generateKeyPair();
const pub = loadPublicKey(issuer.publicPem);
const nowS = Math.floor(Date.now() / 1000);
const [text] = benchPermits(1, `COLD-${process.pid}-`, nowS, issuer.privatePem);

function rssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const t0 = performance.now();
const kiosk = new Kiosk({
  checkpoint: CheckpointConfig.parse({
    checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry' },
    policy: { duplicateWindowSeconds: 0, antiPassback: 'off' },
  }),
  root: pub,
  trust: buildTrustList(benchTrustPayload(pub, nowS)),
  database: database!,
  ...(idnKeyFile ? { idnKeyFile } : {}),
  serial: null,
  mqtt: null,
  http: false,
  // A generated log may be years old: no purge at start.
  retentionDays: 3650,
});
await kiosk.start();
const startedMs = performance.now();
const rssReady = rssMb();
let firstScanMs = Number.NaN;
if (scan) {
  await onDuty(kiosk);
  const s0 = performance.now();
  const v = kiosk.scan(text!, 'serial');
  firstScanMs = performance.now() - s0;
  if (v.kind !== 'passage' || v.decision !== 'ALLOW')
    throw new Error(`probe: first scan ${v.kind} ${v.decision}`);
}
const rss = rssMb();
await kiosk.stop();
process.stdout.write(
  `${JSON.stringify({ loadedMs, startMs: startedMs - t0, readyMs: startedMs, firstScanMs, rssReady, rss })}\n`,
);
