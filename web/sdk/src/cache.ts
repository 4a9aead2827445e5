/**
 * The local cache: what a device remembers between visits, so the conversation list and an
 * open conversation show at once (offline too) before the connection has synced.
 *
 * One database per signed-in user. Stored state is versioned by CACHE_VERSION; a different
 * version is discarded (the server is the source of truth, the cache only saves time).
 */
import type { ConversationId, ConversationSummary, Entry, User, ViewMode } from './protocol';
import type { PendingMessage } from './outbox';
import type { TimelineWindow } from './timeline';

// 2: the outbox keeps one record per message (several windows write it at once).
export const CACHE_VERSION = 2;

/** Keep at most this many newest entries of a conversation on the device. */
export const CACHED_ENTRIES_PER_CONVERSATION = 10_000;

export interface CachedAccount {
  version: number;
  user: User;
  privateSeq: number;
  conversations: ConversationSummary[];
  /** Group view modes from the private log (`group_view_mode`), by conversation id. */
  viewModes?: Record<string, ViewMode>;
  /** Display names the app learned (`rememberNames`), by user id: offline, senders keep their names. */
  names?: Record<string, string>;
}

export interface CachedTimeline {
  window: TimelineWindow;
  entries: Entry[];
  hiddenThrough: number;
  deletedSeqs: number[];
}

export interface Cache {
  loadAccount(): Promise<CachedAccount | null>;
  saveAccount(account: CachedAccount): Promise<void>;
  loadTimeline(conversationId: ConversationId): Promise<CachedTimeline | null>;
  saveTimeline(conversationId: ConversationId, timeline: CachedTimeline): Promise<void>;
  deleteTimeline(conversationId: ConversationId): Promise<void>;
  /** Messages not acknowledged yet, from every window of this account. */
  loadOutbox(): Promise<PendingMessage[]>;
  /** Keep one pending message (added or changed); each is its own record, so windows never overwrite each other's. */
  savePending(message: PendingMessage): Promise<void>;
  deletePending(clientMsgId: string): Promise<void>;
  /** Forget everything (sign-out). */
  clear(): Promise<void>;
}

/** A cache that lives as long as the page: for tests and for browsers without IndexedDB. */
export class MemoryCache implements Cache {
  private account: CachedAccount | null = null;
  private readonly timelines = new Map<ConversationId, CachedTimeline>();
  private readonly outbox = new Map<string, PendingMessage>();

  async loadAccount(): Promise<CachedAccount | null> {
    return this.account ? structuredClone(this.account) : null;
  }
  async saveAccount(account: CachedAccount): Promise<void> {
    this.account = structuredClone(account);
  }
  async loadTimeline(id: ConversationId): Promise<CachedTimeline | null> {
    const timeline = this.timelines.get(id);
    return timeline ? structuredClone(timeline) : null;
  }
  async saveTimeline(id: ConversationId, timeline: CachedTimeline): Promise<void> {
    this.timelines.set(id, structuredClone(timeline));
  }
  async deleteTimeline(id: ConversationId): Promise<void> {
    this.timelines.delete(id);
  }
  async loadOutbox(): Promise<PendingMessage[]> {
    return structuredClone([...this.outbox.values()]);
  }
  async savePending(message: PendingMessage): Promise<void> {
    this.outbox.set(message.client_msg_id, structuredClone(message));
  }
  async deletePending(clientMsgId: string): Promise<void> {
    this.outbox.delete(clientMsgId);
  }
  async clear(): Promise<void> {
    this.account = null;
    this.timelines.clear();
    this.outbox.clear();
  }
}

const STORE_KV = 'kv';
const STORE_TIMELINES = 'timelines';
const STORE_OUTBOX = 'outbox';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** The browser cache: IndexedDB database `tidings-<origin user id>`. */
export class IndexedDbCache implements Cache {
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly userId: number,
    private readonly factory: IDBFactory = indexedDB,
  ) {}

  static databaseName(userId: number): string {
    return `tidings-${userId}`;
  }

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      this.db = new Promise((resolve, reject) => {
        const request = this.factory.open(IndexedDbCache.databaseName(this.userId), CACHE_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name);
          db.createObjectStore(STORE_KV);
          db.createObjectStore(STORE_TIMELINES);
          db.createObjectStore(STORE_OUTBOX);
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('cannot open IndexedDB'));
      });
    }
    return this.db;
  }

  private async read<T>(store: string, key: IDBValidKey): Promise<T | null> {
    const db = await this.open();
    const value: unknown = await promised(db.transaction(store, 'readonly').objectStore(store).get(key));
    return value === undefined ? null : (value as T);
  }

  private async write(store: string, key: IDBValidKey, value: unknown): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(store, 'readwrite');
    if (value === undefined) tx.objectStore(store).delete(key);
    else tx.objectStore(store).put(value, key);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    });
  }

  async loadAccount(): Promise<CachedAccount | null> {
    const account = await this.read<CachedAccount>(STORE_KV, 'account');
    return account && account.version === CACHE_VERSION ? account : null;
  }
  saveAccount(account: CachedAccount): Promise<void> {
    return this.write(STORE_KV, 'account', account);
  }
  loadTimeline(id: ConversationId): Promise<CachedTimeline | null> {
    return this.read<CachedTimeline>(STORE_TIMELINES, id);
  }
  saveTimeline(id: ConversationId, timeline: CachedTimeline): Promise<void> {
    const entries = timeline.entries.slice(-CACHED_ENTRIES_PER_CONVERSATION);
    const first = entries[0];
    const window =
      first && first.seq !== timeline.window.from
        ? { ...timeline.window, from: first.seq, reachedStart: false }
        : timeline.window;
    return this.write(STORE_TIMELINES, id, { ...timeline, entries, window });
  }
  async deleteTimeline(id: ConversationId): Promise<void> {
    const db = await this.open();
    await promised(db.transaction(STORE_TIMELINES, 'readwrite').objectStore(STORE_TIMELINES).delete(id));
  }
  async loadOutbox(): Promise<PendingMessage[]> {
    const db = await this.open();
    const all = await promised(db.transaction(STORE_OUTBOX, 'readonly').objectStore(STORE_OUTBOX).getAll());
    return (all as PendingMessage[]).sort((a, b) => a.created_at - b.created_at);
  }
  savePending(message: PendingMessage): Promise<void> {
    return this.write(STORE_OUTBOX, message.client_msg_id, message);
  }
  deletePending(clientMsgId: string): Promise<void> {
    return this.write(STORE_OUTBOX, clientMsgId, undefined);
  }
  async clear(): Promise<void> {
    const db = await this.open();
    const tx = db.transaction([STORE_KV, STORE_TIMELINES, STORE_OUTBOX], 'readwrite');
    tx.objectStore(STORE_KV).clear();
    tx.objectStore(STORE_TIMELINES).clear();
    tx.objectStore(STORE_OUTBOX).clear();
    await new Promise<void>((resolve) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => resolve();
    });
  }
}
