/**
 * Search in the web client (B7, issue 15; decision 0073), driven through the real SDK client
 * against the scripted server: the search box's sections and its keyboard cursor, every
 * message result with filters and paging, in-chat stepping, and a chat opened at a message.
 */
import { Client, MemoryCache, type MessageSearchResult } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { ChatViewModel } from '../viewmodels/ChatViewModel';
import { dayStart, MessageResultsViewModel } from '../viewmodels/MessageResultsViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { SearchViewModel } from '../viewmodels/SearchViewModel';
import { RecentEmoji } from '../lib/emoji';
import { matcher } from '../lib/searchMatch';

const settle = async () => {
  for (let i = 0; i < 12; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const english = () => new PreferencesViewModel(new MemoryStore(), ['en']);

async function connected(server: FakeServer): Promise<Client> {
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return client;
}

function hit(conversationId: number, seq: number, snippet: string, type: MessageSearchResult['type'] = 'text'): MessageSearchResult {
  const at = snippet.indexOf('会议');
  return { conversation_id: conversationId, seq, sender_id: 2, created_at: 1_700_000_000_000, type, snippet, highlights: at < 0 ? [] : [[at, at + 2]] };
}

const card = (id: number, nickname: string, account: string) => ({ id, nickname, account, avatar: '', signature: '', is_friend: false, remark: '', departments: [] });

describe('the search box', () => {
  it('shows people, groups, chats, messages by chat and files; the keyboard moves and opens', async () => {
    const server = new FakeServer();
    server.conversation(4);
    server.summaries[0]!.name = '会议室管理员';
    server.conversation(5, 'group');
    server.summaries[1]!.name = '周一会议群';
    server.conversation(6, 'group');
    server.summaries[2]!.name = 'Lunch';
    const asked: Record<string, unknown>[] = [];
    server.handlers.set('friends.list', () => ({
      friends: [
        { user_id: 2, remark: '', tags: ['会议'], contact_group_id: null, user: { id: 2, account: 'bob', nickname: 'Bob', avatar: '', signature: '' } },
        { user_id: 3, remark: 'Carol', tags: [], contact_group_id: null, user: { id: 3, account: 'carol', nickname: 'C', avatar: '', signature: '' } },
      ],
      contact_groups: [],
    }));
    server.handlers.set('org.search', () => ({ departments: [{ id: 9, name: '会议组', path: 'Co/会议组' }], users: [card(2, 'Bob', 'bob'), card(7, '会议专员', 'dora')], has_more: false }));
    server.handlers.set('contacts.search', () => ({ users: [card(8, 'Erin', '会议erin')], has_more: false }));
    server.handlers.set('messages.search', (data) => {
      asked.push(data);
      if (data.types) return { results: [hit(5, 12, '会议纪要.docx', 'file')], next: null };
      return { results: [hit(5, 10, '开会议'), hit(5, 11, '会议纪要'), hit(4, 3, '明天会议')], next: null };
    });
    const client = await connected(server);
    const vm = new SearchViewModel(client, new NameBook(client), english(), Date.now, 0);
    vm.setQuery('会议');
    // The chats show at once; the server's sections while they are asked.
    expect(vm.getSnapshot().sections.map((s) => s.name)).toEqual(['people', 'groups', 'conversations', 'messages', 'files']);
    await settle();
    const sections = Object.fromEntries(vm.getSnapshot().sections.map((s) => [s.name, s]));
    expect(sections.people!.rows.map((r) => r.key)).toEqual(['person:2', 'person:7', 'person:8', 'department:9']);
    expect(sections.people!.rows[0]!.detail).toContain('#会议');
    expect(sections.groups!.rows.map((r) => r.title)).toEqual(['周一会议群']);
    expect(sections.conversations!.rows.map((r) => r.title)).toEqual(['会议室管理员']);
    // Grouped by chat: two in the group (opens that chat's results), one in the direct chat (opens it at the message).
    expect(sections.messages!.rows.map((r) => [r.title, r.detail, r.target])).toEqual([
      ['周一会议群', '2 related messages', { kind: 'messages', query: '会议', conversationId: 5 }],
      ['会议室管理员', '', { kind: 'message', conversationId: 4, seq: 3, query: '会议' }],
    ]);
    expect(sections.messages!.rows[1]!.parts).toEqual([{ text: '明天', hit: false }, { text: '会议', hit: true }]);
    expect(sections.messages!.more).toEqual({ kind: 'messages', query: '会议', conversationId: null });
    expect(sections.files!.rows.map((r) => r.target)).toEqual([{ kind: 'message', conversationId: 5, seq: 12, query: '会议' }]);
    expect(asked).toEqual([{ q: '会议', limit: 50 }, { q: '会议', types: ['file', 'image'], limit: 5 }]);

    // ↓ from nothing is the first row, ↑ from the first wraps to the last; Enter takes it.
    expect(vm.activeTarget()).toEqual({ kind: 'person', userId: 2 });
    vm.move(1);
    vm.move(1);
    expect(vm.getSnapshot().active).toBe('person:7');
    vm.move(-1);
    vm.move(-1);
    expect(vm.getSnapshot().active).toBe('file:5:12');
    expect(vm.activeTarget()).toEqual({ kind: 'message', conversationId: 5, seq: 12, query: '会议' });

    // A newer query's answers replace the older one's; an empty box shows nothing.
    vm.setQuery('lunch');
    expect(vm.getSnapshot().active).toBe(null);
    expect(vm.getSnapshot().sections.find((s) => s.name === 'groups')?.rows.map((r) => r.title)).toEqual(['Lunch']);
    vm.setQuery('  ');
    expect(vm.getSnapshot().sections).toEqual([]);
    vm.dispose();
  });

  it('counts a chat\'s hits as "n+" when the server has more pages than the one asked', async () => {
    const server = new FakeServer();
    server.conversation(5, 'group');
    server.handlers.set('friends.list', () => ({ friends: [], contact_groups: [] }));
    server.handlers.set('org.search', () => ({ departments: [], users: [], has_more: false }));
    server.handlers.set('contacts.search', () => ({ users: [], has_more: false }));
    server.handlers.set('messages.search', (data) => (data.types ? { results: [], next: null } : { results: [hit(5, 10, '会议'), hit(5, 11, '会议')], next: 'more' }));
    const client = await connected(server);
    const vm = new SearchViewModel(client, new NameBook(client), english(), Date.now, 0);
    vm.setQuery('会议');
    await settle();
    expect(vm.getSnapshot().sections.find((s) => s.name === 'messages')?.rows.map((r) => r.detail)).toEqual(['2+ related messages']);
    vm.dispose();
  });

  it('says when nothing is found', async () => {
    const server = new FakeServer();
    server.handlers.set('friends.list', () => ({ friends: [], contact_groups: [] }));
    server.handlers.set('org.search', () => ({ departments: [], users: [], has_more: false }));
    server.handlers.set('contacts.search', () => ({ users: [], has_more: false }));
    server.handlers.set('messages.search', () => ({ results: [], next: null }));
    const client = await connected(server);
    const vm = new SearchViewModel(client, new NameBook(client), english(), Date.now, 0);
    vm.setQuery('nothing');
    await settle();
    expect(vm.getSnapshot().empty).toBe(true);
    vm.dispose();
  });
});

describe('every message result', () => {
  it('asks with the filters, pages on by cursor and starts over when a filter changes', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const asked: Record<string, unknown>[] = [];
    server.handlers.set('messages.search', (data) => {
      asked.push(data);
      return data.cursor ? { results: [hit(4, 1, '会议一')], next: null } : { results: [hit(4, 3, '会议三'), hit(4, 2, '会议二')], next: 'c1' };
    });
    const client = await connected(server);
    const vm = new MessageResultsViewModel(client, new NameBook(client), english(), null, Date.now, 0);
    vm.search('会议', null);
    await settle();
    expect(vm.getSnapshot().items.map((i) => i.seq)).toEqual([3, 2]);
    expect(vm.getSnapshot().more).toBe(true);
    await vm.loadMore();
    expect(vm.getSnapshot().items.map((i) => i.seq)).toEqual([3, 2, 1]);
    expect(vm.getSnapshot().more).toBe(false);
    expect(vm.getSnapshot().done).toBe(true);

    vm.setFilters({ conversationId: 4, senderId: 2, kind: 'link', from: '2026-01-02', to: '2026-01-02' });
    await settle();
    const since = dayStart('2026-01-02')!;
    expect(asked.at(-1)).toEqual({ q: '会议', conversation_id: 4, sender_id: 2, since, until: since + 86_400_000, types: ['link'], limit: 20 });
    expect(asked[1]).toMatchObject({ cursor: 'c1' });
    expect(dayStart('not a date')).toBe(null);
    vm.dispose();
  });

  it('in a chat: only its hits, newest first as the server pages them, stepped through older and newer', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const asked: Record<string, unknown>[] = [];
    server.handlers.set('messages.search', (data) => {
      asked.push(data);
      return data.cursor ? { results: [hit(4, 5, '会议五')], next: null } : { results: [hit(4, 90, '会议'), hit(4, 40, '会议'), hit(4, 20, '会议')], next: 'c' };
    });
    const client = await connected(server);
    const vm = new MessageResultsViewModel(client, new NameBook(client), english(), 4, Date.now, 0);
    vm.type('会议');
    await settle();
    // The server orders them newest first; the next page only adds below (decision 0073).
    expect(asked[0]).toEqual({ q: '会议', conversation_id: 4, limit: 20, order: 'newest' });
    expect(vm.getSnapshot().items.map((i) => i.seq)).toEqual([90, 40, 20]);
    expect((await vm.step(1))?.seq).toBe(90);
    expect((await vm.step(1))?.seq).toBe(40);
    expect((await vm.step(-1))?.seq).toBe(90);
    expect((await vm.step(-1))?.seq).toBe(90);
    await vm.step(1);
    await vm.step(1);
    // Past the last one loaded: the next page comes.
    expect((await vm.step(1))?.seq).toBe(5);
    expect(vm.getSnapshot().current).toBe(3);
    expect(vm.getSnapshot().items.map((i) => i.seq)).toEqual([90, 40, 20, 5]);
    // The conversation cannot be filtered away.
    vm.setFilters({ conversationId: 9 });
    await settle();
    expect(asked.at(-1)).toMatchObject({ conversation_id: 4 });
    vm.dispose();
  });
});

