/**
 * Multi-select, chat records and favourites of messages, driven through the real SDK client
 * against the scripted server: what each action sends, what the views are given, and how
 * the favourites page follows the private log of my other devices.
 */
import { Client, MemoryCache, type ChatRecordBody, type FavoriteMessage } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { ChatRecordViewModel } from '../viewmodels/ChatRecordViewModel';
import { FavoritesPageViewModel } from '../viewmodels/FavoritesPageViewModel';
import { MAX_SELECTED, MessageSelectionViewModel } from '../viewmodels/MessageSelectionViewModel';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { copyMedia, recordMedia } from '../viewmodels/RecordMedia';
import { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';

const settle = async () => {
  for (let i = 0; i < 12; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const english = () => new PreferencesViewModel(new MemoryStore(), ['en']);
type Calls = [string, Record<string, unknown>][];
function recorder(server: FakeServer, calls: Calls) {
  return (op: string, reply: ((data: Record<string, unknown>) => unknown) | object | null) =>
    server.handlers.set(op, (data) => {
      calls.push([op, data]);
      return typeof reply === 'function' ? (reply as (d: Record<string, unknown>) => unknown)(data) : reply;
    });
}
const sent = (calls: Calls, op: string) => calls.filter(([name]) => name === op).map(([, data]) => data);

async function connected(server: FakeServer): Promise<Client> {
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return client;
}

const record: ChatRecordBody = {
  title: 'Chat history of Alice and Bob',
  items: [
    { sender_id: 1, sender_name: 'Alice', sent_at: 1_700_000_000_000, type: 'text', body: { text: 'Lunch?' } },
    { sender_id: 2, sender_name: 'Bob', sent_at: 1_700_000_060_000, type: 'image', body: { file_id: 'img1', width: 40, height: 30 } },
    { sender_id: 2, sender_name: 'Bob', sent_at: 1_700_000_120_000, type: 'file', body: { file_id: 'f1', name: 'menu.pdf', size: 2048 } },
    {
      sender_id: 3, sender_name: 'Carol', sent_at: 1_700_000_180_000, type: 'chat_record',
      body: { title: 'Older talk', items: [{ sender_id: 3, sender_name: 'Carol', sent_at: 1, type: 'text', body: { text: 'Deep' } }] },
    },
    { sender_id: 1, sender_name: 'Alice', sent_at: 1_700_000_240_000, type: 'text', body: { text: 'See you' } },
  ],
};

function favorite(id: number, type: FavoriteMessage['type'], body: FavoriteMessage['body'], senderName = 'Bob'): FavoriteMessage {
  return { id, conversation_id: 5, seq: id, sender_id: 2, sender_name: senderName, sent_at: 1, type, body, saved_at: 1_700_000_000_000 + id };
}

describe('MessageSelectionViewModel', () => {
  it('picks in chat order, stops at the limit, deletes for me and favourites what was picked', async () => {
    const server = new FakeServer();
    server.conversation(5);
    for (const text of ['a', 'b', 'c']) server.append(5, text);
    const calls: Calls = [];
    const on = recorder(server, calls);
    on('delete', (data) => ({ conversation_id: data.conversation_id, seqs: data.seqs }));
    on('favorites.add_message', (data) => {
      if (data.seq === 3) throw new Error('favorites_full');
      return favorite(Number(data.seq), 'text', { text: 'x' });
    });
    const client = await connected(server);
    const said: string[] = [];
    const vm = new MessageSelectionViewModel(client, 5, english(), (text) => said.push(text));

    vm.toggle(1);
    expect(vm.getSnapshot().active).toBe(false);
    vm.start(3);
    vm.toggle(1);
    expect(vm.getSnapshot()).toMatchObject({ active: true, seqs: [1, 3], count: 2 });
    vm.toggle(3);
    expect(vm.getSnapshot().seqs).toEqual([1]);
    for (let seq = 100; vm.getSnapshot().count < MAX_SELECTED; seq += 1) vm.toggle(seq);
    vm.toggle(999);
    expect(vm.getSnapshot().count).toBe(MAX_SELECTED);
    expect(said.at(-1)).toBe('At most 100 messages at a time');

    vm.start(2);
    vm.toggle(1);
    vm.askDelete();
    expect(vm.getSnapshot().confirmingDelete).toBe(true);
    expect(await vm.deletePicked()).toBe(true);
    expect(sent(calls, 'delete')).toEqual([{ conversation_id: 5, seqs: [1, 2] }]);
    expect(vm.getSnapshot()).toMatchObject({ active: false, count: 0, confirmingDelete: false });
    expect(said.at(-1)).toBe('Deleted 2 messages');

    vm.start(1);
    vm.toggle(2);
    vm.toggle(3);
    expect(await vm.favoritePicked()).toBe(2);
    expect(sent(calls, 'favorites.add_message').map((d) => d.seq)).toEqual([1, 2, 3]);
    expect(said.at(-1)).toBe('Saved 2 to favourites');
    expect(vm.getSnapshot().active).toBe(false);
    vm.dispose();
    client.stop();
  });
});

describe('chat records', () => {
  it('shows a card of the first lines and a viewer of every copy, records inside opening on top', () => {
    const preferences = english();
    const { t } = preferences.getSnapshot();
    const card = recordMedia(record, t);
    expect(card).toMatchObject({ kind: 'record', title: 'Chat history of Alice and Bob', more: 1, count: 5 });
    expect(card.lines).toEqual(['Alice: Lunch?', 'Bob: [Image]', 'Bob: [File] menu.pdf', 'Carol: [Chat history] Older talk']);
    expect(copyMedia('text', { text: 'hi' }, { t, locale: 'en', now: 0 })).toBeNull();
    expect(copyMedia('poem', { verse: 1 }, { t, locale: 'en', now: 0 })).toBeNull();

    const vm = new ChatRecordViewModel(record, preferences, null, () => 1_700_000_000_000);
    const rows = vm.getSnapshot().rows;
    expect(rows.map((r) => r.sender)).toEqual(['Alice', 'Bob', 'Bob', 'Carol', 'Alice']);
    expect(rows[0]).toMatchObject({ text: 'Lunch?', media: null });
    expect(rows[1]?.media).toMatchObject({ kind: 'image', fileId: 'img1', width: 40, height: 30 });
    expect(rows[2]?.media).toMatchObject({ kind: 'file', fileId: 'f1', name: 'menu.pdf', sizeText: '2 KB' });
    const nested = rows[3]?.media;
    expect(nested?.kind).toBe('record');
    if (nested?.kind !== 'record') return;
    vm.open(nested.body);
    expect(vm.getSnapshot()).toMatchObject({ title: 'Older talk', depth: 1 });
    expect(vm.getSnapshot().rows.map((r) => r.text)).toEqual(['Deep']);
    vm.back();
    expect(vm.getSnapshot()).toMatchObject({ title: 'Chat history of Alice and Bob', depth: 0 });
    vm.dispose();
  });

  it('forwards picked messages merged, titled after the chat, through the forward dialog', async () => {
    const server = new FakeServer();
    server.conversation(5);
    server.conversation(6, 'group');
    for (const text of ['a', 'b']) server.append(5, text);
    const calls: Calls = [];
    const on = recorder(server, calls);
    on('friends.list', { friends: [], contact_groups: [] });
    on('friends.requests', { pending_count: 0, incoming: [], outgoing: [] });
    on('users.get', { users: [{ id: 2, account: 'bob', nickname: 'Bob', avatar: '', signature: '' }] });
    on('forward', () => ({ entries: [] }));
    const client = await connected(server);
    const workspace = new WorkspaceViewModel(client, english(), new MemoryStore());
    await settle();
    await workspace.openForwardPicked(5, [1, 2], true);
    const dialog = workspace.getSnapshot().dialog;
    expect(dialog?.kind).toBe('forward');
    if (dialog?.kind !== 'forward') return;
    expect(dialog.vm.getSnapshot().preview).toMatch(/^\[Chat history\] Chat history of Alice and /);
    dialog.vm.toggle('c6');
    await dialog.vm.send();
    const [request] = sent(calls, 'forward');
    expect(request).toMatchObject({ conversation_id: 5, seqs: [1, 2], target_ids: [6], merged: true });
    expect(String(request?.title)).toMatch(/^Chat history of Alice and /);
    // One by one: a plain forward.
    await workspace.openForwardPicked(5, [1, 2], false);
    const plain = workspace.getSnapshot().dialog;
    if (plain?.kind !== 'forward') throw new Error('no dialog');
    expect(plain.vm.getSnapshot().preview).toBe('2 messages');
    plain.vm.toggle('c6');
    await plain.vm.send();
    expect(sent(calls, 'forward')[1]).not.toHaveProperty('merged');
    workspace.dispose();
    client.stop();
  });
});

describe('FavoritesPageViewModel', () => {
  it('lists, filters, searches, and follows my other devices', async () => {
    const server = new FakeServer();
    const calls: Calls = [];
    const on = recorder(server, calls);
    let saved = [favorite(3, 'file', { file_id: 'f3', name: 'plan.pdf', size: 10 }), favorite(2, 'text', { text: 'Quarterly plan' })];
    on('favorites.list', (data) => ({
      favorites: saved.filter((f) => (data.category === 'file' ? f.type === 'file' : true)).filter((f) => (data.query ? JSON.stringify(f.body).includes(String(data.query)) : true)),
    }));
    on('favorites.remove_message', (data) => {
      saved = saved.filter((f) => f.id !== data.id);
      return null;
    });
    const client = await connected(server);
    const vm = new FavoritesPageViewModel(client, english(), null, () => 1_700_000_100_000);
    await settle();
    expect(vm.getSnapshot().rows.map((r) => [r.id, r.summary])).toEqual([[3, '[File] plan.pdf'], [2, 'Quarterly plan']]);
    expect(vm.getSnapshot().rows[0]?.media).toMatchObject({ kind: 'file', name: 'plan.pdf' });
    expect(vm.getSnapshot().rows[1]).toMatchObject({ text: 'Quarterly plan', sender: 'Bob', media: null });

    vm.setCategory('file');
    await settle();
    expect(sent(calls, 'favorites.list').at(-1)).toEqual({ limit: 50, category: 'file' });
    expect(vm.getSnapshot().rows.map((r) => r.id)).toEqual([3]);
    // Saved on another device: a text does not fit the "Files" filter, a file does.
    server.current.push('private', { seq: 1, kind: 'favorite_added', data: { favorite: favorite(4, 'text', { text: 'hello' }) }, created_at: 1 });
    server.current.push('private', { seq: 2, kind: 'favorite_added', data: { favorite: favorite(5, 'file', { file_id: 'f5', name: 'b.txt', size: 1 }) }, created_at: 1 });
    await settle();
    expect(vm.getSnapshot().rows.map((r) => r.id)).toEqual([5, 3]);
    server.current.push('private', { seq: 3, kind: 'favorite_removed', data: { id: 3 }, created_at: 1 });
    await settle();
    expect(vm.getSnapshot().rows.map((r) => r.id)).toEqual([5]);

    vm.setCategory(null);
    vm.search('Quarterly');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await settle();
    expect(sent(calls, 'favorites.list').at(-1)).toEqual({ limit: 50, query: 'Quarterly' });
    expect(vm.getSnapshot().rows.map((r) => r.id)).toEqual([2]);
    expect(await vm.remove(2)).toBe(true);
    expect(sent(calls, 'favorites.remove_message')).toEqual([{ id: 2 }]);
    expect(vm.getSnapshot()).toMatchObject({ rows: [], notice: 'Removed from favourites' });
    vm.dispose();
    client.stop();
  });
});

describe('WorkspaceViewModel: favourites and leaving multi-select', () => {
  it('opens a favourite in the record viewer, sends it on, and a forward ends multi-select', async () => {
    const server = new FakeServer();
    server.conversation(5);
    server.conversation(6, 'group');
    server.append(5, 'a');
    const calls: Calls = [];
    const on = recorder(server, calls);
    on('friends.list', { friends: [], contact_groups: [] });
    on('friends.requests', { pending_count: 0, incoming: [], outgoing: [] });
    on('favorites.list', { favorites: [favorite(9, 'text', { text: 'Keep this' }), favorite(8, 'chat_record', record)] });
    on('favorites.send', () => ({ entries: [] }));
    on('forward', () => ({ entries: [] }));
    const client = await connected(server);
    const workspace = new WorkspaceViewModel(client, english(), new MemoryStore());
    const page = await workspace.favoritesPage();
    await settle();
    expect(page.getSnapshot().rows.map((r) => r.id)).toEqual([9, 8]);

    await workspace.openFavorite(9);
    let dialog = workspace.getSnapshot().dialog;
    if (dialog?.kind !== 'chatRecord') throw new Error('no viewer');
    expect(dialog.vm.getSnapshot()).toMatchObject({ title: 'Favourite', rows: [{ sender: 'Bob', text: 'Keep this' }] });
    await workspace.openFavorite(8);
    dialog = workspace.getSnapshot().dialog;
    if (dialog?.kind !== 'chatRecord') throw new Error('no viewer');
    expect(dialog.vm.getSnapshot().rows).toHaveLength(5);

    // A dialog closed (or replaced) while its code is on the way does not come back.
    const late = workspace.openFavorite(9);
    workspace.closeDialog();
    await late;
    expect(workspace.getSnapshot().dialog).toBeNull();
    await workspace.openFavorite(8);

    await workspace.sendFavorite(9);
    const send = workspace.getSnapshot().dialog;
    if (send?.kind !== 'forward') throw new Error('no forward dialog');
    expect(send.vm.getSnapshot()).toMatchObject({ preview: 'Keep this', previewSender: 'Bob' });
    send.vm.toggle('c6');
    send.vm.setNote('for you');
    await send.vm.send();
    expect(sent(calls, 'favorites.send')).toEqual([expect.objectContaining({ id: 9, target_ids: [6], note: 'for you' })]);

    workspace.select(5);
    const chat = workspace.getSnapshot().chat;
    if (!chat) throw new Error('no chat');
    chat.selection.start(1);
    await workspace.openForwardPicked(5, [1], false);
    const forward = workspace.getSnapshot().dialog;
    if (forward?.kind !== 'forward') throw new Error('no forward dialog');
    expect(forward.vm.getSnapshot().preview).toBe('a');
    forward.vm.toggle('c6');
    await forward.vm.send();
    expect(chat.selection.getSnapshot().active).toBe(false);
    workspace.dispose();
    client.stop();
  });
});
