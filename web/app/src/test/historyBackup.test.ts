/**
 * History backup (0051): export through the SDK, restore into the device's restored history,
 * merged into the chat without duplicates — however often, or however concurrently, imported.
 */
import { BackupError, Client, MemoryCache } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { RecentEmoji } from '../lib/emoji';
import {
  exportHistory,
  passphraseStrength,
  previewBackup,
  resolveConversation,
  restoreHistory,
  type BackupManifest,
  type ExportOptions,
} from '../lib/historyBackup';
import { IDBFactory, IDBKeyRange as FakeKeyRange } from 'fake-indexeddb';
import { IndexedDbRestoredStore, MemoryRestoredStore, RestoredHistory, type RestoredStore } from '../lib/restoredHistory';
import { MemoryStore } from '../lib/storage';
import { ChatViewModel, type BubbleItem } from '../viewmodels/ChatViewModel';
import { HistoryBackupViewModel } from '../viewmodels/HistoryBackupViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const ORIGIN = 'https://chat.example.com';
const FAST = { writer: { iterations: 1000, chunkSize: 256 } };
const READ = { minIterations: 1000 };
const settle = async () => {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const PICTURE = Uint8Array.from({ length: 3000 }, (_, i) => i % 256);

/** Alice (1) with Bob (2) in chat 4 (five messages, one an image) and a group 5 (two). */
async function scene(server = new FakeServer()) {
  server.conversation(4).name = 'Bob';
  server.append(4, 'hello Bob', 1);
  server.append(4, 'hi Alice', 2);
  const image = server.append(4, '', 2);
  Object.assign(image, { type: 'image', body: { file_id: 'f-pic', width: 10, height: 10, name: 'pic.png' } });
  server.append(4, 'nice picture', 1);
  server.append(4, 'thanks', 2);
  server.conversation(5, 'group').name = 'Launch crew';
  server.append(5, 'standup at ten', 3);
  server.append(5, 'ok', 1);
  server.handlers.set('profile.get', (data) => {
    const id = Number(data.user_id);
    return { ...server.me, id, account: id === 2 ? 'bob' : `user${id}`, nickname: id === 2 ? 'Bob Li' : `User ${id}` };
  });
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return { server, client };
}

async function backup(client: Client, options: Partial<ExportOptions> = {}) {
  return exportHistory(client, {
    conversationIds: [4, 5],
    withFiles: true,
    passphrase: 'a long passphrase 2026',
    origin: ORIGIN,
    fileBytes: async (id) => (id === 'f-pic' ? { mime: 'image/png', bytes: (async function* () { yield PICTURE; })() } : null),
    ...FAST,
    ...options,
  });
}

function restore(client: Client, blob: Blob, store: RestoredStore, origin = ORIGIN) {
  return restoreHistory(blob, {
    passphrase: 'a long passphrase 2026',
    store,
    resolve: (info, manifest) => resolveConversation(client, origin, info, manifest),
    reader: READ,
  });
}

describe('history backup', () => {
  it('exports what the account reads, with files, and previews it', async () => {
    const { client } = await scene();
    const progress: string[] = [];
    const result = await backup(client, { onProgress: (p) => progress.push(p.phase) });
    expect(result).toMatchObject({ entries: 7, files: 1, missingFiles: 0 });
    expect(progress[0]).toBe('key');
    expect(progress.at(-1)).toBe('done');
    const manifest: BackupManifest = await previewBackup(result.blob, 'a long passphrase 2026', READ);
    expect(manifest).toMatchObject({ origin: ORIGIN, with_files: true, account: { id: 1, account: 'alice' } });
    expect(manifest.conversations.map((c) => [c.id, c.type, c.name, c.peer?.account ?? null])).toEqual([
      [4, 'direct', 'Bob', 'bob'],
      [5, 'group', 'Launch crew', null],
    ]);
    await expect(previewBackup(result.blob, 'wrong', READ)).rejects.toMatchObject({ code: 'wrong_passphrase' });
  });

  it('can be cancelled', async () => {
    const { client } = await scene();
    const abort = new AbortController();
    abort.abort();
    await expect(backup(client, { signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('restores each message once, however often and however concurrently imported', async () => {
    const { client } = await scene();
    const { blob } = await backup(client);
    const store = new MemoryRestoredStore();
    const first = await restore(client, blob, store);
    expect(first).toEqual({ conversations: 2, entries: 7, added: 7, files: 1, unmatched: 0 });
    const again = await restore(client, blob, store);
    expect(again.added).toBe(0);
    // Two imports of the same backup at once into one store: each message is added once.
    const fresh = new MemoryRestoredStore();
    const twice = await Promise.all([restore(client, blob, fresh), restore(client, blob, fresh)]);
    expect(twice.map((r) => r.entries)).toEqual([7, 7]);
    expect((twice[0]?.added ?? 0) + (twice[1]?.added ?? 0)).toBe(7);
    expect((await fresh.entriesFor(4)).length + (await fresh.entriesFor(5)).length).toBe(7);
    expect((await store.entriesFor(4)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const picture = await store.file(`${ORIGIN}|f-pic`);
    expect(new Uint8Array(await (picture as Blob).arrayBuffer())).toEqual(PICTURE);
    expect(picture?.type).toBe('image/png');
  });

  it('refuses a tampered file and keeps what was stored intact', async () => {
    const { client } = await scene();
    const { blob } = await backup(client);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] ?? 0) ^ 1;
    const store = new MemoryRestoredStore();
    const error = await restore(client, new Blob([bytes]), store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).code).toBe('damaged');
    // A truncated file (its last chunk gone) is refused too.
    const cut = await restore(client, new Blob([bytes.slice(0, 600)]), store).catch((e: unknown) => e);
    expect((cut as BackupError).code).toBe('damaged');
  });

  it('maps another account’s chats by the peer’s account, and leaves unknown groups unmatched', async () => {
    const { client } = await scene();
    const { blob } = await backup(client);
    // Alice's other account on another server: a chat with Bob (id 9 there), no such group.
    const other = new FakeServer();
    other.conversation(9).name = 'Bob';
    other.append(9, 'from the new account', 1);
    const { client: second } = await scene(other);
    const store = new MemoryRestoredStore();
    const result = await restore(second, blob, store, 'https://other.example.org');
    // Bob's chat maps onto this account's chat with Bob; a group of another server has no match here.
    expect(result.unmatched).toBe(1);
    expect((await store.entriesFor(4)).length).toBe(5);
    const lonely = new FakeServer();
    lonely.conversation(9).name = 'Bob';
    lonely.handlers.set('profile.get', () => ({ ...lonely.me, id: 2, account: 'bob', nickname: 'Bob' }));
    const third = new Client({ transport: lonely.transport, token: 'token-1', cache: new MemoryCache() });
    await third.start();
    await settle();
    const elsewhere = new MemoryRestoredStore();
    const mapped = await restore(third, blob, elsewhere, 'https://other.example.org');
    expect(mapped.unmatched).toBe(1);
    expect((await elsewhere.entriesFor(9)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await elsewhere.entriesFor(0)).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('shows restored messages in the chat once: the server’s copy where it has one', async () => {
    const { server, client: first } = await scene();
    const { blob } = await backup(first);
    // Since the backup: Alice deleted "hi Alice" for herself and a new message came; then she
    // restores on another device.
    server.privateEntries.push({ seq: 1, kind: 'messages_deleted', data: { conversation_id: 4, seqs: [2] }, created_at: 0 });
    server.append(4, 'new since', 2);
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await settle();
    const store = new MemoryRestoredStore();
    await restore(client, blob, store);
    const history = new RestoredHistory(store, ORIGIN);
    const prefs = new PreferencesViewModel(new MemoryStore(), ['en']);
    const chat = new ChatViewModel(4, client, new NameBook(client), prefs, new RecentEmoji(new MemoryStore()), Date.now, { restored: history });
    await settle();
    const bubbles = () => chat.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble');
    expect(bubbles().map((b) => [b.text || b.media?.kind, b.restored === true])).toEqual([
      ['hello Bob', false],
      ['hi Alice', true],
      ['image', false],
      ['nice picture', false],
      ['thanks', false],
      ['new since', false],
    ]);
    const restoredBubble = bubbles()[1] as BubbleItem;
    expect(restoredBubble).toMatchObject({ seq: null, sender: 'Bob Li', mine: false, state: null });
    // Importing again changes nothing in the chat.
    await restore(client, blob, store);
    history.invalidate();
    await settle();
    expect(bubbles().length).toBe(6);
    chat.dispose();
  });

  it('shows another server’s messages as restored, mine on my side, with their pictures', async () => {
    const { client } = await scene();
    const { blob } = await backup(client);
    const other = new FakeServer();
    const { client: second } = await scene(other);
    const store = new MemoryRestoredStore();
    await restore(second, blob, store, 'https://other.example.org');
    const history = new RestoredHistory(store, 'https://other.example.org');
    const prefs = new PreferencesViewModel(new MemoryStore(), ['en']);
    const chat = new ChatViewModel(4, second, new NameBook(second), prefs, new RecentEmoji(new MemoryStore()), Date.now, { restored: history });
    await settle();
    const bubbles = chat.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble');
    // The server's five and the backup's five (another server: none is the same message).
    expect(bubbles.length).toBe(10);
    const restored = bubbles.filter((b) => b.restored);
    expect(restored.map((b) => [b.mine, b.sender])).toEqual([
      [true, 'Alice'],
      [false, 'Bob Li'],
      [false, 'Bob Li'],
      [true, 'Alice'],
      [false, 'Bob Li'],
    ]);
    const picture = restored[2]?.media;
    expect(picture?.kind === 'image' && picture.local instanceof Blob && picture.fileId === null).toBe(true);
    chat.dispose();
  });

  it('rates passphrases', () => {
    expect(passphraseStrength('short')).toBe(0);
    expect(passphraseStrength('aaaaaaaaaaaa')).toBe(0);
    expect(passphraseStrength('password1')).toBe(1);
    expect(passphraseStrength('Tr0ub4dor&3x')).toBe(2);
    expect(passphraseStrength('correct horse battery staple')).toBe(3);
  });

  it('the backup screen: choices, passphrase checks, backup, then preview and restore', async () => {
    const { client } = await scene();
    const history = new RestoredHistory(new MemoryRestoredStore(), ORIGIN);
    const vm = new HistoryBackupViewModel(client, history, { writer: FAST.writer, reader: READ });
    await settle();
    expect(vm.getSnapshot().choices.map((c) => [c.id, c.selected])).toEqual([[4, true], [5, true]]);
    vm.setPassphrase('short');
    expect(vm.getSnapshot().problem).toBe('short');
    vm.setPassphrase('a long passphrase 2026');
    expect(vm.getSnapshot().problem).toBe('mismatch');
    vm.setConfirm('a long passphrase 2026');
    vm.selectAll(false);
    expect(vm.getSnapshot().problem).toBe('none_chosen');
    vm.toggle(5);
    expect(vm.getSnapshot().problem).toBeNull();
    await vm.startBackup();
    const exported = vm.getSnapshot().exported;
    expect(exported).toMatchObject({ entries: 2, files: 0 });
    expect(exported?.fileName).toMatch(/^tidings-history-alice-\d{4}-\d\d-\d\d\.tdbackup$/);
    expect(vm.getSnapshot().passphrase).toBe('');

    vm.showTab('restore');
    vm.chooseFile(exported?.blob as Blob);
    vm.setRestorePassphrase('not it');
    await vm.previewFile();
    expect(vm.getSnapshot()).toMatchObject({ restoreError: 'wrong_passphrase', preview: null });
    vm.setRestorePassphrase('a long passphrase 2026');
    await vm.previewFile();
    expect(vm.getSnapshot().preview?.conversations).toEqual([{ id: 5, type: 'group', name: 'Launch crew', showsIn: 5 }]);
    await vm.restore();
    expect(vm.getSnapshot().restored).toMatchObject({ entries: 2, added: 2 });
    expect((await history.store.entriesFor(5)).length).toBe(2);
    vm.dispose();
  });

  it('keeps restored history in IndexedDB: once per message under concurrent imports, files whole, gone at sign-out', async () => {
    const { client } = await scene();
    const { blob } = await backup(client);
    (globalThis as { IDBKeyRange?: unknown }).IDBKeyRange ??= FakeKeyRange;
    const factory = new IDBFactory();
    const store = new IndexedDbRestoredStore(1, factory);
    const results = await Promise.all([restore(client, blob, store), restore(client, blob, store), restore(client, blob, store)]);
    expect(results.reduce((n, r) => n + r.added, 0)).toBe(7);
    expect((await store.entriesFor(4)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await store.entriesOf(`${ORIGIN}|5`)).map((e) => e.entry.kind === 'message' && e.entry.type === 'text' && e.entry.body.text)).toEqual([
      'standup at ten',
      'ok',
    ]);
    expect((await store.conversations()).map((c) => [c.key, c.target]).sort()).toEqual([
      [`${ORIGIN}|4`, 4],
      [`${ORIGIN}|5`, 5],
    ]);
    const picture = await store.file(`${ORIGIN}|f-pic`);
    expect(new Uint8Array(await (picture as Blob).arrayBuffer())).toEqual(PICTURE);
    await IndexedDbRestoredStore.forget(1, factory);
    const after = new IndexedDbRestoredStore(1, factory);
    expect(await after.entriesFor(4)).toEqual([]);
    expect(await after.file(`${ORIGIN}|f-pic`)).toBeNull();
  });
});
