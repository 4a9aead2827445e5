import type { GroupMember } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { abilities, isMuted, memberActions } from '../viewmodels/GroupInfoViewModel';

const member = (user_id: number, role: GroupMember['role'], change: Partial<GroupMember> = {}): GroupMember => ({
  user_id, role, powers: [], muted_until: null, nickname: `u${user_id}`, avatar: '', ...change,
});

describe('group abilities', () => {
  it('give the owner everything but leaving, and plain members only what the join mode allows', () => {
    const owner = abilities({ role: 'owner', powers: [], join_mode: 'invite_code', disbanded: false });
    expect(Object.entries(owner).filter(([, v]) => !v).map(([k]) => k)).toEqual(['leave']);
    const plain = abilities({ role: 'member', powers: [], join_mode: 'invite_code', disbanded: false });
    expect(Object.entries(plain).filter(([, v]) => v).map(([k]) => k).sort()).toEqual(['invite', 'leave']);
    expect(abilities({ role: 'member', powers: [], join_mode: 'approval', disbanded: false }).invite).toBe(false);
    expect(abilities({ role: 'member', powers: [], join_mode: 'back_office', disbanded: false }).invite).toBe(false);
  });

  it('give an admin exactly the powers granted', () => {
    const admin = abilities({ role: 'admin', powers: ['mute', 'announcements'], join_mode: 'approval', disbanded: false });
    expect(admin).toMatchObject({ muteAll: true, announce: true, editInfo: false, approve: false, invite: false, disband: false, leave: true });
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
