import {
  AccountSecurityApi,
  AuthApi,
  Client,
  IndexedDbCache,
  MemoryCache,
  fileFingerprint,
  sharedTransport,
  singleSignOnLanding,
  singleSignOnStartUrl,
  TusUploader,
  webSocketTransport,
  xhrHttp,
  webSocketUrl,
  type HubEndpoint,
  type TransportFactory,
  type User,
} from '@tidings/sdk';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { browserAlerts, browserWindows } from './lib/alerts';
import { browserImagePreparer } from './lib/images';
import { webStore, type KeyValueStore } from './lib/storage';
import { WindowRegistry } from './lib/windowPresence';
import { imageWindowTarget, openChatWindow, openImageWindow, poppedOutConversation, type ImageWindowTarget } from './lib/windows';
import './styles.css';
import { App } from './views/App';
import { PreferencesViewModel } from './viewmodels/PreferencesViewModel';
import { loadLocale } from './i18n/i18n';
import { SessionViewModel } from './viewmodels/SessionViewModel';
import { SiteSettingsViewModel } from './viewmodels/SiteSettingsViewModel';
import { invitePageCode } from './lib/invitePage';
import { AppUpdateViewModel } from './viewmodels/AppUpdateViewModel';
import { ConversationLinks } from './lib/conversationLinks';
import { browserServiceWorker } from './lib/serviceWorker';

const local = webStore(() => window.localStorage);
const origin = window.location.origin;
const popout = poppedOutConversation(window.location.search);
const imageWindow = imageWindowTarget(window.location.search);
/** A window the main one opened (a conversation or the image viewer): it rides on the main window's session. */
const opened = popout !== null || imageWindow !== null;

/** This tab's session; a popped-out window falls back to the window that opened it. */
function tabStore(): KeyValueStore {
  const own = webStore(() => window.sessionStorage);
  if (!opened) return own;
  const opener = webStore(() => (window.opener as Window | null)?.sessionStorage ?? window.sessionStorage);
  return { get: (key) => own.get(key) ?? opener.get(key), set: own.set, remove: own.remove };
}

const preferences = new PreferencesViewModel(
  local,
  navigator.languages.length > 0 ? navigator.languages : [navigator.language],
  window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false,
);

/**
 * Every window of the app shares one connection through a SharedWorker; browsers without
 * one (some mobile ones) connect directly.
 */
let hub: HubEndpoint | null | undefined;
function sharedHub(): HubEndpoint | null {
  if (hub !== undefined) return hub;
  hub = null;
  if (typeof SharedWorker !== 'undefined') {
    try {
      const worker = new SharedWorker(new URL('./worker/connection.worker.ts', import.meta.url), {
        type: 'module',
        name: 'tidings-connection',
      });
      const port = worker.port;
      port.start();
      hub = { postMessage: (message, transfer) => port.postMessage(message, transfer) };
    } catch {
      hub = null;
    }
  }
  return hub;
}

function transportFor(token: string): TransportFactory {
  const url = webSocketUrl(origin);
  const endpoint = sharedHub();
  return endpoint ? sharedTransport(endpoint, url, token) : webSocketTransport(url);
}

function createClient(token: string, user: User): Client {
  return new Client({
    transport: transportFor(token),
    token,
    cache: typeof indexedDB === 'undefined' ? new MemoryCache() : new IndexedDbCache(user.id),
    // Uploads remember their address by file fingerprint here, to resume on a later visit.
    uploader: new TusUploader({ baseUrl: origin, token, http: xhrHttp(), store: local }),
  });
}

function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  return `${browser} (web)`;
}

const session = new SessionViewModel({
  auth: new AuthApi(origin),
  local,
  tab: tabStore(),
  createClient,
  deviceName: deviceName(),
  // A popped-out window rides on the main window's session; spending the device credential
  // here would start a new session and sign the main window out.
  deviceSignIn: !opened,
  // Every account stays connected in the main window (its unread count, its messages); a
  // pop-out connects only the account it shows.
  allAccounts: !opened,
  security: (token) => new AccountSecurityApi(origin, () => token),
  singleSignOn: {
    start: (remember) => window.location.assign(singleSignOnStartUrl(origin, remember)),
    goTo: (path) => window.location.assign(path),
  },
});
// Back from the single sign-on provider (decision 0064): the handoff rides in the fragment,
// which leaves the address (and the history) at once.
const singleSignOn = opened ? null : singleSignOnLanding(window.location.hash);
if (singleSignOn) window.history.replaceState(null, '', window.location.pathname + window.location.search);
// An app's one-time ticket (decision 0067): /sso?ticket=... spends the ticket, then shows `next`.
const ssoTicket = !opened && window.location.pathname === '/sso' ? new URLSearchParams(window.location.search).get('ticket') : null;
if (ssoTicket) {
  // The ticket leaves the address bar (and the history) at once.
  window.history.replaceState(null, '', '/');
  void session.signInWithTicket(ssoTicket, (next) => window.history.replaceState(null, '', next));
} else {
  void session.restore().then(() => (singleSignOn ? session.finishSingleSignOn(singleSignOn) : undefined));
}

// Leaving the page: let the shared connection know this window is gone. A page restored
// from the back-forward cache starts afresh.
window.addEventListener('pagehide', () => session.suspend());
window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});

// Offline start, updates and notification clicks (decision 0042): the main window only.
// Opened at `/#/c/<id>` (a notification's link), that conversation opens once signed in.
const links = new ConversationLinks();
if (!opened && window.location.hash) {
  links.open(window.location.hash);
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
}
const updateChannel = opened ? null : browserServiceWorker({ open: (url) => links.open(url) });
const updates = updateChannel ? new AppUpdateViewModel(updateChannel) : null;

const environment = {
  // The image viewer's window never alerts: it does not take part in choosing the window that does.
  windows: imageWindow === null ? browserWindows(popout === null) : new WindowRegistry({ main: false, shown: null, visible: false, focused: false, focusedAt: 0 }, null),
  alerts: browserAlerts(),
  openWindow: (id: number) => void openChatWindow(id),
  openImageWindow: (target: ImageWindowTarget) => void openImageWindow(target),
  images: browserImagePreparer(),
  // Only files picked from the disk have a name and a date to know them by again.
  fingerprint: (file: Blob) => (file instanceof File && file.lastModified ? fileFingerprint(file, session.activeUser?.id ?? 0) : undefined),
  // Opened at an invite link (the QR code's): offered once signed in, then the address is `/`.
  invite: () => (opened ? null : invitePageCode(window.location.pathname)),
  conversationLinks: links,
  inviteHandled: () => {
    if (invitePageCode(window.location.pathname) !== null) window.history.replaceState(null, '', '/');
  },
};

// The brand and the modules an administrator chose: asked for at once (before sign-in too).
const site = new SiteSettingsViewModel(local);
void site.refresh();

const root = document.getElementById('root');
if (root) {
  // The user's language first (one small chunk), then the first render in it.
  await loadLocale(preferences.getSnapshot().locale);
  createRoot(root).render(
    <StrictMode>
      <App session={session} site={site} preferences={preferences} store={local} popout={popout} imageWindow={imageWindow} environment={environment} updates={updates} />
    </StrictMode>,
  );
}
