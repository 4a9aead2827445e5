import { describe, expect, it } from 'vitest';
import { Timeline, type Entry } from '../src';

const SECRET = 'the vault code is 7741';

function burnMessage(seq: number): Entry {
  return {
    id: seq, conversation_id: 1, seq, sender_id: 2, kind: 'message', type: 'text',
    body: { text: SECRET, burn: true }, client_msg_id: null, created_at: seq, reply_to_seq: null, recalled: false,
  };
}

function burned(seq: number, target: number): Entry {
  return {
    id: seq, conversation_id: 1, seq, sender_id: null, kind: 'burned', type: null,
    body: { target_seq: target }, client_msg_id: null, created_at: seq, reply_to_seq: null, recalled: false,
  };
}

describe('burn after reading in the timeline', () => {
  it('wipes the burned message from what the cache keeps', () => {
    const t = new Timeline();
    t.addNewer([burnMessage(1)]);
    expect(JSON.stringify(t.toCached())).toContain(SECRET);
    t.addNewer([burned(2, 1)]);
    const target = t.get(1);
    expect(target?.recalled).toBe(true);
    expect(target?.body).toEqual({ burned: true });
    expect(JSON.stringify(t.toCached())).not.toContain(SECRET);
  });

  it('wipes a message whose burn arrived first (a pull filling a hole)', () => {
    const t = new Timeline();
    t.addOlder([burned(2, 1)]);
    t.addOlder([burnMessage(1)]);
    expect(t.get(1)?.body).toEqual({ burned: true });
    expect(JSON.stringify(t.toCached())).not.toContain(SECRET);
  });
});
