/**
 * Contacts (PRODUCT.md I2, B1-B6): new friends with their badge (accept, reject, ignore), my
 * group chats, my own contact groups nested to any depth with the friends in them, tags and a
 * filter by tag, and a search over people. The organization tree, the blocked list, imports,
 * invite links and favourite files have view models of their own, opened from here. The
 * friends and requests come from the workspace's `ContactBook` (kept live from my private
 * log); this view model is fetched when the Contacts tab first opens.
 */
import {
  errorCode,
  RestApi,
  type Client,
  type ContactGroup,
  type ConversationId,
  type Friend,
  type FriendRequests,
  type ImportReport,
  type UserId,
} from '@tidings/sdk';
import { avatarEmoji } from '../lib/avatar';
import { listTime } from '../lib/format';
import { ContactBook } from './ContactBook';
import type { BlockedListViewModel, ContactImportViewModel } from './ContactToolsViewModels';
import { conversationTitle } from './ConversationListViewModel';
import type { FavoritesViewModel } from './FileBrowserViewModels';
import { FileLinks } from './FileLinks';
import type { InviteEnvironment, InviteLinksViewModel } from './InviteLinksViewModel';
import type { NameBook } from './NameBook';
// The organization's view model comes when the organization is first opened.
import type { OrgViewModel } from './OrgViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ProfileViewModel } from './ProfileViewModel';
import { ViewModel } from './ViewModel';

export interface ContactPerson {
  id: UserId;
  /** My remark if I gave one, else their nickname. */
  name: string;
  detail: string;
  online: boolean | undefined;
  /** My tags on a friend. */
  tags: string[];
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
  | { kind: 'blocked' }
  | { kind: 'import' }
  | { kind: 'invite' }
  | { kind: 'favorites' }
  | null;

/** The tool open on the right, with its own view model. */
export type ContactTool =
  | { kind: 'blocked'; vm: BlockedListViewModel }
  | { kind: 'import'; vm: ContactImportViewModel }
  | { kind: 'invite'; vm: InviteLinksViewModel }
  | { kind: 'favorites'; vm: FavoritesViewModel };

/** What the tools need of the browser (fakes in unit tests). */
export interface ContactServices {
  links: FileLinks;
  importContacts(file: Blob, name: string): Promise<ImportReport>;
  invites: InviteEnvironment;
}

/** The services of a browser page: REST on this origin with the client's token. */
export function browserContactServices(client: Client, links: FileLinks = new FileLinks(client)): ContactServices {
  const origin = globalThis.location?.origin ?? 'http://localhost';
  const rest = new RestApi(origin, () => client.sessionToken);
  return {
    links,
    importContacts: (file, name) => rest.importContacts(file, name),
    invites: {
      origin,
      qrImage: (code) => rest.inviteQr(code),
      objectUrl: (blob) => URL.createObjectURL(blob),
      revokeObjectUrl: (url) => URL.revokeObjectURL(url),
    },
  };
}

/** Tags as the server takes them: at most 20, each 1 to 32 characters, no repeats. */
export function cleanTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    const trimmed = tag.trim().slice(0, 32);
    if (trimmed && !out.includes(trimmed)) out.push(trimmed);
  }
  return out.slice(0, 20);
}

export interface ContactsSnapshot {
  query: string;
  /** While searching: matching friends, and people the server found. */
  search: { friends: ContactPerson[]; others: ContactPerson[]; searching: boolean } | null;
  /** A group found by its number (a search of digits), to join. */
  foundGroup: FoundGroup | null;
  pendingCount: number;
  incoming: RequestRow[];
  outgoing: RequestRow[];
  groups: { id: ConversationId; title: string; emoji: string | null }[];
  friendGroups: FriendGroupRow[];
  friendCount: number;
  /** Every tag I use, with how many friends carry it. */
  tags: { name: string; count: number }[];
  /** Only friends with this tag are listed. */
  tagFilter: string | null;
  /** The selected friend's tags. */
  selectedTags: string[];
  selection: ContactsSelection;
  tool: ContactTool | null;
  /** The profile shown on the right, for a selected person. */
  profile: ProfileViewModel | null;
  /** The organization tree, once first opened (its code is fetched then). */
  org: OrgViewModel | null;
  /** An error code of the last action. */
  error: string | null;
  busy: boolean;
}

const SEARCH_DELAY_MS = 200;

