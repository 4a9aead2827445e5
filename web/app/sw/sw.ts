/**
 * The service worker, served at `/sw.js` with scope `/` (decision 0042).
 *
 * - Keeps the app shell (the page and every file of the build) in a cache named by the
 *   build's version, so the app starts without a network: the page comes from here, the
 *   conversations and messages from the SDK's IndexedDB cache, and sends wait in its outbox.
 * - A new build is a new sw.js (its file list and version are written in at build time): it
 *   installs beside the running one and waits; the app tells the user, and only when they
 *   choose "Reload" does the page ask it to take over (`skipWaiting`), then reloads.
 * - Shows Web Push notifications and opens their conversation when one is clicked.
 *
 * Only the build's files are cached (shell.ts says which requests it answers).
 */
import { CACHE_PREFIX, appUrl, cacheName, pickWindow, pushNotice, shellRoute, type Precache } from './shell';

declare const self: ServiceWorkerGlobalScope;

// The build replaces this string with the JSON of the file list (web/scripts/service-worker.mjs).
const PRECACHE = JSON.parse('__TIDINGS_PRECACHE__') as Precache;
const CACHE = cacheName(PRECACHE);

self.addEventListener('install', (event) => {
  // Not skipWaiting(): a page of the old version may still need the old version's files.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.files)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
      // The first install takes the page that registered it, so it works offline at once.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === 'skipWaiting') void self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const route = shellRoute(request.method, request.mode, new URL(request.url), self.location.origin);
  if (route === null) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const cached = await cache.match(route === 'page' ? '/' : request, { ignoreSearch: route === 'page' });
      return cached ?? fetch(request);
    })(),
  );
});

self.addEventListener('push', (event) => {
  let payload: unknown = null;
  try {
    payload = event.data?.json() ?? null;
  } catch {
    payload = null;
  }
  const notice = pushNotice(payload, self.navigator.language);
  event.waitUntil(self.registration.showNotification(notice.title, notice.options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: unknown } | null;
  const url = appUrl(data?.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const target = pickWindow(windows);
      if (target) {
        await target.focus();
        target.postMessage({ type: 'open', url });
      } else {
        await self.clients.openWindow(url);
      }
    })(),
  );
});
