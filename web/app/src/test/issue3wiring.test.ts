/**
 * The app's use of what the server gained for contacts, the organization and groups: a plain
 * member's invite into an approval group (join requests, "invited by"), `blocked` on profiles,
 * department breadcrumbs (`path_items`), names looked up together (`users.lookup`), and
 * expiry for images, voice messages and videos.
 */
import { Client, MemoryCache, type GroupInfo, type GroupMember, type OrgDepartment, type Uploader } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import type { ImagePreparer } from '../lib/images';
import { RecentEmoji } from '../lib/emoji';
import { MemoryStore } from '../lib/storage';
import { ChatViewModel, favoriteFileOf, type BubbleItem } from '../viewmodels/ChatViewModel';
import { abilities, GroupInfoViewModel } from '../viewmodels/GroupInfoViewModel';
import { LOOKUP_BATCH, NameBook } from '../viewmodels/NameBook';
import { crumbsOf, OrgViewModel } from '../viewmodels/OrgViewModel';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { ProfileViewModel } from '../viewmodels/ProfileViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

const card = (id: number, nickname: string) => ({ id, account: `u${id}`, nickname, avatar: '', signature: '' });
const member = (user_id: number, role: GroupMember['role']): GroupMember => ({
  user_id, role, powers: [], muted_until: null, nickname: `u${user_id}`, avatar: '',
});

async function connected(server: FakeServer, uploader?: Uploader): Promise<Client> {
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), ...(uploader ? { uploader } : {}) });
  await client.start();
  await settle();
  return client;
}

function groupInfo(change: Partial<GroupInfo>): GroupInfo {
  return {
    id: 9, number: 100009, name: 'Crew', member_count: 2, created_at: 0, avatar: '', intro: '', join_mode: 'approval',
    mute_all: false, moderation: false, forbid_private_chat: false, size_limit: 10000, disbanded: false,
    role: 'member', powers: [], muted_until: null, view_mode: 'all', ...change,
  } as GroupInfo;
}

describe('inviting into an approval group', () => {
  it('is offered to plain members (but not invite links), not in assigned groups', () => {
    const plain = abilities({ role: 'member', powers: [], join_mode: 'approval', disbanded: false });
    expect([plain.invite, plain.inviteLinks, plain.approve]).toEqual([true, false, false]);
    const approver = abilities({ role: 'admin', powers: ['approve_joins'], join_mode: 'approval', disbanded: false });
    expect([approver.invite, approver.inviteLinks, approver.approve]).toEqual([true, true, true]);
    const assigned = abilities({ role: 'owner', powers: [], join_mode: 'back_office', disbanded: false });
    expect([assigned.invite, assigned.inviteLinks]).toEqual([false, false]);
    expect(abilities({ role: 'member', powers: [], join_mode: 'approval', disbanded: true }).invite).toBe(false);
  });

  it('says the invitees wait for approval, or that they already do', async () => {
    const server = new FakeServer();
    server.conversation(9, 'group');
    let waiting = false;
    const invites: unknown[] = [];
    server.handlers.set('group.info', () => groupInfo({}));
    server.handlers.set('group.members', () => ({ members: [member(1, 'member'), member(5, 'owner')], next_after_user_id: null }));
    server.handlers.set('group.announcements', () => ({ announcements: [] }));
    server.handlers.set('group.board', () => ({ items: [] }));
    server.handlers.set('group.invite', (data) => {
      invites.push(data);
      if (waiting) throw new Error('conflict');
      waiting = true;
      return {
        status: 'pending',
        requests: [7, 8].map((id) => ({ id, conversation_id: 9, user_id: id, message: '', status: 'pending', created_at: 1, invited_by: 1 })),
      };
    });
    const client = await connected(server);
    const vm = new GroupInfoViewModel(9, client, new NameBook(client), new PreferencesViewModel(new MemoryStore(), ['en']));
    await settle();
    expect(vm.getSnapshot().can).toMatchObject({ invite: true, inviteLinks: false, approve: false });
    expect(await vm.invite([7, 8])).toBe(true);
    expect(invites).toEqual([{ conversation_id: 9, user_ids: [7, 8] }]);
    expect(vm.getSnapshot().toast).toBe('Invited: waiting for approval by the group admins (2)');
    expect(await vm.invite([7, 8])).toBe(true);
    expect(vm.getSnapshot().toast).toBe('Already invited: waiting for approval');
    vm.dispose();
    client.stop();
  });

  it('shows approvers who invited whom', async () => {
    const server = new FakeServer();
    server.conversation(9, 'group');
    server.handlers.set('group.info', () => groupInfo({ role: 'owner' }));
    server.handlers.set('group.members', () => ({
      members: [{ ...member(1, 'owner'), nickname: 'Alice' }, { ...member(3, 'member'), nickname: 'Carol' }],
      next_after_user_id: null,
    }));
    server.handlers.set('group.announcements', () => ({ announcements: [] }));
    server.handlers.set('group.board', () => ({ items: [] }));
    server.handlers.set('group.blacklist', () => ({ blacklist: [] }));
    server.handlers.set('group.moderation_queue', () => ({ pending: [] }));
    server.handlers.set('users.lookup', () => ({ users: [{ ...card(7, 'Grace'), is_friend: false, remark: '', departments: [] }] }));
    server.handlers.set('group.join_requests', () => ({
      requests: [
        { id: 1, conversation_id: 9, user_id: 7, message: '', status: 'pending', created_at: 1, invited_by: 3 },
        { id: 2, conversation_id: 9, user_id: 3, message: 'me too', status: 'pending', created_at: 1, invited_by: null },
      ],
    }));
    const client = await connected(server);
    const vm = new GroupInfoViewModel(9, client, new NameBook(client), new PreferencesViewModel(new MemoryStore(), ['en']));
    await settle();
    expect(vm.getSnapshot().joinRequests.map((r) => [r.name, r.invitedBy])).toEqual([['Grace', 'Carol'], ['Carol', null]]);
    vm.dispose();
    client.stop();
  });
});

