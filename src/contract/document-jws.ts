// Signed documents from the command centre (spec/permit-format.md §2): JWS compact, ES256, signed by
// the pinned root key. Every refusal is a KioskError DOCUMENT_INVALID with both languages.
import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import { KioskError } from './errors.js';
import { kidOf, loadPrivateKey } from './keys.js';

export const DOCUMENT_TYPES = {
  trust: 'vnp-trust+jws',
  revocations: 'vnp-revocations+jws',
  zones: 'vnp-zones+jws',
  config: 'vnp-config+jws',
} as const;
export type DocumentKind = keyof typeof DOCUMENT_TYPES;
export type DocumentType = (typeof DOCUMENT_TYPES)[DocumentKind];

const NAMES_VI: Record<DocumentKind, string> = {
  trust: 'danh sách tin cậy',
  revocations: 'danh sách thu hồi',
  zones: 'bản đồ vùng dịch',
  config: 'cấu hình chốt',
};

export function documentKindOf(typ: string): DocumentKind | null {
  for (const [kind, t] of Object.entries(DOCUMENT_TYPES)) if (t === typ) return kind as DocumentKind;
  return null;
}

export function documentError(kind: DocumentKind | null, detailVi: string, detailEn: string): KioskError {
  const what = kind ? NAMES_VI[kind] : 'tài liệu';
  const whatEn = kind ? `${kind} document` : 'document';
  return new KioskError(
    'DOCUMENT_INVALID',
    `Tài liệu ký số không hợp lệ (${what}): ${detailVi}`,
    `Invalid signed ${whatEn}: ${detailEn}`,
  );
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Verifies a compact JWS against the pinned root key and returns its JSON payload. Checks the
 * signature (ES256 only), the `typ` header, and the header `kid` against the root key's kid.
 */
export async function verifyDocument(jws: string, kind: DocumentKind, root: KeyObject): Promise<unknown> {
  const text = jws.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(text)) {
    throw documentError(kind, 'không phải JWS dạng rút gọn', 'not a compact JWS');
  }
  let result: Awaited<ReturnType<typeof compactVerify>>;
  try {
    result = await compactVerify(text, root, { algorithms: ['ES256'] });
  } catch {
    throw documentError(
      kind,
      'chữ ký sai hoặc không phải của khoá gốc',
      'bad signature or not signed by the root key',
    );
  }
  const { protectedHeader, payload } = result;
  if (protectedHeader.typ !== DOCUMENT_TYPES[kind]) {
    throw documentError(
      kind,
      `loại tài liệu "${String(protectedHeader.typ)}" không đúng`,
      `wrong typ "${String(protectedHeader.typ)}", expected ${DOCUMENT_TYPES[kind]}`,
    );
  }
  if (protectedHeader.kid !== undefined && protectedHeader.kid !== base64url(kidOf(root))) {
    throw documentError(kind, 'mã khoá (kid) không phải khoá gốc', 'header kid is not the root key');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as unknown;
  } catch {
    throw documentError(kind, 'nội dung không phải JSON', 'payload is not JSON');
  }
}

/** Signs a JSON payload as a document of this kind with the root private key (PEM PKCS8). */
export async function signDocument(
  kind: DocumentKind,
  payload: unknown,
  rootPrivatePem: string,
): Promise<string> {
  const key = loadPrivateKey(rootPrivatePem);
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  return new CompactSign(bytes)
    .setProtectedHeader({ alg: 'ES256', kid: base64url(kidOf(key)), typ: DOCUMENT_TYPES[kind] })
    .sign(key);
}
