/**
 * The visitor's chat, without a DOM: the session kept in the host page's localStorage, the
 * REST calls that open it, one WebSocket speaking the wire protocol (docs/protocol.md), and
 * the messages folded from the log by seq. The view renders `snapshot()` on every change.
 *
 * Nothing is lost across reloads or navigation on the host site: the token and the
 * conversation id stay in localStorage; on (re)connect the chat pulls what follows the last
 * seq it holds, and sends wait in an outbox until acknowledged (retried with the same
 * client_msg_id, so the server stores each once).
 */

export interface CardInput {
  title: string;
  url: string;
  description?: string;
  price?: string;
  currency?: string;
  image_url?: string;
  source?: string;
  fields?: { label: string; value: string }[];
}

export interface WireEntry {
  seq: number;
  sender_id: number | null;
  kind: string;
  type: string | null;
  body: Record<string, unknown>;
  client_msg_id: string | null;
  created_at: number;
  recalled?: boolean;
}

export type Line =
  | { kind: 'text'; key: string; mine: boolean; text: string; pending: boolean; at: number }
  | { kind: 'card'; key: string; mine: boolean; card: CardInput; pending: boolean; at: number }
  | { kind: 'event'; key: string; event: 'joined' | 'left'; at: number };

export interface ChatSnapshot {
  lines: Line[];
  state: 'new' | 'closed' | 'waiting' | 'taken';
  agent: string | null;
  online: boolean;
  error: string | null;
}

interface Stored {
  token: string;
  userId: number;
  conversationId: number;
  identity?: string;
}

interface Pending {
  clientMsgId: string;
  type: 'text' | 'custom_card';
  body: Record<string, unknown>;
  at: number;
}

export interface ChatOptions {
  server: string; // the Tidings origin, e.g. https://tidings.example
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  page: () => { url: string; title: string };
  identityToken?: string | null;
  nickname?: string | null;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
}

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;

/** Fold log entries into what the visitor sees (pure: tested without a socket). */
export function linesOf(entries: Iterable<WireEntry>, me: number): Line[] {
  const lines: Line[] = [];
  for (const e of entries) {
    const key = `s${e.seq}`;
    if (e.kind === 'message' && !e.recalled) {
      if (e.type === 'text') {
        lines.push({ kind: 'text', key, mine: e.sender_id === me, text: String(e.body.text ?? ''), pending: false, at: e.created_at });
      } else if (e.type === 'custom_card') {
        lines.push({ kind: 'card', key, mine: e.sender_id === me, card: e.body as unknown as CardInput, pending: false, at: e.created_at });
      }
    } else if (e.kind === 'member_joined' || e.kind === 'member_left') {
      lines.push({ kind: 'event', key, event: e.kind === 'member_joined' ? 'joined' : 'left', at: e.created_at });
    }
  }
  return lines;
}

export class VisitorChat {
  private entries = new Map<number, WireEntry>();
  private outbox: Pending[] = [];
  private stored: Stored | null;
  private socket: WebSocket | null = null;
  private requests = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private listeners = new Set<() => void>();
  private state: ChatSnapshot['state'] = 'new';
  private agent: string | null = null;
  private online = false;
  private error: string | null = null;
  private backoff = 1000;
  private ping: ReturnType<typeof setInterval> | null = null;
  private opening: Promise<Stored> | null = null;
  private readonly key: string;
  private readonly fetcher: typeof fetch;
  private cached: ChatSnapshot | null = null;

  constructor(private readonly options: ChatOptions) {
    this.key = `tidings.widget:${options.server}`;
    this.fetcher = options.fetch ?? fetch.bind(globalThis);
    this.stored = this.load();
    // A new identity from the host page (its user signed in) replaces an earlier session.
    if (this.stored && options.identityToken && this.stored.identity !== options.identityToken) this.stored = null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): ChatSnapshot {
    if (this.cached) return this.cached;
    const me = this.stored?.userId ?? 0;
    const ordered = [...this.entries.values()].sort((a, b) => a.seq - b.seq);
    const lines = linesOf(ordered, me);
    for (const p of this.outbox) {
      const key = `p${p.clientMsgId}`;
      lines.push(
        p.type === 'text'
          ? { kind: 'text', key, mine: true, text: String(p.body.text), pending: true, at: p.at }
          : { kind: 'card', key, mine: true, card: p.body as unknown as CardInput, pending: true, at: p.at },
      );
    }
    this.cached = { lines, state: this.state, agent: this.agent, online: this.online, error: this.error };
    return this.cached;
  }

