/**
 * A scripted stand-in for the server, speaking the wire protocol through a fake transport,
 * so the client state machine can be driven without sockets. It keeps per-conversation logs
 * and answers the ops the client uses; tests can hold back replies and close connections.
 */
import type { ConversationSummary, Entry, TransportFactory, TransportHandlers } from '../src';

export interface SentFrame {
  id?: number | string;
  op: string;
  data?: Record<string, unknown>;
}

export class FakeConnection {
  readonly sent: SentFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  constructor(
    readonly server: FakeServer,
    readonly handlers: TransportHandlers,
  ) {}

  push(name: string, data: unknown): void {
    if (!this.closed) this.handlers.onMessage(JSON.stringify({ push: name, data }));
  }

  reply(id: number | string | undefined, ok: boolean, payload: unknown): void {
    if (this.closed) return;
    const frame = ok ? { id, ok, data: payload } : { id, ok, error: payload };
    this.handlers.onMessage(JSON.stringify(frame));
  }

  /** The server closes the connection. */
  drop(code = 1006, reason = ''): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.handlers.onClose(code, reason);
  }

  ops(name: string): SentFrame[] {
    return this.sent.filter((f) => f.op === name);
  }
}

export class FakeServer {
  readonly connections: FakeConnection[] = [];
  readonly logs = new Map<number, Entry[]>();
  summaries: ConversationSummary[] = [];
  privateEntries: unknown[] = [];
  validToken = 'token-1';
  /** Ops whose replies are held back (the test answers them, or the connection drops). */
  readonly holdOps = new Set<string>();
  readonly held: { connection: FakeConnection; frame: SentFrame }[] = [];
  /** Whether new connections open (false: the network is down). */
  reachable = true;
  /** Answers for ops the fake does not know itself (contacts, groups...): data → reply data. */
  readonly handlers = new Map<string, (data: Record<string, unknown>) => unknown>();
  /** `conversation:seq` of entries deleted for me: history leaves them out. */
  readonly deletedForMe = new Set<string>();
  /** Groups I left: history serves their entries up to this seq, never after (decision 0075). */
  readonly ceilings = new Map<number, number>();
  private nextEntryId = 1000;
  readonly me = { id: 1, account: 'alice', nickname: 'Alice', avatar: '', signature: '', work_email: '', office_phone: '', desk: '' };

  transport: TransportFactory = (handlers) => {
    const connection = new FakeConnection(this, handlers);
    this.connections.push(connection);
    queueMicrotask(() => {
      if (this.reachable) handlers.onOpen();
      else connection.drop(1006, 'unreachable');
    });
    return {
      send: (text) => {
        const frame = JSON.parse(text) as SentFrame;
        connection.sent.push(frame);
        if (this.holdOps.has(frame.op)) this.held.push({ connection, frame });
        else queueMicrotask(() => this.answer(connection, frame));
      },
      close: (code = 1000, reason = '') => {
        if (connection.closed) return;
        connection.closed = { code, reason };
        handlers.onClose(code, reason);
      },
    };
  };

  get current(): FakeConnection {
    const connection = this.connections[this.connections.length - 1];
    if (!connection) throw new Error('no connection yet');
    return connection;
  }

  conversation(id: number, type: 'direct' | 'group' = 'direct'): ConversationSummary {
    const summary: ConversationSummary = {
      id, type, name: `c${id}`, last_seq: 0, last_activity_at: 0, role: 'member',
      visible_from_seq: 1, read_seq: 0, delivered_seq: 0, cleared_seq: 0, pinned: false,
      muted: false, draft: '', unread: 0, preview: null,
      ...(type === 'direct' ? { peer: { user_id: 2, read_seq: 0, delivered_seq: 0 } } : {}),
    };
    this.summaries.push(summary);
    this.logs.set(id, []);
    return summary;
  }

