/**
 * The button and the window, drawn in a shadow root so the host page's CSS cannot reach
 * them (and theirs cannot leak out). Every text goes in through textContent: messages are
 * untrusted HTML-wise; links are http(s) only and open in a new tab with no opener.
 */

import type { CardInput, ChatSnapshot, Line, VisitorChat } from './chat';
import type { Words } from './i18n';
import { STYLES } from './styles';

export interface ViewOptions {
  position: 'right' | 'left';
  color: string | null;
  title: string | null;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function webUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export class WidgetView {
  readonly host: HTMLElement;
  private readonly root: ShadowRoot;
  private readonly panel: HTMLElement;
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly button: HTMLButtonElement;
  private opened = false;
  private rendered = '';

  constructor(private readonly chat: VisitorChat, private readonly t: Words, options: ViewOptions) {
    this.host = el('div');
    this.host.setAttribute('data-tidings-widget', '');
    this.root = this.host.attachShadow({ mode: 'open' });
    const style = el('style');
    style.textContent = STYLES;
    this.root.append(style);
    const frame = el('div', `tw ${options.position}`);
    if (options.color && /^#[0-9a-f]{3,8}$/i.test(options.color)) frame.style.setProperty('--tw-brand', options.color);

    this.button = el('button', 'tw-launcher');
    this.button.type = 'button';
    this.button.setAttribute('aria-label', t.open);
    this.button.setAttribute('part', 'launcher');
    this.button.append(bubbleIcon());
    this.button.addEventListener('click', () => this.toggle(!this.opened));

    this.panel = el('section', 'tw-panel');
    this.panel.setAttribute('role', 'dialog');
    this.panel.setAttribute('aria-label', options.title ?? t.title);
    this.panel.hidden = true;
    const header = el('header', 'tw-header');
    const heading = el('div', 'tw-heading');
    heading.append(el('strong', 'tw-title', options.title ?? t.title));
    this.status = el('span', 'tw-status');
    heading.append(this.status);
    const closer = el('button', 'tw-close', '×');
    closer.type = 'button';
    closer.setAttribute('aria-label', t.close);
    closer.addEventListener('click', () => this.toggle(false));
    header.append(heading, closer);

    this.list = el('div', 'tw-list');
    this.list.setAttribute('aria-live', 'polite');

    const form = el('form', 'tw-compose');
    this.input = el('textarea', 'tw-input');
    this.input.rows = 1;
    this.input.placeholder = t.placeholder;
    this.input.maxLength = 5000;
    const send = el('button', 'tw-send', t.send);
    send.type = 'submit';
    form.append(this.input, send);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });

    this.panel.append(header, this.list, form);
    frame.append(this.panel, this.button);
    this.root.append(frame);
    chat.subscribe(() => this.render());
    this.render();
  }

  toggle(open: boolean): void {
    this.opened = open;
    this.panel.hidden = !open;
    this.button.classList.toggle('open', open);
    if (open) {
      void this.chat.resume().catch(() => undefined);
      this.scrollDown();
      this.input.focus();
    }
  }

  private submit(): void {
    const text = this.input.value;
    if (!text.trim()) return;
    this.input.value = '';
    void this.chat.sendText(text).catch(() => undefined);
  }

  private render(): void {
    const snap = this.chat.snapshot();
    this.status.textContent = this.statusText(snap);
    const key = snap.lines.map((l) => `${l.key}${'pending' in l && l.pending ? '~' : ''}`).join(',') + `|${snap.error ?? ''}`;
    if (key === this.rendered) return;
    this.rendered = key;
    const children: HTMLElement[] = [el('div', 'tw-line tw-theirs tw-greeting', this.t.greeting)];
    for (const line of snap.lines) children.push(this.lineOf(line));
    if (snap.error) children.push(el('div', 'tw-error', this.t.errors[snap.error] ?? this.t.errors.unavailable));
    this.list.replaceChildren(...children);
    this.scrollDown();
  }

  private statusText(snap: ChatSnapshot): string {
    if (this.chat.started && !snap.online) return this.t.offline;
    if (snap.state === 'taken' && snap.agent) return this.t.serving(snap.agent);
    if (snap.state === 'waiting') return this.t.waiting;
    if (snap.state === 'closed' && snap.lines.length > 0) return this.t.closed;
    return '';
  }

  private lineOf(line: Line): HTMLElement {
    if (line.kind === 'event') {
      return el('div', 'tw-event', line.event === 'joined' ? this.t.joined : this.t.left);
    }
    const row = el('div', `tw-line ${line.mine ? 'tw-mine' : 'tw-theirs'}${line.pending ? ' tw-pending' : ''}`);
    row.setAttribute('data-key', line.key);
    if (line.kind === 'text') row.textContent = line.text;
    else row.append(cardOf(line.card, this.t));
    if (line.pending) row.title = this.t.sending;
    return row;
  }

  private scrollDown(): void {
    this.list.scrollTop = this.list.scrollHeight;
  }
}

function cardOf(card: CardInput, t: Words): HTMLElement {
  const box = el('div', 'tw-card');
  const image = webUrl(card.image_url);
  if (image) {
    const img = el('img', 'tw-card-image');
    img.src = image;
    img.alt = '';
    img.referrerPolicy = 'no-referrer';
    box.append(img);
  }
  const text = el('div', 'tw-card-text');
  text.append(el('strong', 'tw-card-title', card.title));
  if (card.description) text.append(el('span', 'tw-card-description', card.description));
  if (card.price) text.append(el('span', 'tw-card-price', `${card.currency ? card.currency + ' ' : ''}${card.price}`));
  for (const field of card.fields ?? []) {
    const row = el('span', 'tw-card-field');
    row.append(el('span', 'tw-card-label', field.label), el('span', 'tw-card-value', field.value));
    text.append(row);
  }
  const link = webUrl(card.url);
  if (link) {
    const a = el('a', 'tw-card-link', t.view);
    a.href = link;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    text.append(a);
  }
  box.append(text);
  return box;
}

function bubbleIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '28');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M12 3C6.5 3 2 6.9 2 11.7c0 2.6 1.3 4.9 3.4 6.5L4.5 22l4.3-2.3c1 .3 2.1.4 3.2.4 5.5 0 10-3.9 10-8.7S17.5 3 12 3z');
  svg.append(path);
  return svg;
}
