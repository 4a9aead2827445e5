import { describe, expect, it } from 'vitest';
import { applyEntry, applyRead, applyReceipt, backoffDelay, compareConversations, receiptOf, type ConversationSummary, type Entry } from '../src';

const base: ConversationSummary = {
  id: 1, type: 'direct', name: 'Bob', last_seq: 2, last_activity_at: 100, role: 'member',
  visible_from_seq: 1, read_seq: 2, delivered_seq: 2, cleared_seq: 0, pinned: false, muted: false,
  draft: '', unread: 0, preview: null, peer: { user_id: 2, read_seq: 0, delivered_seq: 0 },
};

function entry(seq: number, sender: number): Entry {
  return {
    id: seq, conversation_id: 1, seq, sender_id: sender, kind: 'message', type: 'text',
    body: { text: 'hi' }, client_msg_id: null, created_at: 100 + seq, reply_to_seq: null, recalled: false,
  };
}

describe('conversation summaries', () => {
  it('count messages from others as unread and mine as read', () => {
    const a = applyEntry(base, entry(3, 2), 1);
    expect(a).toMatchObject({ last_seq: 3, unread: 1, last_activity_at: 103 });
    const b = applyEntry(a, entry(4, 2), 1);
    expect(b.unread).toBe(2);
    const c = applyEntry(b, entry(5, 1), 1);
    expect(c).toMatchObject({ unread: 0, read_seq: 5 });
  });

  it('take a group\'s new name from its group_updated entry', () => {
    const renamed: Entry = { ...entry(3, 2), kind: 'group_updated', type: null, body: { name: 'Crew' } };
    expect(applyEntry({ ...base, type: 'group', name: 'Team' }, renamed, 1)).toMatchObject({ name: 'Crew', last_seq: 3, unread: 0 });
  });

  it('take a group\'s new avatar from its group_updated entry', () => {
    const group: ConversationSummary = { ...base, type: 'group', name: 'Team', avatar: '' };
    const changed: Entry = { ...entry(3, 2), kind: 'group_updated', type: null, body: { avatar: 'emoji:🚀' } };
    expect(applyEntry(group, changed, 1)).toMatchObject({ name: 'Team', avatar: 'emoji:🚀' });
    const renamed: Entry = { ...entry(4, 2), kind: 'group_updated', type: null, body: { name: 'Crew' } };
    expect(applyEntry(applyEntry(group, changed, 1), renamed, 1)).toMatchObject({ name: 'Crew', avatar: 'emoji:🚀' });
  });

  it('ignore entries already folded', () => {
    expect(applyEntry(base, entry(2, 2), 1)).toBe(base);
  });

  it('stop counting a recalled unread message', () => {
    const a = applyEntry(base, entry(3, 2), 1);
    const recall: Entry = { ...entry(4, 2), kind: 'recall', type: null, body: { target_seq: 3 } };
    expect(applyEntry(a, recall, 1).unread).toBe(0);
  });

  it('clear unread when read through the end', () => {
    const a = applyEntry(applyEntry(base, entry(3, 2), 1), entry(4, 2), 1);
    expect(applyRead(a, 3, 1).unread).toBe(1);
    expect(applyRead(a, 4).unread).toBe(0);
  });

  it('move the peer and derive sent, delivered, read', () => {
    const a = applyReceipt(base, { conversation_id: 1, user_id: 2, delivered_seq: 2 });
    expect(receiptOf(a, 2)).toBe('delivered');
    const b = applyReceipt(a, { conversation_id: 1, user_id: 2, read_seq: 1 });
    expect(receiptOf(b, 1)).toBe('read');
    expect(receiptOf(b, 2)).toBe('delivered');
    expect(receiptOf(b, 3)).toBe('sent');
    expect(applyReceipt(b, { conversation_id: 1, user_id: 9, read_seq: 5 })).toBe(b);
  });

  it('sort pinned first, then newest activity', () => {
    const list = [
      { ...base, id: 1, last_activity_at: 5 },
      { ...base, id: 2, last_activity_at: 9 },
      { ...base, id: 3, last_activity_at: 1, pinned: true },
    ].sort(compareConversations);
    expect(list.map((c) => c.id)).toEqual([3, 2, 1]);
  });
});

describe('reconnect backoff', () => {
  it('doubles from 0.5 s to 30 s with jitter in the upper half', () => {
    const low = { initialMs: 500, maxMs: 30_000, random: () => 0 };
    const high = { ...low, random: () => 0.999999 };
    expect(backoffDelay(0, low)).toBe(250);
    expect(backoffDelay(0, high)).toBe(500);
    expect(backoffDelay(3, high)).toBe(4000);
    expect(backoffDelay(20, high)).toBe(30_000);
    expect(backoffDelay(20, low)).toBe(15_000);
  });
});
