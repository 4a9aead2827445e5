import { defineConfig } from 'vite';
import { serviceWorker } from '../scripts/service-worker.mjs';

// The server serves the build at `/` and `/assets/*` (src/tidings/app.py); its CSP allows
// only same-origin scripts, so everything is bundled, nothing is inlined or loaded from a CDN.
export default defineConfig({
  // Files in public/ are copied into assets/, the only static folder the server mounts.
  publicDir: 'public',
  // The shared-connection worker is an ES module like the app (same CSP rules: 'self').
  worker: { format: 'es' },
  // The service worker: sw.js at the root (served at /sw.js), with the build's file list (0042).
  plugins: [serviceWorker({ entry: 'sw/sw.ts', publicDir: 'public' })],
  build: {
    outDir: '../../src/tidings/static',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    // The chat app, and the admin console at /admin (issue 13): a page of its own, so the
    // chat app's first load carries none of it.
    rollupOptions: { input: { app: 'index.html', admin: 'admin.html' } },
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8090',
      '/ws': { target: 'ws://127.0.0.1:8090', ws: true },
      '/healthz': 'http://127.0.0.1:8090',
    },
  },
});
