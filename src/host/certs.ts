// `kiosk certs new`: a local CA for one kiosk and the browser host's server certificate, with
// @peculiar/x509 on Node's WebCrypto. The CA is name-constrained to the kiosk's own names and
// addresses, and its private key is not kept (unless asked): a laptop that trusts it trusts this
// kiosk only, and a stolen kiosk cannot mint a certificate for any other site.
import { createHash, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';

type Lib = typeof X509;
type KeyPair = webcrypto.CryptoKeyPair;

/** Loaded on first use, after the Reflect metadata polyfill it needs (reflect-metadata): the kiosk itself never loads it. */
let lib: Promise<Lib> | null = null;
function x509(): Promise<Lib> {
  lib ??= (async () => {
    await import('reflect-metadata');
    const m = (await import('@peculiar/x509')) as Lib & { default?: Lib };
    const x = m.default ?? m;
    x.cryptoProvider.set(webcrypto as never);
    return x;
  })();
  return lib;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;
/** The longest validity Apple platforms accept for a TLS server certificate, even from a private CA. */
export const MAX_DAYS = 825;

export interface CertRequest {
  /** DNS names the kiosk answers to (the first is the certificate's subject). */
  hosts: string[];
  /** IPv4 / IPv6 addresses the kiosk answers on. */
  ips: string[];
  days: number;
  nowMs: number;
  /** A label for the CA's name (the kiosk's host name). */
  label: string;
}

export interface MadeCerts {
  caPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
  /** SHA-256 fingerprints (hex, colon-separated) to read out to the person trusting the CA. */
  caFingerprint: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo: Chromium's --ignore-certificate-errors-spki-list form. */
  caSpki: string;
  leafSpki: string;
  notAfter: string;
}

function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // Expand :: for IPv6, 16 bytes.
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

/**
 * RFC 5280 NameConstraints with permitted subtrees only: each DNS name (and its sub-domains), each
 * address exactly (a /32 or /128 mask).
 */
export function nameConstraints(hosts: string[], ips: string[]): Buffer {
  const subtrees = [
    ...hosts.map((h) => der(0x30, der(0x82, Buffer.from(h, 'ascii')))),
    ...ips.map((ip) => {
      const addr = ipBytes(ip);
      return der(0x30, der(0x87, Buffer.concat([addr, Buffer.alloc(addr.length, 0xff)])));
    }),
  ];
  return der(0x30, der(0xa0, Buffer.concat(subtrees)));
}

function spkiHash(cert: X509.X509Certificate): string {
  return createHash('sha256').update(Buffer.from(cert.publicKey.rawData)).digest('base64');
}

async function pkcs8Pem(x: Lib, key: webcrypto.CryptoKey): Promise<string> {
  const raw = await webcrypto.subtle.exportKey('pkcs8', key);
  return `${x.PemConverter.encode(raw, 'PRIVATE KEY')}\n`;
}

function serial(): string {
  // Positive, 16 random bytes.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x01;
  return Buffer.from(b).toString('hex');
}

export async function makeKioskCerts(r: CertRequest): Promise<MadeCerts> {
  const x = await x509();
  const notBefore = new Date(r.nowMs - DAY);
  const notAfter = new Date(r.nowMs + r.days * DAY);
  const caKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  // The library's types name the DOM's CryptoKey; Node's WebCrypto keys are those.
  const dom = (k: webcrypto.CryptoKey) =>
    k as unknown as Parameters<typeof x.SubjectKeyIdentifierExtension.create>[0];
  const domPair = (p: KeyPair) => p as unknown as X509.X509CertificateCreateSelfSignedParams['keys'];
  const ca = await x.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=checkpoint-kiosk ${r.label} local CA, O=checkpoint-kiosk`,
    notBefore,
    notAfter: new Date(notAfter.getTime() + DAY),
    signingAlgorithm: ALG,
    keys: domPair(caKeys),
    extensions: [
      new x.BasicConstraintsExtension(true, 0, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.keyCertSign | x.KeyUsageFlags.cRLSign, true),
      await x.SubjectKeyIdentifierExtension.create(dom(caKeys.publicKey)),
      new x.Extension('2.5.29.30', true, new Uint8Array(nameConstraints(r.hosts, r.ips)).buffer),
    ],
  });
  const names: X509.JsonGeneralName[] = [
    ...r.hosts.map((value) => ({ type: 'dns' as const, value })),
    ...r.ips.map((value) => ({ type: 'ip' as const, value })),
  ];
  const leaf = await x.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${r.hosts[0] ?? r.ips[0] ?? 'kiosk'}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: dom(leafKeys.publicKey),
    signingKey: dom(caKeys.privateKey) as unknown as X509.X509CertificateCreateWithKeyParams['signingKey'],
    extensions: [
      new x.BasicConstraintsExtension(false, undefined, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.digitalSignature, true),
      new x.ExtendedKeyUsageExtension([x.ExtendedKeyUsage.serverAuth]),
      new x.SubjectAlternativeNameExtension(names),
      await x.AuthorityKeyIdentifierExtension.create(ca),
      await x.SubjectKeyIdentifierExtension.create(dom(leafKeys.publicKey)),
    ],
  });
  const fp = Buffer.from(await ca.getThumbprint('SHA-256'))
    .toString('hex')
    .toUpperCase()
    .match(/../g)!
    .join(':');
  return {
    caPem: `${ca.toString('pem')}\n`,
    caKeyPem: await pkcs8Pem(x, caKeys.privateKey),
    certPem: `${leaf.toString('pem')}\n`,
    keyPem: await pkcs8Pem(x, leafKeys.privateKey),
    caFingerprint: fp,
    caSpki: spkiHash(ca),
    leafSpki: spkiHash(leaf),
    notAfter: notAfter.toISOString(),
  };
}
