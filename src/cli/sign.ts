// `kiosk sign`: sign a trust list, revocation list, zone map or checkpoint config as a JWS with the
// root key, after validating the payload with the schema the kiosk itself uses.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DOCUMENT_TYPES, type DocumentKind, signDocument } from '../contract/document-jws.js';
import { validateDocumentPayload } from '../contract/document-validate.js';
import { KioskError } from '../contract/errors.js';
import { readTextFile, reportCliError } from './common.js';

interface SignOptions {
  type: string;
  key: string;
  in: string;
  out?: string;
}

async function sign(opts: SignOptions): Promise<void> {
  if (!Object.hasOwn(DOCUMENT_TYPES, opts.type)) {
    throw new KioskError(
      'BAD_TYPE',
      `Loại tài liệu phải là một trong: ${Object.keys(DOCUMENT_TYPES).join(', ')}`,
      `Document type must be one of: ${Object.keys(DOCUMENT_TYPES).join(', ')}`,
    );
  }
  const kind = opts.type as DocumentKind;
  let payload: unknown;
  try {
    payload = JSON.parse(readTextFile(opts.in, 'tệp nội dung', 'payload file'));
  } catch (err) {
    if (err instanceof KioskError) throw err;
    throw new KioskError('BAD_PAYLOAD', `${opts.in} không phải JSON`, `${opts.in} is not JSON`);
  }
  const { version } = validateDocumentPayload(kind, payload);
  let jws: string;
  try {
    jws = await signDocument(kind, payload, readTextFile(opts.key, 'khoá gốc', 'root key'));
  } catch (err) {
    if (err instanceof KioskError) throw err;
    throw new KioskError(
      'KEY_INVALID',
      `${opts.key} không phải khoá bí mật P-256`,
      `${opts.key} is not a P-256 private key`,
    );
  }
  if (opts.out === undefined) {
    process.stdout.write(`${jws}\n`);
    return;
  }
  try {
    writeFileSync(opts.out, `${jws}\n`);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new KioskError(
      'FILE_UNWRITABLE',
      `Không ghi được ${opts.out} (${why})`,
      `Cannot write ${opts.out} (${why})`,
    );
  }
  process.stdout.write(`${JSON.stringify({ typ: DOCUMENT_TYPES[kind], version, out: opts.out })}\n`);
}

export function register(program: Command): void {
  program
    .command('sign')
    .description('Ký tài liệu bằng khoá gốc / sign a document with the root key (JWS ES256)')
    .requiredOption('--type <type>', 'trust | revocations | zones | config')
    .requiredOption('--key <pem>', 'root private key (PEM PKCS8)')
    .requiredOption('--in <json>', 'payload (JSON, spec/permit-format.md §2)')
    .option('--out <file>', 'where to write the JWS (default: stdout)')
    .addHelpText(
      'after',
      '\nThe payload is validated first with the schema the kiosk uses; an invalid one is refused (exit 2).\nWith --out, prints {"typ","version","out"}.',
    )
    .action(async (opts: SignOptions) => {
      try {
        await sign(opts);
      } catch (err) {
        reportCliError('sign', err);
      }
    });
}
