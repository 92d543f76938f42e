// `kiosk keys new`: an ECDSA P-256 key pair for an issuer (permits) or the root (signed documents).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { KioskError } from '../contract/errors.js';
import { generateKeyPair, loadPublicKey, spkiDer } from '../contract/keys.js';
import { reportCliError } from './common.js';

interface KeysNewOptions {
  out: string;
  name: string;
  force?: boolean;
}

function keysNew(opts: KeysNewOptions): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(opts.name)) {
    throw new KioskError(
      'BAD_NAME',
      'Tên khoá chỉ gồm chữ, số, _ và -',
      'Key name: letters, digits, _ and - only',
    );
  }
  const privatePath = join(opts.out, `${opts.name}-private.pem`);
  const publicPath = join(opts.out, `${opts.name}-public.pem`);
  // Overwriting a private key loses the ability to sign for everything that trusts it.
  if (!opts.force && (existsSync(privatePath) || existsSync(publicPath))) {
    throw new KioskError(
      'FILE_EXISTS',
      `${privatePath} đã có; dùng --force để ghi đè`,
      `${privatePath} exists; use --force to overwrite`,
    );
  }
  const pair = generateKeyPair();
  try {
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(privatePath, pair.privatePem, { mode: 0o600 });
    writeFileSync(publicPath, pair.publicPem, { mode: 0o644 });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new KioskError(
      'FILE_UNWRITABLE',
      `Không ghi được vào ${opts.out} (${why})`,
      `Cannot write to ${opts.out} (${why})`,
    );
  }
  const spki = spkiDer(loadPublicKey(pair.publicPem)).toString('base64');
  process.stdout.write(
    `${JSON.stringify({ name: opts.name, kid: pair.kid.toString('base64'), key: spki, privateKey: privatePath, publicKey: publicPath })}\n`,
  );
}

export function register(program: Command): void {
  const keys = program.command('keys').description('Khoá ký số / signing keys');
  keys
    .command('new')
    .description('Tạo cặp khoá P-256 / create a P-256 key pair')
    .requiredOption('--out <dir>', 'directory for <name>-private.pem (PKCS8) and <name>-public.pem (SPKI)')
    .option('--name <name>', 'issuer | root (any name: letters, digits, _ -)', 'issuer')
    .option('--force', 'overwrite existing key files')
    .addHelpText(
      'after',
      '\nPrints {"name","kid","key","privateKey","publicKey"}: kid and key (DER SPKI) in base64, as a\ntrust-list issuer entry wants them.',
    )
    .action((opts: KeysNewOptions) => {
      try {
        keysNew(opts);
      } catch (err) {
        reportCliError('keys new', err);
      }
    });
}
