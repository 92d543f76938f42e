// `kiosk certs new`: the browser host's HTTPS certificate for the LAN, under a local CA made for this
// kiosk alone (src/host/certs.ts), and how a supervisor's laptop comes to trust that CA.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { writePrivateFile } from '../base/secret-file.js';
import { KioskError } from '../contract/errors.js';
import { MAX_DAYS, makeKioskCerts } from '../host/certs.js';
import { reportCliError } from './common.js';

interface CertsNewOptions {
  out: string;
  host?: string[];
  ip?: string[];
  days: string;
  keepCaKey?: boolean;
  force?: boolean;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** This machine's addresses a laptop on the LAN may use, loopback first. */
export function localAddresses(): string[] {
  const out = ['127.0.0.1'];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') out.push(a.address);
  }
  return out;
}

function check(opts: CertsNewOptions): { hosts: string[]; ips: string[]; days: number } {
  const hosts = [...new Set((opts.host ?? [hostname(), 'localhost']).map((h) => h.toLowerCase()))];
  const ips = [...new Set(opts.ip ?? localAddresses())];
  for (const h of hosts) {
    if (!HOST_NAME.test(h)) {
      throw new KioskError('BAD_HOST', `Tên máy không hợp lệ: ${h}`, `Not a valid host name: ${h}`);
    }
  }
  for (const ip of ips) {
    if (isIP(ip) === 0)
      throw new KioskError('BAD_IP', `Địa chỉ IP không hợp lệ: ${ip}`, `Not an IP address: ${ip}`);
  }
  const days = Number(opts.days);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new KioskError(
      'BAD_DAYS',
      `--days phải từ 1 đến ${MAX_DAYS}`,
      `--days must be 1 to ${MAX_DAYS} (Apple devices refuse longer)`,
    );
  }
  return { hosts, ips, days };
}

async function certsNew(opts: CertsNewOptions): Promise<void> {
  const { hosts, ips, days } = check(opts);
  const out = resolve(opts.out);
  const files = {
    ca: join(out, 'kiosk-ca.pem'),
    cert: join(out, 'kiosk-server.pem'),
    key: join(out, 'kiosk-server-key.pem'),
    caKey: join(out, 'kiosk-ca-key.pem'),
  };
  if (!opts.force && Object.values(files).some((f) => existsSync(f))) {
    throw new KioskError(
      'FILE_EXISTS',
      `${out} đã có chứng chỉ; dùng --force để thay (máy tính đã tin CA cũ phải tin CA mới)`,
      `${out} already holds certificates; use --force to replace them (laptops trusting the old CA must trust the new one)`,
    );
  }
  const made = await makeKioskCerts({ hosts, ips, days, nowMs: Date.now(), label: hostname() });
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(files.ca, made.caPem, { mode: 0o644 });
    writeFileSync(files.cert, made.certPem, { mode: 0o644 });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new KioskError(
      'FILE_UNWRITABLE',
      `Không ghi được vào ${out} (${why})`,
      `Cannot write to ${out} (${why})`,
    );
  }
  writePrivateFile(files.key, made.keyPem, { whatVi: 'khoá HTTPS', whatEn: 'HTTPS key' });
  if (opts.keepCaKey) writePrivateFile(files.caKey, made.caKeyPem, { whatVi: 'khoá CA', whatEn: 'CA key' });
  process.stdout.write(
    `${JSON.stringify({
      ca: files.ca,
      cert: files.cert,
      key: files.key,
      caKey: opts.keepCaKey ? files.caKey : null,
      hosts,
      ips,
      notAfter: made.notAfter,
      caFingerprint: made.caFingerprint,
      caSpki: made.caSpki,
      leafSpki: made.leafSpki,
    })}\n`,
  );
  process.stderr.write(instructions(files, made.caFingerprint, hosts, ips));
}

function instructions(
  files: { ca: string; cert: string; key: string },
  fp: string,
  hosts: string[],
  ips: string[],
) {
  const lanIp = ips.find((ip) => ip !== '127.0.0.1') ?? ips[0];
  return `
Chứng chỉ HTTPS cho giao diện trên mạng LAN / HTTPS certificate for the LAN browser host
  Chỉ dùng cho / valid for: ${[...hosts, ...ips].join(', ')}

1. kiosk.json:
   "http": { "host": "0.0.0.0", "port": 8443, "lan": true,
             "certFile": "${files.cert}", "keyFile": "${files.key}" }

2. Chép ${files.ca} sang máy tính của chỉ huy (USB), đối chiếu dấu vân tay SHA-256 /
   copy it to the supervisor's laptop and check its SHA-256 fingerprint reads:
   ${fp}
   Khoá riêng của CA không được giữ lại: CA này chỉ xác nhận được máy này /
   the CA's private key was not kept: this CA can vouch for this kiosk only.

3. Tin CA trên máy tính / trust the CA on the laptop:
   Debian/Ubuntu (hệ thống / system, curl…):
     sudo cp kiosk-ca.pem /usr/local/share/ca-certificates/checkpoint-kiosk.crt && sudo update-ca-certificates
   Chromium / Chrome trên Linux (kho NSS của người dùng / the user's NSS store; apt-get install libnss3-tools):
     certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "checkpoint-kiosk" -i kiosk-ca.pem
     (hoặc / or chrome://settings/certificates → Authorities → Import → "Trust this certificate for identifying websites")
   Windows (Chrome, Edge), PowerShell:
     certutil -user -addstore Root kiosk-ca.pem
     (hoặc nhấp đúp tệp → Install Certificate → Current User → Trusted Root Certification Authorities /
      or double-click the file → Install Certificate → Current User → Trusted Root Certification Authorities)
   Firefox: Settings → Privacy & Security → Certificates → View Certificates → Authorities → Import.

4. Mở / open https://${lanIp}:8443/ (khởi động lại máy kiểm soát sau khi sửa kiosk.json / restart the kiosk after editing kiosk.json).
`;
}

export function register(program: Command): void {
  const certs = program
    .command('certs')
    .description('Chứng chỉ HTTPS cho mạng LAN / HTTPS certificates for the LAN');
  certs
    .command('new')
    .description('Tạo CA riêng của máy và chứng chỉ máy chủ / make a local CA and a server certificate')
    .requiredOption(
      '--out <dir>',
      'folder for kiosk-ca.pem, kiosk-server.pem and kiosk-server-key.pem (0600)',
    )
    .option('--host <name...>', 'DNS names of the kiosk (default: this host name and localhost)')
    .option(
      '--ip <address...>',
      "IP addresses of the kiosk (default: 127.0.0.1 and this machine's LAN IPv4s)",
    )
    .option('--days <n>', `validity in days, at most ${MAX_DAYS}`, '825')
    .option(
      '--keep-ca-key',
      'also write the CA private key (kiosk-ca-key.pem, 0600); by default it is discarded',
    )
    .option('--force', 'replace existing files')
    .addHelpText(
      'after',
      '\nPrints {"ca","cert","key","caKey","hosts","ips","notAfter","caFingerprint","caSpki","leafSpki"}; how to\n' +
        "trust the CA on a supervisor's laptop goes to stderr. The CA is name-constrained to --host and --ip.",
    )
    .action(async (opts: CertsNewOptions) => {
      try {
        await certsNew(opts);
      } catch (err) {
        reportCliError('certs new', err);
      }
    });
}
