// Permit verifications per second (verifyPermit: base45, zlib, CBOR, COSE, ES256, claims) beside the
// raw crypto.verify floor of the same ES256 signatures in the same run; and still images through
// decodeImageBuffer (what `kiosk decode-image` does per file). Camera frames: bench/camera.ts.

import { verify as cryptoVerify } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import QRCode from 'qrcode';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../src/contract/keys.js';
import { buildTrustList } from '../src/documents/trust-list.js';
import { base45Decode } from '../src/formats/base45.js';
import { cborDecode, cborEncode } from '../src/formats/cbor.js';
import { verifyPermit } from '../src/formats/vnp1.js';
import { decodeImageBuffer, imageToLuminance } from '../src/hardware/qr-decoder.js';
import { decodeWithZxingLibrary } from '../test/fixtures/zxing-library-decoder.js';
import { benchPermits, benchTrustPayload } from './fixtures.js';

/** Runs fn for about `seconds` (at least `min` calls); returns calls per second. */
function rate(fn: (i: number) => void, seconds: number, min = 20): number {
  for (let i = 0; i < Math.min(min, 50); i++) fn(i); // warm-up
  const t0 = performance.now();
  let n = 0;
  while (n < min || performance.now() - t0 < seconds * 1000) fn(n++);
  return n / ((performance.now() - t0) / 1000);
}

async function rateAsync(fn: (i: number) => Promise<void>, seconds: number, min = 10): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(i);
  const t0 = performance.now();
  let n = 0;
  while (n < min || performance.now() - t0 < seconds * 1000) await fn(n++);
  return n / ((performance.now() - t0) / 1000);
}

const fmt = (x: number) => Math.round(x).toLocaleString('en');

export async function benchVerifyRate(seconds = 3): Promise<Record<string, string>> {
  const pair = generateKeyPair();
  const pub = loadPublicKey(pair.publicPem);
  const key = loadPrivateKey(pair.privatePem);
  const nowS = Math.floor(Date.now() / 1000);
  const trust = buildTrustList(benchTrustPayload(pub, nowS));
  const texts = benchPermits(256, 'B-', nowS, key, () => ({
    areas: ['01-009', '01-006'],
    route: 'Nguyễn Trãi – Trường Chinh',
  }));
  // The floor: exactly the ES256 checks verifyPermit makes, on the same Sig_structures.
  const signed = texts.map((t) => {
    let cose = cborDecode(inflateSync(base45Decode(t.slice(5))));
    if (cose instanceof Tag) cose = cose.value;
    const [prot, , payload, sig] = cose as Buffer[];
    return { tbs: cborEncode(['Signature1', prot, Buffer.alloc(0), payload]), sig: sig as Buffer };
  });

  const verifies = rate((i) => {
    const r = verifyPermit(texts[i % texts.length] as string, trust);
    if (!r.ok) throw new Error(`bench permit refused: ${r.reason}`);
  }, seconds);
  const floor = rate((i) => {
    const s = signed[i % signed.length] as { tbs: Buffer; sig: Buffer };
    if (!cryptoVerify('sha256', s.tbs, { key: pub, dsaEncoding: 'ieee-p1363' }, s.sig))
      throw new Error('floor');
  }, seconds);
  console.log(
    `  verifyPermit: ${fmt(verifies)} verifies/s (${(1000 / verifies).toFixed(3)} ms each) — floor, raw crypto.verify ES256 same run: ${fmt(floor)}/s (${(1000 / floor).toFixed(3)} ms); ${((100 * verifies) / floor).toFixed(0)} % of the floor`,
  );

  const text = texts[0] as string;
  const out: Record<string, string> = { verifies: fmt(verifies), floor: fmt(floor) };
  const png = await QRCode.toBuffer([{ data: text, mode: 'alphanumeric' }], {
    errorCorrectionLevel: 'M',
    type: 'png',
  });
  const stills = await rateAsync(async () => {
    if ((await decodeImageBuffer(png)) !== text) throw new Error('still unreadable');
  }, seconds / 2);
  const before = await rateAsync(async () => {
    if (decodeWithZxingLibrary(imageToLuminance(png)) !== text) throw new Error('still unreadable');
  }, seconds / 2);
  console.log(
    `  decodeImageBuffer, generated permit PNG (${png.length} bytes): ${stills.toFixed(0)} images/s — @zxing/library as the kiosk ran it before, same run: ${before.toFixed(0)} images/s`,
  );
  out.stills = stills.toFixed(0);
  return out;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) await benchVerifyRate(Number(process.env.BENCH_SECONDS ?? 3));
