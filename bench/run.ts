// `npm run bench`: every figure printed beside the floor or budget it is compared with.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchAudit, benchReportMemory } from './audit.js';
import { budgetTable, startBudgetFile } from './budgets.js';
import { benchCamera } from './camera.js';
import { benchCcFleet } from './cc-fleet.js';
import { benchCcIngest } from './cc-ingest.js';
import { benchColdStart } from './cold-start.js';
import { benchPaintedVerdict } from './painted-verdict.js';
import { benchPeerHistory } from './peer-history.js';
import { benchPurge } from './purge.js';
import { benchRevocations } from './revocations.js';
import { benchScanLatency } from './scan-latency.js';
import { benchScanPath } from './scan-path.js';
import { benchSerialMemory } from './serial-memory.js';
import { benchUplinkDrain } from './uplink-drain.js';
import { benchVerifyRate } from './verify-rate.js';

const scans = Number(process.env.BENCH_SCANS ?? 10_000);
// BENCH_ONLY=revocations,audit runs only those sections (their names in brackets below).
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const selected = (name: string) => !only || only.includes(name);
const budgetDir = mkdtempSync(join(tmpdir(), 'kiosk-bench-budgets-'));
const budgetFile = join(budgetDir, 'figures.jsonl');
startBudgetFile(budgetFile);
console.log(
  `checkpoint-kiosk bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
if (selected('scan')) {
  console.log('\n[scan] scan → committed verdict');
  await benchScanLatency(scans);
}
if (selected('painted')) {
  console.log("\n[painted] serial bytes → verdict painted on the guard's screen (Chromium), scan by scan");
  await benchPaintedVerdict(Number(process.env.BENCH_PAINTED_SCANS ?? 1000));
}
if (selected('lane')) {
  console.log('\n[lane] full scan path: policy with revocations, zones, curfew; history look-ups');
  await benchScanPath({
    scans: Number(process.env.BENCH_LANE_SCANS ?? 5000),
    history: Number(process.env.BENCH_HISTORY ?? 200_000),
    revocations: Number(process.env.BENCH_LANE_REVOCATIONS ?? 100_000),
  });
}
if (selected('purge')) {
  console.log('\n[purge] the retention purge of a large backlog while the lane scans');
  await benchPurge(
    Number(process.env.BENCH_PURGE_PASSAGES ?? 1_000_000),
    Number(process.env.BENCH_PURGE_SCAN_MS ?? 20),
  );
}
if (selected('serial')) {
  console.log('\n[serial] memory around 1 MiB lines with no terminator (the scanner driver on a pty)');
  await benchSerialMemory(Number(process.env.BENCH_SERIAL_LINES ?? 8));
}
if (selected('camera')) {
  console.log(
    '\n[camera] QR photo set read rates (same run), and 640×480 frames as the camera worker runs them',
  );
  await benchCamera(Number(process.env.BENCH_SECONDS ?? 3));
}
if (selected('revocations')) {
  console.log('\n[revocations] a million-entry list: apply, lookup, memory');
  await benchRevocations(Number(process.env.BENCH_REVOCATIONS ?? 1_000_000));
}
if (selected('verify-rate')) {
  console.log('\n[verify rate] permits verified per second, and QR decoding');
  await benchVerifyRate(Number(process.env.BENCH_SECONDS ?? 3));
}
if (selected('uplink')) {
  console.log('\n[uplink] outbox drain to a local Mosquitto at QoS 1, beside raw mqtt.js');
  await benchUplinkDrain(Number(process.env.BENCH_DRAIN ?? 20_000));
}
if (selected('command-centre')) {
  console.log(
    '\n[command centre] aggregators on SQLite and PostgreSQL: messages stored and receipted per second, receipt latency',
  );
  await benchCcIngest(Number(process.env.BENCH_CC_MESSAGES ?? 20_000));
}
if (selected('command-centre')) {
  console.log('\n[command centre] a fleet of simulated kiosks, two per checkpoint, against one aggregator');
  await benchCcFleet(
    Number(process.env.BENCH_CC_CHECKPOINTS ?? 500),
    Number(process.env.BENCH_CC_SECONDS ?? 30),
  );
}
if (selected('audit')) {
  console.log("\n[audit] the supervisor's search, shift report and memory over a generated log");
  await benchAudit(Number(process.env.BENCH_PASSAGES ?? 5_000_000));
}
if (selected('reports')) {
  console.log(
    `\n[reports] resident memory while a report is made (PDF, the largest PDF, CSV), each in a fresh kiosk; budget ≤ 200 MB`,
  );
  await benchReportMemory(Number(process.env.BENCH_PASSAGES ?? 5_000_000));
}
if (selected('peers')) {
  console.log(
    '\n[peers] the shared history: scans while 200 peer passages/s are applied; a district-day stored',
  );
  await benchPeerHistory(Number(process.env.BENCH_PEER_DAY ?? 200_000));
}
if (selected('coldstart')) {
  console.log('\n[cold start] process start to ready to scan, empty and with the generated log; memory');
  await benchColdStart(Number(process.env.BENCH_PASSAGES ?? 5_000_000));
}

console.log('\nBudgets (DESIGN.md "Performance budgets"): figure of this run, within or over');
console.log(budgetTable(budgetFile));
rmSync(budgetDir, { recursive: true, force: true });
