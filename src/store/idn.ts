// ID numbers are never stored. A passage keeps search tokens made with a per-kiosk key that lives in a
// file outside the database (src/store/idn-key-file.ts), so a copied kiosk.db alone gives no way to
// test a guess:
// - full token: AES-256(key, first 16 bytes of SHA-256("vn-idn" ‖ number)), exact search;
// - tail token: AES-256(key, the masked number "********1234"), search by the last four digits, and
//   what the supervisor's screens show once decrypted;
// - row MAC: HMAC-SHA-256 binding both tokens to their passage (they are outside the hash chain, which
//   commits only to "this passage has an ID number", so that the key can be rotated).
// Single-block AES is a keyed permutation: rotation decrypts with the old key and encrypts with the new
// one, without ever knowing a number. Rows written before this scheme also carry a legacy HMAC of the
// number under the key that used to sit in the database's kv table; their full token wraps that HMAC.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { KioskError } from '../contract/errors.js';
import { maskIdNumber } from '../lane/permit-view.js';
import type { StoredPassageForChain } from './chain.js';

/** Masks a search by its last four digits may have matched: ID numbers of 8 to 12 characters. */
const TAIL_LENGTHS = [8, 9, 10, 11, 12] as const;
const MASKED = /^\*{2,12}[0-9A-Z]{2,4}$/;

function subkey(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `checkpoint-kiosk/idn/${info}`, 32));
}

export interface IdnKeyMaterial {
  /** 32 random bytes. */
  key: Buffer;
  /** The HMAC key of rows written before the key left the database, while such rows remain. */
  legacy: Buffer | null;
}

export class IdnKey {
  private readonly enc;
  private readonly dec;
  private readonly macKey: Buffer;
  /** A fingerprint kept in the database: a wrong key file is refused, not used to write tokens. */
  readonly check: string;

  constructor(readonly material: IdnKeyMaterial) {
    if (material.key.length !== 32 || (material.legacy && material.legacy.length < 16)) {
      throw new KioskError('IDN_KEY_INVALID', 'Khoá số giấy tờ không hợp lệ', 'The ID-number key is invalid');
    }
    const aes = subkey(material.key, 'tokens');
    // ECB on exactly one block at a time: each token is one AES block, so the cipher objects are reused.
    this.enc = createCipheriv('aes-256-ecb', aes, null).setAutoPadding(false);
    this.dec = createDecipheriv('aes-256-ecb', aes, null).setAutoPadding(false);
    this.macKey = subkey(material.key, 'row-mac');
    this.check = createHmac('sha256', subkey(material.key, 'check')).update('idn-key-check/v1').digest('hex');
  }

  static generate(legacy: Buffer | null = null): IdnKey {
    return new IdnKey({ key: randomBytes(32), legacy });
  }

  /** The key file's text (JSON): see idn-key-file.ts. */
  serialise(): string {
    const m = this.material;
    return `${JSON.stringify({
      v: 1,
      key: m.key.toString('base64'),
      ...(m.legacy ? { legacyHmacKey: m.legacy.toString('base64') } : {}),
    })}\n`;
  }

  static parse(text: string): IdnKey {
    let json: { v?: unknown; key?: unknown; legacyHmacKey?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw invalidFile();
    }
    if (json.v !== 1 || typeof json.key !== 'string') throw invalidFile();
    const key = Buffer.from(json.key, 'base64');
    const legacy = typeof json.legacyHmacKey === 'string' ? Buffer.from(json.legacyHmacKey, 'base64') : null;
    if (key.length !== 32) throw invalidFile();
    return new IdnKey({ key, legacy });
  }

  /** The same key without the legacy HMAC key (once no row needs it). */
  withoutLegacy(): IdnKey {
    return new IdnKey({ key: this.material.key, legacy: null });
  }

  seal(block: Buffer): string {
    return this.enc.update(block).toString('hex');
  }

  open(token: string): Buffer | null {
    if (!/^[0-9a-f]{32}$/.test(token)) return null;
    return this.dec.update(Buffer.from(token, 'hex'));
  }

