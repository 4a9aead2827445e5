/**
 * The one search box over everything (PRODUCT.md B7, issue 15): live as the user types
 * (debounced), in sections — people (friends by nickname, remark, account or tag, and the
 * organization as the server lets me see it, departments too), groups, conversations,
 * messages grouped by conversation with counts, and files. Arrow keys move a cursor over
 * every row of every section; Enter opens the row under it.
 *
 * Loaded with its view when the box is first used (decision 0073): the first load carries
 * only the box.
 */
import { snippetParts, type Client, type ConversationId, type Friend, type MessageSearchResult, type Seq, type SnippetPart, type UserId } from '@tidings/sdk';
import { errorCode } from '@tidings/sdk';
import { errorMessage } from '../i18n/i18n';
import { searchTranslator, type SearchTranslate } from '../i18n/searchWords';
import { listTime } from '../lib/format';
import { avatarEmoji } from '../lib/avatar';
import { conversationTitle } from './ConversationListViewModel';
import type { NameBook } from './NameBook';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

/** What a row opens, handed to the workspace. */
export type SearchTarget =
  | { kind: 'person'; userId: UserId }
  | { kind: 'department'; departmentId: number }
  | { kind: 'conversation'; conversationId: ConversationId }
  /** A message, opened at with the query's words marked in it. */
  | { kind: 'message'; conversationId: ConversationId; seq: Seq; query: string }
  /** "More": every message result, maybe of one conversation only. */
  | { kind: 'messages'; query: string; conversationId: ConversationId | null };

export interface SearchRow {
  key: string;
  title: string;
  /** The second line: an account and departments, a count, a snippet's text. */
  detail: string;
  /** A snippet cut at its highlights (messages and files), else null. */
  parts: SnippetPart[] | null;
  /** Avatar: a user id, or a conversation's. */
  avatar: { kind: 'person'; id: UserId } | { kind: 'group' | 'chat'; id: ConversationId; emoji?: string | null } | { kind: 'department' } | { kind: 'file' };
  time: string;
  target: SearchTarget;
}

export type SectionName = 'people' | 'groups' | 'conversations' | 'messages' | 'files';

export interface SearchSection {
  name: SectionName;
  rows: SearchRow[];
  /** "More" opens the full message results. */
  more: SearchTarget | null;
  /** Still asking the server for this section. */
  loading: boolean;
}

export interface SearchSnapshot {
  query: string;
  sections: SearchSection[];
  /** Key of the row the arrow keys are on. */
  active: string | null;
  /** Nothing found in any section (and nothing still loading). */
  empty: boolean;
  error: string | null;
  /** The search screens' words, in the user's language (a chunk of their own). */
  w: SearchTranslate;
}

/** Time to wait after a key before asking the server (the box is live, the server not flooded). */
export const SEARCH_DELAY_MS = 250;
const ROWS_PER_SECTION = 5;
const MESSAGE_PAGE = 50;

interface Found {
  people: SearchRow[] | null;
  messages: { rows: SearchRow[] } | null;
  files: SearchRow[] | null;
}

