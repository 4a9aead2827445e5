import { describe, expect, it } from 'vitest';
import { Timeline, type Entry } from '../src';

function message(seq: number, text = `m${seq}`, sender = 2): Entry {
  return {
    id: seq, conversation_id: 1, seq, sender_id: sender, kind: 'message', type: 'text',
    body: { text }, client_msg_id: null, created_at: seq, reply_to_seq: null, recalled: false,
  };
}

function recall(seq: number, target: number): Entry {
  return {
    id: seq, conversation_id: 1, seq, sender_id: 2, kind: 'recall', type: null,
    body: { target_seq: target }, client_msg_id: null, created_at: seq, reply_to_seq: null, recalled: false,
  };
}

const seqs = (t: Timeline) => t.visible().map((e) => e.seq);

describe('Timeline', () => {
  it('shows each seq once, in order, whatever order entries arrive in', () => {
    const t = new Timeline();
    t.addNewer([message(1), message(2)]);
    t.addNewer([message(4), message(2), message(5)]);
    expect(seqs(t)).toEqual([1, 2]);
    t.addNewer([message(3), message(3)]);
    expect(seqs(t)).toEqual([1, 2, 3, 4, 5]);
  });

  it('holds entries past a hole back and names the hole to pull', () => {
    const t = new Timeline();
    t.addNewer([message(1), message(2), message(6)]);
    expect(t.gap(6)).toEqual({ after: 2, before: 6 });
    expect(t.gap(0)).toEqual({ after: 2, before: 6 }); // known from what is held ahead
    const added = t.addNewer([message(3), message(4), message(5)]);
    expect(added.map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    expect(t.gap(6)).toBeNull();
  });

  it('knows a hole at the end from the last seq the server reported', () => {
    const t = new Timeline();
    t.addNewer([message(1)]);
    expect(t.gap(3)).toEqual({ after: 1, before: 4 });
  });

  it('tombstones a recalled message held, and one that arrives after its recall', () => {
    const t = new Timeline();
    t.addNewer([message(1, 'secret'), recall(2, 1)]);
    expect(t.get(1)).toMatchObject({ recalled: true, body: {} });
    const later = new Timeline();
    later.addNewer([message(5)]);
    later.addNewer([recall(6, 4)]);
    later.addOlder([message(4, 'secret too')]);
    expect(later.get(4)).toMatchObject({ recalled: true, body: {} });
  });

  it('chains older pages below the window and notices the start', () => {
    const t = new Timeline();
    t.addNewer([message(8), message(9)]);
    t.addOlder([message(5), message(6), message(7)]);
    expect(seqs(t)).toEqual([5, 6, 7, 8, 9]);
    expect(t.held.reachedStart).toBe(false);
    t.addOlder([message(2), message(3), message(4)], true);
    expect(t.held.reachedStart).toBe(true);
  });

  it('reaches the start at the first seq the member may see', () => {
    const t = new Timeline();
    t.hideThrough(4);
    t.addNewer([message(6)]);
    expect(t.held.reachedStart).toBe(false);
    t.addOlder([message(5)]);
    expect(t.held.reachedStart).toBe(true);
  });

  it('hides deleted and cleared entries without losing its place', () => {
    const t = new Timeline();
    t.addNewer([1, 2, 3, 4].map((s) => message(s)));
    t.deleteSeqs([2]);
    expect(seqs(t)).toEqual([1, 3, 4]);
    t.hideThrough(3);
    expect(seqs(t)).toEqual([4]);
    t.addNewer([message(5)]);
    expect(seqs(t)).toEqual([4, 5]);
  });

  it('restores from the cached form', () => {
    const t = new Timeline();
    t.addNewer([1, 2, 3].map((s) => message(s)));
    t.deleteSeqs([2]);
    const cached = t.toCached();
    const back = Timeline.restore(cached.window, cached.entries);
    back.deleteSeqs(cached.deletedSeqs);
    expect(seqs(back)).toEqual([1, 3]);
    expect(back.held).toEqual(t.held);
  });

  it('keeps the visible array stable until something changes', () => {
    const t = new Timeline();
    t.addNewer([message(1)]);
    const first = t.visible();
    expect(t.visible()).toBe(first);
    t.addNewer([message(1)]);
    expect(t.visible()).toBe(first);
    t.addNewer([message(2)]);
    expect(t.visible()).not.toBe(first);
  });
});
