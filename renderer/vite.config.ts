// Builds the renderer into <repo>/dist/renderer with relative URLs, so the same files load from the
// browser host (http://127.0.0.1:…/) and from Electron (file://).
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { contentSecurityPolicy } from '../src/base/csp.js';

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

/**
 * The built page carries its own strict CSP too, for Electron's file:// load where no server sets
 * headers. Build only: the dev server injects inline scripts for hot reload.
 */
function cspMeta(): Plugin {
  // The browser host adds its WebSocket in the header it sends; the file itself allows only ws(s) of its own host.
  const policy = contentSecurityPolicy({ meta: true, connect: ['ws:', 'wss:'] });
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
