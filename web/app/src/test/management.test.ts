/**
 * The contact, group and file management view models: tags and the tag filter, nested contact
 * groups, ignoring a request, the blocked list, imports with their report, invite links with
 * QR codes, announcements' readers and group settings, group files and favourites.
 */
import { Client, MemoryCache, TidingsError, type Friend, type Invite } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { ContactImportViewModel, BlockedListViewModel } from '../viewmodels/ContactToolsViewModels';
import { cleanTags, ContactsViewModel, type ContactServices } from '../viewmodels/ContactsViewModel';
import { ConversationFilesViewModel, FavoritesViewModel, expiryText } from '../viewmodels/FileBrowserViewModels';
import { FileLinks } from '../viewmodels/FileLinks';
import { avatarEmoji, GroupInfoViewModel } from '../viewmodels/GroupInfoViewModel';
import { InviteLinksViewModel, inviteCode, type InviteEnvironment } from '../viewmodels/InviteLinksViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';

const settle = async () => {
  for (let i = 0; i < 12; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const card = (id: number, nickname: string) => ({ id, account: `u${id}`, nickname, avatar: '', signature: '' });
const friend = (id: number, nickname: string, group: number | null, tags: string[] = []): Friend => ({
  user_id: id, remark: '', tags, contact_group_id: group, user: card(id, nickname),
});
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

function fakeInvites(): InviteEnvironment & { made: string[]; revoked: string[] } {
  const made: string[] = [];
  const revoked: string[] = [];
  return {
    origin: 'https://chat.example.com',
    qrImage: (code) => Promise.resolve(new Blob([code], { type: 'image/png' })),
    objectUrl: () => {
      made.push(`blob:${made.length}`);
      return `blob:${made.length - 1}`;
    },
    revokeObjectUrl: (url) => void revoked.push(url),
    made,
    revoked,
  };
}

describe('ContactsViewModel: tags, nested groups and requests', () => {
  it('tags friends, filters by a tag, moves groups (never into themselves) and ignores a request', async () => {
    const server = new FakeServer();
    const calls: Calls = [];
    const on = recorder(server, calls);
    let friends = [friend(2, 'Bob', 11, ['design']), friend(3, 'Carol', 10, ['web', 'design']), friend(4, 'Dave', null)];
    const groups = [
      { id: 10, parent_id: null, name: 'Work' },
      { id: 11, parent_id: 10, name: 'Design' },
      { id: 12, parent_id: 11, name: 'Icons' },
      { id: 13, parent_id: null, name: 'Family' },
    ];
    on('friends.list', () => ({ friends, contact_groups: groups }));
    on('friends.requests', { pending_count: 1, incoming: [{ request_id: 7, from_user: card(6, 'Erin'), message: 'hi', created_at: 1 }], outgoing: [] });
    on('contacts.update', (data) => {
      friends = friends.map((f) => (f.user_id === data.user_id ? { ...f, tags: data.tags as string[] } : f));
      return { user_id: data.user_id, remark: '', tags: data.tags, contact_group_id: null };
    });
    on('contact_groups.move', { groups });
    on('contact_groups.create', { id: 14, parent_id: 12, name: 'Line' });
    on('friends.ignore', { request_id: 7, status: 'ignored' });
    const client = await connected(server);
    const vm = new ContactsViewModel(client, new NameBook(client), english(), Date.now, 0);
    await settle();

    expect(vm.getSnapshot().tags).toEqual([{ name: 'design', count: 2 }, { name: 'web', count: 1 }]);
    expect(vm.getSnapshot().friendGroups.flatMap((g) => g.people.map((p) => [p.name, p.tags]))).toContainEqual(['Carol', ['web', 'design']]);

    // Filter: only friends with the tag, only groups with someone in them.
    vm.filterByTag('web');
    expect(vm.getSnapshot().friendGroups.map((g) => [g.name, g.people.map((p) => p.name)])).toEqual([['Work', ['Carol']]]);
    vm.filterByTag(null);
    expect(vm.getSnapshot().friendGroups.map((g) => g.name)).toEqual(['Family', 'Work', 'Design', 'Icons', 'Not in a group']);

    // Add and remove tags: the whole list goes to the server, trimmed, without repeats.
    await vm.addTag(4, '  ops ');
    await vm.addTag(4, 'ops');
    expect(sent(calls, 'contacts.update')).toEqual([
      { user_id: 4, tags: ['ops'] },
      { user_id: 4, tags: ['ops'] },
    ]);
    await vm.removeTag(3, 'web');
    expect(sent(calls, 'contacts.update').at(-1)).toEqual({ user_id: 3, tags: ['design'] });
    expect(cleanTags(Array.from({ length: 25 }, (_, i) => `t${i % 22}`)).length).toBe(20);
    expect(cleanTags(['x'.repeat(40)])).toEqual(['x'.repeat(32)]);

    // Nested groups: a subgroup at any depth; a group moves anywhere but into itself or below.
    await vm.createGroup('Line', 12);
    expect(sent(calls, 'contact_groups.create')).toEqual([{ name: 'Line', parent_id: 12 }]);
    expect(vm.moveTargets(11).map((g) => g.name)).toEqual(['Family', 'Work']);
    await vm.moveGroup(11, 13);
    await vm.moveGroup(11, null);
    expect(sent(calls, 'contact_groups.move')).toEqual([
      { group_id: 11, parent_id: 13 },
      { group_id: 11, parent_id: null },
    ]);

    await vm.ignore(7);
    expect(sent(calls, 'friends.ignore')).toEqual([{ request_id: 7 }]);
    vm.dispose();
    client.stop();
  });

  it('opens the tools on the right with view models of their own, disposed when left', async () => {
    const server = new FakeServer();
    const calls: Calls = [];
    const on = recorder(server, calls);
    on('friends.list', { friends: [], contact_groups: [] });
    on('friends.requests', { pending_count: 0, incoming: [], outgoing: [] });
    on('blocks.list', { blocked: [card(8, 'Grace')] });
    on('invites.list', { invites: [] });
    on('favorites.files', { files: [] });
    const client = await connected(server);
    const services: ContactServices = {
      links: new FileLinks(client),
      importContacts: () => Promise.resolve({ added: 0, rejected: 0, rows: [] }),
      invites: fakeInvites(),
    };
    const vm = new ContactsViewModel(client, new NameBook(client), english(), Date.now, 0, services);
    await settle();
    for (const kind of ['blocked', 'import', 'invite', 'favorites'] as const) {
      await vm.select({ kind });
      expect(vm.getSnapshot().tool?.kind).toBe(kind);
    }
    // A tool picked and left before its code came is not shown (nor left running).
    const late = vm.select({ kind: 'blocked' });
    void vm.select({ kind: 'import' });
    await late;
    await settle();
    expect(vm.getSnapshot().tool?.kind).toBe('import');
    await settle();
    expect(calls.map(([op]) => op)).toEqual(expect.arrayContaining(['blocks.list', 'invites.list', 'favorites.files']));
    await vm.select(null);
    expect(vm.getSnapshot().tool).toBeNull();
    vm.dispose();
    client.stop();
  });
});

describe('BlockedListViewModel', () => {
  it('lists the people I blocked and unblocks one', async () => {
    const server = new FakeServer();
    const calls: Calls = [];
    const on = recorder(server, calls);
    on('blocks.list', { blocked: [card(8, 'Grace'), card(9, 'Bert')] });
    on('blocks.remove', { user_id: 8, blocked: false });
    const client = await connected(server);
    const vm = new BlockedListViewModel(client, english());
    await settle();
    expect(vm.getSnapshot().people.map((p) => p.name)).toEqual(['Bert', 'Grace']);
    await vm.unblock(8);
    expect(sent(calls, 'blocks.remove')).toEqual([{ user_id: 8 }]);
    expect(vm.getSnapshot().people.map((p) => p.name)).toEqual(['Bert']);
    vm.dispose();
    client.stop();
  });
});

describe('ContactImportViewModel', () => {
  it('shows the report row by row, in my language where it knows the reason', async () => {
    const preferences = english();
    const vm = new ContactImportViewModel(
      () =>
        Promise.resolve({
          added: 1,
          rejected: 2,
          rows: [
            { row: 2, account: 'erin', status: 'requested', request_id: 4 },
            { row: 3, account: 'bob', status: 'updated' },
            { row: 4, account: 'ghost', status: 'rejected', reason: 'no such user' },
            { row: 5, account: 'x', status: 'rejected', reason: 'Some <b>new</b> reason' },
          ],
        }),
      preferences,
    );
    await vm.importFile(new Blob(['account\n']), 'people.csv');
    const report = vm.getSnapshot().report;
    expect(report).toMatchObject({ added: 1, updated: 1, rejected: 2 });
    expect(report?.rows.map((r) => [r.row, r.status, r.reason])).toEqual([
      [2, 'requested', ''],
      [3, 'updated', ''],
      [4, 'rejected', 'no such user'],
      // Unknown reasons are shown as the server's words — as text, by the view.
      [5, 'rejected', 'Some <b>new</b> reason'],
    ]);
    preferences.set('locale', 'zh-CN');
    expect(vm.getSnapshot().report?.rows[2]?.reason).toBe('用户不存在');
    vm.dispose();
  });

  it('refuses other file types and says when the server cannot read the file', async () => {
    let uploads = 0;
    const vm = new ContactImportViewModel(() => {
      uploads += 1;
      return Promise.reject(new TidingsError('bad_file', 'no account column'));
    }, english());
    await vm.importFile(new Blob(['x']), 'people.pdf');
    expect(uploads).toBe(0);
    expect(vm.getSnapshot().error).toMatch(/\.csv or \.xlsx/);
    await vm.importFile(new Blob(['x']), 'people.xlsx');
    expect(uploads).toBe(1);
    expect(vm.getSnapshot()).toMatchObject({ report: null, error: expect.stringMatching(/Nothing was changed/) });
    vm.dispose();
  });
});

describe('InviteLinksViewModel', () => {
  it('reads the code in a pasted link or a bare code', () => {
    expect(inviteCode('https://chat.example.com/invite/AbC_def-1234567890')).toBe('AbC_def-1234567890');
    expect(inviteCode('  AbC_def-1234567890 ')).toBe('AbC_def-1234567890');
    expect(inviteCode('https://chat.example.com/invite/AbC_def-1234567890?x=1')).toBe('AbC_def-1234567890');
    expect(inviteCode('javascript:alert(1)')).toBeNull();
    expect(inviteCode('')).toBeNull();
  });

  it('makes a link with its QR code, lists live ones first, revokes, and accepts a friend link', async () => {
    const now = Date.UTC(2026, 4, 10, 8, 0);
    const server = new FakeServer();
    const calls: Calls = [];
    const on = recorder(server, calls);
    const invite = (code: string, change: Partial<Invite> = {}): Invite => ({
      code, kind: 'friend', user_id: 1, conversation_id: null, created_at: now - 1000, expires_at: null, revoked: false, ...change,
    });
    on('invites.list', {
      invites: [
        invite('old-expired-code', { expires_at: now - 10 }),
        invite('group-code-00001', { kind: 'group', conversation_id: 9 }),
        invite('live-forever-code'),
      ],
    });
    on('invites.create', (data) => invite('brand-new-code-1', { created_at: now, expires_at: now + (data.expires_in_seconds as number) * 1000 }));
    on('invites.revoke', null);
    on('invites.get', { ...invite('someone-elses-code'), user_id: 5, inviter: card(5, 'Erin'), group: null });
    on('invites.accept', { kind: 'friend', user_id: 5 });
    const client = await connected(server);
    const env = fakeInvites();
    const vm = new InviteLinksViewModel(client, 'friend', null, english(), env, () => now);
    await settle();
    expect(vm.getSnapshot().invites.map((i) => [i.code, i.state])).toEqual([
      ['live-forever-code', 'live'],
      ['old-expired-code', 'expired'],
    ]);
    expect(vm.getSnapshot().invites[0]).toMatchObject({ link: 'https://chat.example.com/invite/live-forever-code', expiry: 'Never expires' });

    await vm.create(7 * 86_400);
    await settle();
    expect(sent(calls, 'invites.create')).toEqual([{ kind: 'friend', expires_in_seconds: 604_800 }]);
    expect(vm.getSnapshot().invites[0]).toMatchObject({ code: 'brand-new-code-1', state: 'live' });
    expect(vm.getSnapshot().invites[0]?.expiry).toMatch(/^Expires /);
    expect(vm.getSnapshot().qr).toEqual({ code: 'brand-new-code-1', url: 'blob:0', error: null });

    await vm.revoke('brand-new-code-1');
    expect(sent(calls, 'invites.revoke')).toEqual([{ code: 'brand-new-code-1' }]);
    expect(vm.getSnapshot().invites.find((i) => i.code === 'brand-new-code-1')?.state).toBe('revoked');
    // The QR code of a revoked link goes, and its object URL is released.
    expect(vm.getSnapshot().qr).toBeNull();
    expect(env.revoked).toEqual(['blob:0']);

    await vm.lookup('https://chat.example.com/invite/someone-elses-code');
    expect(vm.getSnapshot().found).toMatchObject({ kind: 'friend', name: 'Erin', result: null });
    await vm.acceptFound();
    expect(sent(calls, 'invites.accept')).toEqual([{ code: 'someone-elses-code', message: '' }]);
    expect(vm.getSnapshot().found?.result).toBe('friends');
    vm.dispose();
    client.stop();
  });

  it('makes group links for one group', async () => {
    const server = new FakeServer();
    const calls: Calls = [];
    const on = recorder(server, calls);
    on('invites.list', { invites: [] });
    on('invites.create', { code: 'group-link-000001', kind: 'group', user_id: 1, conversation_id: 9, created_at: 1, expires_at: null, revoked: false });
    const client = await connected(server);
    const vm = new InviteLinksViewModel(client, 'group', 9, english(), fakeInvites());
    await vm.create(null);
    expect(sent(calls, 'invites.create')).toEqual([{ kind: 'group', conversation_id: 9 }]);
    vm.dispose();
    client.stop();
  });
});

describe('file lists', () => {
  const file = (id: string, change: Record<string, unknown> = {}) => ({
    id, uploader_id: 2, name: `${id}.pdf`, mime: 'application/pdf', kind: 'file', size: 2048, state: 'complete',
    created_at: 1, completed_at: 1, expires_at: null, expired: false, url: `/files/${id}`, ...change,
  });

  it('say when a file expires', () => {
    const t = english().getSnapshot().t;
    expect(expiryText({ expires_at: null, expired: false }, 10, 'en', t)).toBeNull();
    expect(expiryText({ expires_at: 5, expired: false }, 10, 'en', t)).toBe('Expired');
    expect(expiryText({ expires_at: Date.UTC(2026, 4, 12, 9, 30), expired: false }, 10, 'en', t)).toMatch(/^Expires 5\/12/);
  });

  it("browse a group's files by type and time, save one, and remove one by recalling its message", async () => {
    const now = Date.UTC(2026, 4, 10, 8, 0);
    const server = new FakeServer();
    server.conversation(9, 'group');
    const calls: Calls = [];
    const on = recorder(server, calls);
    on('conversation.files', (data) => ({
      conversation_id: 9,
      files: [
        { ...file('mine', { uploader_id: 1, expires_at: now + 86_400_000 }), seq: 7, sender_id: 1, sent_at: now - 60_000 },
        { ...file('theirs'), seq: 5, sender_id: 2, sent_at: now - 3_600_000, ...(data.kind === 'image' ? { kind: 'image' } : {}) },
      ],
    }));
    on('favorites.add', { ...file('theirs'), saved_at: now });
    on('recall', (data) => ({ id: 99, conversation_id: 9, seq: 8, sender_id: 1, kind: 'recall', type: null, body: { target_seq: data.seq }, client_msg_id: null, created_at: now, reply_to_seq: null, recalled: false }));
    const client = await connected(server);
    let admin = false;
    const vm = new ConversationFilesViewModel(9, client, new FileLinks(client), new NameBook(client), english(), () => admin, () => now);
    await settle();
    const rows = vm.getSnapshot().rows;
    expect(rows.map((r) => [r.name, r.canDelete, r.expiry !== null])).toEqual([
      ['mine.pdf', true, true],
      ['theirs.pdf', false, false],
    ]);
    expect(rows[0]?.size).toBe('2 KB');

    vm.filter('image', 'week');
    await settle();
    expect(sent(calls, 'conversation.files').at(-1)).toEqual({ conversation_id: 9, limit: 50, kind: 'image', since: now - 7 * 86_400_000 });

    await vm.addFavorite('theirs');
    expect(sent(calls, 'favorites.add')).toEqual([{ file_id: 'theirs' }]);
    expect(vm.getSnapshot().notice).toBe('Saved to favourites');

    admin = true;
    vm.filter('all', 'all');
    await settle();
    expect(vm.getSnapshot().rows.every((r) => r.canDelete)).toBe(true);
    vm.askDelete(5);
    expect(vm.getSnapshot().confirmDelete).toEqual({ seq: 5, name: 'theirs.pdf' });
    await vm.confirmDeleteNow();
    expect(sent(calls, 'recall')).toEqual([{ conversation_id: 9, seq: 5 }]);
    expect(vm.getSnapshot().rows.map((r) => r.name)).toEqual(['mine.pdf']);
    vm.dispose();
    client.stop();
  });

  it('list my favourites newest first, page on, and remove one', async () => {
    const server = new FakeServer();
    const calls: Calls = [];
    const on = recorder(server, calls);
    const page = Array.from({ length: 50 }, (_, i) => ({ ...file(`f${i}`), saved_at: 1000 - i }));
    on('favorites.files', (data) => ({ files: data.before === undefined ? page : [{ ...file('last'), saved_at: 1 }] }));
    on('favorites.remove', null);
    const client = await connected(server);
    const vm = new FavoritesViewModel(client, new FileLinks(client), english());
    await settle();
    expect(vm.getSnapshot()).toMatchObject({ loading: false, more: true });
    await vm.loadMore();
    expect(sent(calls, 'favorites.files').at(-1)).toEqual({ limit: 50, before: 951 });
    expect(vm.getSnapshot().rows.length).toBe(51);
    await vm.remove('f0');
    expect(sent(calls, 'favorites.remove')).toEqual([{ file_id: 'f0' }]);
    expect(vm.getSnapshot().rows.some((r) => r.fileId === 'f0')).toBe(false);
    vm.dispose();
    client.stop();
  });
});

describe('GroupInfoViewModel: announcements, settings, invite links and files', () => {
  it("shows read counts and readers to those who post, edits, and changes the owner's settings", async () => {
    const server = new FakeServer();
    server.conversation(9, 'group');
    const calls: Calls = [];
    const on = recorder(server, calls);
    let info = {
      id: 9, number: 100009, name: 'Crew', member_count: 3, created_at: 0, avatar: '', intro: '', join_mode: 'invite_code',
      mute_all: false, moderation: false, forbid_private_chat: false, size_limit: 10000, disbanded: false,
      role: 'owner', powers: [], muted_until: null, view_mode: 'all', keywords: [], rate_count: 0, rate_seconds: 0,
    };
    on('group.info', () => info);
    on('group.members', { members: [1, 2, 3].map((id) => ({ user_id: id, role: id === 1 ? 'owner' : 'member', powers: [], muted_until: null, nickname: `u${id}`, avatar: '' })), next_after_user_id: null });
    on('group.announcements', { announcements: [{ id: 4, conversation_id: 9, author_id: 1, text: 'Ship it', pinned: true, created_at: 1, edited_at: null, read: true }] });
    on('group.board', { items: [] });
    on('group.join_requests', { requests: [] });
    on('group.moderation_queue', { pending: [] });
    on('group.blacklist', { blacklist: [] });
    on('group.announcement.reads', { announcement_id: 4, read_count: 1, unread_count: 1, read_by: [2], unread_by: [3] });
    on('group.announcement.edit', { id: 4 });
    on('group.update', (data) => {
      const { conversation_id: _id, ...change } = data;
      info = { ...info, ...change } as typeof info;
      return info;
    });
    on('invites.list', { invites: [] });
    on('conversation.files', { conversation_id: 9, files: [] });
    const client = await connected(server);
    const vm = new GroupInfoViewModel(9, client, new NameBook(client), english(), Date.now, { links: new FileLinks(client), invites: fakeInvites() });
    await settle();
    expect(vm.getSnapshot().announcements[0]).toMatchObject({ text: 'Ship it', readCount: 1, unreadCount: 1, edited: false });
    await vm.showReads(4);
    expect(vm.getSnapshot().reads).toEqual({ announcementId: 4, readBy: ['u2'], unreadBy: ['u3'] });
    vm.hideReads();
    await vm.editAnnouncement(4, { text: 'Ship it on Friday' });
    expect(sent(calls, 'group.announcement.edit')).toEqual([{ announcement_id: 4, text: 'Ship it on Friday' }]);

    expect(vm.getSnapshot().can.sizeLimit).toBe(true);
    await vm.setAvatar('🚀');
    await vm.setSizeLimit(500);
    await vm.setRateRule(5, 10);
    await vm.setRateRule(5, 0);
    expect(sent(calls, 'group.update').map(({ conversation_id: _c, ...rest }) => rest)).toEqual([
      { avatar: 'emoji:🚀' },
      { size_limit: 500 },
      { rate_count: 5, rate_seconds: 10 },
      { rate_count: 0, rate_seconds: 0 },
    ]);
    expect(avatarEmoji(vm.getSnapshot().avatar)).toBe('🚀');
    expect(vm.getSnapshot()).toMatchObject({ sizeLimit: 500, rateCount: 0 });

    vm.openInvites();
    vm.openFiles();
    await settle();
    expect(vm.getSnapshot().invites?.kind).toBe('group');
    expect(sent(calls, 'conversation.files')).toEqual([{ conversation_id: 9, limit: 50 }]);
    vm.closeInvites();
    vm.closeFiles();
    expect(vm.getSnapshot()).toMatchObject({ invites: null, files: null });
    vm.dispose();
    client.stop();
  });
});

describe('WorkspaceViewModel.addFavorite', () => {
  it("saves a message's file to my favourites and says so (or why not)", async () => {
    const server = new FakeServer();
    const calls: Calls = [];
    const on = recorder(server, calls);
    on('friends.list', { friends: [], contact_groups: [] });
    on('friends.requests', { pending_count: 0, incoming: [], outgoing: [] });
    on('favorites.add', (data) => {
      if (data.file_id === 'gone') throw new Error('file_expired');
      return { id: data.file_id, saved_at: 1 };
    });
    const client = await connected(server);
    const workspace = new WorkspaceViewModel(client, english(), new MemoryStore());
    expect(await workspace.addFavorite('f1')).toBe(true);
    expect(sent(calls, 'favorites.add')).toEqual([{ file_id: 'f1' }]);
    expect(workspace.getSnapshot().flash).toBe('Saved to favourites');
    expect(await workspace.addFavorite('gone')).toBe(false);
    expect(workspace.getSnapshot().flash).toBe('The file has expired.');
    workspace.dispose();
    client.stop();
  });
});
