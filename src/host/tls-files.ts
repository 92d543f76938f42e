// The browser host's certificate and key as kiosk.json names them (http.certFile, http.keyFile): the
// key readable by the kiosk's user only, the pair checked to match, with bilingual errors naming the
// file. An expired certificate is reported, not refused: the guard's screen must still open.
import { createHash, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { readTextFile } from '../base/files.js';
import { log } from '../base/log.js';
import { readPrivateFile } from '../base/secret-file.js';
import { KioskError } from '../contract/errors.js';

export interface TlsPair {
  cert: string;
  key: string;
}

export function loadTlsPair(certFile: string, keyFile: string, nowMs = Date.now()): TlsPair {
  const cert = readTextFile(certFile, 'chứng chỉ HTTPS', 'HTTPS certificate');
  const key = readPrivateFile(keyFile, 'khoá HTTPS', 'HTTPS key')?.toString('utf8');
  if (key === undefined) {
    throw new KioskError(
      'FILE_UNREADABLE',
      `Không có khoá HTTPS ${keyFile} (tạo bằng \`kiosk certs new\`)`,
      `The HTTPS key ${keyFile} does not exist (make it with \`kiosk certs new\`)`,
    );
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
    createSecureContext({ cert, key });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new KioskError(
      'TLS_INVALID',
      `Chứng chỉ ${certFile} và khoá ${keyFile} không hợp lệ hoặc không khớp nhau (${why})`,
      `The certificate ${certFile} and key ${keyFile} are invalid or do not match (${why})`,
    );
  }
  const left = Date.parse(leaf.validTo) - nowMs;
  if (left < 30 * 86_400_000) {
    log.warn(
      left < 0
        ? `browser host: chứng chỉ ${certFile} đã hết hạn / the certificate has expired (${leaf.validTo}): run \`kiosk certs new\``
        : `browser host: chứng chỉ ${certFile} sắp hết hạn / the certificate expires ${leaf.validTo}: run \`kiosk certs new\``,
    );
  }
  return { cert, key };
}

/** The refusal of a browser host opened to the LAN without a certificate. */
export function lanTlsRequired(): KioskError {
  return new KioskError(
    'TLS_REQUIRED',
    'Mở giao diện ra mạng LAN (http.lan) cần chứng chỉ HTTPS: đặt http.certFile và http.keyFile (tạo bằng ' +
      '`kiosk certs new`). Máy không chạy HTTP thường trên LAN: mã PIN, cookie phiên và tên người qua chốt sẽ lộ.',
    'Opening the UI to the LAN (http.lan) needs an HTTPS certificate: set http.certFile and http.keyFile (made ' +
      'by `kiosk certs new`). The kiosk does not serve plain HTTP on the LAN: PINs, session cookies and names ' +
      'would cross in clear.',
  );
}

/** Chromium's pin of a certificate's key: base64 SHA-256 of its SubjectPublicKeyInfo (DER). */
export function spkiPin(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
