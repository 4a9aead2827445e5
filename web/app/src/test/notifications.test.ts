import { Client, MemoryCache, type ConversationSummary, type Entry } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { WindowRegistry, type WindowInfo } from '../lib/windowPresence';
import { NameBook } from '../viewmodels/NameBook';
import { decideAlert, NotificationViewModel, type AlertInput, type AlertOutput } from '../viewmodels/NotificationViewModel';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

function text(conversationId: number, senderId: number, body: Record<string, unknown> = { text: 'hi' }): Entry {
  return {
    id: 1, conversation_id: conversationId, seq: 1, sender_id: senderId, kind: 'message', type: 'text',
    body: body as { text: string }, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false,
  };
}

const summary = (id: number, muted = false) => ({ id, type: 'direct', muted }) as ConversationSummary;

function win(id: string, change: Partial<WindowInfo> = {}): WindowInfo {
  return { id, main: true, shown: null, visible: true, focused: false, focusedAt: 0, ...change };
}

function input(change: Partial<AlertInput>): AlertInput {
  const self = change.self ?? win('a', { focused: true });
  return {
    entry: text(7, 2), summary: summary(7), me: 1, viewMode: 'all', senderIsAdmin: false, self, windows: [self], sound: true, system: true,
    ...change,
  };
}

describe('decideAlert', () => {
  it('toasts and rings in the window the user works in', () => {
    expect(decideAlert(input({}))).toEqual({ toast: true, sound: true, system: false, flash: false });
    expect(decideAlert(input({ sound: false })).sound).toBe(false);
  });

  it('stays quiet for my own messages and for the conversation on screen (H3)', () => {
    expect(decideAlert(input({ entry: text(7, 1) })).toast).toBe(false);
    const self = win('a', { focused: true, shown: 7 });
    expect(decideAlert(input({ self, windows: [self] }))).toEqual({ toast: false, sound: false, system: false, flash: false });
    // Shown in another visible window (a pop-out) counts too.
    const main = win('a', { focused: true, shown: 3 });
    const popout = win('b', { main: false, shown: 7 });
    expect(decideAlert(input({ self: main, windows: [main, popout] })).toast).toBe(false);
    // ...unless that window is hidden.
    const hidden = win('b', { main: false, shown: 7, visible: false });
    expect(decideAlert(input({ self: main, windows: [main, hidden] })).toast).toBe(true);
  });

  it('lets only the active window alert when several are open', () => {
    const main = win('a', { focused: true, focusedAt: 1 });
    const popout = win('b', { main: false, focused: true, focusedAt: 2 });
    expect(decideAlert(input({ self: main, windows: [main, popout] })).toast).toBe(false);
    expect(decideAlert(input({ self: popout, windows: [main, popout] })).toast).toBe(true);
  });

  it('in the background: the main window notifies and rings once, every window flashes', () => {
    const main = win('z');
    const popout = win('a', { main: false, shown: 3 });
    expect(decideAlert(input({ self: main, windows: [main, popout] }))).toEqual({ toast: false, sound: true, system: true, flash: true });
    expect(decideAlert(input({ self: popout, windows: [main, popout] }))).toEqual({ toast: false, sound: false, system: false, flash: true });
  });

  it('keeps muted chats and quiet group modes silent unless I am mentioned', () => {
    expect(decideAlert(input({ summary: summary(7, true) })).toast).toBe(false);
    expect(decideAlert(input({ viewMode: 'do_not_disturb' })).toast).toBe(false);
    // "Only admins' messages": the admins still alert, the others do not (unless they @ me).
    expect(decideAlert(input({ viewMode: 'admins_only', senderIsAdmin: true })).toast).toBe(true);
    expect(decideAlert(input({ viewMode: 'admins_only', senderIsAdmin: false })).toast).toBe(false);
    expect(
      decideAlert(input({ viewMode: 'admins_only', entry: text(7, 2, { text: '@me', mentions: [1] }) })).toast,
    ).toBe(true);
    const mention = text(7, 2, { text: '@me', mentions: [1] });
    expect(decideAlert(input({ summary: summary(7, true), entry: mention })).toast).toBe(true);
  });
});

