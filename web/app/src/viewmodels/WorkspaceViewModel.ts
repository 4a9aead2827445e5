/**
 * The signed-in main screen: which section and conversation are open, the connection
 * banner, dialogs and toasts. It owns the child view models and disposes them.
 */
import { errorCode, type Client, type ClientState, type ConversationId, type Seq, type User, type UserId } from '@tidings/sdk';
import { errorMessage } from '../i18n/i18n';
import { RecentEmoji } from '../lib/emoji';
import type { KeyValueStore } from '../lib/storage';
import { ChatViewModel } from './ChatViewModel';
import { browserContactServices, ContactsViewModel } from './ContactsViewModel';
import { ConversationListViewModel } from './ConversationListViewModel';
import type { GroupInfoViewModel } from './GroupInfoViewModel';
import { PeoplePickerViewModel } from './PeoplePickerViewModel';
import { ProfileViewModel } from './ProfileViewModel';
import { FileLinks } from './FileLinks';
import { ForwardViewModel } from './ForwardViewModel';
import { ImageWindowViewModel } from './ImageWindowViewModel';
import { InviteAcceptViewModel } from './InviteAcceptViewModel';
import type { ImageWindowTarget } from '../lib/windows';
import type { ImagePreparer } from '../lib/images';
import type { ConversationLinks } from '../lib/conversationLinks';
import { NameBook } from './NameBook';
import { NewChatViewModel } from './NewChatViewModel';
import { NotificationViewModel, type AlertOutput, type Windows } from './NotificationViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ServerSettingsViewModel } from './ServerSettingsViewModel';
import { ServiceDeskViewModel } from './ServiceDeskViewModel';
import { ViewModel } from './ViewModel';
import { restoredHistoryFor } from '../lib/restoredHistory';
import type { ChatRecordBody } from '@tidings/sdk';
import { describeMessage, type MessageContent } from '../lib/format';
import { ChatRecordViewModel } from './ChatRecordViewModel';
import { ReportViewModel } from './ReportViewModel';
import type { ReportTarget } from '@tidings/sdk';
import { FavoritesPageViewModel } from './FavoritesPageViewModel';
import { browserWorkbenchServices, WorkbenchViewModel, type WorkbenchServices } from './WorkbenchViewModel';
import type { CustomCardBody } from '@tidings/sdk';

export type Section = 'chats' | 'contacts' | 'favorites' | 'workbench' | 'settings' | 'me' | 'service';

export type Dialog =
  | { kind: 'forward'; vm: ForwardViewModel }
  | { kind: 'newChat'; vm: NewChatViewModel }
  | { kind: 'profile'; vm: ProfileViewModel }
  | { kind: 'invite'; vm: PeoplePickerViewModel; group: GroupInfoViewModel }
  | { kind: 'image'; vm: ImageWindowViewModel }
  | { kind: 'acceptInvite'; vm: InviteAcceptViewModel }
  | { kind: 'chatRecord'; vm: ChatRecordViewModel }
  | { kind: 'report'; vm: ReportViewModel }
  | null;

/** What the workspace needs of the browser for alerts (absent in unit tests that do not care). */
export interface WorkspaceEnvironment {
  windows: Windows;
  alerts: AlertOutput;
  /** Open (or bring forward) the separate window of a conversation. */
  openWindow(id: ConversationId): void;
  /** Open (or bring forward) the image viewer's own window. */
  openImageWindow?(target: ImageWindowTarget): void;
  /** Measures and compresses images before they are sent. */
  images?: ImagePreparer;
  /** A stable name for a picked file, to resume its upload on a later visit. */
  fingerprint?(file: Blob): string | undefined;
  /** The invite code when the app was opened at an invite link (`/invite/<code>`), else null. */
  invite?(): string | null;
  /** The invite was dealt with (accepted or dismissed): leave its address. */
  inviteHandled?(): void;
  /** Links to a conversation (`/#/c/<id>`: a clicked push notification) to open here. */
  conversationLinks?: ConversationLinks;
  /** The workbench apps' REST calls (the browser's fetch when absent). */
  workbench?: WorkbenchServices;
}

export interface WorkspaceSnapshot {
  user: User | null;
  section: Section;
  selectedId: ConversationId | null;
  chat: ChatViewModel | null;
  connection: ClientState;
  /** The browser says the network is gone. */
  networkDown: boolean;
  dialog: Dialog;
  totalUnread: number;
  /** A translated line to flash (an action done, or failed). */
  flash: string | null;
  /** Friend requests waiting for me (the "new friends" badge). */
  pendingFriends: number;
}

