/**
 * Contacts (PRODUCT.md I2, B1-B3): new friends with their badge, my group chats, my own
 * contact groups with the friends in them, and a search over people. The organization tree
 * has its own view model (OrgViewModel). Kept live from my private log.
 */
import {
  errorCode,
  type Client,
  type ContactGroup,
  type ConversationId,
  type Friend,
  type FriendRequests,
  type PrivateEntry,
  type UserId,
} from '@tidings/sdk';
import { listTime } from '../lib/format';
import { conversationTitle } from './ConversationListViewModel';
import type { NameBook } from './NameBook';
import { OrgViewModel } from './OrgViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ProfileViewModel } from './ProfileViewModel';
import { ViewModel } from './ViewModel';

export interface ContactPerson {
  id: UserId;
  /** My remark if I gave one, else their nickname. */
  name: string;
  detail: string;
  online: boolean | undefined;
}

/** One row of the contact-group tree: a group heading (with its depth) or "no group". */
export interface FriendGroupRow {
  /** null: friends in no group. */
  id: number | null;
  name: string;
  depth: number;
  people: ContactPerson[];
  expanded: boolean;
}

export interface RequestRow {
  requestId: number;
  userId: UserId;
  name: string;
  account: string;
  message: string;
  time: string;
}

export interface FoundGroup {
  id: ConversationId;
  number: number;
  name: string;
  intro: string;
  memberCount: number;
  joinMode: string;
  /** Already a member: open it instead. */
  member: boolean;
  /** My request waits for an approver. */
  requested: boolean;
}

export type ContactsSelection =
  | { kind: 'newFriends' }
  | { kind: 'groups' }
  | { kind: 'org' }
  | { kind: 'person'; userId: UserId }
  | null;

export interface ContactsSnapshot {
  query: string;
  /** While searching: matching friends, and people the server found. */
  search: { friends: ContactPerson[]; others: ContactPerson[]; searching: boolean } | null;
  /** A group found by its number (a search of digits), to join. */
  foundGroup: FoundGroup | null;
  pendingCount: number;
  incoming: RequestRow[];
  outgoing: RequestRow[];
  groups: { id: ConversationId; title: string }[];
  friendGroups: FriendGroupRow[];
  friendCount: number;
  selection: ContactsSelection;
  /** The profile shown on the right, for a selected person. */
  profile: ProfileViewModel | null;
  /** An error code of the last action. */
  error: string | null;
  busy: boolean;
}

const SEARCH_DELAY_MS = 200;

