/**
 * One conversation's log as this device holds it, folded into what the user sees.
 *
 * The device holds a contiguous window of seqs, [from, through]. Entries that arrive past a
 * hole wait in `ahead` until the hole is filled, so the visible timeline is always in seq
 * order with no gaps, and every seq appears at most once (entries are deduplicated by seq).
 * No I/O: the client asks `gap()` what to pull and feeds the pulled entries back in.
 */
import type { Entry, Seq } from './protocol';

export interface TimelineWindow {
  /** Lowest seq held, 0 when nothing is held. */
  from: Seq;
  /** Highest seq such that every seq in [from, through] is held. */
  through: Seq;
  /** True once nothing older is visible to this member (no more history to pull). */
  reachedStart: boolean;
}

export interface SeqRange {
  /** Pull entries with seq > after ... */
  after: Seq;
  /** ... and seq < before. */
  before: Seq;
}

export class Timeline {
  private readonly entries = new Map<Seq, Entry>();
  private readonly ahead = new Map<Seq, Entry>();
  /** Seqs recalled by a `recall` entry whose target this device does not hold yet. */
  private readonly recalledSeqs = new Set<Seq>();
  private readonly deletedSeqs = new Set<Seq>();
  /** Seqs burned by a `burned` entry whose target this device does not hold yet. */
  private readonly burnedSeqs = new Set<Seq>();
  private window: TimelineWindow = { from: 0, through: 0, reachedStart: false };
  private hiddenThrough: Seq = 0;
  private cache: Entry[] | null = null;

  /** Build from cached state; entries must be contiguous from `window.from`. */
  static restore(window: TimelineWindow, entries: readonly Entry[]): Timeline {
    const timeline = new Timeline();
    timeline.addNewer(entries);
    if (timeline.window.from !== 0) timeline.window.reachedStart = window.reachedStart;
    return timeline;
  }

  /** What the local cache keeps of this timeline. */
  toCached(): { window: TimelineWindow; entries: Entry[]; hiddenThrough: Seq; deletedSeqs: Seq[] } {
    return {
      window: this.held,
      entries: this.snapshot(),
      hiddenThrough: this.hiddenThrough,
      deletedSeqs: [...this.deletedSeqs],
    };
  }

  get held(): TimelineWindow {
    return { ...this.window };
  }

  get isEmpty(): boolean {
    return this.window.through === 0;
  }

  /** Hide everything at or below `seq`: before the member joined, or cleared history. */
  hideThrough(seq: Seq): boolean {
    if (seq <= this.hiddenThrough) return false;
    this.hiddenThrough = seq;
    if (this.window.from !== 0 && this.window.from <= seq + 1) this.window.reachedStart = true;
    this.cache = null;
    return true;
  }

  /** Delete-for-me: these seqs stop showing on this account's devices. */
  deleteSeqs(seqs: readonly Seq[]): boolean {
    let changed = false;
    for (const seq of seqs) {
      if (!this.deletedSeqs.has(seq)) {
        this.deletedSeqs.add(seq);
        changed = true;
      }
    }
    if (changed) this.cache = null;
    return changed;
  }

  /**
   * Add entries at or after the window's end (live pushes, catch-up pulls, gap fills).
   * Returns the entries that joined the visible window, in seq order.
   */
  addNewer(entries: readonly Entry[]): Entry[] {
    const added: Entry[] = [];
    const older: Entry[] = [];
    for (const entry of entries) {
      if (this.entries.has(entry.seq) || this.ahead.has(entry.seq)) continue;
      if (this.window.through === 0) {
        this.window = { from: entry.seq, through: entry.seq, reachedStart: entry.seq <= this.hiddenThrough + 1 };
        this.store(entry);
        added.push(entry);
      } else if (entry.seq < this.window.from) {
        older.push(entry);
      } else {
        this.ahead.set(entry.seq, entry);
      }
    }
    if (older.length > 0) {
      const from = this.window.from;
      this.addOlder(older);
      for (const entry of older) if (entry.seq >= this.window.from && entry.seq < from) added.push(entry);
    }
    // Move every entry that is now contiguous from `ahead` into the window, in seq order.
    let next = this.ahead.get(this.window.through + 1);
    while (next) {
      this.ahead.delete(next.seq);
      this.store(next);
      added.push(next);
      this.window.through = next.seq;
      next = this.ahead.get(this.window.through + 1);
    }
    return added;
  }