export class WorkspaceViewModel extends ViewModel<WorkspaceSnapshot> {
  readonly names: NameBook;
  readonly list: ConversationListViewModel;
  readonly contacts: ContactsViewModel;
  readonly links: FileLinks;
  readonly notifications: NotificationViewModel | null;
  /** Settings kept on the server (issue 12). */
  readonly serverSettings: ServerSettingsViewModel;
  private readonly recentEmoji: RecentEmoji;
  private workbenchModel: WorkbenchViewModel | null = null;
  private cardShare: { vm: ForwardViewModel; done(): void } | null = null;

  constructor(
    readonly client: Client,
    readonly preferences: PreferencesViewModel,
    store: KeyValueStore,
    /** A popped-out window shows this one conversation and nothing else. */
    readonly fixedConversation: ConversationId | null = null,
    private readonly environment: WorkspaceEnvironment | null = null,
  ) {
    super({
      user: client.me,
      section: 'chats',
      selectedId: null,
      chat: null,
      connection: client.state,
      networkDown: false,
      dialog: null,
      totalUnread: 0,
      flash: null,
      pendingFriends: 0,
    });
    this.names = new NameBook(client);
    this.links = new FileLinks(client);
    this.list = new ConversationListViewModel(client, this.names, preferences);
    this.recentEmoji = new RecentEmoji(store);
    this.track(() => this.list.dispose());
    this.contacts = new ContactsViewModel(client, this.names, preferences, Date.now, undefined, browserContactServices(client, this.links));
    this.track(() => this.contacts.dispose());
    this.track(this.contacts.subscribe(() => this.update({ pendingFriends: this.contacts.getSnapshot().pendingCount })));
    this.serverSettings = new ServerSettingsViewModel(client, preferences, store);
    this.track(() => this.serverSettings.dispose());
    this.notifications = environment
      ? new NotificationViewModel(client, this.names, preferences, environment.windows, environment.alerts, store, (id) => this.openFromAlert(id), this.serverSettings)
      : null;
    this.track(() => this.notifications?.dispose());
    // A clicked push notification (or the app opened at its link) shows its conversation,
    // once the cache or the sync has brought it.
    const openLinked = (id: ConversationId): void => {
      if (client.conversation(id)) {
        this.showSection('chats');
        this.openFromAlert(id);
        return;
      }
      const off = client.on('conversations', () => {
        if (!client.conversation(id)) return;
        off();
        openLinked(id);
      });
      this.track(off);
    };
    if (environment?.conversationLinks) this.track(environment.conversationLinks.listen(openLinked));
    this.track(client.on('state', ({ state }) => this.update({ connection: state })));
    this.track(client.on('me', ({ user }) => this.update({ user })));
    this.track(
      client.on('conversations', () => {
        const selected = this.getSnapshot().selectedId;
        // A pop-out keeps its conversation: the cache or the sync may bring it a moment later.
        if (selected !== null && fixedConversation === null && !client.conversation(selected)) this.select(null);
        this.update({ totalUnread: this.totalUnread() });
      }),
    );
    this.track(() => {
      this.getSnapshot().chat?.dispose();
      this.closeDialog();
    });
    this.update({ totalUnread: this.totalUnread() });
    if (fixedConversation !== null) this.select(fixedConversation);
    else {
      const invite = environment?.invite?.() ?? null;
      if (invite !== null) this.openInviteLink(invite);
    }
  }

  /** Offer to accept the invite of a link the app was opened at. */
  openInviteLink(code: string): void {
    this.closeDialog();
    this.update({ dialog: { kind: 'acceptInvite', vm: new InviteAcceptViewModel(this.client, code) } });
  }

  /** After accepting an invite: the chat with the new friend, or the group joined. */
  openInvitedChat(): void {
    const dialog = this.getSnapshot().dialog;
    if (dialog?.kind !== 'acceptInvite') return;
    const { kind, userId, conversationId, chatReady } = dialog.vm.getSnapshot();
    if (!chatReady) return;
    if (kind === 'friend' && userId !== null) {
      void this.messagePerson(userId);
    } else if (conversationId !== null) {
      this.closeDialog();
      this.select(conversationId);
    }
  }

