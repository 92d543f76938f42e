// Builds the command-centre dashboard into <repo>/dist/command-centre-web, served by `kiosk command-centre`.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [react()],
  build: {
    outDir: here('../../dist/command-centre-web'),
    emptyOutDir: true,
    // Every asset a hashed file under assets/: the CSP allows no data: fonts, and the centre may be offline.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
  server: { host: '127.0.0.1' },
});
