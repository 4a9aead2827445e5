/**
 * The customer-service widget (J4, decision 0066). A host page adds
 *
 *   <script src="https://tidings.example/widget.js" async
 *           data-lang="zh" data-title="…" data-color="#e4393c" data-position="right"
 *           data-identity-token="…"></script>
 *
 * and gets a chat button; `window.Tidings.widget` is its JavaScript API: open(), close(),
 * sendCard({title, url, price, currency, image_url, description, fields}), notePage().
 * The Tidings server is the script's own origin.
 */

import { VisitorChat, type CardInput } from './chat';
import { wordsFor } from './i18n';
import { WidgetView } from './view';

export interface WidgetApi {
  open(): void;
  close(): void;
  sendCard(card: CardInput): Promise<void>;
  notePage(): void;
}

declare global {
  interface Window {
    Tidings?: { widget?: WidgetApi };
  }
}

function start(script: HTMLScriptElement | null): void {
  if (window.Tidings?.widget) return; // loaded twice: the first one stays
  const data = script?.dataset ?? {};
  const server = new URL(script?.src ?? location.href).origin;
  const chat = new VisitorChat({
    server,
    storage: window.localStorage,
    page: () => ({ url: location.href.slice(0, 2000), title: document.title.slice(0, 200) }),
    identityToken: data.identityToken ?? null,
    nickname: data.nickname ?? null,
  });
  const view = new WidgetView(chat, wordsFor(data.lang, navigator.language), {
    position: data.position === 'left' ? 'left' : 'right',
    color: data.color ?? null,
    title: data.title ?? null,
  });
  const mount = () => document.body.append(view.host);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
  // A returning visitor: connect at once, so the agent sees the page they are on.
  if (chat.started) void chat.resume().catch(() => undefined);
  // Single-page sites change pages without reloading.
  const notePage = () => chat.notePage();
  window.addEventListener('popstate', notePage);
  window.addEventListener('hashchange', notePage);
  const api: WidgetApi = {
    open: () => view.toggle(true),
    close: () => view.toggle(false),
    sendCard: (card) => chat.sendCard(card),
    notePage,
  };
  window.Tidings = { ...window.Tidings, widget: api };
  window.dispatchEvent(new CustomEvent('tidings:widget-ready'));
}

start(document.currentScript as HTMLScriptElement | null);
