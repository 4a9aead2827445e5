/** The words of entries the back office wrote (an admin in the console: no sender). */
import type { Entry } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { loadLocale, translator } from '../i18n/i18n';
import { describeEntry, visitorName } from '../lib/format';

describe('an entry of the back office', () => {
  const names = { name: (id: number) => (id === 2 ? 'Bob' : `#${id}`) };
  const base = { id: 1, conversation_id: 5, seq: 1, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false, type: null };

  it('names an administrator, never an empty name', async () => {
    const updated = { ...base, sender_id: null, kind: 'group_updated', body: { size_limit: 50 } } as unknown as Entry;
    const renamed = { ...base, sender_id: null, kind: 'group_updated', body: { name: 'Ops' } } as unknown as Entry;
    const en = translator('en');
    expect(describeEntry(updated, 1, names, en)).toBe(en('preview.groupUpdated', { name: 'An administrator' }));
    expect(describeEntry(renamed, 1, names, en)).toMatch(/^An administrator /);
    await loadLocale('zh-CN');
    const zh = translator('zh-CN');
    expect(describeEntry(updated, 1, names, zh)).toBe('管理员修改了群设置');
    // A member's own change still names them.
    expect(describeEntry({ ...updated, sender_id: 2 } as Entry, 1, names, en)).toMatch(/^Bob /);
  });
});

describe('a customer-service chat (decision 0066)', () => {
  const names = { name: (id: number) => ({ 2: 'Bob', 3: 'Carol' })[id] ?? `#${id}` };
  const base = { id: 1, conversation_id: 5, seq: 1, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false, type: null };
  const joined = (user: number, by: number) => ({ ...base, sender_id: by, kind: 'member_joined', body: { user_ids: [user], inviter_id: by } }) as unknown as Entry;
  const left = { ...base, sender_id: 2, kind: 'member_left', body: { user_id: 2 } } as unknown as Entry;

  it('says who took, handed on and left the chat, not who joined a group', async () => {
    await loadLocale('zh-CN');
    const en = translator('en');
    const zh = translator('zh-CN');
    expect(describeEntry(joined(2, 2), 1, names, en, 'service')).toBe('Bob took the chat');
    expect(describeEntry(joined(1, 1), 1, names, en, 'service')).toBe('You took the chat');
    expect(describeEntry(joined(3, 2), 1, names, en, 'service')).toBe('Bob transferred the chat to Carol');
    expect(describeEntry(joined(1, 2), 1, names, zh, 'service')).toBe('Bob将会话转接给你');
    expect(describeEntry(left, 1, names, zh, 'service')).toBe('Bob离开了会话');
    expect(describeEntry(left, 1, names, en, 'group')).toBe('Bob left the group');
  });

  it("names an anonymous visitor in the reader's language", async () => {
    await loadLocale('zh-CN');
    expect(visitorName('Visitor 12', translator('zh-CN'))).toBe('访客 12');
    expect(visitorName('Visitor 12', translator('en'))).toBe('Visitor 12');
    expect(visitorName('Li Lei', translator('zh-CN'))).toBe('Li Lei');
  });
});

describe('a call record (decision 0074)', () => {
  const names = { name: (id: number) => (id === 2 ? 'Bob' : `#${id}`) };
  const record = (type: string, sender: number, body: Record<string, unknown>) =>
    ({ id: 1, conversation_id: 5, seq: 1, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false, kind: 'call', type, sender_id: sender, body: { call_id: 9, media: 'video', ...body } }) as unknown as Entry;

  it('says how the call ended, from my side', async () => {
    await loadLocale('en');
    const en = translator('en');
    expect(describeEntry(record('ended', 1, { duration_ms: 65_000 }), 1, names, en)).toBe('[Video call] Duration 1:05');
    expect(describeEntry(record('ended', 2, { duration_ms: 3_000, hangup: 'lost' }), 1, names, en)).toBe('[Video call] Connection lost · 0:03');
    expect(describeEntry(record('missed', 2, {}), 1, names, en)).toBe('[Video call] Missed call');
    expect(describeEntry(record('missed', 1, {}), 1, names, en)).toBe('[Video call] No answer');
    expect(describeEntry(record('busy', 1, {}), 1, names, en)).toBe('[Video call] The other side was busy');
    await loadLocale('zh-CN');
    expect(describeEntry(record('declined', 2, { media: 'audio' }), 1, names, translator('zh-CN'))).toBe('[语音通话] 已拒绝');
  });
});

describe('a group call record (decision 0078)', () => {
  const names = { name: (id: number) => (id === 2 ? 'Bob' : `#${id}`) };
  const record = (type: string, sender: number, body: Record<string, unknown>) =>
    ({ id: 1, conversation_id: 5, seq: 1, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false, kind: 'call', type, sender_id: sender, body: { call_id: 9, media: 'video', group: true, ...body } }) as unknown as Entry;

  it('says who started it and how long it lasted', async () => {
    await loadLocale('en');
    const en = translator('en');
    expect(describeEntry(record('group_started', 2, {}), 1, names, en, 'group')).toBe('[Video call] Bob started a group call');
    expect(describeEntry(record('group_started', 1, {}), 1, names, en, 'group')).toBe('[Video call] You started a group call');
    expect(describeEntry(record('ended', 2, { duration_ms: 65_000, participants: 3 }), 1, names, en, 'group')).toBe('[Video call] Group call ended · 1:05');
    await loadLocale('zh-CN');
    expect(describeEntry(record('group_started', 2, { media: 'audio' }), 1, names, translator('zh-CN'), 'group')).toBe('[语音通话] Bob 发起了群通话');
  });
});
