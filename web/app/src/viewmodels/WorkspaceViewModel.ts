/**
 * The signed-in main screen: which section and conversation are open, the connection
 * banner, dialogs and toasts. It owns the child view models and disposes them.
 */
import { errorCode, type CallMedia, type Client, type ClientState, type ConversationId, type Seq, type User, type UserId } from '@tidings/sdk';
import { errorMessage } from '../i18n/i18n';
import { RecentEmoji } from '../lib/emoji';
import type { KeyValueStore } from '../lib/storage';
import { ChatViewModel } from './ChatViewModel';
import { ContactBook } from './ContactBook';
// The Contacts tab's view model is fetched when the tab is first shown.
import type { ContactsViewModel } from './ContactsViewModel';
import { ConversationListViewModel } from './ConversationListViewModel';
import type { GroupInfoViewModel } from './GroupInfoViewModel';
import type { PeoplePickerViewModel } from './PeoplePickerViewModel';
import type { ProfileViewModel } from './ProfileViewModel';
import { FileLinks } from './FileLinks';
import type { ImageWindowTarget } from '../lib/windows';
import type { ImagePreparer } from '../lib/images';
import type { ConversationLinks } from '../lib/conversationLinks';
import { NameBook } from './NameBook';
import { NotificationViewModel, type AlertOutput, type Windows } from './NotificationViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ServerSettingsViewModel } from './ServerSettingsViewModel';
import { ServiceDeskViewModel } from './ServiceDeskViewModel';
import { ViewModel } from './ViewModel';
import { CallDock } from './CallDock';
// The dialogs' view models below (and the profile's) are fetched when a dialog first opens (showDialog).
import type { ChatRecordViewModel } from './ChatRecordViewModel';
import type { ForwardViewModel } from './ForwardViewModel';
import type { ImageWindowViewModel } from './ImageWindowViewModel';
import type { InviteAcceptViewModel } from './InviteAcceptViewModel';
import type { NewChatViewModel } from './NewChatViewModel';
import type { ReportViewModel } from './ReportViewModel';
import type { SearchTarget, SearchViewModel } from './SearchViewModel';
import type { MessageResultsViewModel } from './MessageResultsViewModel';
import { restoredHistoryFor } from '../lib/restoredHistory';
import type { ChatRecordBody } from '@tidings/sdk';
import { describeMessage, type MessageContent } from '../lib/format';
import type { ReportTarget } from '@tidings/sdk';
// The favourites and workbench tabs' view models are fetched when the tab is first shown.
import type { FavoritesPageViewModel } from './FavoritesPageViewModel';
import type { WorkbenchViewModel, WorkbenchServices } from './WorkbenchViewModel';
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
  /** The search box's sections, while it holds a query (fetched when first typed in). */
  search: SearchViewModel | null;
  /** Every message result of a search ("more"), shown where a chat shows while none is open. */
  messageResults: MessageResultsViewModel | null;
  /** The contacts, favourites and workbench tabs, once their code has come (first shown). */
  contacts: ContactsViewModel | null;
  favorites: FavoritesPageViewModel | null;
  workbench: WorkbenchViewModel | null;
}

