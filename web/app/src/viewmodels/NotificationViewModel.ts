/**
 * Alerts for new messages (PRODUCT.md H1, H3): a sound, a system notification while the app
 * is in the background, an in-app toast in the corner the user chose, and a flashing title;
 * nothing for the conversation on screen.
 *
 * Every window of the app hears every message (they share one connection), so each decides
 * from the same shared picture of the windows (WindowRegistry) and only one acts: the window
 * the user is working in, or, when none has the focus, the main window.
 */
import type { Client, ConversationId, ConversationSummary, Entry, UserId, ViewMode } from '@tidings/sdk';
import type { WindowInfo } from '../lib/windowPresence';
import { describeEntry, visitorName } from '../lib/format';
import { readJson, type KeyValueStore } from '../lib/storage';
import { conversationTitle } from './ConversationListViewModel';
import type { NameBook } from './NameBook';
import type { PreferencesViewModel, ToastCorner } from './PreferencesViewModel';
import type { ServerSettingsViewModel } from './ServerSettingsViewModel';
import { ViewModel } from './ViewModel';

export interface AlertDecision {
  toast: boolean;
  sound: boolean;
  system: boolean;
  flash: boolean;
}

const NONE: AlertDecision = { toast: false, sound: false, system: false, flash: false };

export interface AlertInput {
  entry: Entry;
  summary: ConversationSummary | undefined;
  me: UserId;
  viewMode: ViewMode;
  /** Whether the sender is the group's owner or an admin (for the "admins only" view mode). */
  senderIsAdmin: boolean;
  self: WindowInfo;
  /** Every window of the app, this one included. */
  windows: readonly WindowInfo[];
  sound: boolean;
  system: boolean;
}

function mentions(entry: Entry, me: UserId): boolean {
  return (
    entry.kind === 'message' &&
    entry.type === 'text' &&
    (entry.body.mentions?.includes(me) === true || entry.body.mention_all === true)
  );
}

/** The window that alerts when no window has the focus: the main one, else any, stably. */
function leader(windows: readonly WindowInfo[]): WindowInfo | undefined {
  return [...windows].sort((a, b) => Number(b.main) - Number(a.main) || a.id.localeCompare(b.id))[0];
}

/** What this window does about one new message. Pure: the unit tests drive it directly. */
export function decideAlert(input: AlertInput): AlertDecision {
  const { entry, summary, me, self, windows } = input;
  if (entry.kind !== 'message' || entry.recalled || entry.sender_id === me || (entry.sender_id === null && summary?.type !== 'system')) {
    return NONE;
  }
  // Muted chats, do-not-disturb groups and, in "admins only" groups, everyone but the admins
  // stay silent, except when someone @-mentions me.
  const quiet =
    summary?.muted === true ||
    input.viewMode === 'do_not_disturb' ||
    (input.viewMode === 'admins_only' && !input.senderIsAdmin);
  if (quiet && !mentions(entry, me)) return NONE;
  // H3: the user is looking at it.
  if (windows.some((w) => w.shown === entry.conversation_id && w.visible)) return NONE;
  const active = windows
    .filter((w) => w.focused && w.visible)
    .sort((a, b) => b.focusedAt - a.focusedAt || Number(b.main) - Number(a.main) || a.id.localeCompare(b.id))[0];
  if (active) {
    return active.id === self.id ? { toast: true, sound: input.sound, system: false, flash: false } : NONE;
  }
  // In the background: one window notifies and rings; every window flashes its title.
  const isLeader = leader(windows)?.id === self.id;
  return { toast: false, sound: isLeader && input.sound, system: isLeader && input.system, flash: true };
}

/**
 * The account's choices (kept on the server) applied to a decision: notifications off, the
 * chat's pop-ups or sound off, or do-not-disturb hours (an @-mention of me, or a starred
 * contact, comes through) keep it quiet. Pure apart from reading the settings and the clock.
 */
export function applyChoices(decision: AlertDecision, settings: Pick<ServerSettingsViewModel, 'notifications' | 'choice' | 'silencedByDnd'>, entry: Entry, me: UserId): AlertDecision {
  const choices = settings.notifications();
  if (!choices.enabled) return NONE;
  if (settings.silencedByDnd(entry.sender_id, mentions(entry, me))) return NONE;
  const chat = settings.choice(entry.conversation_id);
  return {
    toast: decision.toast && chat.popup,
    system: decision.system && chat.popup,
    sound: decision.sound && chat.sound,
    flash: decision.flash,
  };
}

