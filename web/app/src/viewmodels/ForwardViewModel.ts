/** The forward dialog: pick several chats, preview the message, add a note, send. */
import { errorCode, type Client, type ConversationId, type Seq } from '@tidings/sdk';
import { conversationTitle } from './ConversationListViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

export const MAX_FORWARD_TARGETS = 20;

export interface ForwardTarget {
  id: ConversationId;
  title: string;
  avatarId: number;
  type: 'direct' | 'group' | 'system';
  selected: boolean;
}

export interface ForwardSnapshot {
  preview: string;
  targets: ForwardTarget[];
  selectedCount: number;
  query: string;
  note: string;
  busy: boolean;
  /** An error code to translate. */
  error: string | null;
  done: boolean;
}

export class ForwardViewModel extends ViewModel<ForwardSnapshot> {
  private readonly selected = new Set<ConversationId>();
  private query = '';
  private note = '';

  constructor(
    private readonly client: Client,
    private readonly preferences: PreferencesViewModel,
    private readonly source: ConversationId,
    private readonly seqs: Seq[],
    private readonly preview: string,
  ) {
    super({ preview, targets: [], selectedCount: 0, query: '', note: '', busy: false, error: null, done: false });
    this.track(preferences.subscribe(() => this.refresh()));
    this.refresh();
  }

  toggle(id: ConversationId): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else if (this.selected.size < MAX_FORWARD_TARGETS) this.selected.add(id);
    this.refresh();
  }

  search(query: string): void {
    this.query = query;
    this.refresh();
  }

  setNote(note: string): void {
    this.note = note;
    this.refresh();
  }

  async send(): Promise<void> {
    if (this.selected.size === 0 || this.getSnapshot().busy) return;
    this.update({ busy: true, error: null });
    try {
      await this.client.forward(this.source, this.seqs, [...this.selected], this.note);
      this.update({ busy: false, done: true });
    } catch (error) {
      this.update({ busy: false, error: errorCode(error) });
    }
  }

  private refresh(): void {
    const { t } = this.preferences.getSnapshot();
    const query = this.query.trim().toLowerCase();
    const targets = this.client
      .conversations()
      .filter((c) => c.type !== 'system')
      .map((c) => ({
        id: c.id,
        title: conversationTitle(c, t('list.systemNotices')),
        avatarId: c.peer?.user_id ?? c.id,
        type: c.type,
        selected: this.selected.has(c.id),
      }))
      .filter((c) => !query || c.title.toLowerCase().includes(query));
    this.update({ targets, selectedCount: this.selected.size, query: this.query, note: this.note });
  }
}