  /** The "next unread" shortcut: the next conversation down the list with unread messages (round to the top). */
  openNextUnread(): boolean {
    const items = this.list.getSnapshot().items;
    const selected = this.getSnapshot().selectedId;
    const from = items.findIndex((item) => item.id === selected);
    const ordered = [...items.slice(from + 1), ...items.slice(0, from + 1)];
    const next = ordered.find((item) => item.unread > 0 && item.id !== selected);
    if (!next) return false;
    this.select(next.id);
    return true;
  }

  showSection(section: Section): void {
    this.update({ section });
    this.reportShown();
  }

  /** A toast or a system notification was clicked. */
  private openFromAlert(id: ConversationId): void {
    if (this.fixedConversation !== null && id !== this.fixedConversation) return;
    this.select(id);
  }

  /** Tell the other windows which conversation this one shows (no alerts for it). */
  private reportShown(): void {
    const { section, selectedId } = this.getSnapshot();
    this.environment?.windows.update({ shown: section === 'chats' ? selectedId : null });
  }

  select(id: ConversationId | null): void {
    const current = this.getSnapshot();
    if (current.selectedId === id) return;
    current.chat?.dispose();
    const env = this.environment;
    const chatEnvironment = {
      ...(env?.images ? { images: env.images } : {}),
      ...(env?.fingerprint ? { fingerprint: env.fingerprint } : {}),
      restored: restoredHistoryFor(this.client),
    };
    const chat =
      id === null ? null : new ChatViewModel(id, this.client, this.names, this.preferences, this.recentEmoji, Date.now, chatEnvironment);
    this.list.select(id);
    this.update({ selectedId: id, chat, section: 'chats' });
    this.reportShown();
  }

  setNetworkDown(down: boolean): void {
    this.update({ networkDown: down });
    if (down) this.client.networkLost();
    else this.client.reconnectNow();
  }

  openForward(conversationId: ConversationId, seq: Seq): void {
    const chat = this.getSnapshot().chat;
    const preview = chat?.copyText(seq) ?? '';
    const senderId = this.client.timeline(conversationId).entries.find((e) => e.seq === seq)?.sender_id ?? null;
    const sender = senderId === null ? '' : this.names.name(senderId);
    this.closeDialog();
    this.update({
      dialog: { kind: 'forward', vm: new ForwardViewModel(this.client, this.preferences, conversationId, [seq], preview, sender) },
    });
  }

  /** Report a message, a person or a group to the server's reviewers (K7). */
  openReport(target: ReportTarget, label: string): void {
    this.closeDialog();
    this.update({ dialog: { kind: 'report', vm: new ReportViewModel(this.client, target, label) } });
  }

  /** Report a message of a conversation: the dialog shows its text. */
  reportMessage(conversationId: ConversationId, seq: Seq): void {
    const preview = this.getSnapshot().chat?.copyText(seq) ?? '';
    this.openReport({ target_type: 'message', conversation_id: conversationId, seq }, preview);
  }

  /** Open a conversation in a window of its own; the main window steps back to its list. */
  popOut(id: ConversationId): void {
    this.environment?.openWindow(id);
    if (this.fixedConversation === null && this.getSnapshot().selectedId === id) this.select(null);
  }

  /** Chat with someone (from a profile, a group's member list, contacts). */
  async messagePerson(userId: UserId, viaGroupId?: ConversationId, inWindow = false): Promise<void> {
    try {
      const summary = await this.client.openDirect(userId, viaGroupId);
      this.closeDialog();
      // A popped-out window shows one conversation: another one opens a window of its own.
      if (inWindow || this.fixedConversation !== null) this.environment?.openWindow(summary.id);
      else this.select(summary.id);
    } catch (error) {
      this.showFlash(errorMessage(this.preferences.getSnapshot().t, errorCode(error)));
    }
  }

  openProfile(userId: UserId): void {
    this.closeDialog();
    this.update({ dialog: { kind: 'profile', vm: new ProfileViewModel(userId, this.client) } });
  }

  /** Pick people to add to a group. */
  openInvite(group: GroupInfoViewModel): void {
    this.closeDialog();
    const picker = new PeoplePickerViewModel(this.client, this.names, new Set(group.memberIds()));
    this.update({ dialog: { kind: 'invite', vm: picker, group } });
  }

