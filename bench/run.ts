// `npm run bench`: every figure printed beside the floor or budget it is compared with.
import { cpus, totalmem } from 'node:os';
import { benchScanLatency } from './scan-latency.js';

const scans = Number(process.env.BENCH_SCANS ?? 10_000);
console.log(
  `checkpoint-kiosk bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
console.log('\n[1] scan → committed verdict');
await benchScanLatency(scans);
