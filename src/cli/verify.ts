// `kiosk verify` (spec/cli.md): the kiosk's scan pipeline on the command line. Documents are
// verified against --root first; any failure there is exit 2. A bad scan is a verdict, not an error.
import type { KeyObject } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { EventBus } from '../base/bus.js';
import type { Verdict } from '../contract/api.js';
import { CheckpointConfig } from '../contract/checkpoint.js';
import type { DocumentKind } from '../contract/document-jws.js';
import { describeZodError } from '../contract/documents.js';
import { KioskError } from '../contract/errors.js';
import type { KioskEvents } from '../contract/events.js';
import { loadPublicKey } from '../contract/keys.js';
import { Direction } from '../contract/reasons.js';
import { DocumentStore } from '../documents/store.js';
import { ScanService } from '../lane/scan-service.js';
import { openIdnKey } from '../store/idn-key-file.js';
import { openStore } from '../store/store.js';
import { parseClock, readTextFile, reportCliError } from './common.js';

/** Used when --checkpoint is absent: the example checkpoint of spec/policy.md, default policy. */
export const DEFAULT_CHECKPOINT = {
  checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry' },
  policy: {},
} as const;

function parseDirection(value: unknown, where: string): Direction {
  const d = Direction.safeParse(value);
  if (!d.success) {
    throw new KioskError(
      'BAD_DIRECTION',
      `${where}: hướng phải là in hoặc out`,
      `${where}: direction must be in or out`,
    );
  }
  return d.data;
}

export function loadCheckpoint(path: string | undefined): CheckpointConfig {
  let raw: unknown = DEFAULT_CHECKPOINT;
  if (path !== undefined) {
    try {
      raw = JSON.parse(readTextFile(path, 'tệp cấu hình chốt', 'checkpoint file'));
    } catch (err) {
      if (err instanceof KioskError) throw err;
      throw new KioskError(
        'CONFIG_INVALID',
        `Tệp cấu hình chốt ${path} không phải JSON`,
        `Checkpoint file ${path} is not JSON`,
      );
    }
  }
  const parsed = CheckpointConfig.safeParse(raw);
  if (!parsed.success) {
    const detail = describeZodError(parsed.error);
    throw new KioskError(
      'CONFIG_INVALID',
      `Cấu hình chốt sai: ${detail}`,
      `Invalid checkpoint config: ${detail}`,
    );
  }
  return parsed.data;
}

interface VerifyOptions {
  root: string;
  trust: string;
  revocations?: string;
  zones?: string;
  checkpoint?: string;
  at?: string;
  direction: string;
  plate?: string;
}

export interface ScanRequest {
  text: string;
  now: number;
  direction: Direction;
  plate?: string | undefined;
}

/** One line of output; an HC1 scan judged on its own has `dcc` in place of `permit` (spec/cli.md). */
export function verdictLine(v: Verdict, hc1 = false): string {
  if (hc1) return JSON.stringify({ decision: v.decision, reasons: v.reasons, dcc: v.dcc ?? null });
  const p = v.permit;
  const permit = p ? { iss: p.iss, cti: p.cti, hash: p.hash, nam: p.nam, pur: p.pur } : null;
  return JSON.stringify({ decision: v.decision, reasons: v.reasons, permit });
}

/**
 * The kiosk's own scan service over a database in memory, holding the documents given (verified
 * against the root like a kiosk's downlink), with one guard always on duty. Scans in one run share
 * history (duplicates, anti-passback, health-proof pairing) as consecutive scans at one lane would.
 */
export async function openCliLane(
  root: KeyObject,
  checkpoint: CheckpointConfig,
  documents: { kind: DocumentKind; jws: string; file: string }[],
  clock: { now: number },
): Promise<{ scan: ScanService; close(): Promise<void> }> {
  const now = () => clock.now;
  const store = openStore(':memory:', checkpoint);
  // Nothing outlives the run: ID tokens under a throwaway key.
  store.attachIdn(openIdnKey(store.db, { keyFile: null, dbFile: null }).key);
  const held = new DocumentStore(store.db, { root, checkpoint, now });
  await held.load();
  for (const d of documents) {
    const r = await held.apply(d.kind, d.jws, { source: `file:${d.file}` });
    if (r.error) {
      store.close();
      throw new KioskError(r.error.code, `${d.file}: ${r.error.vi}`, `${d.file}: ${r.error.en}`);
    }
  }
  const snapshot = () => {
    const c = held.current();
    if (!c.trust) throw new KioskError('TRUST_MISSING', 'Chưa có danh sách tin cậy', 'No trust list');
    return {
      checkpoint: c.checkpoint,
      trust: c.trust,
      revocations: c.revocations,
      zones: c.zones,
      newestDocumentMs: c.newestIssuedMs,
    };
  };
  const scan = new ScanService({
    documents: snapshot,
    log: store,
    duty: { current: () => ({ userId: null, userName: 'kiosk verify', shiftId: null }) },
    bus: new EventBus<KioskEvents>(),
    now,
  });
  return {
    scan,
    close: async () => {
      await held.stop();
      store.close();
    },
  };
}

