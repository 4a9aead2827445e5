import type { Plugin } from 'vite';

/** Builds app/sw/sw.ts into sw.js with the build's file list (see service-worker.mjs). */
export function serviceWorker(options: { entry: string; publicDir: string }): Plugin;
