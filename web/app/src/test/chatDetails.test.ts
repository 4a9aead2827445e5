/**
 * The chat header's typing indicator and presence, and @mentions picked from the group's
 * members (issue 5: "@mentions", "typing indicator, presence").
 */
import { Client, MemoryCache } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { RecentEmoji } from '../lib/emoji';
import { MemoryStore } from '../lib/storage';
import { ChatViewModel } from '../viewmodels/ChatViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

async function chatOf(server: FakeServer, id: number): Promise<{ client: Client; chat: ChatViewModel }> {
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  const store = new MemoryStore();
  const chat = new ChatViewModel(id, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store));
  await settle();
  return { client, chat };
}

describe('ChatViewModel: presence and typing', () => {
  it("shows the peer's presence, and 'typing' while they type", async () => {
    const server = new FakeServer();
    server.conversation(4);
    server.handlers.set('conversation.members', () => ({
      members: [
        { user_id: 1, role: 'member', nickname: 'Alice', avatar: '' },
        { user_id: 2, role: 'member', nickname: 'Bob', avatar: '' },
      ],
    }));
    const { client, chat } = await chatOf(server, 4);
    server.current.push('presence', { user_id: 2, online: true });
    await settle();
    expect(chat.getSnapshot()).toMatchObject({ peerOnline: true, subtitle: 'Online', typing: false });
    server.current.push('typing', { conversation_id: 4, user_id: 2 });
    await settle();
    expect(chat.getSnapshot()).toMatchObject({ typing: true, subtitle: 'c4 is typing…' }); // the peer by the chat's name
    server.current.push('presence', { user_id: 2, online: false });
    await settle();
    expect(chat.getSnapshot().peerOnline).toBe(false);
    // Typing tells the server (at most every few seconds), an empty draft does not.
    chat.setDraft('h');
    chat.setDraft('he');
    await settle();
    expect(server.current.ops('typing')).toHaveLength(1);
    chat.dispose();
    client.stop();
  });
});

describe('ChatViewModel: @mentions', () => {
  it('offers the members matching what follows @, inserts the picked name and sends their id', async () => {
    const server = new FakeServer();
    server.conversation(9, 'group');
    server.handlers.set('conversation.members', () => ({
      members: [
        { user_id: 1, role: 'owner', nickname: 'Alice', avatar: '' },
        { user_id: 2, role: 'member', nickname: 'Bob Li', avatar: '' },
        { user_id: 3, role: 'member', nickname: 'Bonnie', avatar: '' },
        { user_id: 4, role: 'member', nickname: 'Carol', avatar: '' },
      ],
    }));
    const { client, chat } = await chatOf(server, 9);
    chat.setDraft('hi @bo', 6);
    // Never me; only those whose name matches.
    expect(chat.getSnapshot().mentionCandidates.map((c) => c.name)).toEqual(['Bob Li', 'Bonnie']);
    const bob = chat.getSnapshot().mentionCandidates[0];
    if (!bob) throw new Error('no candidate');
    chat.pickMention(bob);
    expect(chat.getSnapshot().draft).toBe('hi @Bob Li ');
    expect(chat.getSnapshot().mentionCandidates).toEqual([]);
    chat.setDraft(`${chat.getSnapshot().draft}see this`);
    expect(chat.send()).toBe(true);
    await settle();
    const sent = server.current.ops('send').map((f) => (f.data as { body: { text: string; mentions?: number[] } }).body);
    expect(sent).toEqual([{ text: 'hi @Bob Li see this', mentions: [2] }]);
    chat.dispose();
    client.stop();
  });
});

describe('ChatViewModel: @all', () => {
  it('offers @all first in a group and sends mention_all; not in a direct chat', async () => {
    const server = new FakeServer();
    server.conversation(9, 'group');
    server.conversation(10, 'direct');
    server.handlers.set('conversation.members', () => ({
      members: [
        { user_id: 1, role: 'member', nickname: 'Alice', avatar: '' },
        { user_id: 2, role: 'member', nickname: 'Bob Li', avatar: '' },
      ],
    }));
    const { client, chat } = await chatOf(server, 9);
    chat.setDraft('@', 1);
    const [first] = chat.getSnapshot().mentionCandidates;
    expect(first).toEqual({ userId: 0, name: 'all', all: true });
    chat.pickMention(first!);
    expect(chat.getSnapshot().draft).toBe('@all ');
    chat.setDraft(`${chat.getSnapshot().draft}meeting`);
    expect(chat.send()).toBe(true);
    await settle();
    const sent = server.current.ops('send').map((f) => (f.data as { body: unknown }).body);
    expect(sent).toEqual([{ text: '@all meeting', mention_all: true }]);
    chat.dispose();
    const store = new MemoryStore();
    const direct = new ChatViewModel(10, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store));
    await settle();
    direct.setDraft('@', 1);
    expect(direct.getSnapshot().mentionCandidates.some((c) => c.all)).toBe(false);
    direct.dispose();
    client.stop();
  });
});

describe('ChatViewModel: system notices', () => {
  it('shows a notice as a card with its title, and its link only when it is http(s)', async () => {
    const server = new FakeServer();
    server.conversation(3);
    const notice = (title: string, url: string | undefined) =>
      Object.assign(server.append(3, '', 0), { sender_id: null, type: 'notice', body: { title, text: `${title} text`, ...(url ? { url } : {}) } });
    notice('Welcome', undefined);
    notice('Release notes', 'https://example.com/notes');
    notice('Trap', 'javascript:alert(1)');
    const { client, chat } = await chatOf(server, 3);
    const cards = chat
      .getSnapshot()
      .items.flatMap((i) => (i.kind === 'bubble' && i.notice ? [[i.notice.title, i.text, i.notice.url]] : []));
    expect(cards).toEqual([
      ['Welcome', 'Welcome text', null],
      ['Release notes', 'Release notes text', 'https://example.com/notes'],
      ['Trap', 'Trap text', null],
    ]);
    chat.dispose();
    client.stop();
  });
});

describe('ChatViewModel: "only admins\' messages"', () => {
  it("shows only the owner's and admins' messages (and mine) when that is my view mode", async () => {
    const server = new FakeServer();
    server.conversation(5, 'group');
    server.handlers.set('conversation.members', () => ({
      members: [
        { user_id: 1, role: 'member', nickname: 'Me', avatar: '' },
        { user_id: 2, role: 'owner', nickname: 'Boss', avatar: '' },
        { user_id: 3, role: 'member', nickname: 'Chatty', avatar: '' },
      ],
    }));
    server.append(5, 'from the owner', 2);
    server.append(5, 'small talk', 3);
    server.append(5, 'mine', 1);
    server.privateEntries.push({
      seq: 1, kind: 'group_view_mode', data: { conversation_id: 5, view_mode: 'admins_only' }, created_at: 0,
    });
    const { client, chat } = await chatOf(server, 5);
    const texts = () => chat.getSnapshot().items.flatMap((i) => (i.kind === 'bubble' ? [i.text] : []));
    expect(client.viewMode(5)).toBe('admins_only');
    expect(texts()).toEqual(['from the owner', 'mine']);
    expect(chat.getSnapshot().items[0]).toMatchObject({ kind: 'notice', key: 'admins-only' });
    chat.dispose();
    client.stop();
  });
});