describe('a chat opened at a message', () => {
  it('shows it highlighted far back, pages down to the newest and forgets it when closed', async () => {
    const server = new FakeServer();
    server.conversation(4);
    for (let i = 1; i <= 400; i += 1) server.append(4, `line ${i}`);
    const client = await connected(server);
    const preferences = english();
    const chat = new ChatViewModel(4, client, new NameBook(client), preferences, new RecentEmoji(new MemoryStore()));
    await settle();
    expect(await chat.jumpTo(120)).toBe(true);
    let snapshot = chat.getSnapshot();
    expect(snapshot.anchor).toBe(120);
    expect(snapshot.atLatest).toBe(false);
    expect(snapshot.jump).toBe(1);
    const seqs = snapshot.items.flatMap((i) => (i.kind === 'bubble' && i.seq !== null ? [i.seq] : []));
    expect(seqs).toContain(120);
    expect(Math.max(...seqs)).toBeLessThan(200);
    for (let i = 0; i < 10 && !chat.getSnapshot().atLatest; i += 1) {
      chat.loadNewer();
      await settle();
    }
    snapshot = chat.getSnapshot();
    expect(snapshot.atLatest).toBe(true);
    expect(snapshot.items.at(-1)).toMatchObject({ seq: 400 });
    // A message this member cannot see opens nothing and says so.
    server.deletedForMe.add('4:7');
    expect(await chat.jumpTo(7)).toBe(false);
    expect(chat.getSnapshot().toast).toBe('That message cannot be shown any more.');
    chat.dispose();
    expect(client.timeline(4).anchor).toBe(null);
  });
});