  /**
   * Show an image full size: a sent one by its file id, or one still sending by its local copy;
   * `from` is its message (to forward it, and where an edited copy goes).
   */
  openImage(fileId: string | null, name: string, localUrl: string | null = null, from: { conversationId: ConversationId; seq: Seq | null } | null = null): void {
    this.closeDialog();
    const source = { fileId, name, localUrl, conversationId: from?.conversationId ?? null, seq: from?.seq ?? null };
    this.update({ dialog: { kind: 'image', vm: new ImageWindowViewModel(this.client, this.preferences, source, this.links, this.environment?.images ?? null) } });
  }

  /** Move the image on show into a window of its own (only sent images: the window fetches it). */
  popOutImage(): void {
    const dialog = this.getSnapshot().dialog;
    if (dialog?.kind !== 'image' || !this.environment?.openImageWindow) return;
    const { fileId, name, conversationId, seq } = dialog.vm.source;
    if (!fileId) return;
    this.environment.openImageWindow({ fileId, name, conversationId, seq });
    this.closeDialog();
  }

  /** Whether the image on show can go to a window of its own. */
  get canPopOutImages(): boolean {
    return this.environment?.openImageWindow !== undefined;
  }

  /** Save a file to my favourites (F3), e.g. from a message's menu; says how it went. */
  async addFavorite(fileId: string): Promise<boolean> {
    const { t } = this.preferences.getSnapshot();
    try {
      await this.client.request('favorites.add', { file_id: fileId });
      this.showFlash(t('favorites.added'));
      return true;
    } catch (error) {
      this.showFlash(errorMessage(t, errorCode(error)));
      return false;
    }
  }

  // ---- multi-select, chat records, favourites, clear history (issue 12, h/select) ---------

  private favorites: FavoritesPageViewModel | null = null;
  private desk: ServiceDeskViewModel | null = null;

  /** Customer service (decision 0066): asked once whether this user is an agent. */
  serviceDesk(): ServiceDeskViewModel {
    if (!this.desk) {
      const desk = new ServiceDeskViewModel(this.client, () => this.preferences.getSnapshot().t, (id) => this.select(id));
      this.desk = desk;
      this.track(() => desk.dispose());
    }
    return this.desk;
  }

  /** The favourites page's view model, made when first shown. */
  favoritesPage(): FavoritesPageViewModel {
    if (!this.favorites) {
      const page = new FavoritesPageViewModel(this.client, this.preferences, this.names);
      this.favorites = page;
      this.track(() => page.dispose());
    }
    return this.favorites;
  }

  /** Forward picked messages: one copy each, or `merged` into one chat record. */
  openForwardPicked(conversationId: ConversationId, seqs: Seq[], merged: boolean): void {
    const { t } = this.preferences.getSnapshot();
    if (seqs.length === 0) return;
    const title = this.recordTitle(conversationId);
    const single = !merged && seqs.length === 1 ? (this.getSnapshot().chat?.copyText(seqs[0] as Seq) ?? '') : '';
    const preview = merged ? t('preview.chatRecord', { title }) : single || t('select.preview', { count: seqs.length });
    const sender = merged
      ? (targets: ConversationId[], note: string) => this.client.forward(conversationId, seqs, targets, note, { merged: true, title })
      : null;
    this.closeDialog();
    const forward = new ForwardViewModel(this.client, this.preferences, conversationId, seqs, preview, '', sender);
    // Sent: multi-select is done (its listener goes with the dialog's view model).
    forward.subscribe(() => {
      const chat = this.getSnapshot().chat;
      if (forward.getSnapshot().done && chat?.conversationId === conversationId) chat.selection.cancel();
    });
    this.update({ dialog: { kind: 'forward', vm: forward } });
  }

  /** "Chat history of Alice and Bob" (a direct chat), "Chat history of <group>". */
  recordTitle(conversationId: ConversationId): string {
    const { t } = this.preferences.getSnapshot();
    const summary = this.client.conversation(conversationId);
    const me = this.client.me;
    if (summary?.type === 'direct' && summary.peer && me) {
      return t('record.titleTwo', { a: me.nickname, b: this.names.name(summary.peer.user_id) });
    }
    return t('record.titleGroup', { name: summary?.name || t('record.label') });
  }

