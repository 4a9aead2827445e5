/**
 * Settings kept on the server (issue 12): the account's settings, the same on every device.
 *
 * The device's preferences (language, theme, font size, wallpaper, send key, sound) stay in
 * localStorage too, for the first paint and before sign-in; once connected, the server's values
 * win, and what the server does not have yet is taken from this device (the first device
 * brings its choices along). A change here is sent as a partial update; every device applies
 * `settings_changed` from the private log at once. Notifications, do-not-disturb, each chat's
 * sound and pop-up choices, starred contacts and shortcuts live only here.
 */
import {
  errorCode,
  type Client,
  type ConversationChoice,
  type ConversationId,
  type DndSettings,
  type NotificationChoices,
  type ServerSettings,
  type SettingsChanges,
  type ShortcutAction,
  type UserId,
} from '@tidings/sdk';
import { dndSilences } from '../lib/dnd';
import { DEFAULT_SHORTCUTS } from '../lib/shortcuts';
import { readJson, type KeyValueStore } from '../lib/storage';
import { browserPushPlatform, subscribePush, unsubscribePush, type PushPlatform, type PushState } from '../lib/webPush';
import type { Preferences, PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

export interface ServerSettingsSnapshot {
  settings: ServerSettings;
  version: number;
  /** The server's settings have been read since this view model started. */
  synced: boolean;
  /** The error code of the last change the server refused. */
  error: string | null;
  /** Web Push on this browser for this account. */
  push: PushState;
}

export type EffectiveNotifications = Required<NotificationChoices>;

const DEFAULT_NOTIFICATIONS: EffectiveNotifications = { enabled: true, sound: true, preview: true, calls_sound: true };
const SEND_KEYS = { enter: 'enter', ctrlEnter: 'ctrl_enter' } as const;
const PUSH_KEY = 'tidings.pushWanted';

/** The device preferences that are kept on the server, and their server key. */
type Synced = 'locale' | 'theme' | 'fontSize' | 'wallpaper' | 'sendKey' | 'sound';

function fromServer(settings: ServerSettings): Partial<Pick<Preferences, Synced>> {
  const out: Partial<Pick<Preferences, Synced>> = {};
  if (settings.locale) out.locale = settings.locale;
  if (settings.theme) out.theme = settings.theme;
  if (settings.font_size) out.fontSize = settings.font_size;
  if (settings.wallpaper) out.wallpaper = settings.wallpaper;
  if (settings.send_key) out.sendKey = settings.send_key === 'ctrl_enter' ? 'ctrlEnter' : 'enter';
  if (settings.notifications?.sound !== undefined) out.sound = settings.notifications.sound;
  return out;
}

function toServer(key: Synced, p: Preferences): SettingsChanges {
  switch (key) {
    case 'locale':
      return { locale: p.locale };
    case 'theme':
      return { theme: p.theme };
    case 'fontSize':
      return { font_size: p.fontSize };
    case 'wallpaper':
      return { wallpaper: p.wallpaper };
    case 'sendKey':
      return { send_key: SEND_KEYS[p.sendKey] };
    case 'sound':
      return { notifications: { sound: p.sound } };
  }
}

const SYNCED: readonly Synced[] = ['locale', 'theme', 'fontSize', 'wallpaper', 'sendKey', 'sound'];

/** `changes` applied to `settings` as the server merges them (objects one level deep; null resets). */
export function mergeSettings(settings: ServerSettings, changes: SettingsChanges): ServerSettings {
  const out: Record<string, unknown> = { ...settings };
  for (const [key, value] of Object.entries(changes)) {
    const old = out[key];
    if (value === null || value === undefined) delete out[key];
    else if (typeof value === 'object' && !Array.isArray(value) && typeof old === 'object' && old !== null && !Array.isArray(old)) {
      const inner: Record<string, unknown> = { ...(old as Record<string, unknown>), ...(value as Record<string, unknown>) };
      for (const [k, v] of Object.entries(inner)) if (v === null) delete inner[k];
      out[key] = inner;
    } else out[key] = value;
  }
  return out as ServerSettings;
}

export class ServerSettingsViewModel extends ViewModel<ServerSettingsSnapshot> {
  /** Set while the server's values are copied into the preferences (not a change to send). */
  private applying = false;
  private last: Pick<Preferences, Synced>;
  /** The server's copy as last heard, and the changes sent but not yet answered. */
  private base: { settings: ServerSettings; version: number } = { settings: {}, version: 0 };
  private readonly pending: { changes: SettingsChanges }[] = [];

  constructor(
    private readonly client: Client,
    private readonly preferences: PreferencesViewModel,
    private readonly store: KeyValueStore,
    private readonly platform: PushPlatform = browserPushPlatform,
    private readonly now: () => number = Date.now,
  ) {
    super({ settings: {}, version: 0, synced: false, error: null, push: 'off' });
    this.last = this.pick(preferences.getSnapshot());
    // This device's copy, for do-not-disturb and the shortcuts before the connection is up.
    this.readCache();
    this.track(client.on('me', () => this.readCache()));
    this.track(client.on('connected', () => void this.load()));
    this.track(
      client.on('private', ({ entry }) => {
        if (entry.kind === 'settings_changed') this.received(entry.data.settings, entry.data.version);
      }),
    );
    this.track(preferences.subscribe(() => this.preferencesChanged()));
    if (client.state === 'connected') void this.load();
  }

  // ---- what the rest of the app reads ------------------------------------------------------

  notifications(): EffectiveNotifications {
    return { ...DEFAULT_NOTIFICATIONS, ...this.getSnapshot().settings.notifications };
  }

  dnd(): DndSettings {
    return this.getSnapshot().settings.dnd ?? {};
  }

  choice(id: ConversationId): Required<ConversationChoice> {
    return { sound: true, popup: true, ...this.getSnapshot().settings.conversations?.[String(id)] };
  }

  shortcuts(): Record<ShortcutAction, string> {
    return { ...DEFAULT_SHORTCUTS, ...this.getSnapshot().settings.shortcuts };
  }

  starred(): UserId[] {
    return this.getSnapshot().settings.starred ?? [];
  }

  /** Whether do-not-disturb keeps this message quiet now. */
  silencedByDnd(senderId: UserId | null, mentionsMe: boolean): boolean {
    return dndSilences(this.getSnapshot().settings, this.now(), senderId, mentionsMe);
  }

  // ---- changes ------------------------------------------------------------------------------

  /** Change some settings: shown at once, sent to the server (which tells the other devices). */
  async change(changes: SettingsChanges): Promise<boolean> {
    // Shown on top of the server's copy until the server has it: a reply to an earlier change
    // (or another device's) must not undo it on screen meanwhile.
    const pending = { changes };
    this.pending.push(pending);
    this.show(this.getSnapshot().error);
    try {
      const reply = await this.client.request('settings.update', { changes });
      this.pending.splice(this.pending.indexOf(pending), 1);
      this.received(reply.settings, reply.version);
      return true;
    } catch (error) {
      // Refused (or offline): back to the server's copy.
      this.pending.splice(this.pending.indexOf(pending), 1);
      this.show(errorCode(error));
      await this.load();
      return false;
    }
  }

  setConversationChoice(id: ConversationId, choice: ConversationChoice): Promise<boolean> {
    const next = { ...this.choice(id), ...choice };
    return this.change({ conversations: { [String(id)]: next.sound && next.popup ? null : next } });
  }

  setStarred(userId: UserId, starred: boolean): Promise<boolean> {
    const current = this.starred().filter((id) => id !== userId);
    return this.change({ starred: starred ? [...current, userId] : current });
  }

  setShortcut(action: ShortcutAction, combo: string): Promise<boolean> {
    return this.change({ shortcuts: { [action]: combo } });
  }

  clearError(): void {
    this.update({ error: null });
  }

  // ---- Web Push on this browser -------------------------------------------------------------

  /** The settings switch "Notify me when the app is closed" (from a click: may ask the browser). */
  async setPush(on: boolean): Promise<void> {
    this.store.set(PUSH_KEY, JSON.stringify(on));
    if (!on) {
      await unsubscribePush(this.client, this.platform).catch(() => undefined);
      this.update({ push: 'off' });
      return;
    }
    this.update({ push: await subscribePush(this.client, this.platform, true).catch(() => 'failed' as const) });
  }

  private async renewPush(): Promise<void> {
    if (readJson<boolean>(this.store, PUSH_KEY) !== true) {
      // Tell the switch whether it could work at all.
      const registration = await this.platform.registration().catch(() => null);
      this.update({ push: this.platform.permission() === 'unsupported' ? 'unsupported' : registration ? 'off' : 'no_worker' });
      return;
    }
    this.update({ push: await subscribePush(this.client, this.platform, false).catch(() => 'failed' as const) });
  }

  // ---- sync ---------------------------------------------------------------------------------

  private async load(): Promise<void> {
    let reply;
    try {
      reply = await this.client.request('settings.get', undefined);
    } catch {
      return;
    }
    // The server's copy as it is now (even an older version: its database may be new).
    this.received(reply.settings, reply.version, true);
    this.update({ synced: true });
    // What the server lacks comes from this device (its earlier, local-only choices; not the
    // defaults it derived from the browser, which another device derives for itself).
    const local = this.preferences.getSnapshot();
    const missing = SYNCED.filter((key) => !(key in fromServer(reply.settings)) && this.preferences.chosen(key));
    if (missing.length > 0) {
      let changes: SettingsChanges = {};
      for (const key of missing) changes = mergeSettings(changes as ServerSettings, toServer(key, local)) as SettingsChanges;
      void this.change(changes);
    }
    void this.renewPush();
  }

  private received(settings: ServerSettings, version: number, fresh = false): void {
    if (!fresh && version < this.base.version) return;
    this.base = { settings, version };
    this.save();
    this.show(this.getSnapshot().error);
    // What is shown: the server's copy with this device's unanswered changes on top.
    const values = fromServer(this.getSnapshot().settings);
    this.applying = true;
    try {
      for (const key of SYNCED) {
        const value = values[key];
        if (value !== undefined && this.preferences.getSnapshot()[key] !== value) this.preferences.set(key, value as never);
      }
    } finally {
      this.applying = false;
    }
    this.last = this.pick(this.preferences.getSnapshot());
  }

  private cacheKey(): string | null {
    const id = this.client.me?.id;
    return id === undefined ? null : `tidings.serverSettings.${id}`;
  }

  private readCache(): void {
    const key = this.cacheKey();
    if (key === null || this.base.version > 0) return;
    const cached = readJson<{ settings: ServerSettings; version: number }>(this.store, key);
    if (cached) {
      this.base = cached;
      this.show(null);
    }
  }

  private save(): void {
    const key = this.cacheKey();
    if (key !== null) this.store.set(key, JSON.stringify(this.base));
  }

  /** The server's copy with the unanswered changes on top. */
  private show(error: string | null): void {
    const settings = this.pending.reduce((shown, p) => mergeSettings(shown, p.changes), this.base.settings);
    this.update({ settings, version: this.base.version, error });
  }

  private preferencesChanged(): void {
    const now = this.pick(this.preferences.getSnapshot());
    if (this.applying) {
      this.last = now;
      return;
    }
    const changed = SYNCED.filter((key) => now[key] !== this.last[key]);
    this.last = now;
    if (changed.length === 0) return;
    let changes: SettingsChanges = {};
    for (const key of changed) changes = mergeSettings(changes as ServerSettings, toServer(key, this.preferences.getSnapshot())) as SettingsChanges;
    void this.change(changes);
  }

  private pick(p: Preferences): Pick<Preferences, Synced> {
    return { locale: p.locale, theme: p.theme, fontSize: p.fontSize, wallpaper: p.wallpaper, sendKey: p.sendKey, sound: p.sound };
  }
}