describe('the words searched, marked in the message opened', () => {
  it('belong to the anchor, and go when the search closes or the newest shows', async () => {
    const server = new FakeServer();
    server.conversation(4);
    for (let i = 1; i <= 200; i += 1) server.append(4, i === 60 ? 'Deployment of 会议室 booking' : `line ${i}`);
    const client = await connected(server);
    const chat = new ChatViewModel(4, client, new NameBook(client), english(), new RecentEmoji(new MemoryStore()));
    await settle();
    expect(await chat.jumpTo(60, 'deploy 会议')).toBe(true);
    const marks = chat.getSnapshot().searchMarks;
    expect(marks?.seq).toBe(60);
    expect(marks?.find('Deployment of 会议室 booking')).toEqual([[0, 10], [14, 16]]);
    chat.clearSearchMarks();
    expect(chat.getSnapshot().searchMarks).toBe(null);
    // In-chat search: marked until its bar closes; without a query, nothing is marked.
    await chat.openSearch();
    await chat.jumpTo(60, 'booking');
    expect(chat.getSnapshot().searchMarks?.find('Deployment of 会议室 booking')).toEqual([[18, 25]]);
    chat.closeSearch();
    expect(chat.getSnapshot().searchMarks).toBe(null);
    await chat.jumpTo(60, 'booking');
    chat.showLatest();
    await settle();
    expect(chat.getSnapshot().searchMarks).toBe(null);
    await chat.jumpTo(60);
    expect(chat.getSnapshot().searchMarks).toBe(null);
    chat.dispose();
  });
});