  /** The full token of an ID number (spaces a guard might type ignored). */
  full(idn: string): string {
    return this.seal(fullInner(idn));
  }

  /** Full tokens a search for this number must match: the current scheme's, and the legacy one's. */
  fullCandidates(idn: string): string[] {
    const out = [this.full(idn)];
    if (this.material.legacy) out.push(this.seal(legacyInner(this.material.legacy, idn)));
    return out;
  }

  tail(masked: string): string {
    const block = Buffer.alloc(16);
    block.write(masked, 'latin1');
    return this.seal(block);
  }

  tailOfNumber(idn: string): string {
    return this.tail(maskIdNumber(normalise(idn)));
  }

  /** Tail tokens a search by these last four digits must match, one for each ID-number length. */
  tailCandidates(last4: string): string[] {
    return TAIL_LENGTHS.map((n) => this.tail(`${'*'.repeat(n - 4)}${last4}`));
  }

  /** The masked number a tail token stands for ("********1234"), or null for anything else. */
  maskedOf(token: string | null): string | null {
    if (token === null) return null;
    const block = this.open(token);
    if (!block) return null;
    const end = block.indexOf(0);
    const text = block.subarray(0, end < 0 ? 16 : end).toString('latin1');
    return MASKED.test(text) && block.subarray(text.length).every((b) => b === 0) ? text : null;
  }

  mac(id: number, full: string | null, tail: string | null): string {
    return createHmac('sha256', this.macKey)
      .update(`row\u0000${id}\u0000${full ?? ''}\u0000${tail ?? ''}`)
      .digest('hex');
  }
}

function normalise(idn: string): string {
  return idn.replace(/\s+/g, '').toUpperCase();
}

function fullInner(idn: string): Buffer {
  return createHash('sha256')
    .update(`vn-idn\u0000${normalise(idn)}`, 'utf8')
    .digest()
    .subarray(0, 16);
}

/** What a pre-scheme row's idn_hmac column held: HMAC-SHA-256(legacy key, number), digits only. */
export function legacyHmac(legacy: Buffer, idn: string): string {
  return createHmac('sha256', legacy).update(idn.replace(/\s+/g, ''), 'utf8').digest('hex');
}

function legacyInner(legacy: Buffer, idn: string): Buffer {
  return Buffer.from(legacyHmac(legacy, idn).slice(0, 32), 'hex');
}

/** The full token of a pre-scheme row, from its stored legacy HMAC (no number needed). */
export function legacyFullToken(key: IdnKey, idnHmacHex: string): string | null {
  if (!/^[0-9a-f]{64}$/.test(idnHmacHex)) return null;
  return key.seal(Buffer.from(idnHmacHex.slice(0, 32), 'hex'));
}

function invalidFile(): KioskError {
  return new KioskError(
    'IDN_KEY_INVALID',
    'Tệp khoá số giấy tờ hỏng hoặc không đúng định dạng',
    'The ID-number key file is damaged or not in the expected format',
  );
}

/**
 * "Verify log" with the key: a chain_v 4 row's tokens carry a valid MAC and decrypt to a masked number;
 * an older row's tokens are exactly those of its chained masked number and legacy HMAC.
 */
export function idnTokenCheck(key: IdnKey): (row: StoredPassageForChain & { id: number }) => boolean {
  return (row) => {
    if (row.chain_v === 4) {
      if (row.has_idn !== 1) return true;
      return (
        row.idn_mac === key.mac(row.id, row.idn_full ?? null, row.idn_tail ?? null) &&
        key.maskedOf(row.idn_tail ?? null) !== null
      );
    }
    const tail = row.id_masked === null ? null : key.tail(row.id_masked);
    const full = row.idn_hmac == null ? null : legacyFullToken(key, row.idn_hmac);
    return (
      (row.idn_tail ?? null) === tail && (row.idn_full ?? null) === full && (row.idn_mac ?? null) === null
    );
  };
}
