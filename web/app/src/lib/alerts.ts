/** The browser's side of alerting: the bundled sound, system notifications, window focus. */
import type { AlertOutput } from '../viewmodels/NotificationViewModel';
import { WindowRegistry } from './windowPresence';

const SOUND_URL = '/assets/sounds/message.wav';

export function browserAlerts(): AlertOutput {
  let audio: HTMLAudioElement | null = null;
  const supported = typeof Notification !== 'undefined';
  return {
    playSound() {
      audio ??= new Audio(SOUND_URL);
      audio.currentTime = 0;
      // Browsers refuse to play before the user has interacted with the page; that is fine.
      audio.play().catch(() => undefined);
    },
    permission: () => (supported ? Notification.permission : 'unsupported'),
    requestPermission: async () => (supported ? Notification.requestPermission() : 'unsupported'),
    notify(title, body, tag, onClick) {
      if (!supported || Notification.permission !== 'granted') return;
      try {
        const notification = new Notification(title, { body, tag, icon: '/assets/icon-192.png' });
        notification.onclick = () => {
          window.focus();
          onClick();
          notification.close();
        };
      } catch {
        // Some platforms allow notifications only from a service worker; the toast and sound remain.
      }
    },
  };
}

/** This window's entry in the shared picture of the app's windows, kept up to date. */
export function browserWindows(main: boolean): WindowRegistry {
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('tidings-windows') : null;
  const registry = new WindowRegistry(
    { main, shown: null, visible: document.visibilityState === 'visible', focused: document.hasFocus(), focusedAt: Date.now() },
    channel as ConstructorParameters<typeof WindowRegistry>[1],
  );
  window.addEventListener('focus', () => registry.update({ focused: true }));
  window.addEventListener('blur', () => registry.update({ focused: false }));
  document.addEventListener('visibilitychange', () => registry.update({ visible: document.visibilityState === 'visible' }));
  window.addEventListener('pagehide', () => registry.close());
  return registry;
}
