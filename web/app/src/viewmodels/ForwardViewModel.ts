/**
 * The forward dialog (PRODUCT.md D6, I8): pick several targets from recent chats, friends and
 * groups, search them, preview what is forwarded, add a note, send. A friend with no direct
 * chat yet is a target too: sending opens that chat first (`conversation.open_direct`).
 */
import { errorCode, type Client, type ConversationId, type Friend, type Seq, type UserId } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import { avatarEmoji } from '../lib/avatar';
import { conversationTitle } from './ConversationListViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

/** The server forwards to at most this many conversations at once. */
export const MAX_FORWARD_TARGETS = 20;

export type ForwardTab = 'recent' | 'friends' | 'groups';

/**
 * What the dialog sends: messages forwarded from a chat, or something new shared into
 * chats (a workbench app's card, J6): the title and the word said afterwards follow it.
 */
// In a module of their own so that the first load, which says them, need not carry this one.
import type { ForwardPurpose } from './forwardDone';
export { forwardDoneText, type ForwardPurpose } from './forwardDone';

/** A target key: `c<id>` a conversation, `u<id>` a friend without a direct chat yet. */
export type TargetKey = `c${number}` | `u${number}`;

export interface ForwardTarget {
  key: TargetKey;
  title: string;
  /** A second line: a friend's nickname (under a remark) or account. */
  detail: string;
  avatarId: number;
  /** A group's chosen avatar. */
  emoji: string | null;
  type: 'direct' | 'group';
  selected: boolean;
}

export interface ForwardSnapshot {
  purpose: ForwardPurpose;
  /** What is forwarded, as text, and who said it ("" when unknown). */
  preview: string;
  previewSender: string;
  tab: ForwardTab;
  /** The active tab's targets, or with a query every match from all three. */
  targets: ForwardTarget[];
  /** The picked targets in the order picked, whichever list they came from. */
  selected: { key: TargetKey; title: string }[];
  selectedCount: number;
  /** The most targets have been picked. */
  full: boolean;
  query: string;
  note: string;
  /** The friend list is still on its way. */
  loadingFriends: boolean;
  busy: boolean;
  /** An error code to translate. */
  error: string | null;
  done: boolean;
}

interface Candidate {
  key: TargetKey;
  title: string;
  detail: string;
  avatarId: number;
  emoji: string | null;
  type: 'direct' | 'group';
  /** What a search matches (lower case). */
  words: string;
}

export class ForwardViewModel extends ViewModel<ForwardSnapshot> {
  /** Picked keys with their titles, in the order picked. */
  private readonly selected = new Map<TargetKey, string>();
  private friends: Friend[] = [];
  private tab: ForwardTab = 'recent';
  private query = '';
  private note = '';

  constructor(
    private readonly client: Client,
    private readonly preferences: PreferencesViewModel,
    private readonly source: ConversationId,
    private readonly seqs: Seq[],
    preview: string,
    previewSender = '',
    /** Sends instead of a plain forward (a merged forward, a favourite sent on). */
    private readonly sender: ((targets: ConversationId[], note: string) => Promise<unknown>) | null = null,
    purpose: ForwardPurpose = 'forward',
  ) {
    super({
      purpose,
      preview, previewSender, tab: 'recent', targets: [], selected: [], selectedCount: 0, full: false, query: '', note: '',
      loadingFriends: true, busy: false, error: null, done: false,
    });
    this.track(preferences.subscribe(() => this.refresh()));
    this.track(client.on('conversations', () => this.refresh()));
    this.refresh();
    void this.loadFriends();
  }

  showTab(tab: ForwardTab): void {
    this.tab = tab;
    this.refresh();
  }

