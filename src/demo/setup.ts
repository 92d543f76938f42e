// The first-run demo checkpoint: keys, a signed trust list, a checkpoint and sample permits as QR
// images, all generated into one folder, so a newcomer sees the whole loop in a minute.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { z } from 'zod';
import { DemoSample } from '../contract/api.js';
import type { CheckpointConfigInput } from '../contract/checkpoint.js';
import { signDocument } from '../contract/document-jws.js';
import { KioskError } from '../contract/errors.js';
import { generateKeyPair, type KeyPairPem, kidOf, loadPublicKey, spkiDer } from '../contract/keys.js';
import { issuePermit, type PermitToIssue } from '../formats/vnp1-issue.js';

export interface DemoFiles {
  dir: string;
  rootKey: string;
  trustList: string;
  checkpoint: string;
  samples: DemoSample[];
  permitsDir: string;
}

const DAY = 86_400;

function keyPair(dir: string, name: string): KeyPairPem {
  const priv = join(dir, `${name}.key.pem`);
  const pub = join(dir, `${name}.pub.pem`);
  if (existsSync(priv) && existsSync(pub)) {
    const publicPem = readFileSync(pub, 'utf8');
    return { privatePem: readFileSync(priv, 'utf8'), publicPem, kid: kidOf(loadPublicKey(publicPem)) };
  }
  const kp = generateKeyPair();
  writeFileSync(priv, kp.privatePem, { mode: 0o600 });
  writeFileSync(pub, kp.publicPem);
  return kp;
}

function spkiB64(publicPem: string): string {
  return spkiDer(loadPublicKey(publicPem)).toString('base64');
}

/** Writes (or refreshes) the demo folder. Keys persist across runs; permits are re-issued around `now`. */
export async function prepareDemo(dir: string, nowMs: number): Promise<DemoFiles> {
  const permitsDir = join(dir, 'permits');
  mkdirSync(permitsDir, { recursive: true });
  const root = keyPair(dir, 'root');
  const issuer = keyPair(dir, 'issuer');
  const forger = keyPair(dir, 'forger');
  const now = Math.floor(nowMs / 1000);

  const trust = await signDocument(
    'trust',
    {
      version: 1,
      issued: now,
      issuers: [
        {
          kid: kidOf(loadPublicKey(issuer.publicPem)).toString('base64'),
          iss: '01-009',
          name: 'Công an quận Thanh Xuân',
          key: spkiB64(issuer.publicPem),
          validFrom: now - 365 * DAY,
          validTo: now + 365 * DAY,
          kinds: ['travel', 'goods'],
          areas: ['01-009'],
        },
      ],
      dcc: [],
    },
    root.privatePem,
  );
  const checkpoint: CheckpointConfigInput = {
    checkpoint: {
      id: 'TX-01',
      name: 'Chốt Nguyễn Trãi (demo)',
      district: '01-009',
      area: '01-009',
      kind: 'district-entry',
      lanes: ['1', '2'],
    },
    policy: {},
  };
  const files = {
    rootKey: join(dir, 'root.pub.pem'),
    trustList: join(dir, 'trust.jws'),
    checkpoint: join(dir, 'checkpoint.json'),
  };
  writeFileSync(files.trustList, `${trust}\n`);
  writeFileSync(files.checkpoint, `${JSON.stringify(checkpoint, null, 2)}\n`);

  const base = (cti: string, nam: string, extra: Partial<PermitToIssue['permit']> = {}): PermitToIssue => ({
    iss: '01-009',
    cti,
    iat: now - DAY,
    exp: now + 7 * DAY,
    permit: {
      v: 1,
      k: 'travel',
      nam,
      idn: '001085001234',
      pur: 'work',
      home: '01-009-00343',
      areas: ['01-009', '01-006'],
      org: 'Bệnh viện Thanh Xuân',
      route: 'Nhân Chính → Đống Đa',
      ...extra,
    },
  });
  const stamp = new Date(nowMs).toISOString().slice(0, 19).replace(/\D/g, '');
  const specs: Array<{ file: string; label: string; labelEn: string; text: string }> = [
    {
      file: 'valid.png',
      label: 'Hợp lệ',
      labelEn: 'Valid',
      text: issuePermit(base(`DEMO-${stamp}-1`, 'Nguyễn Thị Hằng', { pur: 'medical' }), issuer.privatePem),
    },
    {
      file: 'expired.png',
      label: 'Hết hạn',
      labelEn: 'Expired',
      text: issuePermit(
        { ...base(`DEMO-${stamp}-2`, 'Trần Văn Đức'), iat: now - 20 * DAY, exp: now - DAY },
        issuer.privatePem,
      ),
    },
    {
      file: 'wrong-area.png',
      label: 'Sai khu vực',
      labelEn: 'Wrong area',
      text: issuePermit(base(`DEMO-${stamp}-3`, 'Phạm Minh Tuấn', { areas: ['01-001'] }), issuer.privatePem),
    },
    {
      file: 'forged.png',
      label: 'Giả mạo',
      labelEn: 'Forged',
      text: issuePermit(base(`DEMO-${stamp}-4`, 'Lê Hoàng Nam'), forger.privatePem),
    },
  ];
  for (const s of specs) {
    await QRCode.toFile(join(permitsDir, s.file), s.text, { errorCorrectionLevel: 'M', margin: 4, scale: 6 });
  }
  const samples = specs.map(({ label, labelEn, text }) => ({ label, labelEn, text }));
  writeFileSync(join(dir, 'samples.json'), `${JSON.stringify(samples, null, 2)}\n`);
  return { dir, ...files, samples, permitsDir };
}

/** Reads the samples file prepareDemo wrote (the Electron shell offers them as demo scans). */
export function readDemoSamples(file: string): DemoSample[] {
  try {
    return z.array(DemoSample).parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new KioskError('DEMO_SAMPLES_UNREADABLE', `Không đọc được ${file}`, `Cannot read ${file}`);
  }
}