export class ContactsViewModel extends ViewModel<ContactsSnapshot> {
  readonly org: OrgViewModel;
  private friends: Friend[] = [];
  private contactGroups: ContactGroup[] = [];
  private requests: FriendRequests = { pending_count: 0, incoming: [], outgoing: [] };
  private readonly collapsed = new Set<number | null>();
  private query = '';
  private found: ContactPerson[] | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private searchGeneration = 0;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private profile: ProfileViewModel | null = null;
  private foundGroup: FoundGroup | null = null;

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly preferences: PreferencesViewModel,
    private readonly now: () => number = Date.now,
    private readonly searchDelayMs = SEARCH_DELAY_MS,
  ) {
    super({
      query: '', search: null, foundGroup: null, pendingCount: 0, incoming: [], outgoing: [], groups: [], friendGroups: [],
      friendCount: 0, selection: null, profile: null, error: null, busy: false,
    });
    this.org = new OrgViewModel(client, names);
    this.track(() => this.org.dispose());
    this.track(
      client.on('state', ({ state }) => {
        if (state === 'connected') void this.reload();
      }),
    );
    this.track(client.on('private', ({ entry }) => this.privateArrived(entry)));
    this.track(client.on('conversations', () => this.refresh()));
    this.track(client.on('presence', () => this.refresh()));
    this.track(names.onChange(() => this.refresh()));
    this.track(preferences.subscribe(() => this.refresh()));
    this.track(() => {
      if (this.searchTimer) clearTimeout(this.searchTimer);
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      this.profile?.dispose();
    });
    if (client.state === 'connected') void this.reload();
    this.refresh();
  }

  // ---- loading -------------------------------------------------------------------------

  async reload(): Promise<void> {
    if (this.client.state !== 'connected') return;
    try {
      const [friends, requests] = await Promise.all([
        this.client.request('friends.list', undefined),
        this.client.request('friends.requests', undefined),
      ]);
      this.friends = friends.friends;
      this.contactGroups = friends.contact_groups;
      this.requests = requests;
      this.names.learnContacts(
        this.friends.map((f) => ({ id: f.user_id, nickname: f.user.nickname, remark: f.remark })),
      );
      this.update({ error: null });
    } catch (error) {
      this.update({ error: errorCode(error) });
    }
    this.refresh();
  }

  private reloadSoon(): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.reload();
    }, 100);
  }

  private privateArrived(entry: PrivateEntry): void {
    switch (entry.kind) {
      case 'friend_request':
      case 'friend_request_sent':
      case 'friend_request_decided':
      case 'friend_added':
      case 'friend_removed':
      case 'contact_updated':
      case 'contact_groups':
        this.reloadSoon();
        break;
      default:
        break;
    }
  }

  // ---- selection and search ------------------------------------------------------------

  select(selection: ContactsSelection): void {
    this.profile?.dispose();
    this.profile = selection?.kind === 'person' ? new ProfileViewModel(selection.userId, this.client) : null;
    if (selection?.kind === 'org') void this.org.open();
    this.update({ selection, profile: this.profile });
  }

  search(query: string): void {
    this.query = query;
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchGeneration += 1;
    const trimmed = query.trim();
    this.found = null;
    this.foundGroup = null;
    this.refresh();
    if (!trimmed) return;
    const generation = this.searchGeneration;
    this.searchTimer = setTimeout(() => {
      void this.runSearch(trimmed, generation);
      // A group ID is a number (E1): look it up too.
      if (/^[1-9][0-9]{5,15}$/.test(trimmed)) void this.findGroup(Number(trimmed), generation);
    }, this.searchDelayMs);
  }

  private async findGroup(number: number, generation: number): Promise<void> {
    try {
      const group = await this.client.request('group.find', { number });
      if (generation !== this.searchGeneration) return;
      this.foundGroup = {
        id: group.id, number: group.number, name: group.name, intro: group.intro, memberCount: group.member_count,
        joinMode: group.join_mode, member: this.client.conversation(group.id) !== undefined, requested: false,
      };
    } catch {
      if (generation !== this.searchGeneration) return;
      this.foundGroup = null;
    }
    this.refresh();
  }

  /** Join the group found by its number: at once (open groups) or by request (approval). */
  async joinFoundGroup(message = ''): Promise<'joined' | 'pending' | null> {
    const group = this.foundGroup;
    if (!group) return null;
    this.update({ busy: true, error: null });
    try {
      const reply = await this.client.request('group.join', { conversation_id: group.id, message });
      this.foundGroup = { ...group, member: reply.status === 'joined', requested: reply.status === 'pending' };
      this.update({ busy: false });
      this.refresh();
      return reply.status;
    } catch (error) {
      this.update({ busy: false, error: errorCode(error) });
      return null;
    }
  }

  private async runSearch(query: string, generation: number): Promise<void> {
    try {
      const reply = await this.client.request('contacts.search', { query, limit: 30 });
      if (generation !== this.searchGeneration) return;
      this.found = reply.users.map((u) => ({
        id: u.id,
        name: u.remark || u.nickname,
        detail: [u.account, ...u.departments.map((d) => (d.position ? `${d.name} · ${d.position}` : d.name))].join(' · '),
        online: this.client.isOnline(u.id),
      }));
    } catch (error) {
      if (generation !== this.searchGeneration) return;
      this.found = [];
      this.update({ error: errorCode(error) });
    }
    this.refresh();
  }

  toggleGroup(id: number | null): void {
    if (this.collapsed.has(id)) this.collapsed.delete(id);
    else this.collapsed.add(id);
    this.refresh();
  }

  // ---- friend requests -----------------------------------------------------------------

  async accept(requestId: number): Promise<void> {
    await this.act(() => this.client.request('friends.accept', { request_id: requestId }));
  }

  async reject(requestId: number): Promise<void> {
    await this.act(() => this.client.request('friends.reject', { request_id: requestId }));
  }

  // ---- contact groups ------------------------------------------------------------------

  async createGroup(name: string, parentId: number | null = null): Promise<void> {
    const trimmed = name.trim();
    if (!trimmed) return;
    await this.act(() => this.client.request('contact_groups.create', { name: trimmed, parent_id: parentId }));
  }

  async renameGroup(id: number, name: string): Promise<void> {
    const trimmed = name.trim();
    if (!trimmed) return;
    await this.act(() => this.client.request('contact_groups.rename', { group_id: id, name: trimmed }));
  }

  async deleteGroup(id: number): Promise<void> {
    await this.act(() => this.client.request('contact_groups.delete', { group_id: id }));
  }

  /** Put a friend into one of my contact groups (null: none). */
  async moveFriend(userId: UserId, groupId: number | null): Promise<void> {
    await this.act(() => this.client.request('contacts.update', { user_id: userId, contact_group_id: groupId }));
  }

  /** My contact groups as a flat, indented list (for a picker). */
  groupChoices(): { id: number; name: string; depth: number }[] {
    return this.treeOrder().map(({ group, depth }) => ({ id: group.id, name: group.name, depth }));
  }

  private async act(action: () => Promise<unknown>): Promise<void> {
    this.update({ busy: true, error: null });
    try {
      await action();
      await this.reload();
      this.update({ busy: false });
    } catch (error) {
      this.update({ busy: false, error: errorCode(error) });
    }
  }

  // ---- the snapshot --------------------------------------------------------------------

  private person(userId: UserId, nickname: string, remark: string, detail = ''): ContactPerson {
    return { id: userId, name: remark || nickname, detail, online: this.client.isOnline(userId) };
  }

  /** Contact groups depth-first, children under their parent, each level by name. */
  private treeOrder(): { group: ContactGroup; depth: number }[] {
    const children = new Map<number | null, ContactGroup[]>();
    for (const group of this.contactGroups) {
      const parent = this.contactGroups.some((g) => g.id === group.parent_id) ? group.parent_id : null;
      children.set(parent, [...(children.get(parent) ?? []), group]);
    }
    const out: { group: ContactGroup; depth: number }[] = [];
    const walk = (parent: number | null, depth: number, seen: Set<number>) => {
      for (const group of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
        if (seen.has(group.id)) continue;
        seen.add(group.id);
        out.push({ group, depth });
        walk(group.id, depth + 1, seen);
      }
    };
    walk(null, 0, new Set());
    return out;
  }

  private refresh(): void {
    const { t, locale } = this.preferences.getSnapshot();
    const now = this.now();
    const people = (friends: Friend[]) =>
      friends
        .map((f) => this.person(f.user_id, f.user.nickname, f.remark, f.user.signature))
        .sort((a, b) => a.name.localeCompare(b.name));
    const byGroup = new Map<number | null, Friend[]>();
    const known = new Set(this.contactGroups.map((g) => g.id));
    for (const friend of this.friends) {
      const key = friend.contact_group_id !== null && known.has(friend.contact_group_id) ? friend.contact_group_id : null;
      byGroup.set(key, [...(byGroup.get(key) ?? []), friend]);
    }
    const friendGroups: FriendGroupRow[] = this.treeOrder().map(({ group, depth }) => ({
      id: group.id,
      name: group.name,
      depth,
      people: people(byGroup.get(group.id) ?? []),
      expanded: !this.collapsed.has(group.id),
    }));
    friendGroups.push({
      id: null,
      name: t('contacts.ungrouped'),
      depth: 0,
      people: people(byGroup.get(null) ?? []),
      expanded: !this.collapsed.has(null),
    });

    const query = this.query.trim().toLowerCase();
    let search: ContactsSnapshot['search'] = null;
    if (query) {
      const friends = people(this.friends).filter(
        (p) => p.name.toLowerCase().includes(query) || this.friends.some((f) => f.user_id === p.id && (f.user.account.toLowerCase().includes(query) || f.tags.some((tag) => tag.toLowerCase().includes(query)))),
      );
      const friendIds = new Set(friends.map((f) => f.id));
      const me = this.client.me?.id;
      search = {
        friends,
        others: (this.found ?? []).filter((p) => !friendIds.has(p.id) && p.id !== me),
        searching: this.found === null,
      };
    }

    const requestRow = (userId: UserId, nickname: string, account: string, requestId: number, message: string, at: number) => ({
      requestId, userId, name: nickname, account, message, time: listTime(at, now, locale, t),
    });
    this.update({
      query: this.query,
      search,
      foundGroup: this.foundGroup && { ...this.foundGroup, member: this.foundGroup.member || this.client.conversation(this.foundGroup.id) !== undefined },
      pendingCount: this.requests.pending_count,
      incoming: this.requests.incoming.map((r) => requestRow(r.from_user.id, r.from_user.nickname, r.from_user.account, r.request_id, r.message, r.created_at)),
      outgoing: this.requests.outgoing.map((r) => requestRow(r.to_user.id, r.to_user.nickname, r.to_user.account, r.request_id, r.message, r.created_at)),
      groups: this.client
        .conversations()
        .filter((c) => c.type === 'group')
        .map((c) => ({ id: c.id, title: conversationTitle(c, t('list.systemNotices')) }))
        .sort((a, b) => a.title.localeCompare(b.title)),
      friendGroups,
      friendCount: this.friends.length,
    });
  }
}
