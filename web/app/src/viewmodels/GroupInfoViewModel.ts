/**
 * A group's info panel (PRODUCT.md E1, E3-E9, E11): who is in it and with what role, its
 * announcements and settings, and the governance acts the current user may do — each offered
 * only when the user holds the power for it (the server checks again and has the last word).
 * Its invite links and its files open view models of their own.
 */
import {
  errorCode,
  type Announcement,
  type AnnouncementReads,
  type Client,
  type ConversationId,
  type Entry,
  type GroupInfo,
  type GroupMember,
  type GroupUpdate,
  type JoinMode,
  type PowerName,
  type PrivateEntry,
  type Role,
  type UserId,
  type ViewMode,
} from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import { holds } from '../lib/groupPowers';
import { describeEntry, describeMessage, listTime, type MessageContent } from '../lib/format';
import { browserContactServices } from './ContactsViewModel';
import { ConversationFilesViewModel } from './FileBrowserViewModels';
import type { FileLinks } from './FileLinks';
import { InviteLinksViewModel, type InviteEnvironment } from './InviteLinksViewModel';
import type { NameBook } from './NameBook';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

/** What the group's invite links and files need of the browser (fakes in unit tests). */
export interface GroupServices {
  links: FileLinks;
  invites: InviteEnvironment;
}

/** Group avatars are an emoji shown on the group's colour (`emoji:🚀`); "" shows initials. */
export const AVATAR_EMOJI: readonly string[] = ['🚀', '💼', '📣', '🎯', '🛠️', '📊', '🎨', '💡', '🌏', '🏆', '☕', '🎉'];

export { avatarEmoji } from '../lib/avatar';

export type MemberAction =
  | 'message'
  | 'makeAdmin'
  | 'removeAdmin'
  | 'mute'
  | 'unmute'
  | 'remove'
  | 'removeAndBlacklist'
  | 'transfer';

export interface MemberRow {
  userId: UserId;
  name: string;
  role: Role;
  powers: PowerName[];
  /** A mute in force: its end as words ("until 14:05", "forever"). */
  mutedUntil: string | null;
  me: boolean;
  actions: MemberAction[];
}

export interface AnnouncementRow {
  id: number;
  text: string;
  pinned: boolean;
  author: string;
  time: string;
  read: boolean;
  edited: boolean;
  /** For those who manage announcements: how many members read it, and how many not yet. */
  readCount: number | null;
  unreadCount: number | null;
}

/** Who has read an announcement (shown to those who manage announcements). */
export interface AnnouncementReadList {
  announcementId: number;
  readBy: string[];
  unreadBy: string[];
}

export interface QueueRow {
  id: number;
  userId: UserId;
  name: string;
  text: string;
  time: string;
  /** Join requests made by a member's invite: who invited (a name); null otherwise. */
  invitedBy: string | null;
}

export type ConfirmKind = 'leave' | 'disband' | 'remove' | 'removeAndBlacklist' | 'transfer';

export interface GroupAbilities {
  editInfo: boolean;
  joinMode: boolean;
  muteAll: boolean;
  moderation: boolean;
  forbidPrivateChat: boolean;
  /** The owner alone sets the size limit. */
  sizeLimit: boolean;
  /** Add members: at once, or in an approval group without the power, as join requests. */
  invite: boolean;
  /** Make and share invite links (an approval group's need the approve-joins power). */
  inviteLinks: boolean;
  announce: boolean;
  approve: boolean;
  moderate: boolean;
  blacklist: boolean;
  disband: boolean;
  leave: boolean;
}

