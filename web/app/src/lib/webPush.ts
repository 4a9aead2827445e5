/**
 * "Notify me when the app is closed": a Web Push subscription of this browser for the signed-in
 * account (docs/protocol.md "Web Push"). The service worker (`/sw.js`) shows what arrives; this
 * only subscribes, and only when the page has a service worker registration.
 */
import type { Client } from '@tidings/sdk';

export type PushState = 'unsupported' | 'no_worker' | 'server_off' | 'denied' | 'on' | 'off' | 'failed';

/** What the browser offers, behind an interface so that view models are tested without it. */
export interface PushPlatform {
  /** The page's service worker registration, if any. */
  registration(): Promise<ServiceWorkerRegistration | null>;
  permission(): NotificationPermission | 'unsupported';
  requestPermission(): Promise<NotificationPermission | 'unsupported'>;
}

export const browserPushPlatform: PushPlatform = {
  async registration() {
    if (typeof navigator === 'undefined' || !('serviceWorker' in navigator) || typeof PushManager === 'undefined') return null;
    return (await navigator.serviceWorker.getRegistration()) ?? null;
  },
  permission() {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  },
  async requestPermission() {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.requestPermission();
  },
};

export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const current = subscription.options.applicationServerKey;
  if (!current) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

/**
 * Subscribe this browser and tell the server. `ask`: may the browser ask for permission now
 * (only from a click); without it, this renews a subscription the user already allowed.
 */
export async function subscribePush(client: Client, platform: PushPlatform, ask: boolean): Promise<PushState> {
  if (platform.permission() === 'unsupported') return 'unsupported';
  // The service worker must be ready first (contract: subscribe only when there is a registration).
  if (!(await platform.registration())) return 'no_worker';
  const { vapid_public_key: key } = await client.request('push.config', undefined);
  if (key === null) return 'server_off';
  let permission = platform.permission();
  if (permission === 'default' && ask) permission = await platform.requestPermission();
  if (permission === 'denied') return 'denied';
  if (permission !== 'granted') return 'off';
  try {
    const ready = await navigator.serviceWorker.ready;
    const applicationServerKey = keyBytes(key);
    let subscription = await ready.pushManager.getSubscription();
    // A subscription made for another server key (the server was reinstalled) is replaced.
    if (subscription && !sameKey(subscription, applicationServerKey)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await ready.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
    const json = subscription.toJSON();
    if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) return 'failed';
    await client.request('push.subscribe', { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } });
    return 'on';
  } catch {
    return 'failed';
  }
}

/** Stop pushes to this browser for this account (the subscription stays for other accounts). */
export async function unsubscribePush(client: Client, platform: PushPlatform): Promise<void> {
  const registration = await platform.registration();
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription) await client.request('push.unsubscribe', { endpoint: subscription.endpoint });
}
