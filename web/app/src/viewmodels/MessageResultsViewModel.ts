/**
 * Message results of a search (issue 15): the full list behind the search box's "more",
 * with filters (one conversation, sender, date range, type) and paging by cursor; and the
 * same inside one conversation (its header's search, Ctrl+F), where the hits are stepped
 * through newest to oldest and each opens the chat at it.
 *
 * Snippets come as parts (`snippetParts`) to render as text nodes: messages are untrusted.
 */
import { errorCode, snippetParts, type Client, type ConversationId, type MessageSearchResult, type SearchKind, type Seq, type SnippetPart, type UserId } from '@tidings/sdk';
import { errorMessage } from '../i18n/i18n';
import { searchTranslator, type SearchTranslate } from '../i18n/searchWords';
import { listTime } from '../lib/format';
import { conversationTitle } from './ConversationListViewModel';
import type { NameBook } from './NameBook';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { SEARCH_DELAY_MS } from './SearchViewModel';
import { ViewModel } from './ViewModel';

export interface MessageResultItem {
  key: string;
  conversationId: ConversationId;
  seq: Seq;
  conversation: string;
  sender: string;
  senderId: UserId | null;
  time: string;
  type: string;
  parts: SnippetPart[];
}

export interface MessageFilters {
  conversationId: ConversationId | null;
  senderId: UserId | null;
  /** `YYYY-MM-DD` as a date input gives it, local time; "" for none. */
  from: string;
  to: string;
  kind: SearchKind | null;
}

export interface MessageResultsSnapshot {
  query: string;
  filters: MessageFilters;
  items: MessageResultItem[];
  /** Another page can be asked for. */
  more: boolean;
  loading: boolean;
  /** Asked and answered (an empty list then means nothing was found). */
  done: boolean;
  error: string | null;
  /** In-chat search: the hit shown in the chat, its place among the loaded ones. */
  current: number | null;
  /** Conversations and senders to filter on. */
  conversations: { id: ConversationId; title: string }[];
  senders: { id: UserId; name: string }[];
  /** The search screens' words, in the user's language (a chunk of their own). */
  w: SearchTranslate;
}

const PAGE = 20;
const DAY_MS = 86_400_000;

/** Local midnight of a `YYYY-MM-DD` date, in ms; null if it is not one. */
export function dayStart(date: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const at = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime();
  return Number.isNaN(at) ? null : at;
}

