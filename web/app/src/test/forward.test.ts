/** The forward dialog: recent chats, friends and groups, search, the note, a friend without a chat. */
import { Client, MemoryCache, type ConversationSummary, type Friend } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { ForwardViewModel, MAX_FORWARD_TARGETS } from '../viewmodels/ForwardViewModel';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const settle = async () => {
  for (let i = 0; i < 12; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const friend = (id: number, nickname: string, remark = ''): Friend => ({
  user_id: id, remark, tags: [], contact_group_id: null, user: { id, account: `u${id}`, nickname, avatar: '', signature: '' },
});

/** Alice: a chat with Bob (user 2), groups "Launch crew" (with an avatar) and "Book club"; friends Bob, Carol, Dave. */
async function scene() {
  const server = new FakeServer();
  const bob = server.conversation(4);
  bob.name = 'Bob Li';
  server.append(4, 'Ship it on Friday');
  const launch = server.conversation(5, 'group');
  launch.name = 'Launch crew';
  launch.avatar = 'emoji:🚀';
  const books = server.conversation(6, 'group');
  books.name = 'Book club';
  books.avatar = '';
  server.handlers.set('friends.list', () => ({
    friends: [friend(2, 'Bob Li'), friend(3, 'Carol Wang', 'Carol (design)'), friend(7, 'Dave Wu')],
    contact_groups: [],
  }));
  let nextId = 40;
  const opened: number[] = [];
  server.handlers.set('conversation.open_direct', (data) => {
    const peer = Number(data.peer_id);
    opened.push(peer);
    const summary: ConversationSummary = { ...server.conversation(nextId++), name: `user${peer}`, peer: { user_id: peer, read_seq: 0, delivered_seq: 0 } };
    return summary;
  });
  server.handlers.set('forward', () => ({ entries: [] }));
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  const prefs = new PreferencesViewModel(new MemoryStore(), ['en']);
  const vm = new ForwardViewModel(client, prefs, 4, [1], 'Ship it on Friday', 'Bob Li');
  await settle();
  return { server, client, vm, opened };
}

describe('ForwardViewModel', () => {
  it('lists recent chats, friends and groups, and searches all three', async () => {
    const { client, vm } = await scene();
    const titles = () => vm.getSnapshot().targets.map((t) => t.title);
    expect(vm.getSnapshot()).toMatchObject({ tab: 'recent', preview: 'Ship it on Friday', previewSender: 'Bob Li', loadingFriends: false });
    expect(titles()).toEqual(['Bob Li', 'Book club', 'Launch crew']);
    vm.showTab('friends');
    expect(vm.getSnapshot().targets.map((t) => [t.title, t.key, t.detail])).toEqual([
      ['Bob Li', 'c4', 'u2'],
      ['Carol (design)', 'u3', 'Carol Wang'],
      ['Dave Wu', 'u7', 'u7'],
    ]);
    vm.showTab('groups');
    expect(vm.getSnapshot().targets.map((t) => [t.title, t.emoji, t.type])).toEqual([
      ['Book club', null, 'group'],
      ['Launch crew', '🚀', 'group'],
    ]);
    // A search looks everywhere, each target once, by remark, nickname or account.
    vm.search('wang');
    expect(titles()).toEqual(['Carol (design)']);
    vm.search('U2');
    expect(titles()).toEqual(['Bob Li']);
    vm.search('o');
    expect(titles()).toEqual(['Bob Li', 'Book club', 'Carol (design)']);
    vm.dispose();
    client.stop();
  });

  it('forwards to a group and a friend without a chat, opening that chat first, with the note', async () => {
    const { server, client, vm, opened } = await scene();
    vm.showTab('friends');
    vm.toggle('u3');
    vm.showTab('groups');
    vm.toggle('c5');
    // Bob from the friends list is the same target as his chat among the recent ones.
    vm.showTab('friends');
    vm.toggle('c4');
    vm.showTab('recent');
    expect(vm.getSnapshot().targets.filter((t) => t.selected).map((t) => t.key)).toEqual(['c4', 'c5']);
    vm.toggle('c4');
    expect(vm.getSnapshot().selected).toEqual([
      { key: 'u3', title: 'Carol (design)' },
      { key: 'c5', title: 'Launch crew' },
    ]);
    vm.setNote('FYI');
    await vm.send();
    expect(opened).toEqual([3]);
    expect(server.current.ops('forward')[0]?.data).toMatchObject({ conversation_id: 4, seqs: [1], target_ids: [40, 5], note: 'FYI' });
    expect(vm.getSnapshot()).toMatchObject({ done: true, busy: false, error: null, selectedCount: 2 });
    vm.dispose();
    client.stop();
  });

  it('reports a failure, keeps the choice, and picks at most the server limit', async () => {
    const { server, client, vm } = await scene();
    server.handlers.set('conversation.open_direct', () => {
      throw new Error('forbidden');
    });
    vm.showTab('friends');
    vm.toggle('u7');
    await vm.send();
    expect(vm.getSnapshot()).toMatchObject({ done: false, busy: false, error: 'forbidden', selectedCount: 1 });
    expect(server.current.ops('forward')).toEqual([]);
    // Unknown keys are not picked; the limit holds.
    vm.toggle('u999');
    expect(vm.getSnapshot().selectedCount).toBe(1);
    for (let id = 100; id < 100 + MAX_FORWARD_TARGETS; id += 1) server.conversation(id, 'group').name = `g${id}`;
    server.current.drop();
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 700));
    await settle();
    vm.showTab('groups');
    for (const target of vm.getSnapshot().targets) vm.toggle(target.key);
    expect(vm.getSnapshot()).toMatchObject({ selectedCount: MAX_FORWARD_TARGETS, full: true });
    vm.dispose();
    client.stop();
  });
});