  /** Whether a session exists (a returning visitor): then the window connects at once. */
  get started(): boolean {
    return this.stored !== null;
  }

  /** Connect with the stored session, or with the host's identity token, if any. */
  async resume(): Promise<void> {
    if (this.stored || this.options.identityToken) await this.ensureSession();
  }

  sendText(text: string): Promise<void> {
    const trimmed = text.trim();
    if (!trimmed) return Promise.resolve();
    return this.enqueue('text', { text: trimmed.slice(0, 5000) });
  }

  /** The host page's order card (Tidings.widget.sendCard). */
  sendCard(card: CardInput): Promise<void> {
    if (!card || typeof card.title !== 'string' || typeof card.url !== 'string') {
      return Promise.reject(new Error('a card needs a title and a url'));
    }
    const body: Record<string, unknown> = { title: card.title, url: card.url };
    for (const field of ['description', 'price', 'currency', 'image_url', 'source'] as const) {
      if (card[field] !== undefined && card[field] !== null && card[field] !== '') body[field] = String(card[field]);
    }
    if (Array.isArray(card.fields) && card.fields.length) {
      body.fields = card.fields.map((f) => ({ label: String(f.label), value: String(f.value) }));
    }
    return this.enqueue('custom_card', body);
  }

  /** Tell the agent which page the visitor is on now. */
  notePage(): void {
    if (this.online) void this.request('service.page', this.options.page()).catch(() => undefined);
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
    if (this.ping) clearInterval(this.ping);
  }

  private async enqueue(type: Pending['type'], body: Record<string, unknown>): Promise<void> {
    const pending: Pending = { clientMsgId: randomId(), type, body, at: Date.now() };
    this.outbox.push(pending);
    this.changed();
    await this.ensureSession();
    await this.flush();
  }

