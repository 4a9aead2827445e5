import { Client, MemoryCache, type Entry, type ServerSettings } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { dndActive, dndSilences } from '../lib/dnd';
import { bindable, comboOf, conflictOf, DEFAULT_SHORTCUTS, installShortcuts, SHORTCUT_EVENT, type ShortcutDetail } from '../lib/shortcuts';
import { MemoryStore } from '../lib/storage';
import type { PushPlatform } from '../lib/webPush';
import { applyChoices } from '../viewmodels/NotificationViewModel';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { mergeSettings, ServerSettingsViewModel } from '../viewmodels/ServerSettingsViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

// Monday 7 December 2026, 23:00 in Shanghai (15:00 UTC).
const MONDAY_NIGHT_SHANGHAI = Date.UTC(2026, 11, 7, 15, 0);
const nights: ServerSettings = {
  dnd: { schedules: [{ kind: 'night', days: [1, 2, 3, 4], start: '22:00', end: '07:00' }], time_zone: 'Asia/Shanghai' },
  starred: [7],
};

describe('do-not-disturb schedules', () => {
  it('are judged in the user\'s time zone and run past midnight', () => {
    expect(dndActive(nights.dnd, MONDAY_NIGHT_SHANGHAI)).toBe(true);
    expect(dndActive({ ...nights.dnd, time_zone: 'UTC' }, MONDAY_NIGHT_SHANGHAI)).toBe(false);
    // Tuesday 06:30 in Shanghai: Monday's night goes on; 07:00 it ends.
    expect(dndActive(nights.dnd, Date.UTC(2026, 11, 7, 22, 30))).toBe(true);
    expect(dndActive(nights.dnd, Date.UTC(2026, 11, 7, 23, 0))).toBe(false);
    // Friday night is not in the schedule, Thursday's night (into Friday morning) is.
    expect(dndActive(nights.dnd, Date.UTC(2026, 11, 11, 14, 30))).toBe(false);
    expect(dndActive(nights.dnd, Date.UTC(2026, 11, 10, 22, 30))).toBe(true);
    expect(dndActive({ schedules: [{ kind: 'night', enabled: false, days: [1], start: '22:00', end: '07:00' }], time_zone: 'Asia/Shanghai' }, MONDAY_NIGHT_SHANGHAI)).toBe(false);
  });

  it('let @-mentions of me and starred contacts through, unless those exceptions are off', () => {
    expect(dndSilences(nights, MONDAY_NIGHT_SHANGHAI, 5, false)).toBe(true);
    expect(dndSilences(nights, MONDAY_NIGHT_SHANGHAI, 5, true)).toBe(false);
    expect(dndSilences(nights, MONDAY_NIGHT_SHANGHAI, 7, false)).toBe(false);
    const strict = { ...nights, dnd: { ...nights.dnd, exceptions: { mentions: false, starred: false } } };
    expect(dndSilences(strict, MONDAY_NIGHT_SHANGHAI, 7, true)).toBe(true);
  });
});

describe('shortcuts', () => {
  const key = (k: string, code: string, mods: Partial<Record<'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey', boolean>> = {}) => ({
    key: k, code, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods,
  });

  it('record key combinations from the physical key', () => {
    expect(comboOf(key('å', 'KeyA', { altKey: true }))).toBe('Alt+A');
    expect(comboOf(key('k', 'KeyK', { ctrlKey: true }))).toBe('Ctrl+K');
    expect(comboOf(key('ArrowDown', 'ArrowDown', { altKey: true }))).toBe('Alt+ArrowDown');
    expect(comboOf(key('Control', 'ControlLeft', { ctrlKey: true }))).toBeNull();
    expect(bindable('K')).toBe(false);
    expect(bindable('Shift+K')).toBe(false);
    expect(bindable('F2')).toBe(true);
    expect(conflictOf(DEFAULT_SHORTCUTS, 'search', 'Alt+A')).toBe('screenshot');
    expect(conflictOf(DEFAULT_SHORTCUTS, 'screenshot', 'Alt+A')).toBeNull();
  });

  it('dispatch tidings:shortcut for the bound keys only, reading the bindings at each press', () => {
    const target = new EventTarget() as Window;
    const heard: string[] = [];
    target.addEventListener(SHORTCUT_EVENT, (e) => heard.push((e as CustomEvent<ShortcutDetail>).detail.action));
    let bindings = { ...DEFAULT_SHORTCUTS };
    const stop = installShortcuts(target, () => bindings);
    // No DOM here: an Event with a key press's fields.
    const press = (init: Partial<KeyboardEvent>) =>
      target.dispatchEvent(Object.assign(new Event('keydown', { cancelable: true }), { repeat: false, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...init }));
    press({ key: 'a', code: 'KeyA', altKey: true });
    press({ key: 'k', code: 'KeyK', ctrlKey: true });
    press({ key: 'ArrowDown', code: 'ArrowDown', altKey: true });
    press({ key: 'b', code: 'KeyB', altKey: true });
    bindings = { ...bindings, search: 'Alt+B' };
    press({ key: 'b', code: 'KeyB', altKey: true });
    stop();
    press({ key: 'a', code: 'KeyA', altKey: true });
    expect(heard).toEqual(['screenshot', 'search', 'next_unread', 'search']);
  });
});