export class WorkspaceViewModel extends ViewModel<WorkspaceSnapshot> {
  readonly names: NameBook;
  readonly list: ConversationListViewModel;
  /** My friends and friend requests (the contacts tab's data, the badge, the remarks). */
  readonly contactBook: ContactBook;
  readonly links: FileLinks;
  readonly notifications: NotificationViewModel | null;
  /** Settings kept on the server (issue 12). */
  readonly serverSettings: ServerSettingsViewModel;
  /** Calls (decision 0074): only the main window takes them, not a popped-out chat. */
  readonly calls: CallDock | null;
  private readonly recentEmoji: RecentEmoji;
  private searchQuery = '';
  private workbenchModel: WorkbenchViewModel | null = null;
  private cardShare: { vm: ForwardViewModel; done(): void } | null = null;
  /** Bumped by every dialog closed or opened: a dialog whose code arrives late shows only if none came since. */
  private dialogTicket = 0;

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
      search: null,
      messageResults: null,
      contacts: null,
      favorites: null,
      workbench: null,
    });
    this.names = new NameBook(client);
    this.links = new FileLinks(client);
    // A dialog whose code arrives after the workspace is gone is not shown.
    this.track(() => (this.dialogTicket += 1));
    this.list = new ConversationListViewModel(client, this.names, preferences);
    this.recentEmoji = new RecentEmoji(store);
    this.track(() => this.list.dispose());
    this.track(() => this.getSnapshot().messageResults?.dispose());
    this.contactBook = new ContactBook(client, this.names);
    this.track(() => this.contactBook.dispose());
    this.track(this.contactBook.subscribe(() => this.update({ pendingFriends: this.contactBook.getSnapshot().requests.pending_count })));
    this.serverSettings = new ServerSettingsViewModel(client, preferences, store);
    this.track(() => this.serverSettings.dispose());
    this.notifications = environment
      ? new NotificationViewModel(client, this.names, preferences, environment.windows, environment.alerts, store, (id) => this.openFromAlert(id), this.serverSettings)
      : null;
    this.track(() => this.notifications?.dispose());
    this.calls =
      environment && fixedConversation === null
        ? new CallDock(client, () => import('./CallViewModel').then((m) => m.browserCallEnvironment(this.serverSettings, preferences, this.names)))
        : null;
    this.track(() => this.calls?.dispose());
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
      if (invite !== null) void this.openInviteLink(invite);
    }
  }

  /** Offer to accept the invite of a link the app was opened at. */
  openInviteLink(code: string): Promise<void> {
    this.closeDialog();
    return this.present(async () => ({ kind: 'acceptInvite', vm: new (await import('./InviteAcceptViewModel')).InviteAcceptViewModel(this.client, code) }));
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
    if (section === 'contacts') void this.contacts();
    if (section === 'favorites') void this.favoritesPage();
    if (section === 'workbench') void this.workbench();
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

  // ---- search (B7, issue 15; decision 0073) ---------------------------------------------

  /** The search box changed: its sections show while it holds text. */
  async searchFor(query: string): Promise<void> {
    this.list.search(query);
    this.searchQuery = query;
    // The box cleared (Esc, or emptied): the words it found are no longer marked in the chat.
    if (!query.trim()) this.getSnapshot().chat?.clearSearchMarks();
    let search = this.getSnapshot().search;
    if (!search && query.trim()) {
      const { SearchViewModel } = await import('./SearchViewModel');
      search = this.getSnapshot().search;
      if (!search) {
        search = new SearchViewModel(this.client, this.names, this.preferences);
        this.track(() => this.getSnapshot().search?.dispose());
        this.update({ search });
      }
    }
    search?.setQuery(this.searchQuery);
  }

  /** A row of the search box was chosen. */
  async openSearchTarget(target: SearchTarget): Promise<void> {
    switch (target.kind) {
      case 'person':
        return this.messagePerson(target.userId);
      case 'department': {
        this.showSection('contacts');
        const contacts = await this.contacts();
        await contacts.select({ kind: 'org' });
        return (await contacts.org()).openDepartment(target.departmentId);
      }
      case 'conversation':
        return this.select(target.conversationId);
      case 'message':
        await this.openMessage(target.conversationId, target.seq, target.query);
        return;
      case 'messages':
        return this.openMessageResults(target.query, target.conversationId);
    }
  }

  /**
   * Open a conversation at a message, highlighted with its context (a search result), the
   * query's words marked in it until the search closes.
   */
  async openMessage(conversationId: ConversationId, seq: Seq, query = ''): Promise<boolean> {
    // A group one has left opens too, read-only, up to the leaving (decision 0075).
    if (!this.client.conversation(conversationId) && !(await this.client.lookUpConversation(conversationId))) return false;
    if (this.getSnapshot().selectedId !== conversationId) this.select(conversationId);
    const chat = this.getSnapshot().chat;
    if (!chat || chat.conversationId !== conversationId) return false;
    return chat.jumpTo(seq, query);
  }

  /** Every message result of a query, filterable, where a chat shows. */
  async openMessageResults(query: string, conversationId: ConversationId | null): Promise<void> {
    let results = this.getSnapshot().messageResults;
    if (!results) {
      const { MessageResultsViewModel } = await import('./MessageResultsViewModel');
      results = this.getSnapshot().messageResults ?? new MessageResultsViewModel(this.client, this.names, this.preferences);
    }
    results.search(query, conversationId);
    this.select(null);
    this.update({ messageResults: results, section: 'chats' });
  }

  closeMessageResults(): void {
    this.getSnapshot().chat?.clearSearchMarks();
    this.getSnapshot().messageResults?.dispose();
    this.update({ messageResults: null });
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

  openForward(conversationId: ConversationId, seq: Seq): Promise<void> {
    const chat = this.getSnapshot().chat;
    const preview = chat?.copyText(seq) ?? '';
    const senderId = this.client.timeline(conversationId).entries.find((e) => e.seq === seq)?.sender_id ?? null;
    const sender = senderId === null ? '' : this.names.name(senderId);
    this.closeDialog();
    return this.showForward((Forward) => new Forward(this.client, this.preferences, conversationId, [seq], preview, sender));
  }

  /** Report a message, a person or a group to the server's reviewers (K7). */
  openReport(target: ReportTarget, label: string): Promise<void> {
    this.closeDialog();
    return this.present(async () => ({ kind: 'report', vm: new (await import('./ReportViewModel')).ReportViewModel(this.client, target, label) }));
  }

  /** Report a message of a conversation: the dialog shows its text. */
  reportMessage(conversationId: ConversationId, seq: Seq): Promise<void> {
    const preview = this.getSnapshot().chat?.copyText(seq) ?? '';
    return this.openReport({ target_type: 'message', conversation_id: conversationId, seq }, preview);
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

  /** Call someone (their profile's call buttons): their chat opens, and the call starts. */
  async callPerson(userId: UserId, media: CallMedia): Promise<void> {
    try {
      const summary = await this.client.openDirect(userId);
      this.closeDialog();
      this.showSection('chats');
      this.select(summary.id);
      await this.calls?.start(summary.id, media);
    } catch (error) {
      this.showFlash(errorMessage(this.preferences.getSnapshot().t, errorCode(error)));
    }
  }

  openProfile(userId: UserId): void {
    this.closeDialog();
    void this.present(async () => ({ kind: 'profile', vm: new (await import('./ProfileViewModel')).ProfileViewModel(userId, this.client) }));
  }

  /** Pick people to add to a group. */
  openInvite(group: GroupInfoViewModel): Promise<void> {
    this.closeDialog();
    return this.present(async () => ({
      kind: 'invite',
      vm: new (await import('./PeoplePickerViewModel')).PeoplePickerViewModel(this.client, this.names, new Set(group.memberIds())),
      group,
    }));
  }

  /**
   * Show an image full size: a sent one by its file id, or one still sending by its local copy;
   * `from` is its message (to forward it, and where an edited copy goes).
   */
  openImage(fileId: string | null, name: string, localUrl: string | null = null, from: { conversationId: ConversationId; seq: Seq | null } | null = null): Promise<void> {
    this.closeDialog();
    const source = { fileId, name, localUrl, conversationId: from?.conversationId ?? null, seq: from?.seq ?? null };
    return this.present(async () => {
      const { ImageWindowViewModel } = await import('./ImageWindowViewModel');
      return { kind: 'image', vm: new ImageWindowViewModel(this.client, this.preferences, source, this.links, this.environment?.images ?? null) };
    });
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

  /** The Contacts tab's view model, made (and its code fetched) when the tab is first shown. */
  async contacts(): Promise<ContactsViewModel> {
    let contacts = this.getSnapshot().contacts;
    if (!contacts) {
      const { browserContactServices, ContactsViewModel } = await import('./ContactsViewModel');
      contacts = this.getSnapshot().contacts;
      if (!contacts) {
        const model = new ContactsViewModel(this.client, this.names, this.preferences, Date.now, undefined, browserContactServices(this.client, this.links), this.contactBook);
        this.track(() => model.dispose());
        this.update({ contacts: model });
        contacts = model;
      }
    }
    return contacts;
  }

  /** The favourites page's view model, made (and its code fetched) when first shown. */
  async favoritesPage(): Promise<FavoritesPageViewModel> {
    if (!this.favorites) {
      const { FavoritesPageViewModel } = await import('./FavoritesPageViewModel');
      if (!this.favorites) {
        const page = new FavoritesPageViewModel(this.client, this.preferences, this.names);
        this.favorites = page;
        this.track(() => page.dispose());
        this.update({ favorites: page });
      }
    }
    return this.favorites;
  }

  /** Forward picked messages: one copy each, or `merged` into one chat record. */
  openForwardPicked(conversationId: ConversationId, seqs: Seq[], merged: boolean): Promise<void> {
    const { t } = this.preferences.getSnapshot();
    if (seqs.length === 0) return Promise.resolve();
    const title = this.recordTitle(conversationId);
    const single = !merged && seqs.length === 1 ? (this.getSnapshot().chat?.copyText(seqs[0] as Seq) ?? '') : '';
    const preview = merged ? t('preview.chatRecord', { title }) : single || t('select.preview', { count: seqs.length });
    const sender = merged
      ? (targets: ConversationId[], note: string) => this.client.forward(conversationId, seqs, targets, note, { merged: true, title })
      : null;
    this.closeDialog();
    return this.showForward((Forward) => {
      const forward = new Forward(this.client, this.preferences, conversationId, seqs, preview, '', sender);
      // Sent: multi-select is done (its listener goes with the dialog's view model).
      forward.subscribe(() => {
        const chat = this.getSnapshot().chat;
        if (forward.getSnapshot().done && chat?.conversationId === conversationId) chat.selection.cancel();
      });
      return forward;
    });
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
  openChatRecord(body: ChatRecordBody): Promise<void> {
    this.closeDialog();
    return this.present(async () => ({ kind: 'chatRecord', vm: new (await import('./ChatRecordViewModel')).ChatRecordViewModel(body, this.preferences, this.names) }));
  }

  /** Open a favourite: a chat record shows its messages; anything else shows as a record of one. */
  openFavorite(id: number): Promise<void> {
    // Opened from the favourites page, which is there.
    const favorite = this.favorites?.favorite(id);
    if (!favorite) return Promise.resolve();
    if (favorite.type === 'chat_record') return this.openChatRecord(favorite.body as ChatRecordBody);
    const { t } = this.preferences.getSnapshot();
    const item = { sender_id: favorite.sender_id ?? 0, sender_name: favorite.sender_name, sent_at: favorite.sent_at, type: favorite.type, body: favorite.body };
    return this.openChatRecord({ title: t('favs.favourite'), items: [item] });
  }

  /** Send a favourite on to chats (the forward dialog, sending my saved copy). */
  sendFavorite(id: number): Promise<void> {
    const favorite = this.favorites?.favorite(id);
    if (!favorite) return Promise.resolve();
    const { t } = this.preferences.getSnapshot();
    const preview = favorite.type === 'text' ? (favorite.body as { text: string }).text : describeMessage({ type: favorite.type, body: favorite.body } as MessageContent, t);
    const sender = (targets: ConversationId[], note: string) => this.client.sendFavorite(id, targets, note);
    this.closeDialog();
    return this.showForward((Forward) => new Forward(this.client, this.preferences, favorite.conversation_id, [favorite.seq], preview, favorite.sender_name, sender));
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

  openNewChat(): Promise<void> {
    this.closeDialog();
    return this.present(async () => ({ kind: 'newChat', vm: new (await import('./NewChatViewModel')).NewChatViewModel(this.client, this.names) }));
  }

  /** The Workbench tab's view model (J6), made (and its code fetched) when the tab is first shown. */
  async workbench(): Promise<WorkbenchViewModel> {
    if (!this.workbenchModel) {
      const { browserWorkbenchServices, WorkbenchViewModel } = await import('./WorkbenchViewModel');
      if (!this.workbenchModel) {
        const model = new WorkbenchViewModel(this.client, this.environment?.workbench ?? browserWorkbenchServices(this.client), {
          openConversation: (id) => this.select(id),
          shareCard: (card) => this.shareCard(card),
        });
        this.workbenchModel = model;
        this.track(() => model.dispose());
        this.update({ workbench: model });
      }
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
      const send = (targets: ConversationId[], note: string) => {
        for (const id of targets) {
          this.client.send(id, 'custom_card', card);
          if (note.trim()) this.client.sendText(id, note.trim());
        }
        shared = targets.length;
        return Promise.resolve();
      };
      void this.showDialog(async () => {
        const { ForwardViewModel } = await import('./ForwardViewModel');
        return { kind: 'forward', vm: new ForwardViewModel(this.client, this.preferences, 0, [], card.title, card.source ?? '', send, 'share') };
      }).then((dialog) => {
        if (dialog) this.cardShare = { vm: dialog.vm as ForwardViewModel, done: () => resolve(shared) };
        else resolve(0);
      });
    });
  }

  /**
   * Show a dialog whose view model's code is fetched when first needed (the first load carries
   * only the chat screen, decision 0043).
   */
  private async showDialog(make: () => Promise<NonNullable<Dialog>>): Promise<NonNullable<Dialog> | null> {
    const ticket = this.dialogTicket;
    const dialog = await make();
    if (ticket !== this.dialogTicket) {
      dialog.vm.dispose();
      return null;
    }
    this.update({ dialog });
    return dialog;
  }

  /** The same, for callers that only wait for it. */
  private async present(make: () => Promise<NonNullable<Dialog>>): Promise<void> {
    await this.showDialog(make);
  }

  private showForward(make: (Forward: typeof ForwardViewModel) => ForwardViewModel): Promise<void> {
    return this.present(async () => ({ kind: 'forward', vm: make((await import('./ForwardViewModel')).ForwardViewModel) }));
  }

  closeDialog(): void {
    this.dialogTicket += 1;
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
