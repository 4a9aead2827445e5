/**
 * Backing up chat history to a passphrase-encrypted file and restoring it
 * (docs/decisions/0051-history-backup.md; the file format is `@tidings/sdk`'s backup.ts).
 *
 * Export pages `history` through the SDK, so it holds exactly what the server lets this
 * account read, and fetches files through signed links. Import writes into the device's
 * restored history (restoredHistory.ts), keyed so nothing is stored twice.
 */
import {
  BackupError,
  BackupWriter,
  blobBytes,
  readBackup,
  type BackupReaderOptions,
  type BackupRecord,
  type BackupWriterOptions,
  type Client,
  type ConversationId,
  type ConversationSummary,
  type ConversationType,
  type Entry,
  type UserId,
} from '@tidings/sdk';
import type { PersonSnapshot, RestoredConversation, RestoredEntry, RestoredStore } from './restoredHistory';

export const BACKUP_CONTENT_FORMAT = 1;
/** Entries per `history` page and per record. */
const PAGE = 500;
/** Bytes of a file per record. */
const FILE_PART = 1 << 20;
/** Merge the download's parts into one Blob this often (the browser keeps large Blobs on disk). */
const BLOB_FOLD_BYTES = 32 << 20;

export interface BackupConversationInfo {
  id: ConversationId;
  type: ConversationType;
  name: string;
  peer: (PersonSnapshot & { id: UserId }) | null;
}

export interface BackupManifest {
  t: 'manifest';
  format: number;
  created_at: number;
  origin: string;
  account: PersonSnapshot & { id: UserId };
  with_files: boolean;
  conversations: BackupConversationInfo[];
}

export type BackupEntry = Entry & { sender: PersonSnapshot | null };

export interface BackupProgress {
  phase: 'key' | 'messages' | 'files' | 'done';
  /** Conversations finished, of `conversations`. */
  done: number;
  conversations: number;
  entries: number;
  /** About how many entries there are to export (the conversations' last seqs): for a progress bar. */
  expected: number;
  files: number;
  bytes: number;
}

export interface ExportOptions {
  conversationIds: readonly ConversationId[];
  withFiles: boolean;
  passphrase: string;
  origin: string;
  onProgress?(progress: BackupProgress): void;
  signal?: AbortSignal;
  /** The bytes of a file the account may read (default: a signed link, then fetch). */
  fileBytes?(fileId: string): Promise<FileSource | null>;
  now?(): number;
  writer?: BackupWriterOptions;
}

/** A file's bytes as they arrive, and its media type. */
export interface FileSource {
  mime: string;
  bytes: AsyncIterable<Uint8Array>;
}

export interface ExportResult {
  blob: Blob;
  entries: number;
  files: number;
  /** Files that could not be fetched (gone, expired): their messages are kept, their bytes not. */
  missingFiles: number;
}

/** The file ids a message's body names. */
export function filesOf(entry: Entry): string[] {
  if (entry.kind !== 'message' || entry.recalled) return [];
  const body = entry.body as { file_id?: unknown; poster_file_id?: unknown; expires_at?: unknown };
  const ids: string[] = [];
  if (typeof body.file_id === 'string' && body.file_id) ids.push(body.file_id);
  if (typeof body.poster_file_id === 'string' && body.poster_file_id) ids.push(body.poster_file_id);
  return ids;
}

/**
 * Entries a backup leaves out: burn-after-reading messages (decision 0038) are meant to vanish
 * everywhere once read, and burned ones keep only a tombstone.
 */
export function keptOutOfBackups(entry: Entry): boolean {
  const body = entry.body as { burn?: unknown; burned?: unknown } | null;
  return typeof body === 'object' && body !== null && (body.burn === true || body.burned === true);
}

function abortIfAsked(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('The backup was cancelled', 'AbortError');
}

/** Collect encrypted parts into a Blob without holding them all in memory. */
class BlobSink {
  private folded: Blob = new Blob([]);
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  bytes = 0;

  readonly write = (bytes: Uint8Array): void => {
    this.parts.push(bytes);
    this.partBytes += bytes.length;
    this.bytes += bytes.length;
    if (this.partBytes >= BLOB_FOLD_BYTES) this.fold();
  };

  private fold(): void {
    this.folded = new Blob([this.folded, ...(this.parts as BlobPart[])]);
    this.parts = [];
    this.partBytes = 0;
  }

