/**
 * A chat's restored history (docs/decisions/0051): entries a backup brought that the server
 * does not show, merged by time into the chat and marked as restored. A restored message the
 * server also shows (same server, same conversation, same seq) shows once: the server's.
 *
 * Restored entries go through the chat's own bubble building under negative seqs (so quotes
 * and time separators work) and come out with `seq: null` — nothing acts on them server-side.
 */
import type { ConversationId, Entry, Seq, UserId } from '@tidings/sdk';
import type { RestoredEntry, RestoredHistory } from '../lib/restoredHistory';
import type { BubbleItem, ChatItem, MediaContent } from './ChatViewModel';

export class RestoredInChat {
  private bySynthetic = new Map<Seq, RestoredEntry>();
  private files: ReadonlyMap<string, Blob> = new Map();
  private memo: { server: readonly Entry[]; restored: readonly RestoredEntry[]; reachedStart: boolean; out: readonly Entry[] } | null = null;

  constructor(
    private readonly history: RestoredHistory,
    private readonly conversationId: ConversationId,
  ) {}

  subscribe(listener: () => void): () => void {
    return this.history.subscribe(listener);
  }

  /** The server's entries with the restored ones the server does not show, in time order. */
  merge(server: readonly Entry[], reachedStart: boolean, me: UserId): readonly Entry[] {
    const { entries: restored, files } = this.history.entriesFor(this.conversationId);
    this.files = files;
    if (restored.length === 0) {
      this.bySynthetic = new Map();
      return server;
    }
    const memo = this.memo;
    if (memo && memo.server === server && memo.restored === restored && memo.reachedStart === reachedStart) return memo.out;
    const here = `${this.history.origin}|${this.conversationId}`;
    const shown = new Set(server.map((e) => e.seq));
    const first = server[0];
    // Until the server's history is loaded back to the start, older restored entries wait
    // (they would show above history the server has not sent yet).
    const oldest = reachedStart || !first ? Number.NEGATIVE_INFINITY : first.created_at;
    const candidates = restored.filter(
      (r) => r.entry.kind === 'message' && !r.entry.recalled && !(r.conversationKey === here && shown.has(r.seq)) && r.createdAt >= oldest,
    );
    const synthetic = new Map<string, Seq>();
    candidates.forEach((r, i) => synthetic.set(`${r.conversationKey}|${r.seq}`, -(i + 1)));
    this.bySynthetic = new Map();
    const converted: Entry[] = candidates.map((r, i) => {
      const seq = -(i + 1);
      this.bySynthetic.set(seq, r);
      const replyTo = r.entry.reply_to_seq;
      const reply_to_seq =
        replyTo === null ? null : synthetic.get(`${r.conversationKey}|${replyTo}`) ?? (r.conversationKey === here && shown.has(replyTo) ? replyTo : null);
      const sender_id = r.mine ? me : r.entry.sender_id === me ? -1 : r.entry.sender_id;
      return { ...r.entry, seq, conversation_id: this.conversationId, sender_id, reply_to_seq } as Entry;
    });
    const out: Entry[] = [];
    let s = 0;
    let c = 0;
    while (s < server.length || c < converted.length) {
      const a = server[s];
      const b = converted[c];
      if (a && (!b || a.created_at <= b.created_at)) {
        out.push(a);
        s += 1;
      } else if (b) {
        out.push(b);
        c += 1;
      }
    }
    this.memo = { server, restored, reachedStart, out };
    return out;
  }

  /** Mark the bubbles built from restored entries: their sender as the backup named them, their files from the backup. */
  decorate(items: ChatItem[]): ChatItem[] {
    if (this.bySynthetic.size === 0) return items;
    return items.map((item) => {
      if (item.kind !== 'bubble' || item.seq === null || item.seq >= 0) return item;
      const restored = this.bySynthetic.get(item.seq);
      if (!restored) return item;
      const fileKey = restored.files[0];
      const blob = fileKey ? this.files.get(fileKey) ?? null : null;
      const sameServer = restored.conversationKey.startsWith(`${this.history.origin}|`);
      const bubble: BubbleItem = {
        ...item,
        seq: null,
        clientMsgId: null,
        state: null,
        readSummary: null,
        failure: null,
        upload: null,
        mine: restored.mine,
        sender: restored.sender?.nickname ?? item.sender,
        senderId: sameServer ? restored.entry.sender_id ?? 0 : 0,
        restored: true,
        restoredFile: blob,
        media: item.media ? restoredMedia(item.media, blob, sameServer) : null,
      };
      return bubble;
    });
  }
}

/** A restored message's picture shows from the backup's bytes; without them, from the server if it is the same one. */
function restoredMedia(media: MediaContent, blob: Blob | null, sameServer: boolean): MediaContent {
  if (media.kind === 'image') {
    if (blob) return { ...media, fileId: null, local: blob, expired: false, expiry: null };
    return sameServer ? media : { ...media, fileId: null, expired: true };
  }
  if (media.kind === 'file' || media.kind === 'voice' || media.kind === 'video') {
    if (blob) return { ...media, fileId: null, expired: false, expiry: null };
    return sameServer ? media : { ...media, fileId: null, expired: true };
  }
  if (media.kind === 'sticker' && !sameServer) return { ...media, fileId: null };
  return media;
}
