// Builds the renderer into <repo>/dist/renderer with relative URLs, so the same files load from the
// browser host (http://127.0.0.1:…/) and from Electron (file://).
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

/**
 * The built page carries its own strict CSP too, for Electron's file:// load where no server sets
 * headers. Build only: the dev server injects inline scripts for hot reload.
 */
function cspMeta(): Plugin {
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "media-src 'self'",
    "connect-src 'self' ws: wss:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    name: 'kiosk-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: policy },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir: here('../dist/renderer'),
    emptyOutDir: true,
    // Never inline fonts or images as data: URLs; every asset is a hashed file under assets/.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
  server: { host: '127.0.0.1' },
});