  /**
   * Add a page of older history (scrolling up). `exhausted` says the server had nothing
   * older than this page.
   */
  addOlder(entries: readonly Entry[], exhausted = false): boolean {
    const sorted = [...entries].sort((a, b) => b.seq - a.seq);
    let changed = false;
    if (this.window.through === 0 && sorted.length > 0) {
      this.addNewer(sorted.reverse());
      if (exhausted) this.window.reachedStart = true;
      return true;
    }
    for (const entry of sorted) {
      if (entry.seq === this.window.from - 1) {
        this.store(entry);
        this.window.from = entry.seq;
        changed = true;
      }
    }
    if (exhausted || (this.window.from !== 0 && this.window.from <= Math.max(1, this.hiddenThrough + 1))) {
      if (!this.window.reachedStart) changed = true;
      this.window.reachedStart = true;
    }
    return changed;
  }

  /** The hole to pull: the first missing range between the window and what is ahead. */
  gap(lastKnownSeq: Seq): SeqRange | null {
    if (this.window.through === 0) return null;
    // The hole ends at the first entry held ahead, or else after the last seq known.
    let before = this.ahead.size > 0 ? Number.POSITIVE_INFINITY : lastKnownSeq + 1;
    for (const seq of this.ahead.keys()) before = Math.min(before, seq);
    return before > this.window.through + 1 ? { after: this.window.through, before } : null;
  }

  /** Forget everything held (when the hole is too big to fill, the client starts afresh). */
  reset(): void {
    this.entries.clear();
    this.ahead.clear();
    this.window = { from: 0, through: 0, reachedStart: false };
    this.cache = null;
  }

  /**
   * Fold recalls and burns that reached another copy of this conversation (the live tail,
   * while this one is a window opened further back): their targets held here lose their body.
   */
  applyTombstones(entries: readonly Entry[]): boolean {
    let changed = false;
    for (const entry of entries) {
      if (entry.kind !== 'recall' && entry.kind !== 'burned') continue;
      const target = this.entries.get(entry.body.target_seq);
      if (!target || target.kind !== 'message' || target.recalled) continue;
      this.entries.set(target.seq, entry.kind === 'recall' ? tombstone(target) : burnedTombstone(target));
      changed = true;
    }
    if (changed) this.cache = null;
    return changed;
  }

  get(seq: Seq): Entry | undefined {
    return this.entries.get(seq);
  }

  /** Has a message with this client_msg_id from this sender been committed here? */
  findByClientMsgId(senderId: number, clientMsgId: string): Entry | undefined {
    for (const entry of this.entries.values()) {
      if (entry.sender_id === senderId && entry.client_msg_id === clientMsgId) return entry;
    }
    return undefined;
  }

  /** The folded, visible entries in seq order (a stable array until the next change). */
  visible(): readonly Entry[] {
    if (this.cache) return this.cache;
    const out: Entry[] = [];
    for (let seq = this.window.from; seq !== 0 && seq <= this.window.through; seq += 1) {
      const entry = this.entries.get(seq);
      if (!entry || seq <= this.hiddenThrough || this.deletedSeqs.has(seq)) continue;
      out.push(entry);
    }
    this.cache = out;
    return out;
  }

  /** All held entries in the window, for the local cache. */
  snapshot(): Entry[] {
    const out: Entry[] = [];
    for (let seq = this.window.from; seq !== 0 && seq <= this.window.through; seq += 1) {
      const entry = this.entries.get(seq);
      if (entry) out.push(entry);
    }
    return out;
  }

  private store(entry: Entry): void {
    let folded = entry;
    if (entry.kind === 'message' && !entry.recalled && this.recalledSeqs.has(entry.seq)) {
      folded = tombstone(entry);
    }
    // Burn after reading: the burned message loses its body here too, so the cache (which
    // saves these entries) no longer holds it.
    if (entry.kind === 'message' && !entry.recalled && this.burnedSeqs.has(entry.seq)) folded = burnedTombstone(entry);
    if (entry.kind === 'burned') {
      const target = this.entries.get(entry.body.target_seq);
      if (target && target.kind === 'message' && !target.recalled) this.entries.set(target.seq, burnedTombstone(target));
      else if (!target) this.burnedSeqs.add(entry.body.target_seq);
    }
    if (entry.kind === 'recall') {
      const target = this.entries.get(entry.body.target_seq);
      if (target && target.kind === 'message' && !target.recalled) {
        this.entries.set(target.seq, tombstone(target));
      } else if (!target) {
        this.recalledSeqs.add(entry.body.target_seq);
      }
    }
    this.entries.set(folded.seq, folded);
    this.cache = null;
  }
}

/** A recalled message keeps its place in the log but loses its body. */
export function tombstone(entry: Entry): Entry {
  return { ...entry, recalled: true, body: {} } as Entry;
}

/** A message burned after reading: tombstoned, its body only says so. */
export function burnedTombstone(entry: Entry): Entry {
  return { ...entry, recalled: true, body: { burned: true } } as unknown as Entry;
}
