// HTTPS for the browser host on the LAN: kiosk.json refuses `http.lan` without a certificate, the
// certificate and key are checked as files (key 0600, pair matching), `kiosk certs new` makes a
// name-constrained local CA and a server certificate with safe file modes, the session cookie is
// Secure over TLS, and the same-origin check knows https://.
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedHostNames, isSameHostRequest } from '../../src/base/http.js';
import { loadSettings } from '../../src/config/settings.js';
import { KioskError } from '../../src/contract/errors.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { httpCallContext, sessionCookie } from '../../src/host/auth.js';
import { makeKioskCerts, nameConstraints } from '../../src/host/certs.js';
import { loadTlsPair, spkiPin } from '../../src/host/tls-files.js';
import { Kiosk } from '../../src/kiosk.js';
import { runCliHere } from '../fixtures/cli-here.js';
import { checkpoint, makeTrust } from '../fixtures/permits.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { checkpoint: 'c.json', rootKey: 'r.pem', trustList: 't.jws' };

function settingsFile(name: string, http: Record<string, unknown>): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify({ ...base, http }));
  return f;
}

function thrown(fn: () => unknown): KioskError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KioskError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('kiosk.json http.lan', () => {
  it('requires certFile and keyFile, in both languages', () => {
    const err = thrown(() => loadSettings(settingsFile('lan.json', { host: '0.0.0.0', lan: true }), {}));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.vi).toContain('http.certFile: http.lan cần chứng chỉ HTTPS');
    expect(err.en).toContain('http.lan needs an HTTPS certificate');
    expect(
      thrown(() =>
        loadSettings(settingsFile('half.json', { host: '0.0.0.0', lan: true, certFile: 'c.pem' }), {}),
      ).en,
    ).toContain('http.keyFile');
    const ok = loadSettings(
      settingsFile('ok.json', { host: '0.0.0.0', lan: true, certFile: 'tls/c.pem', keyFile: '/etc/k.pem' }),
      {},
    );
    expect(ok.http).toMatchObject({ certFile: join(dir, 'tls/c.pem'), keyFile: '/etc/k.pem' });
    // Loopback without lan stays plain HTTP, as before.
    expect(loadSettings(settingsFile('loop.json', {}), {}).http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      lan: false,
    });
  });

  it('a kiosk built without kiosk.json refuses a LAN host with no certificate before opening anything', async () => {
    const db = join(dir, 'never.db');
    const kiosk = new Kiosk({
      checkpoint: checkpoint(),
      root: loadPublicKey(generateKeyPair().publicPem),
      trust: makeTrust([]),
      database: db,
      serial: null,
      mqtt: null,
      http: { host: '0.0.0.0', port: 0, lan: true },
    });
    const err = await kiosk.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KioskError);
    expect((err as KioskError).code).toBe('TLS_REQUIRED');
    expect((err as KioskError).vi).toContain('http.certFile');
    expect(() => statSync(db)).toThrow();
  });
});