  blob(): Blob {
    this.fold();
    return new Blob([this.folded], { type: 'application/octet-stream' });
  }
}

async function* responseBytes(response: Response): AsyncGenerator<Uint8Array> {
  if (!response.body) {
    yield new Uint8Array(await response.arrayBuffer());
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function signedLinkBytes(client: Client): (fileId: string) => Promise<FileSource | null> {
  return async (fileId) => {
    try {
      const link = await client.request('files.link', { file_id: fileId, variant: 'original', ttl_seconds: 3600 });
      const response = await fetch(link.url);
      if (!response.ok) return null;
      return { mime: (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '', bytes: responseBytes(response) };
    } catch {
      return null;
    }
  };
}

/** Who sent what, by account and name at export time. */
class People {
  private readonly known = new Map<UserId, Promise<PersonSnapshot>>();
  constructor(private readonly client: Client) {}

  get(id: UserId | null): Promise<PersonSnapshot | null> {
    if (id === null) return Promise.resolve(null);
    let person = this.known.get(id);
    if (!person) {
      const me = this.client.me;
      const user = me?.id === id ? me : this.client.userById(id);
      person = user
        ? Promise.resolve({ account: user.account, nickname: user.nickname })
        : this.client.profile(id).then(
            (u) => ({ account: u.account, nickname: u.nickname }),
            () => ({ account: '', nickname: `#${id}` }),
          );
      this.known.set(id, person);
    }
    return person;
  }
}

async function conversationInfo(client: Client, summary: ConversationSummary, people: People): Promise<BackupConversationInfo> {
  const peer = summary.peer ? await people.get(summary.peer.user_id) : null;
  return {
    id: summary.id,
    type: summary.type,
    name: summary.name,
    peer: peer && summary.peer ? { id: summary.peer.user_id, ...peer } : null,
  };
}

/** Write a backup of the chosen conversations; resolves with the encrypted file. */
export async function exportHistory(client: Client, options: ExportOptions): Promise<ExportResult> {
  const me = client.me;
  if (!me) throw new Error('not signed in');
  const now = options.now ?? Date.now;
  const people = new People(client);
  const fileBytes = options.fileBytes ?? signedLinkBytes(client);
  const summaries = options.conversationIds.flatMap((id) => {
    const summary = client.conversation(id);
    return summary ? [summary] : [];
  });
  const expected = summaries.reduce((n, s) => n + Math.max(0, s.last_seq - Math.max(s.visible_from_seq - 1, s.cleared_seq)), 0);
  const progress: BackupProgress = { phase: 'key', done: 0, conversations: summaries.length, entries: 0, expected, files: 0, bytes: 0 };
  const report = () => options.onProgress?.({ ...progress });
  report();
  const sink = new BlobSink();
  const writer = await BackupWriter.create(options.passphrase, sink.write, options.writer);
  abortIfAsked(options.signal);
  const manifest: BackupManifest = {
    t: 'manifest',
    format: BACKUP_CONTENT_FORMAT,
    created_at: now(),
    origin: options.origin,
    account: { id: me.id, account: me.account, nickname: me.nickname },
    with_files: options.withFiles,
    conversations: await Promise.all(summaries.map((s) => conversationInfo(client, s, people))),
  };
  await writer.writeJson(manifest);
  progress.phase = 'messages';
  report();
  const written = new Set<string>();
  let missingFiles = 0;
  for (const summary of summaries) {
    let after = 0;
    for (;;) {
      abortIfAsked(options.signal);
      const reply = await client.request('history', { conversation_id: summary.id, after_seq: after, limit: PAGE });
      const page = reply.messages.filter((e) => e.seq > after);
      if (page.length === 0) break;
      after = page[page.length - 1]?.seq ?? after;
      const entries: BackupEntry[] = [];
      for (const entry of page) {
        if (!keptOutOfBackups(entry)) entries.push({ ...entry, sender: await people.get(entry.sender_id) });
      }
      await writer.writeJson({ t: 'entries', conversation_id: summary.id, entries });
      progress.entries += entries.length;
      progress.bytes = sink.bytes;
      report();
      if (options.withFiles) {
        for (const fileId of entries.flatMap(filesOf)) {
          if (written.has(fileId)) continue;
          written.add(fileId);
          abortIfAsked(options.signal);
          const source = await fileBytes(fileId);
          if (!source) {
            missingFiles += 1;
            continue;
          }
          progress.phase = 'files';
          await writer.writeJson({ t: 'file', file_id: fileId, mime: source.mime });
          let size = 0;
          for await (const piece of source.bytes) {
            abortIfAsked(options.signal);
            for (let at = 0; at < piece.length; at += FILE_PART) {
              const part = piece.subarray(at, at + FILE_PART);
              await writer.writeBytes(part);
              size += part.length;
            }
          }
          await writer.writeJson({ t: 'file_end', file_id: fileId, size });
          progress.files += 1;
          progress.bytes = sink.bytes;
          progress.phase = 'messages';
          report();
        }
      }
      if (reply.messages.length < PAGE && after >= summary.last_seq) break;
    }
    progress.done += 1;
    report();
  }
  await writer.writeJson({ t: 'end', entries: progress.entries, files: progress.files, bytes: sink.bytes });
  await writer.close();
  progress.phase = 'done';
  progress.bytes = sink.bytes;
  report();
  return { blob: sink.blob(), entries: progress.entries, files: progress.files, missingFiles };
}

// ---- restore -----------------------------------------------------------------------------

/** Bad content inside an authentic file (written by something else than Tidings). */
function damaged(): BackupError {
  return new BackupError('damaged', 'the backup content is not valid');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseManifest(record: BackupRecord | undefined): BackupManifest {
  if (!record || record.kind !== 'json' || !isObject(record.value) || record.value.t !== 'manifest') throw damaged();
  const m = record.value;
  if (m.format !== BACKUP_CONTENT_FORMAT) throw new BackupError('unsupported_version', 'this backup was made by a newer version of Tidings');
  if (typeof m.origin !== 'string' || !isObject(m.account) || !Array.isArray(m.conversations)) throw damaged();
  return m as unknown as BackupManifest;
}

/** Read only what a backup says it holds (the first record): for the preview. */
export async function previewBackup(file: Blob, passphrase: string, options?: BackupReaderOptions): Promise<BackupManifest> {
  const records = readBackup(blobBytes(file), passphrase, options);
  try {
    const first = await records.next();
    return parseManifest(first.done ? undefined : first.value);
  } finally {
    await records.return(undefined);
  }
}

export interface RestoreProgress {
  entries: number;
  files: number;
  /** Bytes of the backup file read so far, of `total`. */
  read: number;
  total: number;
}

export interface RestoreResult {
  conversations: number;
  entries: number;
  /** Entries this device did not hold from an earlier restore. */
  added: number;
  files: number;
  /** Conversations with no chat of mine to show in (listed on the restore screen). */
  unmatched: number;
}

export interface RestoreOptions {
  passphrase: string;
  store: RestoredStore;
  /** Which of my conversations a backup's conversation shows in (0: none). */
  resolve(conversation: BackupConversationInfo, manifest: BackupManifest): Promise<ConversationId>;
  onProgress?(progress: RestoreProgress): void;
  signal?: AbortSignal;
  reader?: BackupReaderOptions;
  now?(): number;
}

/** Import a backup into the restored history. Safe to repeat: each message is kept once. */
export async function restoreHistory(backup: Blob, options: RestoreOptions): Promise<RestoreResult> {
  let read = 0;
  const counted = async function* (): AsyncGenerator<Uint8Array> {
    for await (const piece of blobBytes(backup)) {
      read += piece.length;
      yield piece;
    }
  };
  const records = readBackup(counted(), options.passphrase, options.reader)[Symbol.asyncIterator]();
  const result: RestoreResult = { conversations: 0, entries: 0, added: 0, files: 0, unmatched: 0 };
  const report = () => options.onProgress?.({ entries: result.entries, files: result.files, read, total: backup.size });
  const first = await records.next();
  const manifest = parseManifest(first.done ? undefined : first.value);
  const now = options.now ?? Date.now;
  const conversations = new Map<ConversationId, RestoredConversation>();
  for (const info of manifest.conversations) {
    const target = await options.resolve(info, manifest);
    conversations.set(info.id, {
      key: `${manifest.origin}|${info.id}`,
      origin: manifest.origin,
      id: info.id,
      type: info.type,
      name: info.name,
      peer: info.peer,
      target,
      restoredAt: now(),
    });
    if (target === 0) result.unmatched += 1;
  }
  await options.store.putConversations([...conversations.values()]);
  result.conversations = conversations.size;
  let file: { id: string; key: string; mime: string; parts: number; size: number } | null = null;
  let complete = false;
  for (;;) {
    abortIfAsked(options.signal);
    const next = await records.next();
    if (next.done) break;
    const record = next.value;
    if (record.kind === 'bytes') {
      if (!file) throw damaged();
      await options.store.putFilePart(file.key, file.parts, new Blob([record.data as BlobPart], { type: file.mime }));
      file.parts += 1;
      file.size += record.data.length;
      continue;
    }
    const value = record.value;
    if (!isObject(value)) throw damaged();
    if (value.t === 'entries') {
      const conversation = conversations.get(Number(value.conversation_id));
      if (!conversation || !Array.isArray(value.entries)) throw damaged();
      const entries: RestoredEntry[] = (value.entries as BackupEntry[]).map(({ sender, ...entry }) => ({
        key: `${conversation.key}|${entry.seq}`,
        conversationKey: conversation.key,
        target: conversation.target,
        seq: entry.seq,
        createdAt: entry.created_at,
        mine: entry.sender_id !== null && entry.sender_id === manifest.account.id,
        sender,
        entry: entry as Entry,
        files: manifest.with_files ? filesOf(entry as Entry).map((id) => `${manifest.origin}|${id}`) : [],
      }));
      result.added += await options.store.putEntries(entries);
      result.entries += entries.length;
    } else if (value.t === 'file') {
      const id = String(value.file_id);
      file = { id, key: `${manifest.origin}|${id}`, mime: typeof value.mime === 'string' ? value.mime : '', parts: 0, size: 0 };
    } else if (value.t === 'file_end') {
      if (!file || String(value.file_id) !== file.id || value.size !== file.size) throw damaged();
      await options.store.finishFile({ key: file.key, mime: file.mime, size: file.size, parts: file.parts });
      result.files += 1;
      file = null;
    } else if (value.t === 'end') {
      complete = true;
    } else {
      throw damaged();
    }
    report();
  }
  if (!complete) throw new BackupError('damaged', 'the backup is cut short');
  report();
  return result;
}

/**
 * Where a backup's conversation shows for the signed-in account: the same conversation on
 * the same server; else my direct chat with the same person (by account); else my system
 * notices; else none (0).
 */
export async function resolveConversation(client: Client, origin: string, info: BackupConversationInfo, manifest: BackupManifest): Promise<ConversationId> {
  const sameServer = manifest.origin === origin;
  if (sameServer && client.conversation(info.id)?.type === info.type) return info.id;
  const summaries = client.conversations();
  if (info.type === 'system') return summaries.find((s) => s.type === 'system')?.id ?? 0;
  if (info.type !== 'direct' || !info.peer) return 0;
  for (const summary of summaries) {
    if (summary.type !== 'direct' || !summary.peer) continue;
    if (sameServer) {
      if (summary.peer.user_id === info.peer.id) return summary.id;
      continue;
    }
    const peer = client.userById(summary.peer.user_id) ?? (await client.profile(summary.peer.user_id).catch(() => undefined));
    if (peer && info.peer.account !== '' && peer.account === info.peer.account) return summary.id;
  }
  return 0;
}

/** A rough strength of a passphrase, 0 (weak) to 3 (strong), for the hint under the field. */
export function passphraseStrength(passphrase: string): 0 | 1 | 2 | 3 {
  const length = [...passphrase].length;
  if (length < 8) return 0;
  const classes = [/[a-z]/u, /[A-Z]/u, /[0-9]/u, /[^a-zA-Z0-9\s]/u, /\s/u, /[^\u0000-\u007f]/u].filter((r) => r.test(passphrase)).length;
  const unique = new Set(passphrase).size;
  if (unique < 5) return 0;
  const score = length + classes * 3;
  if (length >= 16 && score >= 22) return 3;
  if (score >= 17) return 2;
  return 1;
}

/** A name for the downloaded file: tidings-history-alice-2026-12-05.tdbackup */
export function backupFileName(account: string, at: number): string {
  const day = new Date(at).toISOString().slice(0, 10);
  return `tidings-history-${account.replace(/[^a-zA-Z0-9_.-]/gu, '_')}-${day}.tdbackup`;
}
