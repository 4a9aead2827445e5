/**
 * Folding events into conversation summaries: pure functions, one per event, each returning a
 * new summary (or the same object when nothing changed, so views can compare by identity).
 */
import type { ConversationSummary, Entry, Pushes, UserId } from './protocol';

/** Pinned first, then by last activity, newest first (the server's order too). */
export function compareConversations(a: ConversationSummary, b: ConversationSummary): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  return b.last_activity_at - a.last_activity_at || b.id - a.id;
}

function countsAsUnread(entry: Entry, me: UserId): boolean {
  // A missed call counts as unread, as a message does (decision 0074).
  const counts = entry.kind === 'message' || (entry.kind === 'call' && entry.type === 'missed');
  return counts && !entry.recalled && entry.sender_id !== me;
}

/** A new entry appended to the conversation's log. */
export function applyEntry(summary: ConversationSummary, entry: Entry, me: UserId): ConversationSummary {
  if (entry.kind === 'recall') {
    const target = entry.body.target_seq;
    const preview = summary.preview;
    let next: ConversationSummary = summary;
    if (entry.seq > summary.last_seq) {
      next = { ...next, last_seq: entry.seq, last_activity_at: Math.max(summary.last_activity_at, entry.created_at), preview: entry };
    } else if (preview && preview.seq === target) {
      next = { ...next, preview: { ...preview, recalled: true, body: {} } as Entry };
    }
    // A recalled unread message stops counting (docs: recalled ones excluded).
    if (target > Math.max(summary.read_seq, summary.cleared_seq) && entry.sender_id !== me && next.unread > 0) {
      next = { ...next, unread: next.unread - 1 };
    }
    return next;
  }
  if (entry.seq <= summary.last_seq) return summary;
  const unreadAfter = Math.max(summary.read_seq, summary.cleared_seq);
  const unread = countsAsUnread(entry, me) && entry.seq > unreadAfter ? summary.unread + 1 : summary.unread;
  // My own message means I have seen the conversation up to it.
  const mine = entry.sender_id === me;
  // A renamed group shows its new name at once (the summary's name is the group's).
  const name = entry.kind === 'group_updated' && typeof entry.body.name === 'string' ? entry.body.name : summary.name;
  // So does a new avatar.
  const avatar = entry.kind === 'group_updated' && typeof entry.body.avatar === 'string' ? { avatar: entry.body.avatar } : {};
  return {
    ...summary,
    name,
    ...avatar,
    last_seq: entry.seq,
    last_activity_at: Math.max(summary.last_activity_at, entry.created_at),
    preview: entry,
    unread: mine ? 0 : unread,
    read_seq: mine ? Math.max(summary.read_seq, entry.seq) : summary.read_seq,
  };
}

/**
 * My read position moved (this device or another). `unreadAfter` recounts from the entries
 * held locally when they cover the range; otherwise the server's count is trusted.
 */
export function applyRead(summary: ConversationSummary, readSeq: number, unreadLeft?: number): ConversationSummary {
  if (readSeq <= summary.read_seq) return summary;
  const unread = readSeq >= summary.last_seq ? 0 : unreadLeft ?? summary.unread;
  return { ...summary, read_seq: readSeq, unread };
}

/** Another member's read or delivered position moved. */
export function applyReceipt(summary: ConversationSummary, receipt: Pushes['receipt']): ConversationSummary {
  const peer = summary.peer;
  if (!peer || peer.user_id !== receipt.user_id) return summary;
  const read_seq = Math.max(peer.read_seq, receipt.read_seq ?? 0);
  // Read implies delivered.
  const delivered_seq = Math.max(peer.delivered_seq, receipt.delivered_seq ?? 0, read_seq);
  if (read_seq === peer.read_seq && delivered_seq === peer.delivered_seq) return summary;
  return { ...summary, peer: { ...peer, read_seq, delivered_seq } };
}

/** Delivery state of one of my messages in a direct chat. */
export type Receipt = 'sent' | 'delivered' | 'read';

export function receiptOf(summary: ConversationSummary, seq: number): Receipt {
  const peer = summary.peer;
  if (!peer) return 'sent';
  if (seq <= peer.read_seq) return 'read';
  if (seq <= peer.delivered_seq) return 'delivered';
  return 'sent';
}