  /** Save any message to my favourites (from its menu); says how it went. */
  async favoriteMessage(conversationId: ConversationId, seq: Seq): Promise<boolean> {
    const { t } = this.preferences.getSnapshot();
    try {
      await this.client.request('favorites.add_message', { conversation_id: conversationId, seq });
      this.showFlash(t('favorites.added'));
      return true;
    } catch (error) {
      this.showFlash(errorMessage(t, errorCode(error)));
      return false;
    }
  }

  /** Show the messages of a chat record. */
  openChatRecord(body: ChatRecordBody): void {
    this.closeDialog();
    this.update({ dialog: { kind: 'chatRecord', vm: new ChatRecordViewModel(body, this.preferences, this.names) } });
  }

  /** Open a favourite: a chat record shows its messages; anything else shows as a record of one. */
  openFavorite(id: number): void {
    const favorite = this.favoritesPage().favorite(id);
    if (!favorite) return;
    if (favorite.type === 'chat_record') return this.openChatRecord(favorite.body as ChatRecordBody);
    const { t } = this.preferences.getSnapshot();
    const item = { sender_id: favorite.sender_id ?? 0, sender_name: favorite.sender_name, sent_at: favorite.sent_at, type: favorite.type, body: favorite.body };
    this.openChatRecord({ title: t('favs.favourite'), items: [item] });
  }

  /** Send a favourite on to chats (the forward dialog, sending my saved copy). */
  sendFavorite(id: number): void {
    const favorite = this.favoritesPage().favorite(id);
    if (!favorite) return;
    const { t } = this.preferences.getSnapshot();
    const preview = favorite.type === 'text' ? (favorite.body as { text: string }).text : describeMessage({ type: favorite.type, body: favorite.body } as MessageContent, t);
    const sender = (targets: ConversationId[], note: string) => this.client.sendFavorite(id, targets, note);
    this.closeDialog();
    this.update({
      dialog: { kind: 'forward', vm: new ForwardViewModel(this.client, this.preferences, favorite.conversation_id, [favorite.seq], preview, favorite.sender_name, sender) },
    });
  }

  /** Clear a conversation's history for me, on all my devices (D5), after the user confirmed. */
  async clearHistory(conversationId: ConversationId): Promise<boolean> {
    const { t } = this.preferences.getSnapshot();
    try {
      await this.client.clearHistory(conversationId);
      this.showFlash(t('clear.done'));
      return true;
    } catch (error) {
      this.showFlash(errorMessage(t, errorCode(error)));
      return false;
    }
  }

  showFlash(text: string | null): void {
    this.update({ flash: text });
  }

  openNewChat(): void {
    this.closeDialog();
    this.update({ dialog: { kind: 'newChat', vm: new NewChatViewModel(this.client, this.names) } });
  }

  /** The Workbench tab's view model (J6), made when the tab is first shown. */
  workbench(): WorkbenchViewModel {
    if (!this.workbenchModel) {
      const model = new WorkbenchViewModel(this.client, this.environment?.workbench ?? browserWorkbenchServices(this.client), {
        openConversation: (id) => this.select(id),
        shareCard: (card) => this.shareCard(card),
      });
      this.workbenchModel = model;
      this.track(() => model.dispose());
    }
    return this.workbenchModel;
  }

  /**
   * A workbench app's card, into the chats the user picks in the forward dialog and sent as
   * them (with their note, if any); resolves with how many chats got it, 0 if cancelled.
   */
  shareCard(card: CustomCardBody): Promise<number> {
    this.closeDialog();
    return new Promise((resolve) => {
      let shared = 0;
      const vm = new ForwardViewModel(this.client, this.preferences, 0, [], card.title, card.source ?? '', (targets, note) => {
        for (const id of targets) {
          this.client.send(id, 'custom_card', card);
          if (note.trim()) this.client.sendText(id, note.trim());
        }
        shared = targets.length;
        return Promise.resolve();
      });
      this.cardShare = { vm, done: () => resolve(shared) };
      this.update({ dialog: { kind: 'forward', vm } });
    });
  }

  closeDialog(): void {
    const dialog = this.getSnapshot().dialog;
    if (!dialog) return;
    if (this.cardShare && this.cardShare.vm === dialog.vm) {
      this.cardShare.done();
      this.cardShare = null;
    }
    dialog.vm.dispose();
    this.update({ dialog: null });
    if (dialog.kind === 'acceptInvite') this.environment?.inviteHandled?.();
  }

  private totalUnread(): number {
    return this.client.conversations().reduce((sum, c) => sum + (c.muted ? 0 : c.unread), 0);
  }
}