describe('kiosk certs new', () => {
  it('writes a name-constrained CA, a server certificate and its 0600 key, and says how to trust the CA', async () => {
    const out = join(dir, 'certs');
    const r = await runCliHere([
      'certs',
      'new',
      '--out',
      out,
      '--host',
      'kiosk-01',
      '--ip',
      '10.0.0.5',
      '127.0.0.1',
    ]);
    expect(r.code).toBe(0);
    const made = JSON.parse(r.stdout);
    expect(made).toMatchObject({ hosts: ['kiosk-01'], ips: ['10.0.0.5', '127.0.0.1'], caKey: null });
    expect(statSync(made.key).mode & 0o777).toBe(0o600);
    expect(statSync(made.ca).mode & 0o777).toBe(0o644);
    const ca = new X509Certificate(readFileSync(made.ca));
    const leaf = new X509Certificate(readFileSync(made.cert));
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.checkHost('kiosk-01')).toBe('kiosk-01');
    expect(leaf.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(leaf.checkHost('example.com')).toBeUndefined();
    // The CA may vouch for these names only (the NameConstraints extension, critical).
    expect(ca.raw.toString('hex')).toContain(
      nameConstraints(['kiosk-01'], ['10.0.0.5', '127.0.0.1']).toString('hex'),
    );
    expect(made.caFingerprint).toBe(ca.fingerprint256);
    // What the kiosk's own Chromium pins (open-ui.ts): the server key's SPKI hash.
    expect(spkiPin(readFileSync(made.cert, 'utf8'))).toBe(made.leafSpki);
    // The pair loads as the kiosk loads it.
    expect(loadTlsPair(made.cert, made.key).cert).toContain('BEGIN CERTIFICATE');
    for (const os of [
      'update-ca-certificates',
      'certutil -d sql:$HOME/.pki/nssdb',
      'certutil -user -addstore Root',
    ]) {
      expect(r.stderr).toContain(os);
    }
    const again = await runCliHere(['certs', 'new', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('FILE_EXISTS');
    expect((await runCliHere(['certs', 'new', '--out', out, '--host', 'bad_name'])).stderr).toContain(
      'BAD_HOST',
    );
    expect((await runCliHere(['certs', 'new', '--out', out, '--days', '900'])).stderr).toContain('BAD_DAYS');
  });

  it('encodes name constraints as RFC 5280 DER', () => {
    // SEQUENCE { [0] { SEQUENCE { dNSName "a" }, SEQUENCE { iPAddress 10.0.0.5/32 } } }
    expect(nameConstraints(['a'], ['10.0.0.5']).toString('hex')).toBe(
      '3013a0113003820161300a87080a000005ffffffff',
    );
    expect(nameConstraints([], ['::1']).toString('hex')).toBe(
      `3026a0243022872000000000000000000000000000000001${'ff'.repeat(16)}`,
    );
  });
});

describe('the certificate and key files', () => {
  it('refuses a key others can read, and a certificate that is not the key’s', async () => {
    const a = await makeKioskCerts({
      hosts: ['localhost'],
      ips: [],
      days: 10,
      nowMs: Date.now(),
      label: 'a',
    });
    const b = await makeKioskCerts({
      hosts: ['localhost'],
      ips: [],
      days: 10,
      nowMs: Date.now(),
      label: 'b',
    });
    writeFileSync(join(dir, 'a.pem'), a.certPem);
    writeFileSync(join(dir, 'a-key.pem'), a.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'b-key.pem'), b.keyPem, { mode: 0o600 });
    expect(loadTlsPair(join(dir, 'a.pem'), join(dir, 'a-key.pem')).key).toBe(a.keyPem);
    expect(thrown(() => loadTlsPair(join(dir, 'a.pem'), join(dir, 'b-key.pem'))).code).toBe('TLS_INVALID');
    chmodSync(join(dir, 'a-key.pem'), 0o640);
    expect(thrown(() => loadTlsPair(join(dir, 'a.pem'), join(dir, 'a-key.pem'))).code).toBe(
      'SECRET_FILE_EXPOSED',
    );
    expect(thrown(() => loadTlsPair(join(dir, 'a.pem'), join(dir, 'none.pem'))).code).toBe('FILE_UNREADABLE');
  });
});

describe('sessions over HTTPS', () => {
  it('the session cookie is Secure when the request came over TLS, and only then', () => {
    expect(sessionCookie('t'.repeat(32), undefined, 0, true)).toContain('; Secure');
    expect(sessionCookie('t'.repeat(32), undefined, 0)).not.toContain('Secure');
    for (const encrypted of [true, false]) {
      const req = {
        headers: {},
        socket: { encrypted, remoteAddress: '10.0.0.9' },
      } as unknown as IncomingMessage;
      const c = httpCallContext(req, 0);
      c.ctx.setToken?.('t'.repeat(32), 3_600_000);
      expect(c.cookie()?.includes('; Secure')).toBe(encrypted);
    }
  });

  it('the same-origin check takes https:// on a TLS host and refuses http:// there', () => {
    const hosts = allowedHostNames('127.0.0.1', ['kiosk-01']);
    const h = { host: 'kiosk-01:8443', origin: 'https://kiosk-01:8443' };
    expect(isSameHostRequest(h, hosts, 'https')).toBe(true);
    expect(isSameHostRequest({ ...h, origin: 'http://kiosk-01:8443' }, hosts, 'https')).toBe(false);
    expect(isSameHostRequest(h, hosts)).toBe(false);
  });
});
