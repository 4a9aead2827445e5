import { Client, MemoryCache, type GroupMember } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { abilities, GroupInfoViewModel, isMuted, memberActions } from '../viewmodels/GroupInfoViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const member = (user_id: number, role: GroupMember['role'], change: Partial<GroupMember> = {}): GroupMember => ({
  user_id, role, powers: [], muted_until: null, nickname: `u${user_id}`, avatar: '', ...change,
});

describe('group abilities', () => {
  it('give the owner everything but leaving, and plain members only what the join mode allows', () => {
    const owner = abilities({ role: 'owner', powers: [], join_mode: 'invite_code', disbanded: false });
    expect(Object.entries(owner).filter(([, v]) => !v).map(([k]) => k)).toEqual(['leave']);
    const plain = abilities({ role: 'member', powers: [], join_mode: 'invite_code', disbanded: false });
    expect(Object.entries(plain).filter(([, v]) => v).map(([k]) => k).sort()).toEqual(['invite', 'inviteLinks', 'leave']);
    // In an approval group a plain member invites (the approvers decide) but makes no invite links.
    expect(abilities({ role: 'member', powers: [], join_mode: 'approval', disbanded: false })).toMatchObject({ invite: true, inviteLinks: false });
    expect(abilities({ role: 'member', powers: [], join_mode: 'back_office', disbanded: false }).invite).toBe(false);
  });

  it('give an admin exactly the powers granted', () => {
    const admin = abilities({ role: 'admin', powers: ['mute', 'announcements'], join_mode: 'approval', disbanded: false });
    expect(admin).toMatchObject({ muteAll: true, announce: true, editInfo: false, approve: false, invite: true, inviteLinks: false, disband: false, leave: true });
  });

  it('leave nothing to manage in a disbanded group, which even its owner may leave', () => {
    const gone = abilities({ role: 'owner', powers: [], join_mode: 'open', disbanded: true });
    expect(Object.entries(gone).filter(([, v]) => v).map(([k]) => k)).toEqual(['leave']);
  });
});

describe('member actions', () => {
  const now = 1_000_000;
  it('let a higher rank act on a lower one only, with the powers held', () => {
    const owner = { id: 1, role: 'owner' as const, powers: [], disbanded: false };
    expect(memberActions(owner, member(2, 'member'), now)).toEqual(['message', 'makeAdmin', 'mute', 'remove', 'removeAndBlacklist', 'transfer']);
    expect(memberActions(owner, member(2, 'admin'), now)).toContain('removeAdmin');
    expect(memberActions(owner, member(1, 'owner'), now)).toEqual([]);
    const admin = { id: 3, role: 'admin' as const, powers: ['mute' as const], disbanded: false };
    expect(memberActions(admin, member(2, 'member', { muted_until: -1 }), now)).toEqual(['message', 'unmute']);
    expect(memberActions(admin, member(4, 'admin'), now)).toEqual(['message']);
  });

  it('count a mute as on while it lasts', () => {
    expect(isMuted(null, 5)).toBe(false);
    expect(isMuted(-1, 5)).toBe(true);
    expect(isMuted(10, 5)).toBe(true);
    expect(isMuted(4, 5)).toBe(false);
  });
});

describe('GroupInfoViewModel', () => {
  it('loads the group, orders members by rank, and asks before removing or leaving', async () => {
    const settle = async () => {
      for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
    };
    const server = new FakeServer();
    server.conversation(9, 'group');
    const calls: [string, Record<string, unknown>][] = [];
    const record = (op: string, reply: unknown) => (data: Record<string, unknown>) => {
      calls.push([op, data]);
      return reply;
    };
    server.handlers.set('group.info', record('group.info', {
      id: 9, number: 100009, name: 'Crew', member_count: 3, created_at: 0, avatar: '', intro: 'hi', join_mode: 'invite_code',
      mute_all: false, moderation: false, forbid_private_chat: false, size_limit: 10000, disbanded: false,
      role: 'admin', powers: ['remove_members'], muted_until: null, view_mode: 'all',
    }));
    server.handlers.set('group.members', record('group.members', {
      members: [member(2, 'member'), member(1, 'admin'), member(5, 'owner')],
      next_after_user_id: null,
    }));
    server.handlers.set('group.announcements', record('group.announcements', { announcements: [] }));
    server.handlers.set('group.blacklist', record('group.blacklist', { blacklist: [] }));
    server.handlers.set('group.remove', record('group.remove', {}));
    server.handlers.set('group.leave', record('group.leave', {}));
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await settle();
    const vm = new GroupInfoViewModel(9, client, new NameBook(client), new PreferencesViewModel(new MemoryStore(), ['en']));
    await settle();
    const s = vm.getSnapshot();
    expect(s.members.map((m) => [m.userId, m.role, m.me])).toEqual([[5, 'owner', false], [1, 'admin', true], [2, 'member', false]]);
    expect(s.members.find((m) => m.userId === 2)?.actions).toEqual(['message', 'remove', 'removeAndBlacklist']);
    expect(s.members.find((m) => m.userId === 5)?.actions).toEqual(['message']);
    expect(s.can).toMatchObject({ blacklist: true, leave: true, disband: false, editInfo: false });

    vm.askConfirm('removeAndBlacklist', 2);
    expect(vm.getSnapshot().confirm).toMatchObject({ kind: 'removeAndBlacklist', name: 'u2' });
    await vm.confirm();
    expect(calls.find(([op]) => op === 'group.remove')?.[1]).toEqual({ conversation_id: 9, user_id: 2, blacklist: true });
    vm.askConfirm('leave');
    await vm.confirm();
    expect(calls.some(([op]) => op === 'group.leave')).toBe(true);
    expect(vm.getSnapshot().gone).toBe(true);
    vm.dispose();
    client.stop();
  });
});