  private async flush(): Promise<void> {
    while (this.online && this.outbox.length) {
      const next = this.outbox[0]!;
      try {
        const entry = (await this.request('send', {
          conversation_id: this.stored!.conversationId, client_msg_id: next.clientMsgId, type: next.type, body: next.body,
        })) as WireEntry;
        this.outbox.shift();
        this.add([entry]);
        if (this.state !== 'taken') void this.refreshChat(); // now in the queue
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'rate_limited' || code === 'invalid_input' || code === 'content_blocked') {
          this.outbox.shift(); // it will never go: say why, keep the others
          this.error = code;
          this.changed();
        } else {
          return; // the connection went: flushed again once it is back
        }
      }
    }
  }

  private ensureSession(): Promise<Stored> {
    if (this.stored && (this.online || this.socket)) return Promise.resolve(this.stored);
    this.opening ??= this.open().finally(() => { this.opening = null; });
    return this.opening;
  }

  private async open(): Promise<Stored> {
    if (!this.stored) {
      const identity = this.options.identityToken ?? null;
      const page = this.options.page();
      const path = identity ? '/api/v1/service/visitors/identified' : '/api/v1/service/visitors';
      const payload = identity ? { identity_token: identity, page } : { page, ...(this.options.nickname ? { nickname: this.options.nickname } : {}) };
      const response = await this.fetcher(`${this.options.server}${path}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), credentials: 'omit',
      });
      const data = (await response.json()) as { token?: string; user?: { id: number }; conversation_id?: number; error?: { code: string } };
      if (!response.ok || !data.token || !data.user || !data.conversation_id) {
        this.error = data.error?.code ?? 'unavailable';
        this.changed();
        throw new Error(this.error);
      }
      this.stored = { token: data.token, userId: data.user.id, conversationId: data.conversation_id, ...(identity ? { identity } : {}) };
      this.options.storage.setItem(this.key, JSON.stringify(this.stored));
    }
    await this.connect();
    return this.stored;
  }

  private connect(): Promise<void> {
    const stored = this.stored!;
    return new Promise((resolve, reject) => {
      const url = this.options.server.replace(/^http/, 'ws') + '/ws';
      const socket = new (this.options.WebSocket ?? WebSocket)(url);
      this.socket = socket;
      socket.onmessage = (event) => this.receive(String(event.data));
      socket.onopen = async () => {
        try {
          await this.request('auth', { token: stored.token });
        } catch (error) {
          if ((error as { code?: string }).code === 'invalid_token') this.forget();
          reject(error as Error);
          return;
        }
        this.online = true;
        this.error = null;
        this.backoff = 1000;
        this.ping = setInterval(() => void this.request('ping').catch(() => undefined), PING_MS);
        try {
          const chat = (await this.request('service.chat')) as { state: ChatSnapshot['state']; agent: { nickname: string } | null };
          this.state = chat.state;
          this.agent = chat.agent?.nickname ?? null;
          await this.pull();
          this.notePage();
        } catch { /* pulled again on the next connection */ }
        this.changed();
        resolve();
        await this.flush();
      };
      socket.onclose = () => {
        const wasOnline = this.online;
        this.online = false;
        if (this.ping) clearInterval(this.ping);
        for (const pending of this.requests.values()) pending.reject(Object.assign(new Error('closed'), { code: 'closed' }));
        this.requests.clear();
        if (this.socket !== socket) return;
        this.socket = null;
        this.changed();
        if (!wasOnline) reject(new Error('closed'));
        if (this.stored) {
          setTimeout(() => { if (!this.socket && this.stored) void this.connect().catch(() => undefined); }, this.backoff);
          this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
        }
      };
    });
  }

  /** Everything after the newest seq held (the whole log the first time). */
  private async pull(): Promise<void> {
    const conversation_id = this.stored!.conversationId;
    for (;;) {
      const after = Math.max(0, ...this.entries.keys());
      const page = (await this.request('history', { conversation_id, after_seq: after, limit: 100 })) as { messages: WireEntry[] };
      this.add(page.messages);
      if (page.messages.length < 100) return;
    }
  }

  private receive(raw: string): void {
    let frame: { id?: number; ok?: boolean; data?: unknown; error?: { code: string; message: string }; push?: string };
    try { frame = JSON.parse(raw); } catch { return; }
    if (frame.push === 'entry') {
      const entry = frame.data as WireEntry & { conversation_id: number };
      if (entry.conversation_id !== this.stored?.conversationId) return;
      const held = Math.max(0, ...this.entries.keys());
      this.add([entry]);
      if (entry.seq > held + 1) void this.pull().catch(() => undefined); // a gap: pull it
      if (entry.kind === 'member_joined' || entry.kind === 'member_left') void this.refreshChat();
      return;
    }
    if (frame.id === undefined) return;
    const waiting = this.requests.get(frame.id);
    if (!waiting) return;
    this.requests.delete(frame.id);
    if (frame.ok) waiting.resolve(frame.data);
    else waiting.reject(Object.assign(new Error(frame.error?.message ?? 'error'), { code: frame.error?.code }));
  }

  private async refreshChat(): Promise<void> {
    try {
      const chat = (await this.request('service.chat')) as { state: ChatSnapshot['state']; agent: { nickname: string } | null };
      this.state = chat.state;
      this.agent = chat.agent?.nickname ?? null;
      this.changed();
    } catch { /* shown at the next change */ }
  }

  private request(op: string, data?: unknown): Promise<unknown> {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1) return Promise.reject(Object.assign(new Error('offline'), { code: 'closed' }));
    const id = this.nextId++;
    socket.send(JSON.stringify(data === undefined ? { id, op } : { id, op, data }));
    return new Promise((resolve, reject) => this.requests.set(id, { resolve, reject }));
  }

  private add(entries: WireEntry[]): void {
    for (const e of entries) this.entries.set(e.seq, e);
    this.changed();
  }

  private load(): Stored | null {
    try {
      const raw = this.options.storage.getItem(this.key);
      const parsed = raw ? (JSON.parse(raw) as Stored) : null;
      return parsed && typeof parsed.token === 'string' && typeof parsed.conversationId === 'number' ? parsed : null;
    } catch {
      return null;
    }
  }

  /** The stored session is dead (expired, or the visitor was removed): start afresh. */
  private forget(): void {
    this.options.storage.removeItem(this.key);
    this.stored = null;
    this.entries.clear();
    this.state = 'new';
  }

  private changed(): void {
    this.cached = null;
    for (const listener of this.listeners) listener();
  }
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'w' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
