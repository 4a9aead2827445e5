/**
 * The composer of a muted member (issue 12): it says why and until when instead of sending,
 * follows mute entries live, and a send refused for good is shown, not offered as a retry.
 */
import { Client, MemoryCache, type Entry, type GroupInfo } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer, type FakeConnection, type SentFrame } from '../../../sdk/test/fake-server';
import { RecentEmoji } from '../lib/emoji';
import { MemoryStore } from '../lib/storage';
import { ChatViewModel, type BubbleItem } from '../viewmodels/ChatViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

const NOW = 1_700_000_100_000;

/** A server that refuses every send with one error code. */
class RefusingServer extends FakeServer {
  refuseWith: string | null = null;
  override answer(connection: FakeConnection, frame: SentFrame): void {
    if (frame.op === 'send' && this.refuseWith) {
      connection.reply(frame.id, false, { code: this.refuseWith, message: '' });
      return;
    }
    super.answer(connection, frame);
  }
}

function groupInfo(change: Partial<GroupInfo>): GroupInfo {
  return {
    id: 9, number: 100009, name: 'Crew', member_count: 2, created_at: 0, avatar: '', intro: '', join_mode: 'open',
    mute_all: false, moderation: false, forbid_private_chat: false, size_limit: 10000, disbanded: false,
    role: 'member', powers: [], muted_until: null, view_mode: 'all', ...change,
  } as GroupInfo;
}

async function groupChat(server: FakeServer, info: () => GroupInfo): Promise<{ client: Client; chat: ChatViewModel }> {
  server.conversation(9, 'group');
  server.handlers.set('group.info', () => info());
  server.handlers.set('conversation.members', () => ({
    members: [
      { user_id: 1, role: 'member', nickname: 'Alice', avatar: '' },
      { user_id: 2, role: 'owner', nickname: 'Bob', avatar: '' },
    ],
  }));
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  const store = new MemoryStore();
  const chat = new ChatViewModel(9, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store), () => NOW);
  await settle();
  return { client, chat };
}

/** A group entry as the server pushes it. */
function push(server: FakeServer, kind: Entry['kind'], body: unknown): void {
  const log = server.logs.get(9) ?? [];
  const entry = { ...server.append(9, 'x'), kind, type: null, body } as unknown as Entry;
  log[log.length - 1] = entry;
  server.current.push('entry', entry);
}

const myBubbles = (chat: ChatViewModel) => chat.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble' && i.mine);

describe('ChatViewModel: a muted member', () => {
  it('is told until when, by an admin, or that everyone is muted, live as the entries come', async () => {
    const server = new FakeServer();
    const { client, chat } = await groupChat(server, () => groupInfo({}));
    expect(chat.getSnapshot().muted).toBeNull();
    push(server, 'member_muted', { user_id: 1, until: NOW + 3_600_000 });
    await settle();
    expect(chat.getSnapshot().muted).toMatch(/^You are muted in this group until /);
    chat.setDraft('still typed');
    expect(chat.send()).toBe(false);
    expect(chat.getSnapshot().draft).toBe('still typed');
    push(server, 'member_unmuted', { user_id: 1 });
    await settle();
    expect(chat.getSnapshot().muted).toBeNull();
    push(server, 'member_muted', { user_id: 1, until: -1 });
    await settle();
    expect(chat.getSnapshot().muted).toBe('You have been muted by an admin.');
    push(server, 'member_unmuted', { user_id: 1 });
    // Someone else's mute is not mine; a mute already over holds nobody.
    push(server, 'member_muted', { user_id: 2, until: -1 });
    await settle();
    expect(chat.getSnapshot().muted).toBeNull();
    push(server, 'member_muted', { user_id: 1, until: NOW - 1 });
    await settle();
    expect(chat.getSnapshot().muted).toBeNull();
    push(server, 'group_updated', { mute_all: true });
    await settle();
    expect(chat.getSnapshot().muted).toBe('Everyone is muted: only the owner and admins can send.');
    push(server, 'group_updated', { mute_all: false });
    await settle();
    expect(chat.getSnapshot().muted).toBeNull();
    expect(chat.send()).toBe(true);
    chat.dispose();
    client.stop();
  });

  it('knows a mute from the group info on opening; "mute everyone" spares admins', async () => {
    const muted = await groupChat(new FakeServer(), () => groupInfo({ muted_until: NOW + 60_000 }));
    expect(muted.chat.getSnapshot().muted).toMatch(/^You are muted in this group until /);
    muted.chat.dispose();
    muted.client.stop();
    const admin = await groupChat(new FakeServer(), () => groupInfo({ mute_all: true, role: 'admin' }));
    expect(admin.chat.getSnapshot().muted).toBeNull();
    admin.chat.dispose();
    admin.client.stop();
  });
});

describe('ChatViewModel: a send refused for good', () => {
  it('shows the mute instead of a retry, and offers the retry again once the mute is lifted', async () => {
    const server = new RefusingServer();
    let info = groupInfo({});
    const { client, chat } = await groupChat(server, () => info);
    // The mute's entry has not reached this device yet: the server refuses the send.
    server.refuseWith = 'muted';
    info = groupInfo({ muted_until: NOW + 3_600_000 });
    chat.setDraft('hello?');
    expect(chat.send()).toBe(true);
    await settle();
    const [failed] = myBubbles(chat);
    expect(failed?.state).toBe('failed');
    expect(failed?.failure?.retryable).toBe(false);
    expect(failed?.failure?.text).toMatch(/^You are muted in this group until /);
    expect(chat.getSnapshot().muted).not.toBeNull();
    push(server, 'member_unmuted', { user_id: 1 });
    await settle();
    expect(myBubbles(chat)[0]?.failure).toEqual({ text: 'Failed to send — click to retry', retryable: true });
    chat.dispose();
    client.stop();
  });

  it('says why for other refusals (blocked), never "click to retry"', async () => {
    const server = new RefusingServer();
    const { client, chat } = await groupChat(server, () => groupInfo({}));
    server.refuseWith = 'blocked';
    chat.setDraft('spam spam');
    chat.send();
    await settle();
    const failure = myBubbles(chat)[0]?.failure;
    expect(failure?.retryable).toBe(false);
    expect(failure?.text).not.toContain('retry');
    chat.dispose();
    client.stop();
  });
});
