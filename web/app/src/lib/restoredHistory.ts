/**
 * Restored history: what a backup brought onto this device (docs/decisions/0051).
 *
 * Kept apart from the SDK's cache (which a new cache version discards): one IndexedDB
 * database per signed-in user, `tidings-restored-<user id>`, forgotten at sign-out. Every
 * record is keyed by the message's identity across devices and accounts, `origin |
 * conversation id | seq`, so importing the same backup twice — or two at once — stores each
 * message once.
 */
import type { ConversationId, ConversationType, Entry, Seq } from '@tidings/sdk';

export interface PersonSnapshot {
  account: string;
  nickname: string;
}

/** A conversation as a backup names it, and where it shows on this account. */
export interface RestoredConversation {
  /** `origin|id` */
  key: string;
  origin: string;
  id: ConversationId;
  type: ConversationType;
  name: string;
  peer: (PersonSnapshot & { id: number }) | null;
  /** The conversation of mine it shows in; 0: none (listed on the restore screen). */
  target: ConversationId;
  restoredAt: number;
}

export interface RestoredEntry {
  /** `origin|conversation id|seq` */
  key: string;
  conversationKey: string;
  target: ConversationId;
  seq: Seq;
  createdAt: number;
  /** Sent by the backup's owner (shown on my side, whichever of my accounts restored it). */
  mine: boolean;
  sender: PersonSnapshot | null;
  entry: Entry;
  /** Keys (`origin|file id`) of the files its body names that the backup carried. */
  files: string[];
}

export interface RestoredFileInfo {
  key: string;
  mime: string;
  size: number;
  parts: number;
}

export interface RestoredStore {
  putConversations(conversations: readonly RestoredConversation[]): Promise<void>;
  /** Store entries by key; returns how many were not held before. */
  putEntries(entries: readonly RestoredEntry[]): Promise<number>;
  putFilePart(fileKey: string, index: number, data: Blob): Promise<void>;
  finishFile(info: RestoredFileInfo): Promise<void>;
  conversations(): Promise<RestoredConversation[]>;
  /** Entries shown in one of my conversations (by target), or of one restored conversation (by key), in seq order. */
  entriesFor(target: ConversationId): Promise<RestoredEntry[]>;
  entriesOf(conversationKey: string): Promise<RestoredEntry[]>;
  file(fileKey: string): Promise<Blob | null>;
  clear(): Promise<void>;
}

const bySeq = (a: RestoredEntry, b: RestoredEntry) => a.createdAt - b.createdAt || a.seq - b.seq;

/** For tests and browsers without IndexedDB. */
export class MemoryRestoredStore implements RestoredStore {
  private readonly convs = new Map<string, RestoredConversation>();
  private readonly entries = new Map<string, RestoredEntry>();
  private readonly parts = new Map<string, Blob[]>();
  private readonly infos = new Map<string, RestoredFileInfo>();

  async putConversations(conversations: readonly RestoredConversation[]): Promise<void> {
    for (const c of conversations) this.convs.set(c.key, structuredClone(c));
  }
  async putEntries(entries: readonly RestoredEntry[]): Promise<number> {
    let added = 0;
    for (const e of entries) {
      if (!this.entries.has(e.key)) added += 1;
      this.entries.set(e.key, structuredClone(e));
    }
    return added;
  }
  async putFilePart(fileKey: string, index: number, data: Blob): Promise<void> {
    const parts = this.parts.get(fileKey) ?? [];
    parts[index] = data;
    this.parts.set(fileKey, parts);
  }
  async finishFile(info: RestoredFileInfo): Promise<void> {
    this.infos.set(info.key, { ...info });
  }
  async conversations(): Promise<RestoredConversation[]> {
    return [...this.convs.values()].map((c) => structuredClone(c));
  }
  async entriesFor(target: ConversationId): Promise<RestoredEntry[]> {
    return [...this.entries.values()].filter((e) => e.target === target).sort(bySeq);
  }
  async entriesOf(conversationKey: string): Promise<RestoredEntry[]> {
    return [...this.entries.values()].filter((e) => e.conversationKey === conversationKey).sort(bySeq);
  }
  async file(fileKey: string): Promise<Blob | null> {
    const info = this.infos.get(fileKey);
    const parts = this.parts.get(fileKey);
    if (!info || !parts || parts.length < info.parts) return null;
    return new Blob(parts.slice(0, info.parts), { type: info.mime });
  }
  async clear(): Promise<void> {
    this.convs.clear();
    this.entries.clear();
    this.parts.clear();
    this.infos.clear();
  }
}

const DB_VERSION = 1;
const CONVERSATIONS = 'conversations';
const ENTRIES = 'entries';
const FILES = 'files';
const PARTS = 'parts';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
  });
}