  /** Append a message to a conversation's log, as the server would commit it. */
  append(conversationId: number, text: string, senderId = 2, clientMsgId: string | null = null): Entry {
    const log = this.logs.get(conversationId) ?? [];
    const entry: Entry = {
      id: this.nextEntryId++, conversation_id: conversationId, seq: log.length + 1, sender_id: senderId,
      kind: 'message', type: 'text', body: { text }, client_msg_id: clientMsgId,
      created_at: 1_700_000_000_000 + log.length, reply_to_seq: null, recalled: false,
    };
    log.push(entry);
    this.logs.set(conversationId, log);
    const summary = this.summaries.find((s) => s.id === conversationId);
    if (summary) {
      summary.last_seq = entry.seq;
      summary.preview = entry;
      summary.last_activity_at = entry.created_at;
    }
    return entry;
  }

  release(op: string): void {
    for (const item of this.held.filter((h) => h.frame.op === op)) {
      this.held.splice(this.held.indexOf(item), 1);
      this.answer(item.connection, item.frame);
    }
  }

  answer(connection: FakeConnection, frame: SentFrame): void {
    const data = frame.data ?? {};
    const ok = (payload: unknown) => connection.reply(frame.id, true, payload);
    switch (frame.op) {
      case 'auth':
        if (data.token === this.validToken) ok({ user: this.me, session_id: 7 });
        else {
          connection.reply(frame.id, false, { code: 'invalid_token', message: 'bad token' });
          connection.drop(4004, 'invalid token');
        }
        return;
      case 'sync': {
        const after = data.private_seq as number;
        ok({
          private_entries: this.privateEntries.filter((e) => (e as { seq: number }).seq > after),
          has_more: false,
          conversations: structuredClone(this.summaries),
        });
        return;
      }
      case 'history': {
        const log = this.logs.get(data.conversation_id as number) ?? [];
        const after = (data.after_seq as number | undefined) ?? 0;
        const before = (data.before_seq as number | undefined) ?? Number.MAX_SAFE_INTEGER;
        const limit = (data.limit as number | undefined) ?? 50;
        const around = data.around_seq as number | undefined;
        let messages: Entry[];
        if (around !== undefined) {
          // As the server: up to limit / 2 + 1 at and before it, the rest after it.
          const upTo = log.filter((e) => e.seq <= around).slice(-(Math.floor(limit / 2) + 1));
          messages = [...upTo, ...log.filter((e) => e.seq > around).slice(0, limit - upTo.length)];
        } else {
          messages = log.filter((e) => e.seq > after && e.seq < before);
          messages = data.after_seq === undefined ? messages.slice(-limit) : messages.slice(0, limit);
        }
        const ceiling = this.ceilings.get(data.conversation_id as number) ?? Number.MAX_SAFE_INTEGER;
        if (around !== undefined && around > ceiling) messages = [];
        else if (around !== undefined) {
          const upTo = log.filter((e) => e.seq <= around).slice(-(Math.floor(limit / 2) + 1));
          messages = [...upTo, ...log.filter((e) => e.seq > around && e.seq <= ceiling).slice(0, limit - upTo.length)];
        }
        messages = messages.filter((e) => e.seq <= ceiling && !this.deletedForMe.has(`${e.conversation_id}:${e.seq}`));
        ok({ conversation_id: data.conversation_id, messages });
        return;
      }
      case 'send': {
        const log = this.logs.get(data.conversation_id as number) ?? [];
        const existing = log.find((e) => e.client_msg_id === data.client_msg_id && e.sender_id === this.me.id);
        if (existing) return ok(existing);
        ok(this.append(data.conversation_id as number, (data.body as { text: string }).text, this.me.id, data.client_msg_id as string));
        return;
      }
      case 'ack':
      case 'typing':
        ok(null);
        return;
      case 'read':
        ok({ conversation_id: data.conversation_id, read_seq: data.seq });
        return;
      case 'ping':
        ok({ now: Date.now() });
        return;
      case 'presence.subscribe':
        ok({ presence: {} });
        return;
      default: {
        const handler = this.handlers.get(frame.op);
        if (!handler) {
          connection.reply(frame.id, false, { code: 'unknown_op', message: frame.op });
          return;
        }
        try {
          ok(handler(data));
        } catch (error) {
          connection.reply(frame.id, false, { code: error instanceof Error ? error.message : 'internal_error', message: '' });
        }
      }
    }
  }
}
