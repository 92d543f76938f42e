// The one Content-Security-Policy of our pages: the guard's screen in the browser host and in Electron,
// and the command centre's dashboard. No inline script or style, no eval, nothing from elsewhere; the
// camera's stream and its decoder worker are our own. Only what a shell adds differs: the browser host's
// WebSocket, and the `frame-ancestors` a <meta> policy cannot carry.
export interface CspOptions {
  /** Sources the page may connect to besides its own origin (the browser host's ws:// URL). */
  connect?: readonly string[];
  /** For a <meta http-equiv> copy in the built page: browsers ignore frame-ancestors there. */
  meta?: boolean;
}

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const directives = [
    "default-src 'none'",
    // 'wasm-unsafe-eval' lets the page compile WebAssembly (the camera's QR decoder, our own bundled
    // .wasm file) and nothing else: no eval(), no new Function(), no inline script.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "media-src 'self' blob: mediastream:",
    "worker-src 'self' blob:",
    ['connect-src', "'self'", ...(opts.connect ?? [])].join(' '),
    "manifest-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  if (!opts.meta) directives.push("frame-ancestors 'none'");
  return directives.join('; ');
}
