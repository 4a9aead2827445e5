/** The app opened at an invite link (`/invite/<code>`): offered after sign-in, accepted, then the chat. */
import { Client, MemoryCache, type InvitePreview } from '@tidings/sdk';
import { describe, expect, it, vi } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { invitePageCode } from '../lib/invitePage';
import { InviteAcceptViewModel } from '../viewmodels/InviteAcceptViewModel';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { WorkspaceViewModel, type WorkspaceEnvironment } from '../viewmodels/WorkspaceViewModel';
import { WindowRegistry } from '../lib/windowPresence';

const settle = async () => {
  for (let i = 0; i < 12; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const CODE = 'Abc-def_12345678';
const preview = (kind: 'friend' | 'group', userId = 7): InvitePreview => ({
  code: CODE, kind, user_id: userId, conversation_id: kind === 'group' ? 9 : null, created_at: 1, expires_at: null, revoked: false,
  inviter: { id: userId, account: `u${userId}`, nickname: 'Dave Wu', avatar: '', signature: '' },
  ...(kind === 'group' ? { group: { id: 9, name: 'Launch crew', avatar: 'emoji:🚀', member_count: 12 } } : {}),
});

async function connected(server: FakeServer): Promise<Client> {
  server.handlers.set('friends.list', () => ({ friends: [], contact_groups: [] }));
  server.handlers.set('friends.requests', () => ({ pending_count: 0, incoming: [], outgoing: [] }));
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return client;
}

describe('invitePageCode', () => {
  it('reads the code of /invite/<code> and nothing else', () => {
    expect(invitePageCode(`/invite/${CODE}`)).toBe(CODE);
    expect(invitePageCode(`/invite/${CODE}/`)).toBe(CODE);
    for (const other of ['/', '/invite/', '/invite/short', `/invite/${CODE}/x`, `/x/invite/${CODE}`, '/invite/a<b>cdefghij']) {
      expect(invitePageCode(other)).toBeNull();
    }
  });
});

describe('InviteAcceptViewModel', () => {
  it('shows a group invite, joins with a message, and opens the chat once it is in the list', async () => {
    const server = new FakeServer();
    const calls: Record<string, unknown>[] = [];
    server.handlers.set('invites.get', () => preview('group'));
    server.handlers.set('invites.accept', (data) => {
      calls.push(data);
      return { kind: 'group', conversation_id: 9, status: 'joined' };
    });
    const client = await connected(server);
    const vm = new InviteAcceptViewModel(client, CODE);
    await settle();
    expect(vm.getSnapshot()).toMatchObject({ loading: false, kind: 'group', name: 'Launch crew', emoji: '🚀', memberCount: 12, own: false, already: false, chatReady: false });
    vm.setMessage('  hello  ');
    await vm.accept();
    expect(calls).toEqual([{ code: CODE, message: 'hello' }]);
    expect(vm.getSnapshot()).toMatchObject({ result: 'joined', conversationId: 9, chatReady: false });
    // The group arrives through sync.
    server.conversation(9, 'group');
    server.current.push('private', { seq: 1, kind: 'conversation_joined', created_at: 1, data: { conversation_id: 9 } });
    server.handlers.set('conversation.get', () => server.summaries.find((s) => s.id === 9));
    await settle();
    expect(vm.getSnapshot().chatReady).toBe(true);
    vm.dispose();
    client.stop();
  });

  it('waits for the connection to look the invite up (just signed in)', async () => {
    const server = new FakeServer();
    server.handlers.set('invites.get', () => preview('friend'));
    server.handlers.set('friends.list', () => ({ friends: [], contact_groups: [] }));
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    const vm = new InviteAcceptViewModel(client, CODE);
    expect(vm.getSnapshot()).toMatchObject({ loading: true, kind: null, error: null });
    await client.start();
    await settle();
    expect(vm.getSnapshot()).toMatchObject({ loading: false, kind: 'friend', name: 'Dave Wu', error: null });
    vm.dispose();
    client.stop();
  });

  it('says when the link is mine, the group already mine, or the invite gone', async () => {
    const server = new FakeServer();
    server.handlers.set('invites.get', () => preview('friend', 1));
    const client = await connected(server);
    const own = new InviteAcceptViewModel(client, CODE);
    await settle();
    expect(own.getSnapshot()).toMatchObject({ kind: 'friend', own: true });
    await own.accept();
    expect(server.current.ops('invites.accept')).toEqual([]);

    server.conversation(9, 'group');
    server.handlers.set('invites.get', () => preview('group'));
    const member = new InviteAcceptViewModel(client, CODE);
    await settle();
    expect(member.getSnapshot()).toMatchObject({ already: false });
    // (Known only after the sync brings the group; a reconnect does.)
    server.current.drop();
    await new Promise((resolve) => setTimeout(resolve, 700));
    await settle();
    await member.load();
    expect(member.getSnapshot()).toMatchObject({ already: true, chatReady: true });

    server.handlers.set('invites.get', () => {
      throw new Error('invalid_invite');
    });
    const gone = new InviteAcceptViewModel(client, CODE);
    await settle();
    expect(gone.getSnapshot()).toMatchObject({ loading: false, kind: null, error: 'invalid_invite' });
    for (const vm of [own, member, gone]) vm.dispose();
    client.stop();
  });
});

describe('WorkspaceViewModel at an invite link', () => {
  it('offers the invite after sign-in; accepting a friend invite opens the chat; the address is left', async () => {
    const server = new FakeServer();
    server.handlers.set('invites.get', () => preview('friend'));
    server.handlers.set('invites.accept', () => ({ kind: 'friend', user_id: 7 }));
    server.handlers.set('conversation.open_direct', () => ({ ...server.conversation(40), peer: { user_id: 7, read_seq: 0, delivered_seq: 0 } }));
    const client = await connected(server);
    let address = `/invite/${CODE}`;
    const environment: WorkspaceEnvironment = {
      windows: new WindowRegistry({ main: true, shown: null, visible: true, focused: true, focusedAt: 0 }, null),
      alerts: { playSound: () => undefined, notify: () => undefined, permission: () => 'denied', requestPermission: () => Promise.resolve('denied') },
      openWindow: () => undefined,
      invite: () => invitePageCode(address),
      inviteHandled: () => {
        address = '/';
      },
    };
    const workspace = new WorkspaceViewModel(client, new PreferencesViewModel(new MemoryStore(), ['en']), new MemoryStore(), null, environment);
    // The dialog's code is fetched when it first opens.
    await vi.waitFor(() => expect(workspace.getSnapshot().dialog).not.toBeNull());
    const dialog = workspace.getSnapshot().dialog;
    expect(dialog?.kind).toBe('acceptInvite');
    if (dialog?.kind !== 'acceptInvite') throw new Error('no invite dialog');
    await settle();
    expect(dialog.vm.getSnapshot()).toMatchObject({ kind: 'friend', name: 'Dave Wu', account: 'u7' });
    await dialog.vm.accept();
    expect(dialog.vm.getSnapshot()).toMatchObject({ result: 'friends', userId: 7, chatReady: true });
    workspace.openInvitedChat();
    await settle();
    expect(workspace.getSnapshot()).toMatchObject({ dialog: null, selectedId: 40 });
    expect(address).toBe('/');
    workspace.dispose();
    // A popped-out window never offers it.
    address = `/invite/${CODE}`;
    const popout = new WorkspaceViewModel(client, new PreferencesViewModel(new MemoryStore(), ['en']), new MemoryStore(), 4, environment);
    expect(popout.getSnapshot().dialog).toBeNull();
    popout.dispose();
    client.stop();
  });
});
