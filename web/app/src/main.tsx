import { AuthApi, Client, IndexedDbCache, MemoryCache, webSocketTransport, webSocketUrl, type User } from '@tidings/sdk';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { webStore } from './lib/storage';
import './styles.css';
import { App } from './views/App';
import { PreferencesViewModel } from './viewmodels/PreferencesViewModel';
import { SessionViewModel } from './viewmodels/SessionViewModel';

const local = webStore(() => window.localStorage);
const tab = webStore(() => window.sessionStorage);
const origin = window.location.origin;

const preferences = new PreferencesViewModel(
  local,
  navigator.languages.length > 0 ? navigator.languages : [navigator.language],
  window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false,
);

function createClient(token: string, user: User): Client {
  return new Client({
    transport: webSocketTransport(webSocketUrl(origin)),
    token,
    cache: typeof indexedDB === 'undefined' ? new MemoryCache() : new IndexedDbCache(user.id),
  });
}

function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  return `${browser} (web)`;
}

const session = new SessionViewModel({ auth: new AuthApi(origin), local, tab, createClient, deviceName: deviceName() });
void session.restore();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App session={session} preferences={preferences} store={local} />
    </StrictMode>,
  );
}