describe('a group one has left (decision 0075)', () => {
  /** Group 9: 40 messages, then my removal (or my leaving) at 41; the server serves up to it. */
  const leftGroup = (server: FakeServer, kind: 'member_removed' | 'member_left') => {
    server.conversation(9, 'group');
    for (let i = 1; i <= 40; i += 1) server.append(9, `会议 ${i}`);
    const log = server.logs.get(9)!;
    const leaving = { ...log[0]!, id: 5000, seq: 41, kind, type: null, sender_id: kind === 'member_left' ? 1 : 2, body: kind === 'member_left' ? {} : { user_id: 1, remover_id: 2 } };
    log.push(leaving as unknown as (typeof log)[number]);
    for (let i = 1; i <= 5; i += 1) server.append(9, `after ${i}`);
    const summary = server.summaries.find((s) => s.id === 9)!;
    server.summaries = server.summaries.filter((s) => s.id !== 9);
    server.ceilings.set(9, 41);
    server.handlers.set('conversation.get', () => ({ ...summary, name: '项目群', avatar: 'emoji:🚀', last_seq: 41, preview: null, left_seq: 41 }));
  };

  it('shows in the search box under its name and avatar, and not in the list', async () => {
    const server = new FakeServer();
    leftGroup(server, 'member_left');
    server.handlers.set('friends.list', () => ({ friends: [], contact_groups: [] }));
    server.handlers.set('org.search', () => ({ departments: [], users: [], has_more: false }));
    server.handlers.set('contacts.search', () => ({ users: [], has_more: false }));
    server.handlers.set('messages.search', (data) => ({ results: data.types ? [] : [hit(9, 3, '会议 3')], next: null }));
    const client = await connected(server);
    const vm = new SearchViewModel(client, new NameBook(client), english(), Date.now, 0);
    vm.setQuery('会议');
    await settle();
    const messages = vm.getSnapshot().sections.find((s) => s.name === 'messages')!;
    expect(messages.rows.map((r) => [r.title, r.avatar, r.target])).toEqual([
      ['项目群', { kind: 'group', id: 9, emoji: '🚀' }, { kind: 'message', conversationId: 9, seq: 3, query: '会议' }],
    ]);
    expect(client.conversations()).toEqual([]);
    vm.dispose();
  });

  it('opens read-only: no composer, no member list, and says I was removed', async () => {
    const server = new FakeServer();
    leftGroup(server, 'member_removed');
    const client = await connected(server);
    await client.lookUpConversation(9);
    const chat = new ChatViewModel(9, client, new NameBook(client), english(), new RecentEmoji(new MemoryStore()));
    await settle();
    expect(await chat.jumpTo(5)).toBe(true);
    await settle();
    const snapshot = chat.getSnapshot();
    expect(snapshot.title).toBe('项目群');
    expect(snapshot.canSend).toBe(false);
    expect(snapshot.left).toBe('removed');
    chat.markRead();
    await settle();
    const ops = server.current.sent.filter((f) => f.data?.conversation_id === 9).map((f) => f.op);
    expect(new Set(ops)).toEqual(new Set(['conversation.get', 'history']));
    chat.dispose();
  });

  it('says I left when the last entry is my leaving', async () => {
    const server = new FakeServer();
    leftGroup(server, 'member_left');
    const client = await connected(server);
    await client.lookUpConversation(9);
    const chat = new ChatViewModel(9, client, new NameBook(client), english(), new RecentEmoji(new MemoryStore()));
    await settle();
    expect(chat.getSnapshot().left).toBe('left');
    expect(chat.getSnapshot().items.some((i) => i.kind === 'bubble' && i.seq !== null && i.seq > 41)).toBe(false);
    chat.dispose();
  });
});

describe('the searched words in a bubble (lib/searchMatch)', () => {
  const marked = (query: string, text: string) => matcher(query)(text).map(([a, b]) => text.slice(a, b));

  it('marks Chinese strings anywhere, English word prefixes, codes, emoji and folded forms, as the server matches', () => {
    expect(marked('会议', '我们明天下午三点在会议室开会讨论')).toEqual(['会议']);
    expect(marked('会', '会议室开会')).toEqual(['会', '会']);
    expect(marked('deploy', 'Deployment done, redeploy later, DEPLOY now')).toEqual(['Deployment', 'DEPLOY']);
    expect(marked('so-2024', 'order SO-2024-0117 shipped')).toEqual(['SO-2024']);
    expect(marked('cafe', 'Café au lait')).toEqual(['Café']);
    expect(marked('ＡＢＣ', 'abc and ABCD')).toEqual(['abc', 'ABCD']);
    expect(marked('🚀', 'launch 🚀 now')).toEqual(['🚀']);
    expect(marked('review 会议', 'Review the 会议纪要, reviewers')).toEqual(['Review', '会议', 'reviewers']);
    // One letter is a word, not a prefix; punctuation alone marks nothing.
    expect(marked('a', 'a apple')).toEqual(['a']);
    expect(marked('!!!', 'wow!!!')).toEqual([]);
    // Overlapping hits merge into one mark.
    expect(matcher('会议 议室')('会议室')).toEqual([[0, 3]]);
  });
});
