/**
 * The page's side of the service worker (app/sw/sw.ts, decision 0042): registers `/sw.js`,
 * reports when a new version waits (AppUpdateViewModel offers it), switches to it when asked,
 * and passes on the worker's "open this conversation" (a clicked notification).
 *
 * Only the main window registers and listens; popped-out windows ride along. Nothing happens
 * where service workers are not available (plain HTTP by name, the Vite dev server).
 */
import type { UpdateChannel } from '../viewmodels/AppUpdateViewModel';

/** How often a long-open app asks the server for a new sw.js (browsers also check on every load). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

export interface ServiceWorkerHooks {
  /** The worker asks to open a link (`/#/c/<id>`): a notification was clicked. */
  open(url: string): void;
}

export function browserServiceWorker(hooks: ServiceWorkerHooks): UpdateChannel | null {
  if (!import.meta.env.PROD || !window.isSecureContext || !('serviceWorker' in navigator)) return null;
  const container = navigator.serviceWorker;
  const listeners = new Set<() => void>();
  let waiting: ServiceWorker | null = null;
  let reloading = false;

  const ready = (worker: ServiceWorker) => {
    waiting = worker;
    for (const listener of [...listeners]) listener();
  };
  // A worker that finished installing while another one controls the page is a new version
  // (the very first one has nothing to replace and takes over by itself).
  const watch = (worker: ServiceWorker | null) => {
    if (!worker) return;
    const check = () => {
      if (worker.state === 'installed' && container.controller) ready(worker);
    };
    worker.addEventListener('statechange', check);
    check();
  };

  container.addEventListener('message', (event: MessageEvent<{ type?: unknown; url?: unknown }>) => {
    if (event.data?.type === 'open' && typeof event.data.url === 'string') hooks.open(event.data.url);
  });
  // The first worker taking an uncontrolled page is no new version.
  let controlled = container.controller !== null;
  container.addEventListener('controllerchange', () => {
    // Another window took the new version: this page's files may be gone from the cache, so
    // it offers the reload too; the window that asked reloads at once.
    if (reloading) window.location.reload();
    else if (controlled) for (const listener of [...listeners]) listener();
    controlled = true;
  });

  const register = () =>
    void container
      .register('/sw.js', { scope: '/' })
      .then((registration) => {
        watch(registration.waiting);
        watch(registration.installing);
        registration.addEventListener('updatefound', () => watch(registration.installing));
        const check = () => void registration.update().catch(() => undefined);
        window.setInterval(check, UPDATE_CHECK_MS);
        window.addEventListener('online', check);
      })
      .catch(() => undefined);
  // After the page's own loading: a first install fetches the whole build, which must not
  // compete with what the first screen needs.
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });

  return {
    onReady(listener) {
      listeners.add(listener);
      if (waiting) listener();
      return () => listeners.delete(listener);
    },
    apply() {
      reloading = true;
      if (waiting && waiting.state !== 'redundant' && waiting.state !== 'activated') waiting.postMessage({ type: 'skipWaiting' });
      else window.location.reload();
    },
  };
}