export class SearchViewModel extends ViewModel<SearchSnapshot> {
  private query = '';
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;
  private found: Found = { people: null, messages: null, files: null };
  private friends: Friend[] | null = null;
  private active: string | null = null;
  private error: string | null = null;

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly preferences: PreferencesViewModel,
    private readonly now: () => number = Date.now,
    private readonly delayMs = SEARCH_DELAY_MS,
  ) {
    super({ query: '', sections: [], active: null, empty: false, error: null, w: searchTranslator(preferences.getSnapshot().locale) });
    this.track(() => {
      this.generation += 1;
      if (this.timer) clearTimeout(this.timer);
    });
    this.track(client.on('conversations', () => this.refresh()));
    // A friend added or removed, a remark or tags changed: the next search asks the list again.
    this.track(
      client.on('private', ({ entry }) => {
        if (entry.kind === 'friend_added' || entry.kind === 'friend_removed' || entry.kind === 'contact_updated') this.friends = null;
      }),
    );
    this.track(names.onChange(() => this.refresh()));
    this.track(preferences.subscribe(() => this.refresh()));
  }

  private get w(): SearchTranslate {
    return searchTranslator(this.preferences.getSnapshot().locale);
  }

  private get t() {
    return this.preferences.getSnapshot().t;
  }

  /** The text in the box: local sections show at once, the server's after a pause. */
  setQuery(query: string): void {
    if (query === this.query) return;
    this.query = query;
    this.generation += 1;
    if (this.timer) clearTimeout(this.timer);
    this.found = { people: null, messages: null, files: null };
    this.error = null;
    this.active = null;
    const q = query.trim();
    if (q) {
      const generation = this.generation;
      this.timer = setTimeout(() => void this.ask(q, generation), this.delayMs);
    }
    this.refresh();
  }

  /** Move the cursor over the rows (↑ -1, ↓ +1), wrapping. */
  move(delta: number): void {
    const keys = this.getSnapshot().sections.flatMap((s) => s.rows.map((r) => r.key));
    if (keys.length === 0) return;
    const at = this.active === null ? -1 : keys.indexOf(this.active);
    const next = at < 0 ? (delta > 0 ? 0 : keys.length - 1) : (at + delta + keys.length) % keys.length;
    this.active = keys[next] ?? null;
    this.refresh();
  }

  /** The row under the cursor (Enter), or the first row when none is. */
  activeTarget(): SearchTarget | null {
    const rows = this.getSnapshot().sections.flatMap((s) => s.rows);
    return (rows.find((r) => r.key === this.active) ?? rows[0])?.target ?? null;
  }

  private async ask(q: string, generation: number): Promise<void> {
    const settle = (change: Partial<Found>) => {
      if (generation !== this.generation) return;
      this.found = { ...this.found, ...change };
      this.refresh();
    };
    const failed = (error: unknown) => {
      if (generation !== this.generation) return;
      this.error = errorMessage(this.t, errorCode(error));
    };
    await Promise.all([
      this.askPeople(q).then((people) => settle({ people }), (error: unknown) => (failed(error), settle({ people: [] }))),
      this.client.searchMessages(q, { limit: MESSAGE_PAGE }).then(
        async (page) => settle({ messages: { rows: this.messageRows(q, await this.named(page.results), page.next !== null) } }),
        (error: unknown) => (failed(error), settle({ messages: { rows: [] } })),
      ),
      this.client.searchMessages(q, { types: ['file', 'image'], limit: ROWS_PER_SECTION }).then(
        async (page) => settle({ files: (await this.named(page.results)).map((r) => this.fileRow(q, r)) }),
        (error: unknown) => (failed(error), settle({ files: [] })),
      ),
    ]);
  }

  /**
   * The results, once the conversations they are in are known: a group one has left is not
   * in the list, so the SDK asks for it (decision 0075) and it shows by its name and avatar.
   */
  private async named(results: readonly MessageSearchResult[]): Promise<readonly MessageSearchResult[]> {
    const unknown = new Set(results.map((r) => r.conversation_id).filter((id) => !this.client.conversation(id)));
    await Promise.all([...unknown].map((id) => this.client.lookUpConversation(id)));
    return results;
  }

  /** Friends matched here (remark, tags), then whom the organization and the server find. */
  private async askPeople(q: string): Promise<SearchRow[]> {
    if (this.friends === null) {
      try {
        this.friends = (await this.client.request('friends.list', undefined)).friends;
      } catch {
        this.friends = [];
      }
    }
    const needle = q.toLowerCase();
    const rows: SearchRow[] = [];
    const seen = new Set<UserId>();
    for (const friend of this.friends) {
      const tag = friend.tags.find((tag) => tag.toLowerCase().includes(needle));
      const hit =
        friend.remark.toLowerCase().includes(needle) ||
        friend.user.nickname.toLowerCase().includes(needle) ||
        friend.user.account.toLowerCase().includes(needle) ||
        tag !== undefined;
      if (!hit) continue;
      seen.add(friend.user.id);
      const name = friend.remark || friend.user.nickname;
      const detail = [friend.remark ? friend.user.nickname : '', friend.user.account, tag ? `#${tag}` : ''].filter(Boolean).join(' · ');
      rows.push(this.personRow(friend.user.id, name, detail));
    }
    const [org, people] = await Promise.all([
      this.client.request('org.search', { query: q.slice(0, 64), limit: 10 }).catch(() => null),
      this.client.request('contacts.search', { query: q.slice(0, 64), limit: 10 }).catch(() => null),
    ]);
    for (const user of [...(org?.users ?? []), ...(people?.users ?? [])]) {
      if (seen.has(user.id) || user.id === this.client.me?.id) continue;
      seen.add(user.id);
      const departments = user.departments.map((d) => (d.position ? `${d.name} · ${d.position}` : d.name));
      rows.push(this.personRow(user.id, user.remark || user.nickname, [user.account, ...departments].join(' · ')));
    }
    for (const department of org?.departments ?? []) {
      rows.push({
        key: `department:${department.id}`,
        title: department.name,
        detail: department.path,
        parts: null,
        avatar: { kind: 'department' },
        time: '',
        target: { kind: 'department', departmentId: department.id },
      });
    }
    return rows;
  }

  private personRow(id: UserId, title: string, detail: string): SearchRow {
    return { key: `person:${id}`, title, detail, parts: null, avatar: { kind: 'person', id }, time: '', target: { kind: 'person', userId: id } };
  }

  private title(id: ConversationId): string {
    const summary = this.client.conversation(id);
    return summary ? conversationTitle(summary, this.t('list.systemNotices'), this.names) : `#${id}`;
  }

  private time(at: number): string {
    const { locale } = this.preferences.getSnapshot();
    return listTime(at, this.now(), locale, this.t);
  }

  /**
   * One row per conversation: its best hit, and how many of this page are its ("12+" when
   * the server has more pages: a count of the first page only would be too low).
   */
  private messageRows(q: string, results: readonly MessageSearchResult[], more: boolean): SearchRow[] {
    const byConversation = new Map<ConversationId, MessageSearchResult[]>();
    for (const result of results) {
      const list = byConversation.get(result.conversation_id) ?? [];
      list.push(result);
      byConversation.set(result.conversation_id, list);
    }
    return [...byConversation.entries()].map(([id, hits]) => {
      const best = hits[0] as MessageSearchResult;
      const one = hits.length === 1;
      return {
        key: `messages:${id}`,
        title: this.title(id),
        detail: one ? '' : this.w('relatedCount', { count: more ? `${hits.length}+` : hits.length }),
        parts: one ? snippetParts(best.snippet, best.highlights) : null,
        avatar: this.conversationAvatar(id),
        time: one ? this.time(best.created_at) : '',
        target: one ? { kind: 'message', conversationId: id, seq: best.seq, query: q } : { kind: 'messages', query: q, conversationId: id },
      };
    });
  }

  private fileRow(q: string, result: MessageSearchResult): SearchRow {
    return {
      key: `file:${result.conversation_id}:${result.seq}`,
      title: result.snippet,
      detail: `${this.title(result.conversation_id)} · ${result.sender_id === null ? '' : this.names.name(result.sender_id)}`,
      parts: snippetParts(result.snippet, result.highlights),
      avatar: { kind: 'file' },
      time: this.time(result.created_at),
      target: { kind: 'message', conversationId: result.conversation_id, seq: result.seq, query: q },
    };
  }

  private conversationAvatar(id: ConversationId): SearchRow['avatar'] {
    const summary = this.client.conversation(id);
    if (summary?.type === 'direct' && summary.peer) return { kind: 'person', id: summary.peer.user_id };
    if (summary?.type === 'group') return { kind: 'group', id, emoji: avatarEmoji(summary.avatar) };
    return { kind: 'chat', id };
  }

  /** Groups and conversations are matched on this device, by their titles. */
  private localRows(q: string): { groups: SearchRow[]; conversations: SearchRow[] } {
    const needle = q.toLowerCase();
    const groups: SearchRow[] = [];
    const conversations: SearchRow[] = [];
    for (const summary of this.client.conversations()) {
      const title = this.title(summary.id);
      if (!title.toLowerCase().includes(needle)) continue;
      const row: SearchRow = {
        key: `conversation:${summary.id}`,
        title,
        detail: '',
        parts: null,
        avatar: this.conversationAvatar(summary.id),
        time: summary.last_activity_at ? this.time(summary.last_activity_at) : '',
        target: { kind: 'conversation', conversationId: summary.id },
      };
      (summary.type === 'group' ? groups : conversations).push(row);
    }
    return { groups, conversations };
  }

  private refresh(): void {
    const q = this.query.trim();
    if (!q) {
      this.setSnapshot({ query: this.query, sections: [], active: null, empty: false, error: null, w: this.w });
      return;
    }
    const { groups, conversations } = this.localRows(q);
    const { people, messages, files } = this.found;
    const sections: SearchSection[] = [
      { name: 'people', rows: (people ?? []).slice(0, ROWS_PER_SECTION * 2), more: null, loading: people === null },
      { name: 'groups', rows: groups.slice(0, ROWS_PER_SECTION), more: null, loading: false },
      { name: 'conversations', rows: conversations.slice(0, ROWS_PER_SECTION), more: null, loading: false },
      {
        name: 'messages',
        rows: (messages?.rows ?? []).slice(0, ROWS_PER_SECTION),
        more: messages && messages.rows.length > 0 ? { kind: 'messages', query: q, conversationId: null } : null,
        loading: messages === null,
      },
      { name: 'files', rows: files ?? [], more: null, loading: files === null },
    ];
    const shown = sections.filter((s) => s.rows.length > 0 || s.loading);
    const keys = new Set(shown.flatMap((s) => s.rows.map((r) => r.key)));
    if (this.active !== null && !keys.has(this.active)) this.active = null;
    this.setSnapshot({
      query: this.query,
      sections: shown,
      active: this.active,
      empty: shown.length === 0,
      error: this.error,
      w: this.w,
    });
  }
}