export interface GroupInfoSnapshot {
  loading: boolean;
  /** The group could not be read (an error code to translate). */
  error: string | null;
  name: string;
  number: number | null;
  intro: string;
  memberCount: number;
  joinMode: JoinMode;
  muteAll: boolean;
  moderation: boolean;
  forbidPrivateChat: boolean;
  keywords: string;
  /** The rate rule: at most `rateCount` messages per `rateSeconds` from a member (0: off). */
  rateCount: number;
  rateSeconds: number;
  /** `emoji:🚀`, or "" (initials). */
  avatar: string;
  sizeLimit: number;
  disbanded: boolean;
  myRole: Role;
  myPowers: PowerName[];
  /** My own mute in this group, as words. */
  myMute: string | null;
  can: GroupAbilities;
  members: MemberRow[];
  memberQuery: string;
  moreMembers: boolean;
  announcements: AnnouncementRow[];
  reads: AnnouncementReadList | null;
  /** The group's invite links, while open. */
  invites: InviteLinksViewModel | null;
  /** The group's files, while open. */
  files: ConversationFilesViewModel | null;
  /** Important messages and @all, newest first. */
  board: { seq: number; sender: string; text: string; mentionAll: boolean }[];
  joinRequests: QueueRow[];
  moderationQueue: QueueRow[];
  blacklist: { userId: UserId; name: string }[];
  viewMode: ViewMode;
  /** My notification mute of the conversation (the conversation list's "mute"). */
  notificationsMuted: boolean;
  busy: boolean;
  /** A translated message after an action failed or succeeded. */
  toast: string | null;
  confirm: { kind: ConfirmKind; userId: UserId | null; name: string } | null;
  /** I am no longer a member (left, removed): the panel has nothing to show. */
  gone: boolean;
}

const RANK: Record<Role, number> = { owner: 2, admin: 1, member: 0 };
const PAGE = 500;


export { holds };

export function isMuted(until: number | null, now: number): boolean {
  return until !== null && (until === -1 || until > now);
}

/** What the user may do in a group with this role and these powers (mirrors the server's rules). */
export function abilities(info: Pick<GroupInfo, 'role' | 'powers' | 'join_mode' | 'disbanded'>): GroupAbilities {
  const { role, powers } = info;
  const has = (power: PowerName) => !info.disbanded && holds(role, powers, power);
  const owner = role === 'owner' && !info.disbanded;
  return {
    editInfo: has('edit_info'),
    joinMode: has('approve_joins'),
    muteAll: has('mute'),
    moderation: has('moderate'),
    forbidPrivateChat: owner,
    sizeLimit: owner,
    // In an approval group a member without the power may invite too: the approvers decide.
    invite: !info.disbanded && info.join_mode !== 'back_office',
    inviteLinks:
      !info.disbanded &&
      (info.join_mode === 'open' || info.join_mode === 'invite_code' || (info.join_mode === 'approval' && has('approve_joins'))),
    announce: has('announcements'),
    approve: has('approve_joins'),
    moderate: has('moderate'),
    blacklist: has('remove_members'),
    disband: owner,
    // The owner hands the group over first (or disbands it); a disbanded group anyone may leave.
    leave: role !== 'owner' || info.disbanded,
  };
}

/** What I may do to one member. */
export function memberActions(
  me: { id: UserId; role: Role; powers: readonly PowerName[]; disbanded: boolean },
  member: GroupMember,
  now: number,
): MemberAction[] {
  if (member.user_id === me.id) return [];
  const actions: MemberAction[] = ['message'];
  if (me.disbanded) return actions;
  const outranks = RANK[me.role] > RANK[member.role];
  if (me.role === 'owner') actions.push(member.role === 'admin' ? 'removeAdmin' : 'makeAdmin');
  if (outranks && holds(me.role, me.powers, 'mute')) actions.push(isMuted(member.muted_until, now) ? 'unmute' : 'mute');
  if (outranks && holds(me.role, me.powers, 'remove_members')) actions.push('remove', 'removeAndBlacklist');
  if (me.role === 'owner') actions.push('transfer');
  return actions;
}

