// PINs hashed with scrypt (node:crypto), run on libuv's thread pool so that a login never stalls a scan.
// Stored as `scrypt$N$r$p$salt$hash` so the cost can rise later without invalidating existing PINs.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** ~90 ms and 32 MiB on the 2-core development machine: slow for a thief, unnoticed by a guard. */
export const DEFAULT_PIN_COST = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;

function derive(pin: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem above 128·N·r, else Node refuses the cost.
    scrypt(pin, salt, KEY_LEN, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPin(pin: string, cost = DEFAULT_PIN_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, cost, R, P);
  return `scrypt$${cost}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every((x) => Number.isSafeInteger(x) && x > 0) || n > 2 ** 20) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (expected.length !== KEY_LEN) return false;
  const key = await derive(pin, salt, n, r, p);
  return timingSafeEqual(key, expected);
}

/** A hash of a random PIN to compare against when the user does not exist: same time, no hint. */
let dummy: Promise<string> | null = null;
export function dummyHash(cost = DEFAULT_PIN_COST): Promise<string> {
  dummy ??= hashPin(randomBytes(8).toString('hex'), cost);
  return dummy;
}

/** A random PIN of `digits` digits, for the first-run admin. */
export function randomPin(digits = 8): string {
  let out = '';
  while (out.length < digits) {
    const b = randomBytes(1)[0]!;
    // Reject 250..255 so every digit is equally likely.
    if (b < 250) out += String(b % 10);
  }
  return out;
}