describe('WindowRegistry', () => {
  it('shares each window state over the channel and forgets windows that say goodbye', async () => {
    const a = new WindowRegistry(win('x'), new BroadcastChannel('t-test') as never, Date.now, 'a');
    const b = new WindowRegistry(win('x', { main: false }), new BroadcastChannel('t-test') as never, Date.now, 'b');
    b.update({ shown: 9 });
    await settle();
    expect(a.all().find((w) => w.id === 'b')?.shown).toBe(9);
    expect(b.all().map((w) => w.id).sort()).toEqual(['a', 'b']);
    b.close();
    await settle();
    expect(a.all().map((w) => w.id)).toEqual(['a']);
    a.close();
  });
});

describe('NotificationViewModel', () => {
  it('toasts a message from another chat, plays the sound, and opens the chat from the toast', async () => {
    const server = new FakeServer();
    server.conversation(4);
    server.conversation(5);
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await settle();
    const played: number[] = [];
    const notified: string[] = [];
    const output: AlertOutput = {
      playSound: () => played.push(1),
      permission: () => 'granted',
      requestPermission: async () => 'granted',
      notify: (title) => notified.push(title),
    };
    const store = new MemoryStore();
    const preferences = new PreferencesViewModel(store, ['en']);
    const windows = new WindowRegistry(win('x', { focused: true }), null, Date.now, 'only');
    windows.update({ shown: 4 });
    const opened: number[] = [];
    const vm = new NotificationViewModel(client, new NameBook(client), preferences, windows, output, store, (id) => opened.push(id));

    server.current.push('entry', server.append(4, 'on screen'));
    await settle();
    expect(vm.getSnapshot().toasts).toHaveLength(0);

    server.current.push('entry', server.append(5, 'elsewhere'));
    await settle();
    const [toast] = vm.getSnapshot().toasts;
    expect(toast?.title).toBe('c5');
    expect(toast?.text).toBe('elsewhere');
    expect(played).toHaveLength(1);
    vm.openToast(toast?.id ?? 0);
    expect(opened).toEqual([5]);
    expect(vm.getSnapshot().toasts).toHaveLength(0);

    // In the background: a system notification and a flashing title, which focus stops.
    windows.update({ focused: false });
    preferences.set('systemNotifications', true);
    server.current.push('entry', server.append(5, 'while away'));
    await settle();
    expect(notified).toEqual(['c5']);
    expect(vm.getSnapshot().flash).toBe('【New message】c5');
    windows.update({ focused: true });
    expect(vm.getSnapshot().flash).toBeNull();
    vm.dispose();
    windows.close();
    client.stop();
  });

  it("names a group message's sender once users.lookup brings the name, not #<id> (issue 12)", async () => {
    const server = new FakeServer();
    server.conversation(6, 'group');
    server.handlers.set('users.lookup', () => ({
      users: [{ id: 9, account: 'u9', nickname: 'Carol Wang', avatar: '', signature: '', is_friend: false, remark: '', departments: [] }],
    }));
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await settle();
    const output: AlertOutput = { playSound: () => {}, permission: () => 'granted', requestPermission: async () => 'granted', notify: () => {} };
    const store = new MemoryStore();
    const windows = new WindowRegistry(win('x', { focused: true }), null, Date.now, 'only');
    const vm = new NotificationViewModel(client, new NameBook(client), new PreferencesViewModel(store, ['en']), windows, output, store, () => {});
    server.current.push('entry', server.append(6, 'hello crew', 9));
    await settle();
    expect(vm.getSnapshot().toasts.map((t) => t.text)).toEqual(['Carol Wang: hello crew']);
    vm.dispose();
    windows.close();
    client.stop();
  });
});
