/**
 * Burn after reading in a direct chat (PRODUCT.md D10, docs/decisions/0038): which messages
 * burn, whether they are opened and when they go, the composer's "burn the next message"
 * toggle and the chat's burn mode. The server wipes a burn message when its time comes; this
 * side only hides it at that moment, before the `burned` entry arrives.
 */
import { errorCode, type BurnMode, type Client, type ConversationId, type Entry, type Seq, type UserId } from '@tidings/sdk';

/** What a burn message's bubble shows. */
export interface BurnBubble {
  /**
   * `sealed`: the recipient has not opened it (blurred, tap to open); `open`: opened here or
   * on another device, counting down; `unread`/`opened`: the sender's view of the same.
   */
  state: 'sealed' | 'open' | 'unread' | 'opened';
  /** When it goes (this device's clock), once opened. */
  burnAt: number | null;
  /** For a sealed text: a mask as long as the text (the text itself is not shown). */
  mask: string;
}

/** The composer's and the header's burn controls. */
export interface BurnControls {
  /** Only direct chats burn. */
  available: boolean;
  /** The next message burns (the composer's toggle). */
  next: boolean;
  /** My burn mode for this chat: everything I send here burns. */
  mode: boolean;
  /** The other person's burn mode (what they send burns). */
  peerMode: boolean;
}

export function isBurnMessage(entry: { kind: string; recalled: boolean; body: unknown }): boolean {
  return entry.kind === 'message' && !entry.recalled && (entry.body as { burn?: unknown }).burn === true;
}

export class BurnTracker {
  /** seq → when it goes on this device's clock. */
  private readonly burnAt = new Map<Seq, number>();
  private readonly opening = new Set<Seq>();
  private next = false;
  private enabledBy: ReadonlySet<UserId> = new Set();
  /** The newest `burn_mode` entry seen: a newer one means asking the server again. */
  private modeSeq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: Client,
    private readonly conversationId: ConversationId,
    private readonly now: () => number,
    private readonly changed: () => void,
    private readonly failed: (code: string) => void,
  ) {}

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Ask the server who has the chat's burn mode on (direct chats, when connected). */
  async loadMode(): Promise<void> {
    if (this.client.conversation(this.conversationId)?.type !== 'direct' || this.client.state !== 'connected') return;
    try {
      this.applyMode(await this.client.request('burn.mode', { conversation_id: this.conversationId }));
    } catch {
      // Shown off until the next open; the server marks what the mode covers anyway.
    }
  }

  private applyMode(mode: BurnMode): void {
    this.enabledBy = new Set(mode.enabled_by);
    this.changed();
  }

  /** Fold what the timeline holds: openings (their countdowns) and mode changes. */
  fold(entries: readonly Entry[]): void {
    let newestMode = this.modeSeq;
    for (const entry of entries) {
      if (entry.kind === 'burn_opened' && !this.burnAt.has(entry.body.target_seq)) {
        this.burnAt.set(entry.body.target_seq, entry.body.burn_at);
      } else if (entry.kind === 'burn_mode') {
        newestMode = Math.max(newestMode, entry.seq);
      }
    }
    if (newestMode > this.modeSeq) {
      this.modeSeq = newestMode;
      void this.loadMode();
    }
    this.schedule();
  }

  controls(): BurnControls {
    const me = this.client.me?.id ?? 0;
    const available = this.client.conversation(this.conversationId)?.type === 'direct';
    const peer = this.client.conversation(this.conversationId)?.peer?.user_id ?? null;
    return {
      available,
      next: available && this.next,
      mode: available && this.enabledBy.has(me),
      peerMode: available && peer !== null && this.enabledBy.has(peer),
    };
  }

  /** Whether what I send now burns: the toggle or my mode. */
  get sendsBurning(): boolean {
    const controls = this.controls();
    return controls.available && (controls.next || controls.mode);
  }

  toggleNext(): void {
    this.next = !this.next;
    this.changed();
  }

  /** The toggle is for one message: off again once it is sent. */
  sent(): void {
    if (!this.next) return;
    this.next = false;
    this.changed();
  }

  async setMode(enabled: boolean): Promise<void> {
    try {
      this.applyMode(await this.client.request('burn.set_mode', { conversation_id: this.conversationId, enabled }));
    } catch (error) {
      this.failed(errorCode(error));
    }
  }

  /** The bubble of a burn message; null for any other. Gone (true) once its time passed here. */
  bubbleOf(entry: Entry, me: UserId): BurnBubble | 'gone' | null {
    if (!isBurnMessage(entry)) return null;
    const at = this.burnAt.get(entry.seq) ?? null;
    if (at !== null && at <= this.now()) return 'gone';
    const mine = entry.sender_id === me;
    const text = entry.kind === 'message' && entry.type === 'text' ? entry.body.text : '';
    const state = mine ? (at === null ? 'unread' : 'opened') : at === null ? 'sealed' : 'open';
    return { state, burnAt: at, mask: state === 'sealed' ? maskOf(text) : '' };
  }

  /** The recipient opens a burn message: its countdown starts here and on the server. */
  async open(seq: Seq): Promise<void> {
    if (this.burnAt.has(seq) || this.opening.has(seq)) return;
    this.opening.add(seq);
    try {
      const reply = await this.client.request('burn.open', { conversation_id: this.conversationId, seq });
      // Counted on this device's clock from now: the server's may differ.
      this.burnAt.set(seq, this.now() + Math.max(0, reply.burn_at - reply.opened_at));
      this.schedule();
      this.changed();
    } catch (error) {
      this.failed(errorCode(error));
    } finally {
      this.opening.delete(seq);
    }
  }

  /** Wake when the next countdown ends, so its bubble goes at once. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const at of this.burnAt.values()) if (at > now) soonest = Math.min(soonest, at);
    if (soonest === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.changed();
        this.schedule();
      },
      Math.min(soonest - now + 20, 2 ** 31 - 1),
    );
  }
}

/** A stand-in as long as the text (capped), so a sealed bubble keeps its size but shows nothing. */
function maskOf(text: string): string {
  const length = Math.min(Math.max([...text].length, 4), 60);
  return '▇'.repeat(length);
}