describe('settings kept on the server', () => {
  it('merge as the server does', () => {
    expect(mergeSettings({ notifications: { sound: false }, conversations: { '4': { popup: false } } }, { notifications: { preview: false }, conversations: { '4': null }, theme: 'dark' })).toEqual({
      notifications: { sound: false, preview: false },
      conversations: {},
      theme: 'dark',
    });
    expect(mergeSettings({ theme: 'dark' }, { theme: null })).toEqual({});
  });

  it('apply the choices to alerts: off, DND, each chat\'s sound and pop-ups', () => {
    const all = { toast: true, sound: true, system: true, flash: true };
    const entry = { conversation_id: 4, sender_id: 5, kind: 'message', type: 'text', body: { text: 'hi' } } as unknown as Entry;
    const settingsOf = (s: ServerSettings, quiet = false) => ({
      notifications: () => ({ enabled: true, sound: true, preview: true, calls_sound: true, ...s.notifications }),
      choice: (id: number) => ({ sound: true, popup: true, ...s.conversations?.[String(id)] }),
      silencedByDnd: () => quiet,
    });
    expect(applyChoices(all, settingsOf({}), entry, 1)).toEqual(all);
    expect(applyChoices(all, settingsOf({ notifications: { enabled: false } }), entry, 1).toast).toBe(false);
    expect(applyChoices(all, settingsOf({}, true), entry, 1)).toEqual({ toast: false, sound: false, system: false, flash: false });
    expect(applyChoices(all, settingsOf({ conversations: { '4': { popup: false } } }), entry, 1)).toEqual({ toast: false, sound: true, system: false, flash: true });
    expect(applyChoices(all, settingsOf({ conversations: { '4': { sound: false } } }), entry, 1).sound).toBe(false);
  });

  it('take the server\'s values, bring up what it lacks, and send local changes', async () => {
    const server = new FakeServer();
    let stored: { settings: ServerSettings; version: number } = { settings: { theme: 'dark' }, version: 3 };
    const updates: unknown[] = [];
    server.handlers.set('settings.get', () => stored);
    server.handlers.set('settings.update', (data) => {
      updates.push(data.changes);
      stored = { settings: mergeSettings(stored.settings, data.changes as ServerSettings), version: stored.version + 1 };
      return stored;
    });
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    const store = new MemoryStore();
    const preferences = new PreferencesViewModel(store, ['en']);
    preferences.set('fontSize', 'large');
    const noPush: PushPlatform = { registration: async () => null, permission: () => 'unsupported', requestPermission: async () => 'unsupported' };
    const vm = new ServerSettingsViewModel(client, preferences, store, noPush);
    await client.start();
    await settle();
    // The server's theme wins; this device's font size (its choice) goes up, not the defaults
    // it derived from the browser (its language), which another device derives for itself.
    expect(preferences.getSnapshot().theme).toBe('dark');
    expect(updates[0]).toEqual({ font_size: 'large' });
    // A new device: its browser's language shows until the account has one.
    const other = new PreferencesViewModel(new MemoryStore(), ['zh-CN']);
    expect(other.getSnapshot().locale).toBe('zh-CN');
    expect(other.chosen('locale')).toBe(false);
    // A change in Settings here is sent...
    preferences.set('wallpaper', 'mint');
    await settle();
    expect(updates.at(-1)).toEqual({ wallpaper: 'mint' });
    // ...and one from another device applies at once, without being sent back.
    const count = updates.length;
    server.current.push('private', { seq: 1, kind: 'settings_changed', created_at: 0, data: { settings: { ...stored.settings, theme: 'light', dnd: nights.dnd }, version: 99 } });
    await settle();
    expect(preferences.getSnapshot().theme).toBe('light');
    expect(vm.dnd().time_zone).toBe('Asia/Shanghai');
    expect(updates).toHaveLength(count);
    // Kept on this device for the next start, before the connection.
    expect(JSON.parse(store.get('tidings.serverSettings.1') ?? '{}').version).toBe(99);
    vm.dispose();
  });
});

describe('a clicked push', () => {
  it('names its conversation in the url', async () => {
    const { conversationOfUrl } = await import('../views/usePushOpen');
    expect(conversationOfUrl('/#/c/12')).toBe(12);
    expect(conversationOfUrl('#/c/7')).toBe(7);
    expect(conversationOfUrl('https://x/#/c/0')).toBeNull();
    expect(conversationOfUrl('/#/c/12/x')).toBeNull();
  });
});

describe('changes waiting for the server', () => {
  it('stay shown over older replies and other devices\' changes until answered', async () => {
    const server = new FakeServer();
    let stored: { settings: ServerSettings; version: number } = { settings: {}, version: 0 };
    server.handlers.set('settings.get', () => stored);
    server.handlers.set('settings.update', (data) => {
      stored = { settings: mergeSettings(stored.settings, data.changes as ServerSettings), version: stored.version + 1 };
      return stored;
    });
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    const store = new MemoryStore();
    const preferences = new PreferencesViewModel(store, ['en']);
    const noPush: PushPlatform = { registration: async () => null, permission: () => 'unsupported', requestPermission: async () => 'unsupported' };
    const vm = new ServerSettingsViewModel(client, preferences, store, noPush);
    await client.start();
    await settle();
    server.holdOps.add('settings.update');
    void vm.change({ notifications: { preview: false } });
    void vm.change({ conversations: { '4': { popup: false } } });
    // Another device's change arrives first: both of mine stay on screen.
    server.current.push('private', { seq: 1, kind: 'settings_changed', created_at: 0, data: { settings: { ...stored.settings, wallpaper: 'dots' }, version: stored.version + 1 } });
    await settle();
    expect(vm.notifications().preview).toBe(false);
    expect(vm.choice(4).popup).toBe(false);
    expect(vm.getSnapshot().settings.wallpaper).toBe('dots');
    server.release('settings.update');
    await settle();
    expect(vm.notifications().preview).toBe(false);
    expect(vm.choice(4).popup).toBe(false);
    vm.dispose();
  });
});
