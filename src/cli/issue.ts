// `kiosk issue`: one VNP1 permit from flags, printed as JSON and optionally drawn as a QR PNG.
import type { Command } from 'commander';
import QRCode from 'qrcode';
import { z } from 'zod';
import { KioskError } from '../api/errors.js';
import { PERMIT_KINDS, PURPOSES, VEHICLE_TYPES } from '../api/reasons.js';
import { AreaCode } from '../config/checkpoint.js';
import { describeZodError } from '../documents/schemas.js';
import { issuePermit, type PermitToIssue } from '../permit/issue.js';
import { loadPrivateKey } from '../permit/keys.js';
import { permitHash } from '../permit/verify.js';
import type { PermitBody } from '../scan/types.js';
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
}

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

async function issue(opts: IssueOptions): Promise<void> {
  const claims = permitFromFlags(opts, Date.now());
  let key: ReturnType<typeof loadPrivateKey>;
  try {
    key = loadPrivateKey(readTextFile(opts.key, 'khoá đơn vị cấp', 'issuer key'));
  } catch (err) {
    if (err instanceof KioskError) throw err;
    throw new KioskError(
      'KEY_INVALID',
      `${opts.key} không phải khoá bí mật P-256`,
      `${opts.key} is not a P-256 private key`,
    );
  }
  const text = issuePermit(claims, key);
  if (opts.png !== undefined) {
    try {
      await writePermitPng(text, opts.png);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new KioskError(
        'FILE_UNWRITABLE',
        `Không ghi được ảnh QR ${opts.png}: ${why}`,
        `Cannot write QR image ${opts.png}: ${why}`,
      );
    }
  }
  const result: Record<string, unknown> = { text, hash: permitHash(claims.iss, claims.cti) };
  if (opts.png !== undefined) result.png = opts.png;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function register(program: Command): void {
  program
    .command('issue')
    .description('Cấp một giấy đi đường VNP1 / issue one signed VNP1 permit')
    .requiredOption('--key <pem>', "issuer's private key (PEM PKCS8)")
    .requiredOption('--iss <code>', 'issuer area code, e.g. 01-009')
    .requiredOption('--cti <serial>', 'permit serial, unique per issuer, e.g. TX-2021-000123')
    .requiredOption('--name <name>', "holder's full name")
    .requiredOption('--idn <digits>', 'CCCD (12 digits) or CMND (9 digits)')
    .requiredOption('--purpose <pur>', PURPOSES.join(' | '))
    .requiredOption('--areas <codes>', 'comma-separated area codes the holder may enter, e.g. 01-009,01-006')
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
    .option('--valid-to <iso|days>', 'exp: ISO-8601, or days after the start of validity', '14')
    .option('--png <file>', 'also write the QR code as a PNG')
    .addHelpText('after', '\nPrints {"text","hash"} (and "png" with --png).')
    .action(async (opts: IssueOptions) => {
      try {
        await issue(opts);
      } catch (err) {
        reportCliError('issue', err);
      }
    });
}
