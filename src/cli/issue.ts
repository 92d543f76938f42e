// `kiosk issue`: one VNP1 permit from flags, printed as JSON and optionally drawn as a QR PNG and an
// A4 sheet; or a batch from a CSV file (src/issuer/).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import QRCode from 'qrcode';
import { z } from 'zod';
import { AreaCode } from '../contract/checkpoint.js';
import { describeZodError } from '../contract/documents.js';
import { KioskError } from '../contract/errors.js';
import { loadPrivateKey } from '../contract/keys.js';
import { PERMIT_KINDS, PURPOSES, VEHICLE_TYPES } from '../contract/reasons.js';
import type { PermitBody } from '../formats/types.js';
import { permitHash } from '../formats/vnp1.js';
import { ClaimsError } from '../formats/vnp1-claims.js';
import { checkPermitToIssue, issuePermit, type PermitToIssue } from '../formats/vnp1-issue.js';
import { defaultIssuerName } from '../issuer/areas.js';
import { issueBatch } from '../issuer/batch.js';
import { FieldError, parseText } from '../issuer/fields.js';
import { renderPermitSheet } from '../issuer/sheet.js';
import { parseClock, readTextFile, reportCliError } from './common.js';

export interface IssueOptions {
  key: string;
  iss: string;
  cti: string;
  name: string;
  idn: string;
  purpose: string;
  areas: string;
  kind: string;
  dob?: string;
  home?: string;
  org?: string;
  route?: string;
  plate?: string;
  vehicleType?: string;
  hours?: string;
  issuedAt?: string;
  validFrom?: string;
  validTo: string;
  png?: string;
  pdf?: string;
  issuerName?: string;
}

/** What commander hands over: the one-permit flags are optional because `--csv` replaces them. */
interface IssueCliOptions extends Partial<IssueOptions> {
  key: string;
  iss: string;
  kind: string;
  validTo: string;
  csv?: string;
  out?: string;
  serialPrefix?: string;
  force?: boolean;
}

const ONE_PERMIT_FLAGS = ['cti', 'name', 'idn', 'purpose', 'areas'] as const;
const PER_PERMIT_FLAGS = [
  ...ONE_PERMIT_FLAGS,
  'dob',
  'home',
  'org',
  'route',
  'plate',
  'vehicleType',
  'hours',
  'validFrom',
  'png',
  'pdf',
] as const;
const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const DAY = 86_400;

const Flags = z.object({
  iss: AreaCode,
  cti: z.string().regex(/^[A-Za-z0-9_./-]{1,64}$/, 'letters, digits, _ . / - (max 64)'),
  name: z.string().trim().min(1).max(200),
  idn: z.string().regex(/^(\d{9}|\d{12})$/, 'CCCD 12 digits or CMND 9 digits'),
  purpose: z.enum(PURPOSES),
  areas: z.array(AreaCode).min(1),
  kind: z.enum(PERMIT_KINDS),
  dob: z.iso.date().optional(),
  home: AreaCode.optional(),
  org: z.string().max(200).optional(),
  route: z.string().max(200).optional(),
  plate: z.string().min(1).max(20).optional(),
  vehicleType: z.enum(VEHICLE_TYPES).optional(),
  hours: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM-HH:MM')
    .optional(),
});

/** An ISO-8601 instant, or a number of days after `base` (seconds). */
function timeOrDays(value: string, base: number, flag: string): number {
  if (/^\d{1,4}$/.test(value)) return base + Number(value) * DAY;
  return Math.floor(parseClock(value, flag) / 1000);
}

/** Flags → the permit to sign; pure so it can be tested without a process. */
export function permitFromFlags(opts: IssueOptions, nowMs: number): PermitToIssue {
  const parsed = Flags.safeParse({ ...opts, areas: opts.areas.split(',').map((a) => a.trim()) });
  if (!parsed.success) {
    const detail = describeZodError(parsed.error);
    throw new KioskError('BAD_FLAGS', `Tham số sai: ${detail}`, `Invalid flags: ${detail}`);
  }
  const f = parsed.data;
  if (f.vehicleType !== undefined && f.plate === undefined) {
    throw new KioskError('BAD_FLAGS', '--vehicle-type cần --plate', '--vehicle-type needs --plate');
  }
  const iat =
    opts.issuedAt === undefined ? Math.floor(nowMs / 1000) : timeOrDays(opts.issuedAt, 0, '--issued-at');
  const nbf = opts.validFrom === undefined ? undefined : timeOrDays(opts.validFrom, iat, '--valid-from');
  const exp = timeOrDays(opts.validTo, nbf ?? iat, '--valid-to');
  if (exp <= (nbf ?? iat)) {
    throw new KioskError(
      'BAD_FLAGS',
      'Ngày hết hạn phải sau ngày hiệu lực',
      '--valid-to must be after the start of validity',
    );
  }
  const permit: PermitBody = { v: 1, k: f.kind, nam: f.name, idn: f.idn, pur: f.purpose, areas: f.areas };
  if (f.dob !== undefined) permit.dob = f.dob;
  if (f.org !== undefined) permit.org = f.org;
  if (f.home !== undefined) permit.home = f.home;
  if (f.route !== undefined) permit.route = f.route;
  if (f.plate !== undefined) permit.veh = { plate: f.plate, type: f.vehicleType ?? 'other' };
  if (f.hours !== undefined) permit.hours = f.hours.split('-') as [string, string];
  const out: PermitToIssue = { iss: f.iss, cti: f.cti, iat, exp, permit };
  if (nbf !== undefined) out.nbf = nbf;
  return out;
}

