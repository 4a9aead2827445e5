import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IndexedDbCache, type Entry } from '../src';

function message(seq: number): Entry {
  return {
    id: seq, conversation_id: 4, seq, sender_id: 2, kind: 'message', type: 'text', body: { text: `m${seq}` },
    client_msg_id: null, created_at: seq, reply_to_seq: null, recalled: false,
  };
}

describe('IndexedDbCache', () => {
  it('keeps timelines and the outbox per user, and forgets them on clear', async () => {
    const factory = new IDBFactory();
    const cache = new IndexedDbCache(1, factory);
    await cache.saveTimeline(4, {
      window: { from: 1, through: 2, reachedStart: true },
      entries: [message(1), message(2)],
      hiddenThrough: 0,
      deletedSeqs: [2],
    });
    const pending = (id: string, at: number) => ({
      client_msg_id: id, conversation_id: 4, type: 'text' as const, body: { text: id }, reply_to_seq: null,
      created_at: at, state: 'sending' as const, attempts: 0, error: null,
    });
    // Two windows write their own pending messages; neither overwrites the other's.
    await cache.savePending(pending('c2', 6));
    await new IndexedDbCache(1, factory).savePending(pending('c1', 5));
    await cache.savePending(pending('c3', 7));
    await cache.deletePending('c3');
    const reopened = new IndexedDbCache(1, factory);
    expect((await reopened.loadTimeline(4))?.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect((await reopened.loadOutbox()).map((m) => m.client_msg_id)).toEqual(['c1', 'c2']);
    expect(await new IndexedDbCache(2, factory).loadTimeline(4)).toBeNull();
    await reopened.clear();
    expect(await reopened.loadTimeline(4)).toBeNull();
    expect(await reopened.loadAccount()).toBeNull();
  });
});
