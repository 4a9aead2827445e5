/** The conversation list: pinned first, then by last activity; unread, previews, drafts. */
import type { Client, ConversationId, ConversationSummary, ConversationType } from '@tidings/sdk';
import { avatarEmoji } from '../lib/avatar';
import { describeEntry, listTime, visitorName } from '../lib/format';
import type { NameBook } from './NameBook';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

export interface ConversationItem {
  id: ConversationId;
  type: ConversationType;
  title: string;
  /** The id the avatar colour comes from. */
  avatarId: number;
  /** A group's chosen avatar, shown instead of its initials. */
  emoji: string | null;
  preview: string;
  draft: string;
  time: string;
  unread: number;
  muted: boolean;
  pinned: boolean;
  mentioned: boolean;
  online: boolean | undefined;
  selected: boolean;
}

export interface ConversationListSnapshot {
  items: ConversationItem[];
  query: string;
}

/** A conversation's name: system notices by their translated name, a friend by my remark. */
export function conversationTitle(summary: ConversationSummary, systemName: string, remarks?: { remark(id: number): string | undefined }): string {
  if (summary.type === 'system') return systemName;
  const remark = summary.peer ? remarks?.remark(summary.peer.user_id) : undefined;
  return remark || summary.name || `#${summary.id}`;
}

export class ConversationListViewModel extends ViewModel<ConversationListSnapshot> {
  private selectedId: ConversationId | null = null;
  private query = '';

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly preferences: PreferencesViewModel,
    private readonly now: () => number = Date.now,
  ) {
    super({ items: [], query: '' });
    const refresh = () => this.refresh();
    this.track(client.on('conversations', refresh));
    this.track(client.on('presence', refresh));
    this.track(client.on('me', refresh));
    this.track(names.onChange(refresh));
    this.track(preferences.subscribe(refresh));
    // Time labels age ("14:05" becomes "Yesterday").
    const timer = setInterval(refresh, 60_000);
    this.track(() => clearInterval(timer));
    this.refresh();
  }

  select(id: ConversationId | null): void {
    this.selectedId = id;
    this.refresh();
  }

  search(query: string): void {
    this.query = query;
    this.refresh();
  }

  togglePinned(id: ConversationId): Promise<void> {
    const summary = this.client.conversation(id);
    return summary ? this.client.setSettings(id, { pinned: !summary.pinned }) : Promise.resolve();
  }

  toggleMuted(id: ConversationId): Promise<void> {
    const summary = this.client.conversation(id);
    return summary ? this.client.setSettings(id, { muted: !summary.muted }) : Promise.resolve();
  }

  private refresh(): void {
    const { t, locale } = this.preferences.getSnapshot();
    const me = this.client.me?.id ?? 0;
    const now = this.now();
    const query = this.query.trim().toLowerCase();
    const items: ConversationItem[] = [];
    for (const summary of this.client.conversations()) {
      const title = summary.type === 'service' ? visitorName(summary.name, t) : conversationTitle(summary, t('list.systemNotices'), this.names);
      if (query && !title.toLowerCase().includes(query)) continue;
      const preview = summary.preview;
      let text = preview ? describeEntry(preview, me, this.names, t, summary.type) : '';
      if (preview && summary.type === 'group' && preview.kind === 'message' && !preview.recalled && preview.sender_id !== null && preview.sender_id !== me) {
        text = `${this.names.name(preview.sender_id)}: ${text}`;
      }
      const mentioned =
        summary.unread > 0 &&
        preview?.kind === 'message' &&
        preview.type === 'text' &&
        !preview.recalled &&
        (preview.body.mentions?.includes(me) === true || preview.body.mention_all === true);
      items.push({
        id: summary.id,
        type: summary.type,
        title,
        avatarId: summary.peer?.user_id ?? summary.id,
        emoji: summary.type === 'group' ? avatarEmoji(summary.avatar) : null,
        preview: text,
        draft: summary.id === this.selectedId ? '' : summary.draft,
        time: listTime(summary.last_activity_at, now, locale, t),
        unread: summary.unread,
        muted: summary.muted,
        pinned: summary.pinned,
        mentioned,
        online: summary.peer ? this.client.isOnline(summary.peer.user_id) : undefined,
        selected: summary.id === this.selectedId,
      });
    }
    this.setSnapshot({ items, query: this.query });
  }
}