/** A QR PNG of a permit: error correction M, one alphanumeric segment (base45 is that alphabet). */
export async function writePermitPng(text: string, file: string): Promise<void> {
  await QRCode.toFile(file, [{ data: text, mode: 'alphanumeric' }], {
    errorCorrectionLevel: 'M',
    type: 'png',
  });
}

function loadIssuerKey(file: string): ReturnType<typeof loadPrivateKey> {
  try {
    return loadPrivateKey(readTextFile(file, 'khoá đơn vị cấp', 'issuer key'));
  } catch (err) {
    if (err instanceof KioskError) throw err;
    throw new KioskError(
      'KEY_INVALID',
      `${file} không phải khoá bí mật P-256`,
      `${file} is not a P-256 private key`,
    );
  }
}

/** The unit printed on the sheet: --issuer-name when given (checked like any printed text). */
function issuerNameOf(opts: IssueCliOptions, iss: string): string {
  if (opts.issuerName === undefined) return defaultIssuerName(iss);
  try {
    return parseText(opts.issuerName, 200);
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    throw new KioskError('BAD_FLAGS', `--issuer-name: ${err.vi}`, `--issuer-name: ${err.en}`);
  }
}

function unwritable(file: string, err: unknown): KioskError {
  const why = err instanceof Error ? err.message : String(err);
  return new KioskError('FILE_UNWRITABLE', `Không ghi được ${file}: ${why}`, `Cannot write ${file}: ${why}`);
}