export class GroupInfoViewModel extends ViewModel<GroupInfoSnapshot> {
  private info: GroupInfo | null = null;
  private members: GroupMember[] = [];
  private nextAfter: UserId | null = null;
  private announcements: Announcement[] = [];
  private readCounts = new Map<number, AnnouncementReads>();
  private invitesVm: InviteLinksViewModel | null = null;
  private filesVm: ConversationFilesViewModel | null = null;
  private servicesValue: GroupServices | null;
  private board: { reason: string; entry: Entry }[] = [];
  private joinRequests: (QueueRow & { invitedById: UserId | null })[] = [];
  private queue: QueueRow[] = [];
  private blacklist: UserId[] = [];
  private memberQuery = '';
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly conversationId: ConversationId,
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly preferences: PreferencesViewModel,
    private readonly now: () => number = Date.now,
    services: GroupServices | null = null,
  ) {
    super(GroupInfoViewModel.empty());
    this.servicesValue = services;
    this.track(
      client.on('group', ({ conversationId: id }) => {
        if (id === conversationId) this.reloadSoon();
      }),
    );
    this.track(client.on('private', ({ entry }) => this.privateArrived(entry)));
    this.track(
      client.on('conversations', ({ ids }) => {
        if (ids.includes(conversationId)) this.refresh();
      }),
    );
    this.track(
      client.on('state', ({ state }) => {
        if (state === 'connected') void this.reload();
      }),
    );
    this.track(names.onChange(() => this.refresh()));
    this.track(preferences.subscribe(() => this.refresh()));
    this.track(() => {
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      this.invitesVm?.dispose();
      this.filesVm?.dispose();
    });
    void this.reload();
  }

  private static empty(): GroupInfoSnapshot {
    return {
      loading: true, error: null, name: '', number: null, intro: '', memberCount: 0, joinMode: 'invite_code',
      muteAll: false, moderation: false, forbidPrivateChat: false, keywords: '', rateCount: 0, rateSeconds: 0, avatar: '',
      sizeLimit: 0, disbanded: false, myRole: 'member',
      myPowers: [], myMute: null,
      can: abilities({ role: 'member', powers: [], join_mode: 'invite_code', disbanded: false }),
      members: [], memberQuery: '', moreMembers: false, announcements: [], reads: null, invites: null, files: null, board: [], joinRequests: [], moderationQueue: [],
      blacklist: [], viewMode: 'all', notificationsMuted: false, busy: false, toast: null, confirm: null, gone: false,
    };
  }

  private get t(): Translate {
    return this.preferences.getSnapshot().t;
  }

  // ---- loading -------------------------------------------------------------------------

  async reload(): Promise<void> {
    if (this.client.state !== 'connected') return;
    const id = this.conversationId;
    try {
      const [info, page] = await Promise.all([
        this.client.request('group.info', { conversation_id: id }),
        this.client.request('group.members', { conversation_id: id, limit: PAGE }),
      ]);
      this.info = info;
      this.members = page.members;
      this.nextAfter = page.next_after_user_id;
      this.names.learn(page.members);
      const can = abilities(info);
      const [announcements, board, requests, queue, blacklist] = await Promise.all([
        this.client.request('group.announcements', { conversation_id: id }).then((r) => r.announcements, () => []),
        this.client.request('group.board', { conversation_id: id }).then((r) => r.items, () => []),
        can.approve
          ? this.client.request('group.join_requests', { conversation_id: id }).then((r) => r.requests, () => [])
          : Promise.resolve([]),
        can.moderate
          ? this.client.request('group.moderation_queue', { conversation_id: id }).then((r) => r.pending, () => [])
          : Promise.resolve([]),
        can.blacklist
          ? this.client.request('group.blacklist', { conversation_id: id }).then((r) => r.blacklist, () => [])
          : Promise.resolve([]),
      ]);
      this.announcements = announcements;
      this.readCounts = new Map();
      if (can.announce) {
        // Read counts for those who post announcements (a group has a handful of them).
        const reads = await Promise.all(
          announcements.slice(0, 20).map((a) => this.client.request('group.announcement.reads', { announcement_id: a.id }).catch(() => null)),
        );
        for (const r of reads) if (r) this.readCounts.set(r.announcement_id, r);
      }
      this.board = board;
      const { locale } = this.preferences.getSnapshot();
      const now = this.now();
      this.joinRequests = requests
        .filter((r) => r.status === 'pending')
        .map((r) => ({
          id: r.id,
          userId: r.user_id,
          name: '',
          text: r.message,
          time: listTime(r.created_at, now, locale, this.t),
          invitedBy: null,
          invitedById: r.invited_by ?? null,
        }));
      this.queue = queue.map((q) => ({
        id: q.id,
        userId: q.sender_id,
        name: '',
        text: describeMessage({ type: q.type, body: q.body } as MessageContent, this.t),
        time: listTime(q.created_at, now, locale, this.t),
        invitedBy: null,
      }));
      this.blacklist = blacklist.map((b) => b.user_id);
      this.update({ loading: false, error: null });
    } catch (error) {
      const code = errorCode(error);
      this.update({ loading: false, error: code, gone: code === 'not_member' });
    }
    this.refresh();
  }

  async loadMoreMembers(): Promise<void> {
    if (this.nextAfter === null) return;
    try {
      const page = await this.client.request('group.members', {
        conversation_id: this.conversationId,
        after_user_id: this.nextAfter,
        limit: PAGE,
      });
      this.members = [...this.members, ...page.members];
      this.nextAfter = page.next_after_user_id;
      this.names.learn(page.members);
      this.refresh();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Everyone loaded into the member list (for "add members", which cannot add them twice). */
  memberIds(): UserId[] {
    return this.members.map((m) => m.user_id);
  }

  searchMembers(query: string): void {
    this.memberQuery = query;
    this.refresh();
  }

  private reloadSoon(): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.reload();
    }, 150);
  }

  private privateArrived(entry: PrivateEntry): void {
    const data = entry.data as { conversation_id?: ConversationId };
    if (data.conversation_id !== this.conversationId) return;
    if (
      entry.kind === 'join_request' ||
      entry.kind === 'join_request_decided' ||
      entry.kind === 'moderation_pending' ||
      entry.kind === 'moderation_decided' ||
      entry.kind === 'group_view_mode'
    ) {
      this.reloadSoon();
    }
  }

  // ---- settings ------------------------------------------------------------------------

  rename(name: string): Promise<void> {
    const trimmed = name.trim();
    if (!trimmed || trimmed === this.info?.name) return Promise.resolve();
    return this.change({ name: trimmed });
  }

  setIntro(intro: string): Promise<void> {
    if (intro === this.info?.intro) return Promise.resolve();
    return this.change({ intro });
  }

  setJoinMode(joinMode: JoinMode): Promise<void> {
    return this.change({ join_mode: joinMode });
  }

  setMuteAll(on: boolean): Promise<void> {
    return this.change({ mute_all: on });
  }

  setModeration(on: boolean): Promise<void> {
    return this.change({ moderation: on });
  }

  setForbidPrivateChat(on: boolean): Promise<void> {
    return this.change({ forbid_private_chat: on });
  }

  /** An emoji for the group's avatar ("" for its initials). */
  setAvatar(emoji: string): Promise<void> {
    return this.change({ avatar: emoji ? `emoji:${emoji}` : '' });
  }

  /** At most this many members (null: the server's limit). */
  setSizeLimit(limit: number | null): Promise<void> {
    return this.change({ size_limit: limit } as GroupUpdate);
  }

  /** At most `count` messages in `seconds` from a member; 0 turns the rule off. */
  setRateRule(count: number, seconds: number): Promise<void> {
    const whole = (n: number) => (Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);
    const c = whole(count);
    const sec = whole(seconds);
    return this.change(c === 0 || sec === 0 ? { rate_count: 0, rate_seconds: 0 } : { rate_count: c, rate_seconds: sec });
  }

  /** Blocked words, one per line or separated by commas. */
  setKeywords(text: string): Promise<void> {
    const keywords = text
      .split(/[\n,，]/u)
      .map((k) => k.trim())
      .filter(Boolean);
    return this.change({ keywords });
  }

  private async change(update: GroupUpdate): Promise<void> {
    await this.act(async () => {
      this.info = await this.client.request('group.update', { conversation_id: this.conversationId, ...update });
    });
  }

  async setViewMode(viewMode: ViewMode): Promise<void> {
    await this.act(async () => {
      await this.client.request('group.view_mode', { conversation_id: this.conversationId, view_mode: viewMode });
      if (this.info) this.info = { ...this.info, view_mode: viewMode };
    });
  }

  async setNotificationsMuted(muted: boolean): Promise<void> {
    await this.act(() => this.client.setSettings(this.conversationId, { muted }));
  }

  // ---- members -------------------------------------------------------------------------

  /**
   * Add people. In an approval group, from a member without the power to approve, the server
   * makes a join request of each instead: the toast says they wait for approval.
   */
  async invite(userIds: UserId[]): Promise<boolean> {
    if (userIds.length === 0) return false;
    const asks = this.info?.join_mode === 'approval' && !holds(this.info.role, this.info.powers, 'approve_joins');
    let waiting = 0;
    const done = await this.act(async () => {
      try {
        const reply = await this.client.request('group.invite', { conversation_id: this.conversationId, user_ids: userIds });
        if ('status' in reply && reply.status === 'pending') waiting = reply.requests.length;
      } catch (error) {
        // Everyone asked for is waiting already: say so rather than "conflict".
        if (asks && errorCode(error) === 'conflict') {
          this.update({ toast: this.t('group.inviteAlreadyWaiting') });
          return;
        }
        throw error;
      }
      await this.reload();
    });
    if (done && waiting > 0) this.update({ toast: this.t('group.invitePending', { count: waiting }) });
    return done;
  }

  /** Make an admin with these powers (all of them unless said otherwise), or back to member (null). */
  async setAdmin(userId: UserId, powers: PowerName[] | null): Promise<void> {
    await this.act(async () => {
      await this.client.request('group.set_admin', { conversation_id: this.conversationId, user_id: userId, powers });
      await this.reload();
    });
  }

  /** Mute a member for `seconds` (null: until unmuted). */
  async mute(userId: UserId, seconds: number | null): Promise<void> {
    await this.act(async () => {
      await this.client.request('group.mute', { conversation_id: this.conversationId, user_id: userId, seconds });
      await this.reload();
    });
  }

  async unmute(userId: UserId): Promise<void> {
    await this.act(async () => {
      await this.client.request('group.unmute', { conversation_id: this.conversationId, user_id: userId });
      await this.reload();
    });
  }

  async unblacklist(userId: UserId): Promise<void> {
    await this.act(async () => {
      const reply = await this.client.request('group.blacklist.remove', {
        conversation_id: this.conversationId,
        user_ids: [userId],
      });
      this.blacklist = reply.blacklist.map((b) => b.user_id);
    });
  }

  /** Ask before acts that cannot be undone from here. */
  askConfirm(kind: ConfirmKind, userId: UserId | null = null): void {
    this.update({ confirm: { kind, userId, name: userId === null ? '' : this.names.name(userId) } });
  }

  cancelConfirm(): void {
    this.update({ confirm: null });
  }

  async confirm(): Promise<void> {
    const pending = this.getSnapshot().confirm;
    if (!pending) return;
    this.update({ confirm: null });
    const id = this.conversationId;
    const userId = pending.userId ?? 0;
    await this.act(async () => {
      switch (pending.kind) {
        case 'leave':
          await this.client.request('group.leave', { conversation_id: id });
          this.update({ gone: true });
          return;
        case 'disband':
          await this.client.request('group.disband', { conversation_id: id });
          break;
        case 'remove':
        case 'removeAndBlacklist':
          await this.client.request('group.remove', {
            conversation_id: id,
            user_id: userId,
            blacklist: pending.kind === 'removeAndBlacklist',
          });
          break;
        case 'transfer':
          await this.client.request('group.transfer', { conversation_id: id, user_id: userId });
          break;
      }
      await this.reload();
    });
  }

  // ---- announcements and queues ------------------------------------------------------------

  async postAnnouncement(text: string, pinned: boolean): Promise<boolean> {
    const trimmed = text.trim();
    if (!trimmed) return false;
    return this.act(async () => {
      await this.client.request('group.announcement.post', { conversation_id: this.conversationId, text: trimmed, pinned });
      await this.reload();
    });
  }

  async editAnnouncement(id: number, change: { text?: string; pinned?: boolean }): Promise<void> {
    if (change.text !== undefined && !change.text.trim()) return;
    await this.act(async () => {
      await this.client.request('group.announcement.edit', { announcement_id: id, ...change });
      await this.reload();
    });
  }

  /** Who has read an announcement, and who not yet. */
  async showReads(id: number): Promise<void> {
    await this.act(async () => {
      const reads = await this.client.request('group.announcement.reads', { announcement_id: id });
      this.readCounts.set(id, reads);
      this.update({
        reads: {
          announcementId: id,
          readBy: reads.read_by.map((u) => this.names.name(u)),
          unreadBy: reads.unread_by.map((u) => this.names.name(u)),
        },
      });
    });
  }

  hideReads(): void {
    this.update({ reads: null });
  }

  // ---- invite links and files ------------------------------------------------------------------

  private get services(): GroupServices {
    this.servicesValue ??= browserContactServices(this.client);
    return this.servicesValue;
  }

  openInvites(): void {
    this.invitesVm?.dispose();
    this.invitesVm = new InviteLinksViewModel(this.client, 'group', this.conversationId, this.preferences, this.services.invites, this.now);
    this.update({ invites: this.invitesVm });
  }

  closeInvites(): void {
    this.invitesVm?.dispose();
    this.invitesVm = null;
    this.update({ invites: null });
  }

  openFiles(): void {
    this.filesVm?.dispose();
    this.filesVm = new ConversationFilesViewModel(
      this.conversationId,
      this.client,
      this.services.links,
      this.names,
      this.preferences,
      () => (this.info ? !this.info.disbanded && holds(this.info.role, this.info.powers, 'recall') : false),
      this.now,
    );
    this.update({ files: this.filesVm });
  }

  closeFiles(): void {
    this.filesVm?.dispose();
    this.filesVm = null;
    this.update({ files: null });
  }

  async readAnnouncement(id: number): Promise<void> {
    const announcement = this.announcements.find((a) => a.id === id);
    if (!announcement || announcement.read) return;
    await this.act(async () => {
      await this.client.request('group.announcement.read', { announcement_id: id });
      this.announcements = this.announcements.map((a) => (a.id === id ? { ...a, read: true } : a));
    });
  }

  async decideJoin(requestId: number, approve: boolean): Promise<void> {
    await this.act(async () => {
      await this.client.request('group.decide_join', { request_id: requestId, approve });
      await this.reload();
    });
  }

  async moderate(pendingId: number, approve: boolean): Promise<void> {
    await this.act(async () => {
      await this.client.request('group.moderate', { pending_id: pendingId, approve });
      await this.reload();
    });
  }

  clearToast(): void {
    this.update({ toast: null });
  }

  // ---- the snapshot --------------------------------------------------------------------

  private async act(action: () => Promise<void>): Promise<boolean> {
    this.update({ busy: true, toast: null });
    try {
      await action();
      this.update({ busy: false });
      this.refresh();
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  private fail(error: unknown): void {
    this.update({ busy: false, toast: errorMessage(this.t, errorCode(error)) });
  }

  private mutedWords(until: number | null): string | null {
    const now = this.now();
    if (!isMuted(until, now)) return null;
    if (until === -1 || until === null) return this.t('group.mutedForever');
    const { locale } = this.preferences.getSnapshot();
    return this.t('group.mutedUntil', { time: listTime(until, now, locale, this.t) });
  }

  private refresh(): void {
    const info = this.info;
    const summary = this.client.conversation(this.conversationId);
    const me = this.client.me?.id ?? 0;
    const { locale } = this.preferences.getSnapshot();
    const now = this.now();
    if (!info) {
      this.update({ notificationsMuted: summary?.muted ?? false, gone: this.getSnapshot().gone || (!summary && this.client.state === 'connected' && !this.getSnapshot().loading) });
      return;
    }
    const self = { id: me, role: info.role, powers: info.powers, disbanded: info.disbanded };
    const query = this.memberQuery.trim().toLowerCase();
    const members = [...this.members]
      .sort((a, b) => RANK[b.role] - RANK[a.role] || Number(b.user_id === me) - Number(a.user_id === me) || a.user_id - b.user_id)
      .filter((m) => !query || m.nickname.toLowerCase().includes(query))
      .map((m) => ({
        userId: m.user_id,
        name: this.names.remark(m.user_id) || m.nickname || this.names.name(m.user_id),
        role: m.role,
        powers: m.powers,
        mutedUntil: this.mutedWords(m.muted_until),
        me: m.user_id === me,
        actions: memberActions(self, m, now),
      }));
    this.update({
      name: info.name,
      number: info.number,
      intro: info.intro,
      memberCount: info.member_count,
      joinMode: info.join_mode,
      muteAll: info.mute_all,
      moderation: info.moderation,
      forbidPrivateChat: info.forbid_private_chat,
      keywords: (info.keywords ?? []).join('\n'),
      rateCount: info.rate_count ?? 0,
      rateSeconds: info.rate_seconds ?? 0,
      avatar: info.avatar,
      sizeLimit: info.size_limit,
      disbanded: info.disbanded,
      myRole: info.role,
      myPowers: info.powers,
      myMute: this.mutedWords(info.muted_until),
      can: abilities(info),
      members,
      memberQuery: this.memberQuery,
      moreMembers: this.nextAfter !== null,
      announcements: this.announcements.map((a) => ({
        id: a.id,
        text: a.text,
        pinned: a.pinned,
        author: this.names.name(a.author_id),
        time: listTime(a.edited_at ?? a.created_at, now, locale, this.t),
        // My own announcement needs no "mark as read".
        read: a.read !== false || a.author_id === me,
        edited: a.edited_at !== null,
        readCount: this.readCounts.get(a.id)?.read_count ?? null,
        unreadCount: this.readCounts.get(a.id)?.unread_count ?? null,
      })),
      board: this.board.map(({ reason, entry }) => ({
        seq: entry.seq,
        sender: entry.sender_id === null ? '' : this.names.name(entry.sender_id),
        text: describeEntry(entry, me, this.names, this.t),
        mentionAll: reason === 'mention_all',
      })),
      joinRequests: this.joinRequests.map(({ invitedById, ...r }) => ({
        ...r,
        name: this.names.name(r.userId),
        invitedBy: invitedById === null ? null : this.names.name(invitedById),
      })),
      moderationQueue: this.queue.map((q) => ({ ...q, name: this.names.name(q.userId) })),
      blacklist: this.blacklist.map((userId) => ({ userId, name: this.names.name(userId) })),
      viewMode: info.view_mode,
      notificationsMuted: summary?.muted ?? false,
      gone: this.getSnapshot().gone || (!summary && this.client.state === 'connected'),
    });
  }
}