describe('ProfileViewModel: blocked', () => {
  it('takes whether I blocked them from the profile, without reading my block list', async () => {
    const server = new FakeServer();
    const ops: string[] = [];
    let blocked = true;
    server.handlers.set('profile.get', () => {
      ops.push('profile.get');
      return { ...card(7, 'Grace'), work_email: '', office_phone: '', desk: '', departments: [], contact: null, blocked };
    });
    server.handlers.set('blocks.list', () => {
      ops.push('blocks.list');
      return { blocked: [] };
    });
    server.handlers.set('blocks.remove', () => ({ user_id: 7, blocked: false }));
    const client = await connected(server);
    const vm = new ProfileViewModel(7, client);
    await settle();
    expect(vm.getSnapshot().blocked).toBe(true);
    await vm.setBlocked(false);
    expect(vm.getSnapshot().blocked).toBe(false);
    blocked = false;
    await vm.load();
    expect(vm.getSnapshot().blocked).toBe(false);
    expect(ops).not.toContain('blocks.list');
    vm.dispose();
    client.stop();
  });
});

describe('department breadcrumbs', () => {
  it('come from path_items (or, without ids, from the path) and open that department', async () => {
    expect(crumbsOf('A/B', [{ id: 1, name: 'A' }, { id: 2, name: 'B' }])).toEqual([{ id: 1, name: 'A' }, { id: 2, name: 'B' }]);
    expect(crumbsOf('A/B', undefined)).toEqual([{ id: null, name: 'A' }, { id: null, name: 'B' }]);
    expect(crumbsOf('', [])).toEqual([]);

    const server = new FakeServer();
    const departments: OrgDepartment[] = [
      { id: 1, parent_id: null, name: 'Engineering', hidden: false, member_count: 1 },
      { id: 2, parent_id: 1, name: 'Web', hidden: false, member_count: 2 },
      { id: 3, parent_id: 2, name: 'Design systems', hidden: false, member_count: 0 },
    ];
    const byId = new Map(departments.map((d) => [d.id, d]));
    const pathOf = (id: number) => {
      const items: { id: number; name: string }[] = [];
      for (let d = byId.get(id); d; d = d.parent_id === null ? undefined : byId.get(d.parent_id)) items.unshift({ id: d.id, name: d.name });
      return items;
    };
    server.handlers.set('org.tree', () => ({ version: 1, company: 'Acme', departments }));
    server.handlers.set('org.department', (data) => {
      const id = data.department_id as number;
      const items = pathOf(id);
      return {
        department: { ...byId.get(id) },
        path: items.map((i) => i.name).join('/'),
        path_items: items,
        children: [],
        members: [],
        next_after_user_id: null,
      };
    });
    server.handlers.set('org.search', () => ({
      departments: [{ id: 3, name: 'Design systems', path: 'Engineering/Web/Design systems', path_items: pathOf(3) }],
      users: [],
      has_more: false,
    }));
    const client = await connected(server);
    const vm = new OrgViewModel(client, new NameBook(client), 0);
    await vm.open();
    vm.search('design');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await settle();
    expect(vm.getSnapshot().results?.departments[0]?.crumbs.map((c) => c.id)).toEqual([1, 2, 3]);
    // A crumb of a search result: the search closes and that department opens.
    await vm.openDepartment(2);
    expect(vm.getSnapshot().query).toBe('');
    expect(vm.getSnapshot().results).toBeNull();
    expect(vm.getSnapshot().department).toMatchObject({ id: 2, crumbs: [{ id: 1, name: 'Engineering' }, { id: 2, name: 'Web' }] });
    await vm.selectDepartment(3);
    expect(vm.getSnapshot().department?.crumbs.map((c) => c.name)).toEqual(['Engineering', 'Web', 'Design systems']);
    await vm.openDepartment(1);
    expect(vm.getSnapshot().department).toMatchObject({ id: 1, crumbs: [{ id: 1, name: 'Engineering' }] });
    expect(vm.getSnapshot().nodes.find((n) => n.id === 1)?.selected).toBe(true);
    vm.dispose();
    client.stop();
  });
});

