// `kiosk verify` (spec/cli.md): the kiosk's scan pipeline on the command line. Documents are
// verified against --root first; any failure there is exit 2. A bad scan is a verdict, not an error.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { KioskError } from '../api/errors.js';
import { Direction } from '../api/reasons.js';
import { CheckpointConfig } from '../config/checkpoint.js';
import { isHc1 } from '../dcc/cose.js';
import { dccView } from '../dcc/judge.js';
import { HealthPairing } from '../dcc/pairing.js';
import { loadRevocations, type RevocationSet } from '../documents/revocations.js';
import { describeZodError } from '../documents/schemas.js';
import { loadTrustList } from '../documents/trust-list.js';
import { loadZoneMap, type ZoneMap } from '../documents/zones.js';
import { loadPublicKey } from '../permit/keys.js';
import { type JudgeContext, judgeScan } from '../scan/judge.js';
import { MemoryHistory } from '../scan/memory-history.js';
import type { Judgement } from '../scan/types.js';
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
export function verdictLine(j: Judgement, hc1 = false): string {
  if (hc1) {
    const d = j.dcc?.dcc;
    return JSON.stringify({ decision: j.decision, reasons: j.reasons, dcc: d ? dccView(d) : null });
  }
  const p = j.permit;
  const permit = p ? { iss: p.iss, cti: p.cti, hash: p.hash, nam: p.permit.nam, pur: p.permit.pur } : null;
  return JSON.stringify({ decision: j.decision, reasons: j.reasons, permit });
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
  const trust = await loadTrustList(readTextFile(opts.trust, 'danh sách tin cậy', 'trust list'), root);
  let revocations: RevocationSet | null = null;
  if (opts.revocations) {
    revocations = await loadRevocations(
      readTextFile(opts.revocations, 'danh sách thu hồi', 'revocations'),
      root,
    );
  }
  let zones: ZoneMap | null = null;
  if (opts.zones) zones = await loadZoneMap(readTextFile(opts.zones, 'bản đồ vùng', 'zone map'), root);
  const checkpoint = loadCheckpoint(opts.checkpoint);
  const defaults = {
    now: opts.at === undefined ? Date.now() : parseClock(opts.at, '--at'),
    direction: parseDirection(opts.direction, '--direction'),
    plate: opts.plate,
  };
  const history = new MemoryHistory();
  const ctx: JudgeContext = { checkpoint, trust, revocations: revocations?.revoked ?? null, zones, history };
  // Health certificates pair with permits as at one lane of the kiosk (src/dcc/pairing.ts).
  const pairing = new HealthPairing<null>();
  const lane = checkpoint.checkpoint.lanes[0] ?? '1';
  const judge = (req: ScanRequest): string => {
    const hc1 = isHc1(req.text);
    const healthProof = hc1 ? null : pairing.pendingProof(lane, req.now);
    const j = judgeScan(req, { ...ctx, healthProof });
    if (hc1) {
      if (j.dcc) pairing.offerProof(lane, req.now, j.dcc);
      return verdictLine(j, true);
    }
    history.record(j, req.now, req.direction, checkpoint.checkpoint.area);
    pairing.notePermit(lane, req.now, j.permit, j.dcc != null, null);
    return verdictLine(j);
  };

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
HEALTH_PROOF_INVALID. Lines pair as at one kiosk lane: a certificate goes with the permit of the
line before it (scanned at most 60 s earlier, not yet paired), whose verdict is already printed;
otherwise with the next permit within 60 s, whose verdict then weighs it: a valid certificate of
the same person satisfies health.required, any other gives HEALTH_PROOF_INVALID (REVIEW).`,
    )
    .action(async (payload: string | undefined, opts: VerifyOptions) => {
      try {
        await runVerify(payload, opts);
      } catch (err) {
        reportCliError('verify', err);
      }
    });
}