/** The browser's side of alerting (sound, system notifications); a fake in tests. */
export interface AlertOutput {
  playSound(): void;
  permission(): NotificationPermission | 'unsupported';
  requestPermission(): Promise<NotificationPermission | 'unsupported'>;
  notify(title: string, body: string, tag: string, onClick: () => void): void;
}

/** The shared picture of the app's windows. */
export interface Windows {
  readonly self: WindowInfo;
  all(): WindowInfo[];
  update(change: Partial<Omit<WindowInfo, 'id'>>): void;
  onChange(listener: () => void): () => void;
}

export interface MessageToast {
  id: number;
  conversationId: ConversationId;
  avatarId: number;
  /** `avatarId` is the direct chat's partner (their picture shows), not the conversation. */
  avatarIsUser: boolean;
  title: string;
  text: string;
}

export interface NotificationSnapshot {
  toasts: MessageToast[];
  corner: ToastCorner;
  /** While set, the window title alternates with this text. */
  flash: string | null;
  /** Offer to turn on system notifications (asked once, never on page load). */
  offerSystem: boolean;
}

const TOAST_MS = 6_000;
const MAX_TOASTS = 3;
const DISMISSED_KEY = 'tidings.notifyPromptDismissed';

export class NotificationViewModel extends ViewModel<NotificationSnapshot> {
  private nextId = 1;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** The message each toast shows: its words are composed again when names arrive. */
  private readonly toastEntries = new Map<number, Entry>();

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly preferences: PreferencesViewModel,
    private readonly windows: Windows,
    private readonly output: AlertOutput,
    private readonly store: KeyValueStore,
    /** Open a conversation (a toast or a system notification was clicked). */
    private readonly open: (id: ConversationId) => void,
    /** Settings kept on the server: notifications on/off, do-not-disturb, each chat's choices. */
    private readonly settings: ServerSettingsViewModel | null = null,
  ) {
    super({ toasts: [], corner: preferences.getSnapshot().toastCorner, flash: null, offerSystem: false });
    this.track(client.on('message', ({ entry }) => void this.messageArrived(entry)));
    // A sender's name may arrive after their message (one users.lookup): "#<id>" then
    // gives way to the name on the toast still showing.
    this.track(names.onChange(() => this.renameToasts()));
    this.track(
      preferences.subscribe(() => this.update({ corner: preferences.getSnapshot().toastCorner, offerSystem: this.shouldOffer() })),
    );
    this.track(
      windows.onChange(() => {
        // Back in the window: the title stops flashing.
        if (windows.self.focused && this.getSnapshot().flash) this.update({ flash: null });
      }),
    );
    this.track(() => {
      for (const timer of this.timers.values()) clearTimeout(timer);
      this.timers.clear();
    });
    this.update({ offerSystem: this.shouldOffer() });
  }

  /** The user clicked a toast. */
  openToast(id: number): void {
    const toast = this.getSnapshot().toasts.find((t) => t.id === id);
    this.dismiss(id);
    if (toast) this.open(toast.conversationId);
  }

  dismiss(id: number): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    this.toastEntries.delete(id);
    this.update({ toasts: this.getSnapshot().toasts.filter((t) => t.id !== id) });
  }

  private compose(entry: Entry, summary: ConversationSummary | undefined): { title: string; text: string } {
    const me = this.client.me?.id ?? 0;
    const { t } = this.preferences.getSnapshot();
    const title = !summary ? '' : summary.type === 'service' ? visitorName(summary.name, t) : conversationTitle(summary, t('list.systemNotices'), this.names);
    let text = describeEntry(entry, me, this.names, t, summary?.type);
    if (summary?.type === 'group' && entry.sender_id !== null) text = `${this.names.name(entry.sender_id)}: ${text}`;
    return { title, text };
  }

  private renameToasts(): void {
    let changed = false;
    const toasts = this.getSnapshot().toasts.map((toast) => {
      const entry = this.toastEntries.get(toast.id);
      if (!entry) return toast;
      const { title, text } = this.compose(entry, this.client.conversation(entry.conversation_id));
      if (title === toast.title && text === toast.text) return toast;
      changed = true;
      return { ...toast, title, text };
    });
    if (changed) this.update({ toasts });
  }

  /** Turn system notifications on: the browser asks the user (this runs from a click). */
  async enableSystem(): Promise<void> {
    const permission = await this.output.requestPermission();
    this.preferences.set('systemNotifications', permission === 'granted');
    this.store.set(DISMISSED_KEY, 'true');
    this.update({ offerSystem: false });
  }

  /** What the browser allows: the settings show it next to the switch. */
  systemPermission(): NotificationPermission | 'unsupported' {
    return this.output.permission();
  }

  /** The settings switch: turning it on asks the browser when it has not been asked. */
  async setSystem(on: boolean): Promise<void> {
    if (!on) {
      this.preferences.set('systemNotifications', false);
      return;
    }
    if (this.output.permission() === 'granted') this.preferences.set('systemNotifications', true);
    else await this.enableSystem();
  }

  dismissOffer(): void {
    this.store.set(DISMISSED_KEY, 'true');
    this.update({ offerSystem: false });
  }

  private shouldOffer(): boolean {
    return this.output.permission() === 'default' && readJson<boolean>(this.store, DISMISSED_KEY) !== true;
  }

  private async messageArrived(entry: Entry): Promise<void> {
    const me = this.client.me?.id ?? 0;
    const summary = this.client.conversation(entry.conversation_id);
    const viewMode = this.client.viewMode(entry.conversation_id);
    let senderIsAdmin = false;
    if (viewMode === 'admins_only' && entry.sender_id !== null) {
      const members = await this.client.conversationMembers(entry.conversation_id).catch(() => []);
      senderIsAdmin = members.some((m) => m.user_id === entry.sender_id && m.role !== 'member');
    }
    const prefs = this.preferences.getSnapshot();
    const undecided = decideAlert({
      entry,
      summary,
      me,
      viewMode,
      senderIsAdmin,
      self: this.windows.self,
      windows: this.windows.all(),
      sound: prefs.sound,
      system: prefs.systemNotifications && this.output.permission() === 'granted',
    });
    const decision = this.settings ? applyChoices(undecided, this.settings, entry, me) : undecided;
    if (!decision.toast && !decision.sound && !decision.system && !decision.flash) return;
    const { t } = prefs;
    const { title, text: fullText } = this.compose(entry, summary);
    // A chat behind the password lock (h/me) says nothing of its messages; "show message text"
    // off: system notifications say only that a message came.
    const text = this.textHidden?.(entry.conversation_id)
      ? t('lock.locked')
      : decision.system && this.settings?.notifications().preview === false
        ? t('notify.hiddenText')
        : fullText;
    if (decision.sound) this.output.playSound();
    if (decision.system) {
      this.output.notify(title, text, `conversation-${entry.conversation_id}`, () => this.open(entry.conversation_id));
    }
    if (decision.flash && prefs.flashTitle) this.update({ flash: t('notify.titleFlash', { name: title }) });
    if (decision.toast) this.showToast(entry, summary, title, text);
  }

  /** Which chats' alerts leave the message text out (the password lock, h/me). */
  private textHidden: ((conversationId: ConversationId) => boolean) | null = null;

  hideTextOf(hidden: ((conversationId: ConversationId) => boolean) | null): void {
    this.textHidden = hidden;
  }

  private showToast(entry: Entry, summary: ConversationSummary | undefined, title: string, text: string): void {
    const conversationId = entry.conversation_id;
    const id = this.nextId++;
    this.toastEntries.set(id, entry);
    const peer = summary?.peer?.user_id;
    const toast: MessageToast = { id, conversationId, avatarId: peer ?? conversationId, avatarIsUser: peer !== undefined, title, text };
    // One toast per conversation: a newer message replaces the older one.
    const others = this.getSnapshot().toasts.filter((t) => {
      if (t.conversationId !== conversationId) return true;
      clearTimeout(this.timers.get(t.id));
      this.timers.delete(t.id);
      this.toastEntries.delete(t.id);
      return false;
    });
    const toasts = [...others, toast];
    for (const dropped of toasts.splice(0, Math.max(0, toasts.length - MAX_TOASTS))) {
      clearTimeout(this.timers.get(dropped.id));
      this.timers.delete(dropped.id);
      this.toastEntries.delete(dropped.id);
    }
    this.timers.set(id, setTimeout(() => this.dismiss(id), TOAST_MS));
    this.update({ toasts });
  }
}