async function issueOne(opts: IssueCliOptions): Promise<void> {
  const missing = ONE_PERMIT_FLAGS.filter((k) => opts[k] === undefined).map(flagName);
  if (missing.length > 0) {
    throw new KioskError(
      'BAD_FLAGS',
      `Thiếu ${missing.join(', ')} (hoặc dùng --csv để cấp theo lô)`,
      `Missing ${missing.join(', ')} (or use --csv for a batch)`,
    );
  }
  const claims = permitFromFlags(opts as IssueOptions, Date.now());
  try {
    checkPermitToIssue(claims);
  } catch (err) {
    if (!(err instanceof ClaimsError)) throw err;
    throw new KioskError(
      'BAD_FLAGS',
      `Máy ở chốt sẽ từ chối giấy này: ${err.message}`,
      `Kiosks would refuse this permit: ${err.message}`,
    );
  }
  const key = loadIssuerKey(opts.key);
  const text = issuePermit(claims, key);
  const hash = permitHash(claims.iss, claims.cti);
  if (opts.png !== undefined) {
    try {
      await writePermitPng(text, opts.png);
    } catch (err) {
      throw unwritable(opts.png, err);
    }
  }
  if (opts.pdf !== undefined) {
    const issuerName = issuerNameOf(opts, claims.iss);
    const pdf = await renderPermitSheet({ claims, text, hash, issuerName });
    try {
      writeFileSync(opts.pdf, pdf);
    } catch (err) {
      throw unwritable(opts.pdf, err);
    }
  }
  const result: Record<string, unknown> = { text, hash };
  if (opts.png !== undefined) result.png = opts.png;
  if (opts.pdf !== undefined) result.pdf = opts.pdf;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function issueCsv(opts: IssueCliOptions & { csv: string }): Promise<void> {
  const stray = PER_PERMIT_FLAGS.filter((k) => opts[k] !== undefined).map(flagName);
  if (stray.length > 0) {
    throw new KioskError(
      'BAD_FLAGS',
      `--csv lấy thông tin từ tệp; bỏ ${stray.join(', ')}`,
      `--csv takes every permit from the file; drop ${stray.join(', ')}`,
    );
  }
  if (opts.out === undefined) {
    throw new KioskError('BAD_FLAGS', '--csv cần --out THƯ_MỤC', '--csv needs --out DIR');
  }
  const iss = AreaCode.safeParse(opts.iss);
  if (!iss.success) {
    throw new KioskError(
      'BAD_FLAGS',
      `--iss "${opts.iss}" không phải mã khu vực`,
      `--iss "${opts.iss}" is not an area code`,
    );
  }
  if (opts.serialPrefix !== undefined && !/^[A-Za-z0-9_./-]{0,56}$/.test(opts.serialPrefix)) {
    throw new KioskError(
      'BAD_FLAGS',
      '--serial-prefix chỉ gồm chữ, số, _ . / - (tối đa 56)',
      '--serial-prefix: letters, digits, _ . / - only (max 56)',
    );
  }
  let csv: Buffer;
  try {
    csv = readFileSync(opts.csv);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new KioskError(
      'FILE_UNREADABLE',
      `Không đọc được ${opts.csv} (${why})`,
      `Cannot read ${opts.csv} (${why})`,
    );
  }
  const key = loadIssuerKey(opts.key);
  const summary = await issueBatch({
    csv,
    key,
    iss: iss.data,
    issuerName: issuerNameOf(opts, iss.data),
    outDir: opts.out,
    now: Math.floor(Date.now() / 1000),
    defaultValidTo: opts.validTo,
    ...(opts.serialPrefix === undefined ? {} : { serialPrefix: opts.serialPrefix }),
    force: opts.force === true,
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

async function issue(opts: IssueCliOptions): Promise<void> {
  if (opts.csv !== undefined) return issueCsv({ ...opts, csv: opts.csv });
  for (const k of ['out', 'serialPrefix', 'force'] as const) {
    if (opts[k] !== undefined) {
      throw new KioskError(
        'BAD_FLAGS',
        `${flagName(k)} chỉ dùng với --csv`,
        `${flagName(k)} goes with --csv only`,
      );
    }
  }
  return issueOne(opts);
}

export function register(program: Command): void {
  program
    .command('issue')
    .description('Cấp giấy đi đường VNP1: một giấy, hoặc theo lô từ CSV / issue signed VNP1 permits')
    .requiredOption('--key <pem>', "issuer's private key (PEM PKCS8)")
    .requiredOption('--iss <code>', 'issuer area code, e.g. 01-009')
    .option('--csv <file>', 'batch: one permit per row (UTF-8; Vietnamese or English headers; see README)')
    .option('--out <dir>', 'batch: where to write <serial>.png, <serial>.pdf and issued.json')
    .option(
      '--serial-prefix <prefix>',
      'batch: serial of rows without one = prefix + row number (default L<time>-)',
    )
    .option('--force', 'batch: overwrite files of an earlier batch')
    .option(
      '--issuer-name <name>',
      'issuing unit printed on the sheet (default: "Công an" + area name of --iss)',
    )
    .option('--cti <serial>', 'one permit: serial, unique per issuer, e.g. TX-2021-000123')
    .option('--name <name>', "one permit: holder's full name")
    .option('--idn <digits>', 'one permit: CCCD (12 digits) or CMND (9 digits)')
    .option('--purpose <pur>', `one permit: ${PURPOSES.join(' | ')}`)
    .option(
      '--areas <codes>',
      'one permit: comma-separated area codes the holder may enter, e.g. 01-009,01-006',
    )
    .option('--kind <kind>', PERMIT_KINDS.join(' | '), 'travel')
    .option('--dob <date>', 'date of birth YYYY-MM-DD')
    .option('--home <code>', 'area code of residence')
    .option('--org <org>', 'employer or agency')
    .option('--route <route>', 'route as written on the paper permit')
    .option('--plate <plate>', 'vehicle plate')
    .option('--vehicle-type <type>', VEHICLE_TYPES.join(' | '))
    .option('--hours <window>', 'daily window HH:MM-HH:MM, Vietnam time (may wrap midnight)')
    .option('--issued-at <iso>', 'iat (default: now)')
    .option('--valid-from <iso|days>', 'nbf: ISO-8601, or days after iat (default: iat)')
    .option(
      '--valid-to <iso|days>',
      'exp: ISO-8601, or days after the start of validity (batch: for rows without "Đến ngày")',
      '14',
    )
    .option('--png <file>', 'also write the QR code as a PNG')
    .option('--pdf <file>', 'also write the printable A4 sheet (Vietnamese) as a PDF')
    .addHelpText(
      'after',
      '\nOne permit: prints {"text","hash"} (and "png", "pdf" when asked).\nBatch (--csv --out): every row is checked first; a bad row issues nothing. Prints the summary\n{"issuedAt","iss","issuerName","kid","count","summary","permits":[...]} also written to DIR/issued.json.',
    )
    .action(async (opts: IssueCliOptions) => {
      try {
        await issue(opts);
      } catch (err) {
        reportCliError('issue', err);
      }
    });
}
