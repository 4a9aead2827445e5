import { describe, expect, it } from 'vitest';
import { applyEntry, type CallEntry, type CallOutcome, type ConversationSummary } from '../src';

const base: ConversationSummary = {
  id: 1, type: 'direct', name: 'Bob', last_seq: 2, last_activity_at: 100, role: 'member',
  visible_from_seq: 1, read_seq: 2, delivered_seq: 2, cleared_seq: 0, pinned: false, muted: false,
  draft: '', unread: 0, preview: null, peer: { user_id: 2, read_seq: 0, delivered_seq: 0 },
};

function record(seq: number, outcome: CallOutcome, caller: number): CallEntry {
  return {
    id: seq, conversation_id: 1, seq, sender_id: caller, kind: 'call', type: outcome,
    body: { call_id: seq, media: 'video', ...(outcome === 'ended' ? { duration_ms: 5000 } : {}) },
    client_msg_id: null, created_at: 100 + seq, reply_to_seq: null, recalled: false,
  };
}

describe('call records in a chat (decision 0074)', () => {
  it('count a missed call from the other side as unread, as the server does', () => {
    expect(applyEntry(base, record(3, 'missed', 2), 1).unread).toBe(1);
  });

  it('count no other ending, and no call of mine', () => {
    for (const outcome of ['ended', 'declined', 'cancelled', 'busy'] as const) {
      expect(applyEntry(base, record(3, outcome, 2), 1).unread).toBe(0);
    }
    expect(applyEntry(base, record(3, 'missed', 1), 1).unread).toBe(0);
  });

  it('show the record as the chat preview', () => {
    const next = applyEntry(base, record(3, 'ended', 2), 1);
    expect(next.preview?.kind).toBe('call');
    expect(next.last_seq).toBe(3);
  });
});
