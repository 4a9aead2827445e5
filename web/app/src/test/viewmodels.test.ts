import { AuthApi, Client, MemoryCache, type SignedIn, type User } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { describeEntry, linkify } from '../lib/format';
import { MemoryStore } from '../lib/storage';
import { RecentEmoji } from '../lib/emoji';
import { ChatViewModel, isForwardCopy, type BubbleItem } from '../viewmodels/ChatViewModel';
import { initials } from '../lib/avatar';
import { ConversationListViewModel } from '../viewmodels/ConversationListViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { SessionViewModel } from '../viewmodels/SessionViewModel';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await tick();
}

async function connected(server: FakeServer): Promise<Client> {
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return client;
}

describe('text formatting', () => {
  it('makes only http(s) links clickable and leaves the rest as text', () => {
    expect(linkify('see https://example.com/a?b=1. ok')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. ok' },
    ]);
    expect(linkify('javascript:alert(1) <img src=x onerror=alert(1)>')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) <img src=x onerror=alert(1)>' },
    ]);
  });
});

describe('PreferencesViewModel', () => {
  it('defaults the language from the browser and switches it in place', () => {
    const store = new MemoryStore();
    const prefs = new PreferencesViewModel(store, ['zh-TW', 'en']);
    expect(prefs.getSnapshot().locale).toBe('zh-CN');
    expect(prefs.getSnapshot().t('rail.chats')).toBe('消息');
    let renders = 0;
    prefs.subscribe(() => renders++);
    prefs.set('locale', 'en');
    expect(prefs.getSnapshot().t('rail.chats')).toBe('Chats');
    expect(renders).toBe(1);
    expect(new PreferencesViewModel(store, ['zh-CN']).getSnapshot().locale).toBe('en');
  });
});

describe('ConversationListViewModel', () => {
  it('shows unread counts, previews with sender names in groups, and pinned first', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const group = server.conversation(5, 'group');
    group.name = 'Team';
    server.append(4, 'hello');
    server.append(5, 'standup at ten', 3);
    const client = await connected(server);
    const prefs = new PreferencesViewModel(new MemoryStore(), ['en']);
    const names = new NameBook(client);
    names.learn([{ user_id: 3, role: 'member', nickname: 'Carol', avatar: '' }]);
    const list = new ConversationListViewModel(client, names, prefs);
    server.current.push('entry', server.append(4, 'are you there?'));
    await settle();
    const [first, second] = list.getSnapshot().items;
    expect(first).toMatchObject({ id: 4, preview: 'are you there?', unread: 1 });
    expect(second).toMatchObject({ id: 5, preview: 'Carol: standup at ten' });
    server.current.push('private', { seq: 1, kind: 'conversation_settings', created_at: 1, data: { conversation_id: 5, pinned: true, muted: false, draft: 'later' } });
    await settle();
    expect(list.getSnapshot().items.map((i) => [i.id, i.pinned, i.draft])).toEqual([[5, true, 'later'], [4, false, '']]);
    list.dispose();
  });

  it("shows a group's emoji avatar, and a new one as soon as it is set", async () => {
    const server = new FakeServer();
    server.conversation(4);
    const group = server.conversation(5, 'group');
    group.avatar = 'emoji:🚀';
    server.conversation(6, 'group').avatar = '';
    const client = await connected(server);
    const list = new ConversationListViewModel(client, new NameBook(client), new PreferencesViewModel(new MemoryStore(), ['en']));
    const emojis = () => Object.fromEntries(list.getSnapshot().items.map((i) => [i.id, i.emoji]));
    expect(emojis()).toEqual({ 4: null, 5: '🚀', 6: null });
    const log = server.logs.get(6) ?? [];
    const changed = { ...server.append(6, 'x'), kind: 'group_updated' as const, type: null, body: { avatar: 'emoji:☕' } };
    log[log.length - 1] = changed;
    server.current.push('entry', changed);
    await settle();
    expect(emojis()).toEqual({ 4: null, 5: '🚀', 6: '☕' });
    list.dispose();
  });
});

describe('ChatViewModel', () => {
  function chat(client: Client, id: number): ChatViewModel {
    const prefs = new PreferencesViewModel(new MemoryStore(), ['en']);
    return new ChatViewModel(id, client, new NameBook(client), prefs, new RecentEmoji(new MemoryStore()));
  }
  const bubbles = (vm: ChatViewModel) => vm.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble');

  it('sends the draft, shows it sending, then sent and delivered', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const client = await connected(server);
    const vm = chat(client, 4);
    await settle();
    server.holdOps.add('send');
    vm.setDraft('hi there  ');
    expect(vm.send()).toBe(true);
    expect(vm.getSnapshot().draft).toBe('');
    expect(bubbles(vm).map((b) => [b.text, b.state])).toEqual([['hi there', 'sending']]);
    server.release('send');
    await settle();
    expect(bubbles(vm).map((b) => [b.text, b.state, b.seq])).toEqual([['hi there', 'sent', 1]]);
    server.current.push('receipt', { conversation_id: 4, user_id: 2, delivered_seq: 1 });
    await settle();
    expect(bubbles(vm)[0]?.state).toBe('delivered');
    expect(vm.send()).toBe(false);
    vm.dispose();
  });

  it('shows a recalled message once, as a notice in its place', async () => {
    const server = new FakeServer();
    server.conversation(4);
    server.append(4, 'secret');
    server.append(4, 'still here');
    const client = await connected(server);
    const vm = chat(client, 4);
    await settle();
    server.current.push('entry', {
      id: 50, conversation_id: 4, seq: 3, sender_id: 2, kind: 'recall', type: null, body: { target_seq: 1 },
      client_msg_id: null, created_at: 1_700_000_000_005, reply_to_seq: null, recalled: false,
    });
    await settle();
    const texts = vm.getSnapshot().items.filter((i) => i.kind === 'notice' && i.key.startsWith('s-')).map((i) => (i.kind === 'notice' ? i.text : ''));
    expect(texts).toEqual(['c4 recalled a message']) // the peer's name is the direct chat's name;
    expect(bubbles(vm).map((b) => b.text)).toEqual(['still here']);
    vm.dispose();
  });

  it('inserts emoji at the caret and remembers them as recently used', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const client = await connected(server);
    const vm = chat(client, 4);
    vm.setDraft('ab', 1);
    vm.insertEmoji('🎉');
    expect(vm.getSnapshot().draft).toBe('a🎉b');
    expect(vm.getSnapshot().recentEmoji).toEqual(['🎉']);
    vm.dispose();
  });
});

