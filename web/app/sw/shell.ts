/**
 * What the service worker decides, apart from the worker's own globals: which requests the
 * app shell answers, and how a push payload becomes a notification. No I/O here, so the unit
 * tests (app/src/test/serviceWorker.test.ts) drive it in Node.
 *
 * Only the app's own files are ever cached (decision 0042): `/api/`, `/files/`, `/ws` and
 * every other origin go to the network untouched, so nothing that needs a session (messages,
 * downloads, avatars) is kept where another account on the same browser could read it.
 */

/** The build writes this into sw.js in place of its placeholder (web/scripts/service-worker.mjs). */
export interface Precache {
  /** Changes whenever any file below (or its content) changes: a new cache, a new worker. */
  version: string;
  /** Absolute paths: `/` (the page) and everything under `/assets/`. */
  files: string[];
}

/** Every cache this worker makes is named so; on activation, older ones are deleted. */
export const CACHE_PREFIX = 'tidings-shell-';

export function cacheName(precache: Precache): string {
  return `${CACHE_PREFIX}${precache.version}`;
}

/**
 * How to answer a request: `page` with the cached app page (any of the app's own addresses:
 * `/`, `/?c=…` of a popped-out window, `/invite/<code>`), `asset` from the cache of the
 * build's files, or null: not ours, the network answers as if there were no worker.
 */
export function shellRoute(method: string, mode: string, url: URL, origin: string): 'page' | 'asset' | null {
  if (method !== 'GET' || url.origin !== origin) return null;
  if (mode === 'navigate') return url.pathname === '/' || /^\/invite\/[A-Za-z0-9_-]+$/.test(url.pathname) ? 'page' : null;
  if (url.pathname.startsWith('/assets/')) return 'asset';
  return null;
}

/** The push payload of docs/protocol.md ("Web Push"), as much of it as the worker needs. */
export interface PushNotice {
  title: string;
  /**
   * `renotify`: a newer message of the same conversation replaces its notification (same
   * tag) and still alerts (Chromium; others ignore it).
   */
  options: { body?: string; tag?: string; renotify?: boolean; icon: string; badge: string; data: { url: string } };
}

/** The app's icon on its notifications. */
export const NOTIFICATION_ICON = '/assets/icon-192.png';

/**
 * The notification for a push payload. A payload that is not ours (or none) still shows a
 * notification (browsers require one per push) that opens the app.
 */
export function pushNotice(payload: unknown, language: string): PushNotice {
  const fallback = language.toLowerCase().startsWith('zh') ? '新消息' : 'New message';
  const record = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const title = typeof record.title === 'string' && record.title ? record.title : fallback;
  const options: PushNotice['options'] = { icon: NOTIFICATION_ICON, badge: NOTIFICATION_ICON, data: { url: appUrl(record.url) } };
  if (typeof record.body === 'string') options.body = record.body;
  if (typeof record.tag === 'string' && record.tag) {
    options.tag = record.tag;
    options.renotify = true;
  }
  return { title, options };
}

/** A same-origin path to open; anything else (another site, a script URL) opens the app. */
export function appUrl(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return '/';
  return value;
}

/** Of the app's open windows, the one to show a clicked notification: the main one, focused first. */
export function pickWindow<T extends { url: string; focused: boolean }>(windows: readonly T[]): T | null {
  const main = windows.filter((w) => new URL(w.url).search === '');
  const pool = main.length > 0 ? main : windows;
  return pool.find((w) => w.focused) ?? pool[0] ?? null;
}