describe('NameBook: unknown people looked up together', () => {
  it('asks users.lookup once for the ids wanted together, in batches of 200, and not again for the hidden', async () => {
    const server = new FakeServer();
    const asked: number[][] = [];
    let profiles = 0;
    server.handlers.set('profile.get', () => {
      profiles += 1;
      return card(1, 'x');
    });
    server.handlers.set('users.lookup', (data) => {
      const ids = data.user_ids as number[];
      asked.push(ids);
      // 13 is hidden from me: left out.
      return { users: ids.filter((id) => id !== 13).map((id) => ({ ...card(id, `N${id}`), is_friend: false, remark: '', departments: [] })) };
    });
    const client = await connected(server);
    const names = new NameBook(client);
    let heard = 0;
    names.onChange(() => (heard += 1));
    expect([11, 12, 13, 11].map((id) => names.name(id))).toEqual(['#11', '#12', '#13', '#11']);
    await settle();
    expect(asked).toEqual([[11, 12, 13]]);
    expect(heard).toBe(1);
    expect([11, 12, 13].map((id) => names.name(id))).toEqual(['N11', 'N12', '#13']);
    await settle();
    expect(asked).toHaveLength(1);

    const many = Array.from({ length: LOOKUP_BATCH + 5 }, (_, i) => 1000 + i);
    for (const id of many) names.name(id);
    await settle();
    expect(asked.slice(1).map((ids) => ids.length)).toEqual([LOOKUP_BATCH, 5]);
    expect(names.name(1204)).toBe('N1204');
    expect(profiles).toBe(0);
    client.stop();
  });

  it('asks again later when the lookup failed', async () => {
    const server = new FakeServer();
    let fail = true;
    server.handlers.set('users.lookup', (data) => {
      if (fail) throw new Error('internal_error');
      return { users: (data.user_ids as number[]).map((id) => ({ ...card(id, `N${id}`), is_friend: false, remark: '', departments: [] })) };
    });
    const client = await connected(server);
    const names = new NameBook(client);
    names.name(21);
    await settle();
    fail = false;
    names.name(21);
    await settle();
    expect(names.name(21)).toBe('N21');
    client.stop();
  });
});

describe('ChatViewModel: images, voice and video that expire', () => {
  it('lets a picked image be kept 1 to 7 days, and shows the expiry on image, voice and video bubbles', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const at = Date.now() + 86_400_000;
    const add = (type: string, body: Record<string, unknown>) => Object.assign(server.append(4, ''), { type, body });
    add('image', { file_id: 'i0', width: 10, height: 10, name: 'old.png', size: 1, expires_at: 1 });
    add('image', { file_id: 'i1', width: 10, height: 10, name: 'cat.png', size: 1, expires_at: at });
    add('image', { file_id: 'i2', width: 10, height: 10, name: 'kept.png', size: 1 });
    add('voice', { file_id: 'v1', duration_ms: 3000, size: 1, expires_at: at });
    add('video', { file_id: 'm1', width: 10, height: 10, duration_ms: 3000, size: 1, expires_at: at });
    add('video', { file_id: 'm2', width: 10, height: 10, duration_ms: 3000, size: 1, expires_at: 1 });
    add('voice', { file_id: 'v2', duration_ms: 3000, size: 1 });
    const metas: unknown[] = [];
    const uploader: Uploader = {
      upload: (_file, meta) => {
        metas.push(meta);
        return new Promise(() => undefined);
      },
    };
    const images: ImagePreparer = {
      prepare: async (file, name) => ({ blob: file, width: 20, height: 10, name, compressed: false }),
    };
    const client = await connected(server, uploader);
    const store = new MemoryStore();
    const chat = new ChatViewModel(4, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store), Date.now, { images });
    await settle();
    const bubbles = () => chat.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble');
    const shown = bubbles().map((b) => {
      const m = b.media;
      return m && 'expiry' in m && 'expired' in m ? [m.kind, m.expired, m.expiry === null ? null : m.expiry.startsWith('Expires ')] : null;
    });
    expect(shown).toEqual([
      ['image', true, null],
      ['image', false, true],
      ['image', false, null],
      ['voice', false, true],
      ['video', false, true],
      ['video', true, null],
      ['voice', false, null],
    ]);
    // An expired image cannot go to favourites any more.
    expect(bubbles().slice(0, 3).map(favoriteFileOf)).toEqual([null, 'i1', 'i2']);

    chat.addFiles([{ file: new Blob(['png'], { type: 'image/png' }), name: 'new.png' }]);
    await settle();
    const [picked] = chat.getSnapshot().attachments;
    expect(picked).toMatchObject({ kind: 'image', expiryDays: null });
    chat.setAttachmentExpiry(picked?.id ?? '', 2);
    expect(chat.getSnapshot().attachments[0]?.expiryDays).toBe(2);
    expect(chat.send()).toBe(true);
    await settle();
    expect(metas).toEqual([{ name: 'new.png', type: 'image/png', expiryDays: 2 }]);
    const sending = bubbles().at(-1)?.media;
    expect(sending).toMatchObject({ kind: 'image', expired: false, expiry: 'Kept 2 days' });
    chat.dispose();
    client.stop();
  });
});