describe('SessionViewModel', () => {
  class StubAuth extends AuthApi {
    deviceLogins = 0;
    constructor() {
      super('http://localhost');
    }
    override async signIn(): Promise<SignedIn> {
      return { token: 'token-1', user: { id: 1 } as User, session_id: 7, device_credential: 'cred-1' };
    }
    override async deviceSignIn(): Promise<SignedIn> {
      this.deviceLogins += 1;
      throw new Error('not expected');
    }
  }

  it('shows the forced-offline notice and forgets the device when signed in elsewhere', async () => {
    const server = new FakeServer();
    const local = new MemoryStore();
    const auth = new StubAuth();
    const session = new SessionViewModel({
      auth,
      local,
      tab: new MemoryStore(),
      deviceName: 'test',
      createClient: (token) => new Client({ transport: server.transport, token, cache: new MemoryCache() }),
    });
    await session.restore();
    expect(session.getSnapshot()).toMatchObject({ screen: 'signIn', notice: null });
    await session.signInForm.signInWithPassword('alice', 'pw', true);
    await settle();
    expect(session.getSnapshot().screen).toBe('main');
    expect(session.book.all()[0]?.credential).toBe('cred-1');
    server.current.push('signed_out', { reason: 'signed_in_elsewhere' });
    server.current.drop(4001);
    await settle();
    expect(session.getSnapshot()).toMatchObject({ screen: 'signIn', notice: 'signed_in_elsewhere' });
    expect(local.get('tidings.accounts')).toBeNull();
    expect(session.book.all()).toEqual([]);
    expect(auth.deviceLogins).toBe(0);
  });
});

describe('describeEntry', () => {
  it('says who recalled', () => {
    const prefs = new PreferencesViewModel(new MemoryStore(), ['zh-CN']);
    const entry = {
      id: 1, conversation_id: 1, seq: 2, sender_id: 1, kind: 'recall' as const, type: null, body: { target_seq: 1 },
      client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false,
    };
    expect(describeEntry(entry, 1, { name: () => 'Bob' }, prefs.getSnapshot().t)).toBe('你撤回了一条消息');
    expect(describeEntry(entry, 9, { name: () => 'Bob' }, prefs.getSnapshot().t)).toBe('Bob撤回了一条消息');
  });

  it('words entries about me as "You are"/"You were", and zh-CN without a space after names', () => {
    const base = { id: 1, conversation_id: 1, seq: 2, sender_id: 1, type: null, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false };
    const entries = [
      { ...base, kind: 'role_changed' as const, body: { user_id: 9, role: 'admin' as const, powers: [] } },
      { ...base, kind: 'role_changed' as const, body: { user_id: 9, role: 'member' as const, powers: null } },
      { ...base, kind: 'owner_changed' as const, body: { owner_id: 9, previous_owner_id: 1 } },
      { ...base, kind: 'member_muted' as const, body: { user_id: 9, until: null } },
      { ...base, kind: 'member_removed' as const, body: { user_id: 9 } },
    ] as unknown as Parameters<typeof describeEntry>[0][];
    const names = { name: () => 'Bob' };
    const en = new PreferencesViewModel(new MemoryStore(), ['en']).getSnapshot().t;
    const zh = new PreferencesViewModel(new MemoryStore(), ['zh-CN']).getSnapshot().t;
    expect(entries.map((e) => describeEntry(e, 9, names, en))).toEqual([
      'You are now an admin', 'You are no longer an admin', 'You are now the group owner', 'You were muted', 'You were removed from the group',
    ]);
    expect(entries.map((e) => describeEntry(e, 1, names, en))).toEqual([
      'Bob is now an admin', 'Bob is no longer an admin', 'Bob is now the group owner', 'Bob was muted', 'Bob was removed from the group',
    ]);
    expect(entries.map((e) => describeEntry(e, 9, names, zh))).toEqual(['你成为管理员', '你不再是管理员', '你成为新群主', '你被禁言', '你被移出群聊']);
    expect(describeEntry(entries[3]!, 1, names, zh)).toBe('Bob被禁言');
  });
});

describe('group initials and forwarded copies', () => {
  it('starts a Chinese group name at its start, a person at the given name', () => {
    expect(initials('讨论组', 'group')).toBe('讨论');
    expect(initials('张 三丰')).toBe('三丰');
    expect(initials('Launch crew', 'group')).toBe('LC');
  });

  it('marks copies a forward made, not its note nor a plain message', () => {
    expect(isForwardCopy('fwd-0123')).toBe(true);
    expect(isForwardCopy('fwn-0123')).toBe(false);
    expect(isForwardCopy('c-1')).toBe(false);
    expect(isForwardCopy(null)).toBe(false);
  });
});
