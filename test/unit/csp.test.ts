// The one Content-Security-Policy (src/base/csp.ts) every shell sends: strict by default, with only the
// browser host's WebSocket added, and no frame-ancestors in a <meta> copy (browsers ignore it there).
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../electron/security.js';
import { contentSecurityPolicy } from '../../src/base/csp.js';

describe('contentSecurityPolicy', () => {
  it('allows nothing but our own files, and no inline script, style or eval (WebAssembly only)', () => {
    const csp = contentSecurityPolicy();
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "frame-ancestors 'none'",
      ]),
    );
    // WebAssembly may be compiled (the QR decoder); JavaScript may not be made from strings.
    expect(csp).not.toMatch(/unsafe-inline|(?<!wasm-)unsafe-eval/);
    expect(csp).toContain("connect-src 'self';");
  });

  it('adds the browser host’s WebSocket, and leaves frame-ancestors out of a meta copy', () => {
    expect(contentSecurityPolicy({ connect: ['ws://127.0.0.1:8080'] })).toContain(
      "connect-src 'self' ws://127.0.0.1:8080;",
    );
    expect(contentSecurityPolicy({ meta: true })).not.toContain('frame-ancestors');
  });

  it('is the policy the Electron shell sends', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(contentSecurityPolicy());
  });
});