  toggle(key: TargetKey): void {
    if (this.selected.has(key)) this.selected.delete(key);
    else if (this.selected.size < MAX_FORWARD_TARGETS) {
      const found = this.candidates().find((c) => c.key === key);
      if (!found) return;
      this.selected.set(key, found.title);
    }
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
      const ids: ConversationId[] = [];
      for (const key of this.selected.keys()) {
        const id = await this.conversationFor(key);
        if (!ids.includes(id)) ids.push(id);
      }
      if (this.sender) await this.sender(ids, this.note);
      else await this.client.forward(this.source, this.seqs, ids, this.note);
      this.update({ busy: false, done: true });
    } catch (error) {
      this.update({ busy: false, error: errorCode(error) });
    }
  }

  // ---- internals -------------------------------------------------------------------------

  private async loadFriends(): Promise<void> {
    try {
      this.friends = (await this.client.request('friends.list', undefined)).friends;
    } catch {
      // Recent chats and groups still work; friends with a chat are among the recent ones.
      this.friends = [];
    }
    this.update({ loadingFriends: false });
    this.refresh();
  }

  /** The conversation a target means; a friend's direct chat is opened if there is none. */
  private async conversationFor(key: TargetKey): Promise<ConversationId> {
    const id = Number(key.slice(1));
    if (key.startsWith('c')) return id;
    const existing = this.directWith(id);
    if (existing !== undefined) return existing;
    return (await this.client.openDirect(id)).id;
  }

  private directWith(userId: UserId): ConversationId | undefined {
    return this.client.conversations().find((c) => c.type === 'direct' && c.peer?.user_id === userId)?.id;
  }

  private remarks(): { remark(id: number): string | undefined } {
    const byId = new Map(this.friends.map((f) => [f.user_id, f.remark]));
    return { remark: (id) => byId.get(id) || undefined };
  }

  /** Every possible target, for the tab given (or all of them, deduplicated). */
  private candidates(tab: ForwardTab | null = null): Candidate[] {
    const { t } = this.preferences.getSnapshot();
    const remarks = this.remarks();
    // Not a customer's chat: it takes text and cards only, and colleagues' messages have no
    // business reaching a customer by a forward (decision 0066).
    const conversations = this.client.conversations().filter((c) => c.type !== 'system' && c.type !== 'service');
    const ofConversation = (c: (typeof conversations)[number]): Candidate => {
      const title = conversationTitle(c, t('list.systemNotices'), remarks);
      const friend = c.peer ? this.friends.find((f) => f.user_id === c.peer?.user_id) : undefined;
      return {
        key: `c${c.id}`,
        title,
        detail: friend ? detailOf(friend) : '',
        avatarId: c.peer?.user_id ?? c.id,
        emoji: c.type === 'group' ? avatarEmoji(c.avatar) : null,
        type: c.type === 'group' ? 'group' : 'direct',
        words: [title, c.name, friend?.user.account ?? ''].join('\n').toLowerCase(),
      };
    };
    const recent = (): Candidate[] => conversations.map(ofConversation);
    const groups = (): Candidate[] =>
      conversations.filter((c) => c.type === 'group').map(ofConversation).sort((a, b) => a.title.localeCompare(b.title));
    const friends = (): Candidate[] =>
      this.friends
        .map((f): Candidate => {
          const direct = this.directWith(f.user_id);
          const title = f.remark || f.user.nickname;
          return {
            key: direct !== undefined ? `c${direct}` : `u${f.user_id}`,
            title,
            detail: detailOf(f),
            avatarId: f.user_id,
            emoji: null,
            type: 'direct',
            words: [f.remark, f.user.nickname, f.user.account].join('\n').toLowerCase(),
          };
        })
        .sort((a, b) => a.title.localeCompare(b.title));
    if (tab === 'recent') return recent();
    if (tab === 'friends') return friends();
    if (tab === 'groups') return groups();
    const seen = new Set<TargetKey>();
    return [...recent(), ...friends(), ...groups()].filter((c) => !seen.has(c.key) && (seen.add(c.key), true));
  }

  private refresh(): void {
    // A friend picked before their chat existed is that chat now (opened here or elsewhere).
    if ([...this.selected.keys()].some((key) => key.startsWith('u') && this.directWith(Number(key.slice(1))) !== undefined)) {
      const picked = [...this.selected];
      this.selected.clear();
      for (const [key, title] of picked) {
        const direct = key.startsWith('u') ? this.directWith(Number(key.slice(1))) : undefined;
        this.selected.set(direct !== undefined ? `c${direct}` : key, title);
      }
    }
    const query = this.query.trim().toLowerCase();
    const targets = (query ? this.candidates().filter((c) => c.words.includes(query)) : this.candidates(this.tab)).map(
      ({ words: _words, ...c }): ForwardTarget => ({ ...c, selected: this.selected.has(c.key) }),
    );
    this.update({
      tab: this.tab,
      targets,
      selected: [...this.selected].map(([key, title]) => ({ key, title })),
      selectedCount: this.selected.size,
      full: this.selected.size >= MAX_FORWARD_TARGETS,
      query: this.query,
      note: this.note,
    });
  }
}

function detailOf(friend: Friend): string {
  return friend.remark ? friend.user.nickname : friend.user.account;
}