/** A stdin line: raw scan text, or a JSON object {"scan","at","direction","plate"}. */
export function parseLine(line: string, defaults: Omit<ScanRequest, 'text'>): ScanRequest {
  if (line.trimStart().startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      obj = undefined; // not JSON after all: judged as scanned text (UNRECOGNISED)
    }
    if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
      const o = obj as Record<string, unknown>;
      if (typeof o.scan !== 'string') {
        throw new KioskError('BAD_LINE', 'Dòng JSON thiếu "scan" (chuỗi)', 'JSON line lacks a "scan" string');
      }
      if (o.plate !== undefined && typeof o.plate !== 'string') {
        throw new KioskError('BAD_LINE', '"plate" phải là chuỗi', '"plate" must be a string');
      }
      return {
        text: o.scan,
        now: o.at === undefined ? defaults.now : parseClock(String(o.at), '"at"'),
        direction:
          o.direction === undefined ? defaults.direction : parseDirection(o.direction, '"direction"'),
        plate: o.plate === undefined ? defaults.plate : (o.plate as string),
      };
    }
  }
  return { text: line, ...defaults };
}

async function runVerify(payload: string | undefined, opts: VerifyOptions): Promise<void> {
  const root = (() => {
    try {
      return loadPublicKey(readTextFile(opts.root, 'khoá gốc', 'root key'));
    } catch (err) {
      if (err instanceof KioskError) throw err;
      throw new KioskError(
        'KEY_INVALID',
        `${opts.root} không phải khoá công khai P-256 (PEM)`,
        `${opts.root} is not a P-256 public key (PEM)`,
      );
    }
  })();
  const documents: { kind: DocumentKind; jws: string; file: string }[] = [
    {
      kind: 'trust',
      jws: readTextFile(opts.trust, 'danh sách tin cậy', 'trust list').trim(),
      file: opts.trust,
    },
  ];
  if (opts.revocations) {
    const jws = readTextFile(opts.revocations, 'danh sách thu hồi', 'revocations').trim();
    documents.push({ kind: 'revocations', jws, file: opts.revocations });
  }
  if (opts.zones) {
    documents.push({
      kind: 'zones',
      jws: readTextFile(opts.zones, 'bản đồ vùng', 'zone map').trim(),
      file: opts.zones,
    });
  }
  const checkpoint = loadCheckpoint(opts.checkpoint);
  const defaults = {
    now: opts.at === undefined ? Date.now() : parseClock(opts.at, '--at'),
    direction: parseDirection(opts.direction, '--direction'),
    plate: opts.plate,
  };
  const clock = { now: defaults.now };
  const lane = await openCliLane(root, checkpoint, documents, clock);
  const judge = (req: ScanRequest): string => {
    clock.now = req.now;
    const v = lane.scan.scan(req.text, 'api', { direction: req.direction, vehicle: { plate: req.plate } });
    return verdictLine(v, req.text.startsWith('HC1:'));
  };
  try {
    if (payload !== undefined) {
      process.stdout.write(`${judge({ text: payload, ...defaults })}\n`);
      return;
    }
    let failed = false;
    const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      try {
        process.stdout.write(`${judge(parseLine(line, defaults))}\n`);
      } catch (err) {
        // One bad line must not stop the run; it is reported in place so outputs stay aligned.
        failed = true;
        const e =
          err instanceof KioskError ? err : new KioskError('BAD_LINE', 'Dòng không hợp lệ', 'Invalid line');
        process.stdout.write(`${JSON.stringify({ error: e.toJSON() })}\n`);
        process.stderr.write(`kiosk verify: [${e.code}] ${e.vi} / ${e.en}\n`);
      }
    }
    if (failed) process.exitCode = 1;
  } finally {
    await lane.close();
  }
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('Xác thực mã quét như máy ở chốt / judge scans exactly as the kiosk does')
    .argument('[payload]', 'scanned text; without it, stdin is read one scan per line')
    .requiredOption('--root <pem>', "command centre's root public key (PEM SPKI)")
    .requiredOption('--trust <jws>', 'trust list (vnp-trust+jws)')
    .option('--revocations <jws>', 'revocation list (vnp-revocations+jws, mode full)')
    .option('--zones <jws>', 'zone map (vnp-zones+jws)')
    .option(
      '--checkpoint <json>',
      'checkpoint config (spec/policy.md); default: TX-01, district-entry, area 01-009',
    )
    .option('--at <iso>', 'the clock, ISO-8601 (default: now)')
    .option('--direction <dir>', 'in | out', 'in')
    .option('--plate <plate>', 'licence plate typed by the guard')
    .addHelpText(
      'after',
      `
Output: one JSON line per scan: {"decision","reasons","permit":{iss,cti,hash,nam,pur}|null}; for an
HC1: health certificate, {"decision","reasons","dcc":{country,type,fnt,gnt,dob}|null} instead.
stdin lines may be JSON objects {"scan","at","direction","plate"} overriding the flags per scan;
scans in one run share history (duplicates, anti-passback). A line that cannot be read gives
{"error":{code,vi,en}} in its place and exit code 1. A document failing verification: exit 2.
Without --checkpoint: ${JSON.stringify(DEFAULT_CHECKPOINT)} (all policy defaults).
An HC1: certificate is judged against the trust list's "dcc" signers and the checkpoint's health
rule: ALLOW, or DENY with FORMAT_INVALID, UNKNOWN_ISSUER, SIGNATURE_INVALID, EXPIRED or
HEALTH_PROOF_INVALID. Lines pair as at one kiosk lane, within the policy's health.pairSeconds
(120 s by default): a certificate goes with the permit of the line before it, whose verdict is
already printed; otherwise with the next permit, whose verdict then weighs it: a valid certificate
of the same person satisfies health.required, any other gives HEALTH_PROOF_INVALID (REVIEW).
The clock check is the kiosk's: a clock behind the newest document given adds CLOCK_UNTRUSTED.`,
    )
    .action(async (payload: string | undefined, opts: VerifyOptions) => {
      try {
        await runVerify(payload, opts);
      } catch (err) {
        reportCliError('verify', err);
      }
    });
}