export class ContactsViewModel extends ViewModel<ContactsSnapshot> {
  private orgModel: OrgViewModel | null = null;
  private readonly collapsed = new Set<number | null>();
  private query = '';
  private found: ContactPerson[] | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private searchGeneration = 0;
  private profile: ProfileViewModel | null = null;
  private foundGroup: FoundGroup | null = null;
  private tagFilter: string | null = null;
  private tool: ContactTool | null = null;
  private servicesValue: ContactServices | null;
  private readonly book: ContactBook;
  /** Bumped by every pick: a tool whose code arrives after the next pick is dropped. */
  private toolTicket = 0;

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly preferences: PreferencesViewModel,
    private readonly now: () => number = Date.now,
    private readonly searchDelayMs = SEARCH_DELAY_MS,
    services: ContactServices | null = null,
    /** The workspace's book of friends and requests; without one, this view model keeps its own. */
    book: ContactBook | null = null,
  ) {
    super({
      query: '', search: null, foundGroup: null, pendingCount: 0, incoming: [], outgoing: [], groups: [], friendGroups: [],
      friendCount: 0, tags: [], tagFilter: null, selectedTags: [], selection: null, tool: null, profile: null, org: null, error: null, busy: false,
    });
    this.servicesValue = services;
    this.book = book ?? new ContactBook(client, names);
    if (!book) this.track(() => this.book.dispose());
    this.track(() => this.orgModel?.dispose());
    this.track(
      this.book.subscribe(() => {
        this.update({ error: this.book.getSnapshot().error });
        this.refresh();
      }),
    );
    this.track(client.on('conversations', () => this.refresh()));
    this.track(client.on('presence', () => this.refresh()));
    this.track(names.onChange(() => this.refresh()));
    this.track(preferences.subscribe(() => this.refresh()));
    this.track(() => {
      if (this.searchTimer) clearTimeout(this.searchTimer);
      this.profile?.dispose();
      this.tool?.vm.dispose();
      this.toolTicket += 1;
    });
    this.update({ error: this.book.getSnapshot().error });
    this.refresh();
  }

  // ---- loading -------------------------------------------------------------------------

  private get friends(): Friend[] {
    return this.book.getSnapshot().friends;
  }

  private get contactGroups(): ContactGroup[] {
    return this.book.getSnapshot().contactGroups;
  }

  private get requests(): FriendRequests {
    return this.book.getSnapshot().requests;
  }

  /** Ask the server again for the friends and requests. */
  reload(): Promise<void> {
    return this.book.reload();
  }

  // ---- selection and search ------------------------------------------------------------

  /** The organization tree's view model, made (and its code fetched) when first needed. */
  async org(): Promise<OrgViewModel> {
    if (!this.orgModel) {
      const { OrgViewModel } = await import('./OrgViewModel');
      if (!this.orgModel) {
        this.orgModel = new OrgViewModel(this.client, this.names);
        this.update({ org: this.orgModel });
      }
    }
    return this.orgModel;
  }

  /** Show what was picked on the right; a tool's code is fetched the first time it opens. */
  async select(selection: ContactsSelection): Promise<void> {
    this.profile?.dispose();
    this.profile = selection?.kind === 'person' ? new ProfileViewModel(selection.userId, this.client) : null;
    if (selection?.kind === 'org') void this.org().then((org) => org.open());
    this.tool?.vm.dispose();
    this.tool = null;
    const ticket = ++this.toolTicket;
    this.update({ selection, profile: this.profile, tool: null });
    this.refresh();
    const tool = await this.openTool(selection);
    if (ticket !== this.toolTicket) {
      // Another pick (or the end of this view model) came while the code was on its way.
      tool?.vm.dispose();
      return;
    }
    this.tool = tool;
    this.update({ tool });
  }

  private get services(): ContactServices {
    this.servicesValue ??= browserContactServices(this.client);
    return this.servicesValue;
  }

  private async openTool(selection: ContactsSelection): Promise<ContactTool | null> {
    switch (selection?.kind) {
      case 'blocked': {
        const { BlockedListViewModel } = await import('./ContactToolsViewModels');
        return { kind: 'blocked', vm: new BlockedListViewModel(this.client, this.preferences) };
      }
      case 'import': {
        const { ContactImportViewModel } = await import('./ContactToolsViewModels');
        return { kind: 'import', vm: new ContactImportViewModel((file, name) => this.services.importContacts(file, name), this.preferences) };
      }
      case 'invite': {
        const { InviteLinksViewModel } = await import('./InviteLinksViewModel');
        return { kind: 'invite', vm: new InviteLinksViewModel(this.client, 'friend', null, this.preferences, this.services.invites, this.now) };
      }
      case 'favorites': {
        const { FavoritesViewModel } = await import('./FileBrowserViewModels');
        return { kind: 'favorites', vm: new FavoritesViewModel(this.client, this.services.links, this.preferences, this.now) };
      }
      default:
        return null;
    }
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
        joinMode: group.join_mode, member: this.client.isMember(group.id), requested: false,
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
      this.names.learnAvatars(reply.users);
      this.found = reply.users.map((u) => ({
        id: u.id,
        name: u.remark || u.nickname,
        detail: [u.account, ...u.departments.map((d) => (d.position ? `${d.name} · ${d.position}` : d.name))].join(' · '),
        online: this.client.isOnline(u.id),
        tags: [],
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

  /** Set a request aside without answering: the sender is not told (B2). */
  async ignore(requestId: number): Promise<void> {
    await this.act(() => this.client.request('friends.ignore', { request_id: requestId }));
  }

  // ---- tags ------------------------------------------------------------------------------

  tagsOf(userId: UserId): string[] {
    return this.friends.find((f) => f.user_id === userId)?.tags ?? [];
  }

  async setTags(userId: UserId, tags: readonly string[]): Promise<void> {
    const clean = cleanTags(tags);
    await this.act(() => this.client.request('contacts.update', { user_id: userId, tags: clean }));
  }

  async addTag(userId: UserId, tag: string): Promise<void> {
    if (!tag.trim()) return;
    await this.setTags(userId, [...this.tagsOf(userId), tag]);
  }

  async removeTag(userId: UserId, tag: string): Promise<void> {
    await this.setTags(userId, this.tagsOf(userId).filter((t) => t !== tag));
  }

  /** List only the friends with this tag (null: everyone). */
  filterByTag(tag: string | null): void {
    this.tagFilter = tag;
    this.refresh();
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

  /** Move a contact group under another one (null: to the top). The server refuses cycles. */
  async moveGroup(id: number, parentId: number | null): Promise<void> {
    await this.act(() => this.client.request('contact_groups.move', { group_id: id, parent_id: parentId }));
  }

  /** Where a contact group may move: anywhere but itself and the groups inside it. */
  moveTargets(id: number): { id: number; name: string; depth: number }[] {
    const inside = new Set<number>([id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const group of this.contactGroups) {
        if (group.parent_id !== null && inside.has(group.parent_id) && !inside.has(group.id)) {
          inside.add(group.id);
          grew = true;
        }
      }
    }
    return this.groupChoices().filter((g) => !inside.has(g.id));
  }

  /** The contact group a friend is in (null: none). */
  groupOf(userId: UserId): number | null {
    return this.friends.find((f) => f.user_id === userId)?.contact_group_id ?? null;
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

  private person(userId: UserId, nickname: string, remark: string, detail = '', tags: string[] = []): ContactPerson {
    return { id: userId, name: remark || nickname, detail, online: this.client.isOnline(userId), tags };
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
        .map((f) => this.person(f.user_id, f.user.nickname, f.remark, f.user.signature, f.tags))
        .sort((a, b) => a.name.localeCompare(b.name));
    const byGroup = new Map<number | null, Friend[]>();
    const known = new Set(this.contactGroups.map((g) => g.id));
    const tagCounts = new Map<string, number>();
    for (const friend of this.friends) for (const tag of friend.tags) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
    const tagFilter = this.tagFilter !== null && tagCounts.has(this.tagFilter) ? this.tagFilter : null;
    for (const friend of this.friends) {
      if (tagFilter !== null && !friend.tags.includes(tagFilter)) continue;
      const key = friend.contact_group_id !== null && known.has(friend.contact_group_id) ? friend.contact_group_id : null;
      byGroup.set(key, [...(byGroup.get(key) ?? []), friend]);
    }
    let friendGroups: FriendGroupRow[] = this.treeOrder().map(({ group, depth }) => ({
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
    // Filtered by a tag: only the groups with someone to show.
    if (tagFilter !== null) friendGroups = friendGroups.filter((g) => g.people.length > 0);

    const selection = this.getSnapshot().selection;
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
      foundGroup: this.foundGroup && { ...this.foundGroup, member: this.foundGroup.member || this.client.isMember(this.foundGroup.id) },
      pendingCount: this.requests.pending_count,
      incoming: this.requests.incoming.map((r) => requestRow(r.from_user.id, r.from_user.nickname, r.from_user.account, r.request_id, r.message, r.created_at)),
      outgoing: this.requests.outgoing.map((r) => requestRow(r.to_user.id, r.to_user.nickname, r.to_user.account, r.request_id, r.message, r.created_at)),
      groups: this.client
        .conversations()
        .filter((c) => c.type === 'group')
        .map((c) => ({ id: c.id, title: conversationTitle(c, t('list.systemNotices')), emoji: avatarEmoji(c.avatar) }))
        .sort((a, b) => a.title.localeCompare(b.title)),
      friendGroups,
      friendCount: this.friends.length,
      tags: [...tagCounts].map(([name, count]) => ({ name, count })).sort((a, b) => a.name.localeCompare(b.name)),
      tagFilter,
      selectedTags: selection?.kind === 'person' ? this.tagsOf(selection.userId) : [],
    });
  }
}
