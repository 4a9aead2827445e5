/**
 * Multi-select in a chat (seed: 多选): from a message's menu "Select", checkboxes on the
 * messages and a bar below to forward them (one by one or merged into a chat record),
 * favourite them or delete them for me. Escape or Cancel leaves it.
 */
import { errorCode, type Client, type ConversationId, type Seq } from '@tidings/sdk';
import { errorMessage } from '../i18n/i18n';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

/** The server forwards, merges or favourites at most this many at once. */
export const MAX_SELECTED = 100;

export interface SelectionSnapshot {
  active: boolean;
  /** Picked seqs, in chat order. */
  seqs: readonly Seq[];
  count: number;
  /** Asking whether to delete the picked messages for me. */
  confirmingDelete: boolean;
  busy: boolean;
}

export class MessageSelectionViewModel extends ViewModel<SelectionSnapshot> {
  private readonly picked = new Set<Seq>();

  constructor(
    private readonly client: Client,
    readonly conversationId: ConversationId,
    private readonly preferences: PreferencesViewModel,
    /** Shows a translated line in the chat. */
    private readonly say: (text: string) => void,
  ) {
    super({ active: false, seqs: [], count: 0, confirmingDelete: false, busy: false });
  }

  /** Enter multi-select, with `seq` (the message whose menu was used) picked. */
  start(seq: Seq | null = null): void {
    this.picked.clear();
    if (seq !== null) this.picked.add(seq);
    this.refresh({ active: true, confirmingDelete: false });
  }

  cancel(): void {
    this.picked.clear();
    this.refresh({ active: false, confirmingDelete: false, busy: false });
  }

  toggle(seq: Seq): void {
    if (!this.getSnapshot().active) return;
    if (this.picked.has(seq)) this.picked.delete(seq);
    else if (this.picked.size >= MAX_SELECTED) {
      this.say(this.t('select.tooMany'));
      return;
    } else this.picked.add(seq);
    this.refresh({});
  }

  isPicked(seq: Seq | null): boolean {
    return seq !== null && this.picked.has(seq);
  }

  askDelete(): void {
    if (this.picked.size > 0) this.update({ confirmingDelete: true });
  }

  keepThem(): void {
    this.update({ confirmingDelete: false });
  }

  /** Delete the picked messages for me (on all my devices), then leave multi-select. */
  async deletePicked(): Promise<boolean> {
    const seqs = this.getSnapshot().seqs;
    if (seqs.length === 0 || this.getSnapshot().busy) return false;
    this.update({ busy: true });
    try {
      await this.client.deleteForMe(this.conversationId, [...seqs]);
      this.cancel();
      this.say(this.t('select.deleted', { count: seqs.length }));
      return true;
    } catch (error) {
      this.update({ busy: false, confirmingDelete: false });
      this.say(errorMessage(this.t, errorCode(error)));
      return false;
    }
  }

  /** Save each picked message to my favourites, then leave multi-select. */
  async favoritePicked(): Promise<number> {
    const seqs = this.getSnapshot().seqs;
    if (seqs.length === 0 || this.getSnapshot().busy) return 0;
    this.update({ busy: true });
    let saved = 0;
    let failure: string | null = null;
    for (const seq of seqs) {
      try {
        await this.client.request('favorites.add_message', { conversation_id: this.conversationId, seq });
        saved += 1;
      } catch (error) {
        failure = errorCode(error);
        if (failure === 'favorites_full') break;
      }
    }
    this.cancel();
    this.say(failure !== null && saved === 0 ? errorMessage(this.t, failure) : this.t('select.favorited', { count: saved }));
    return saved;
  }

  private get t() {
    return this.preferences.getSnapshot().t;
  }

  private refresh(change: Partial<SelectionSnapshot>): void {
    const seqs = [...this.picked].sort((a, b) => a - b);
    this.update({ ...change, seqs, count: seqs.length });
  }
}