export class MessageResultsViewModel extends ViewModel<MessageResultsSnapshot> {
  private query = '';
  private filters: MessageFilters;
  private results: MessageSearchResult[] = [];
  private next: string | null = null;
  private loading = false;
  private done = false;
  private error: string | null = null;
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private currentHit: number | null = null;
  private readonly senderNames = new Map<UserId, string>();

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly preferences: PreferencesViewModel,
    /** In-chat search: only this conversation, hits newest first, stepped through. */
    readonly inChat: ConversationId | null = null,
    private readonly now: () => number = Date.now,
    private readonly delayMs = SEARCH_DELAY_MS,
  ) {
    const filters: MessageFilters = { conversationId: inChat, senderId: null, from: '', to: '', kind: null };
    super({ query: '', filters, items: [], more: false, loading: false, done: false, error: null, current: null, conversations: [], senders: [], w: searchTranslator(preferences.getSnapshot().locale) });
    this.filters = filters;
    this.track(() => {
      this.generation += 1;
      if (this.timer) clearTimeout(this.timer);
    });
    this.track(names.onChange(() => this.refresh()));
    this.track(preferences.subscribe(() => this.refresh()));
  }

  private get t() {
    return this.preferences.getSnapshot().t;
  }

  /** Search for this text now (the search box's "more"). */
  search(query: string, conversationId: ConversationId | null = this.filters.conversationId): void {
    this.query = query;
    this.filters = { ...this.filters, conversationId: this.inChat ?? conversationId };
    void this.restart();
  }

  /** The text changed as the user types (in-chat): asked after a pause. */
  type(query: string): void {
    this.query = query;
    if (this.timer) clearTimeout(this.timer);
    this.generation += 1;
    this.timer = setTimeout(() => void this.restart(), this.delayMs);
    this.refresh();
  }

  setFilters(change: Partial<MessageFilters>): void {
    this.filters = { ...this.filters, ...change, ...(this.inChat !== null ? { conversationId: this.inChat } : {}) };
    void this.restart();
  }

  private async restart(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.generation += 1;
    this.results = [];
    this.next = null;
    this.done = false;
    this.error = null;
    this.currentHit = null;
    this.loading = false;
    if (!this.query.trim()) {
      this.refresh();
      return;
    }
    await this.page(this.generation, undefined);
  }

  /** The next page (the "more" button, or the list scrolled to its end). */
  async loadMore(): Promise<void> {
    if (this.loading || this.next === null) return;
    await this.page(this.generation, this.next);
  }

  private async page(generation: number, cursor: string | undefined): Promise<void> {
    this.loading = true;
    this.refresh();
    const { conversationId, senderId, from, to, kind } = this.filters;
    const since = dayStart(from);
    const until = dayStart(to);
    try {
      const page = await this.client.searchMessages(this.query.trim(), {
        limit: PAGE,
        ...(conversationId !== null ? { conversationId } : {}),
        ...(senderId !== null ? { senderId } : {}),
        ...(since !== null ? { since } : {}),
        ...(until !== null ? { until: until + DAY_MS } : {}),
        ...(kind !== null ? { types: [kind] } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
        // In a chat the hits are stepped through as the chat reads, newest first: the server
        // pages in that order, so a page only ever adds older hits below those shown.
        ...(this.inChat !== null ? { order: 'newest' as const } : {}),
      });
      if (generation !== this.generation) return;
      const seen = new Set(this.results.map((r) => `${r.conversation_id}:${r.seq}`));
      this.results.push(...page.results.filter((r) => !seen.has(`${r.conversation_id}:${r.seq}`)));
      for (const r of page.results) if (r.sender_id !== null) this.senderNames.set(r.sender_id, this.names.name(r.sender_id));
      // A group one has left is not in the list: the SDK asks for it, to show its name (decision 0075).
      const unknown = new Set(page.results.map((r) => r.conversation_id).filter((id) => !this.client.conversation(id)));
      if (unknown.size > 0) {
        void Promise.all([...unknown].map((id) => this.client.lookUpConversation(id))).then(() => {
          if (generation === this.generation) this.refresh();
        });
      }
      this.next = page.next;
      this.done = true;
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = errorMessage(this.t, errorCode(error));
      this.done = true;
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.refresh();
      }
    }
  }

  /**
   * In-chat: the hit `delta` away from the current one (+1 older, -1 newer); pages on when
   * stepping past the last one loaded. Returns it, to open the chat at.
   */
  async step(delta: number): Promise<MessageResultItem | null> {
    if (this.results.length === 0) return null;
    let at = this.currentHit === null ? (delta > 0 ? 0 : this.results.length - 1) : this.currentHit + delta;
    if (at >= this.results.length && this.next !== null) await this.loadMore();
    if (at >= this.results.length) at = this.results.length - 1;
    if (at < 0) at = 0;
    return this.choose(at);
  }

  /** Make the hit at this place the current one (it was clicked). */
  choose(at: number): MessageResultItem | null {
    if (at < 0 || at >= this.results.length) return null;
    this.currentHit = at;
    this.refresh();
    return this.getSnapshot().items[at] ?? null;
  }

  private refresh(): void {
    const { locale } = this.preferences.getSnapshot();
    const t = this.t;
    const title = (id: ConversationId) => {
      const summary = this.client.conversation(id);
      return summary ? conversationTitle(summary, t('list.systemNotices'), this.names) : `#${id}`;
    };
    const items = this.results.map((r) => ({
      key: `${r.conversation_id}:${r.seq}`,
      conversationId: r.conversation_id,
      seq: r.seq,
      conversation: title(r.conversation_id),
      sender: r.sender_id === null ? '' : this.names.name(r.sender_id),
      senderId: r.sender_id,
      time: listTime(r.created_at, this.now(), locale, t),
      type: r.type,
      parts: snippetParts(r.snippet, r.highlights),
    }));
    const conversations = this.client
      .conversations()
      .filter((c) => c.type !== 'system')
      .map((c) => ({ id: c.id, title: title(c.id) }));
    const senders = [...this.senderNames.keys()].map((id) => ({ id, name: this.names.name(id) }));
    if (this.filters.senderId !== null && !this.senderNames.has(this.filters.senderId)) {
      senders.push({ id: this.filters.senderId, name: this.names.name(this.filters.senderId) });
    }
    this.setSnapshot({
      query: this.query,
      filters: this.filters,
      items,
      more: this.next !== null,
      loading: this.loading,
      done: this.done,
      error: this.error,
      current: this.currentHit,
      conversations,
      senders,
      w: searchTranslator(locale),
    });
  }
}