export class IndexedDbRestoredStore implements RestoredStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly userId: number,
    private readonly factory: IDBFactory = indexedDB,
  ) {}

  static databaseName(userId: number): string {
    return `tidings-restored-${userId}`;
  }

  /** Forget a user's restored history (sign-out). */
  static async forget(userId: number, factory: IDBFactory = indexedDB): Promise<void> {
    await new Promise<void>((resolve) => {
      const request = factory.deleteDatabase(IndexedDbRestoredStore.databaseName(userId));
      request.onsuccess = () => resolve();
      request.onerror = () => resolve();
      request.onblocked = () => resolve();
    });
  }

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      this.db = new Promise((resolve, reject) => {
        const request = this.factory.open(IndexedDbRestoredStore.databaseName(this.userId), DB_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore(CONVERSATIONS, { keyPath: 'key' });
          const entries = db.createObjectStore(ENTRIES, { keyPath: 'key' });
          entries.createIndex('target', 'target');
          entries.createIndex('conversation', 'conversationKey');
          db.createObjectStore(FILES, { keyPath: 'key' });
          db.createObjectStore(PARTS);
        };
        request.onsuccess = () => {
          const db = request.result;
          // Sign-out deletes the database: let it, even while this tab holds it open.
          db.onversionchange = () => db.close();
          resolve(db);
        };
        request.onerror = () => reject(request.error ?? new Error('cannot open IndexedDB'));
      });
    }
    return this.db;
  }

  async putConversations(conversations: readonly RestoredConversation[]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(CONVERSATIONS, 'readwrite');
    for (const c of conversations) tx.objectStore(CONVERSATIONS).put(c);
    await done(tx);
  }

  async putEntries(entries: readonly RestoredEntry[]): Promise<number> {
    const db = await this.open();
    const tx = db.transaction(ENTRIES, 'readwrite');
    const store = tx.objectStore(ENTRIES);
    let added = 0;
    // Count and write in one transaction: two imports at once never both count a message as new.
    for (const e of entries) {
      const request = store.count(e.key);
      request.onsuccess = () => {
        if (request.result === 0) added += 1;
        store.put(e);
      };
    }
    await done(tx);
    return added;
  }

  async putFilePart(fileKey: string, index: number, data: Blob): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(PARTS, 'readwrite');
    tx.objectStore(PARTS).put(data, [fileKey, index]);
    await done(tx);
  }

  async finishFile(info: RestoredFileInfo): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(FILES, 'readwrite');
    tx.objectStore(FILES).put(info);
    await done(tx);
  }

  async conversations(): Promise<RestoredConversation[]> {
    const db = await this.open();
    return (await promised(db.transaction(CONVERSATIONS, 'readonly').objectStore(CONVERSATIONS).getAll())) as RestoredConversation[];
  }

  async entriesFor(target: ConversationId): Promise<RestoredEntry[]> {
    const db = await this.open();
    const index = db.transaction(ENTRIES, 'readonly').objectStore(ENTRIES).index('target');
    return ((await promised(index.getAll(target))) as RestoredEntry[]).sort(bySeq);
  }

  async entriesOf(conversationKey: string): Promise<RestoredEntry[]> {
    const db = await this.open();
    const index = db.transaction(ENTRIES, 'readonly').objectStore(ENTRIES).index('conversation');
    return ((await promised(index.getAll(conversationKey))) as RestoredEntry[]).sort(bySeq);
  }

  async file(fileKey: string): Promise<Blob | null> {
    const db = await this.open();
    const tx = db.transaction([FILES, PARTS], 'readonly');
    const info = (await promised(tx.objectStore(FILES).get(fileKey))) as RestoredFileInfo | undefined;
    if (!info) return null;
    const parts = (await promised(tx.objectStore(PARTS).getAll(IDBKeyRange.bound([fileKey, 0], [fileKey, info.parts - 1])))) as Blob[];
    return parts.length === info.parts ? new Blob(parts, { type: info.mime }) : null;
  }

  async clear(): Promise<void> {
    const db = await this.open();
    const tx = db.transaction([CONVERSATIONS, ENTRIES, FILES, PARTS], 'readwrite');
    for (const name of [CONVERSATIONS, ENTRIES, FILES, PARTS]) tx.objectStore(name).clear();
    await done(tx);
  }
}

/**
 * The restored history of one signed-in user, as the chats read it: entries per conversation
 * loaded once and kept, with their files, and a signal when an import changed them.
 */
export class RestoredHistory {
  private readonly loaded = new Map<ConversationId, { entries: readonly RestoredEntry[]; files: Map<string, Blob> }>();
  private readonly loading = new Set<ConversationId>();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly store: RestoredStore,
    /** This server's origin: restored entries from it may also be on the server. */
    readonly origin: string,
  ) {}

  /** What is restored for one of my conversations (empty until loaded; listeners hear when it is). */
  entriesFor(target: ConversationId): { entries: readonly RestoredEntry[]; files: ReadonlyMap<string, Blob> } {
    const known = this.loaded.get(target);
    if (known) return known;
    void this.load(target);
    return { entries: [], files: new Map() };
  }

  private async load(target: ConversationId): Promise<void> {
    if (this.loading.has(target)) return;
    this.loading.add(target);
    try {
      const entries = await this.store.entriesFor(target);
      const files = new Map<string, Blob>();
      for (const key of new Set(entries.flatMap((e) => e.files))) {
        const blob = await this.store.file(key);
        if (blob) files.set(key, blob);
      }
      this.loaded.set(target, { entries, files });
      if (entries.length > 0) this.changed();
    } catch {
      this.loaded.set(target, { entries: [], files: new Map() });
    } finally {
      this.loading.delete(target);
    }
  }

  /** An import wrote new entries: read them again. */
  invalidate(): void {
    this.loaded.clear();
    this.changed();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

const registry = new WeakMap<object, RestoredHistory>();

/** The restored history of the account a client is signed in as (one per client). */
export function restoredHistoryFor(client: { readonly me: { id: number } | null }, origin: string = defaultOrigin()): RestoredHistory {
  let history = registry.get(client);
  if (!history) {
    const userId = client.me?.id ?? 0;
    // Not signed in yet: nothing is restored for nobody (and nothing kept).
    if (userId === 0) return new RestoredHistory(new MemoryRestoredStore(), origin);
    const store = typeof indexedDB !== 'undefined' ? new IndexedDbRestoredStore(userId) : new MemoryRestoredStore();
    history = new RestoredHistory(store, origin);
    registry.set(client, history);
  }
  return history;
}

/** Use this store for this client (tests). */
export function setRestoredHistory(client: object, history: RestoredHistory): void {
  registry.set(client, history);
}

export function defaultOrigin(): string {
  return typeof location !== 'undefined' ? location.origin : 'local';
}
