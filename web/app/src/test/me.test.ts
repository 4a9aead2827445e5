import { Client, MemoryCache, type ChatLockState } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { cropRect, panned } from '../lib/avatarCrop';
import { IDLE_CHECK_MS, LockViewModel, type LockEnvironment } from '../viewmodels/LockViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

async function connected(server: FakeServer): Promise<Client> {
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return client;
}

/** A clock the test moves, timers it fires, input it makes. */
function fakeEnvironment() {
  let now = 1_000_000;
  const timers: { callback(): void; ms: number; due: number }[] = [];
  const activity: (() => void)[] = [];
  const environment: LockEnvironment = {
    now: () => now,
    setInterval: (callback, ms) => {
      const timer = { callback, ms, due: now + ms };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
    onActivity: (callback) => {
      activity.push(callback);
      return () => activity.splice(activity.indexOf(callback), 1);
    },
  };
  return {
    environment,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due)[0];
        if (!next) break;
        now = next.due;
        next.due += next.ms;
        next.callback();
      }
      now = end;
    },
    input() {
      for (const callback of activity) callback();
    },
  };
}

describe('avatar crop', () => {
  it('cuts the centred square of the short side, zoomed, and stays inside the picture', () => {
    expect(cropRect({ width: 400, height: 200, zoom: 1, centerX: 0.5, centerY: 0.5 })).toEqual({ sx: 100, sy: 0, side: 200 });
    expect(cropRect({ width: 400, height: 200, zoom: 2, centerX: 0.5, centerY: 0.5 })).toEqual({ sx: 150, sy: 50, side: 100 });
    // Asked past the edge: held at it.
    expect(cropRect({ width: 400, height: 200, zoom: 1, centerX: 0, centerY: 0 })).toEqual({ sx: 0, sy: 0, side: 200 });
    // Dragging right by a whole frame shows what was to the left, up to the edge.
    const moved = panned({ width: 400, height: 200, zoom: 1, centerX: 0.5, centerY: 0.5 }, 260, 0, 260);
    expect(cropRect(moved)).toEqual({ sx: 0, sy: 0, side: 200 });
  });
});

describe('LockViewModel', () => {
  const lock = (change: Partial<ChatLockState> = {}): ChatLockState => ({ has_code: true, idle_minutes: 1, conversation_ids: [7], version: 3, ...change });

  it('starts covered with the idle lock on, covers after idle minutes, and hides locked chats until unlocked', async () => {
    const server = new FakeServer();
    let state = lock();
    const verified: unknown[] = [];
    server.handlers.set('me.lock.get', () => state);
    server.handlers.set('me.lock.verify', (data) => {
      verified.push(data);
      if (data.code !== '2468') throw Object.assign(new Error('wrong'), { code: 'wrong_lock_code' });
      return { ok: true };
    });
    const client = await connected(server);
    const clock = fakeEnvironment();
    const vm = new LockViewModel(client, clock.environment);
    await settle();
    expect(vm.getSnapshot().appLocked).toBe(true);
    expect(await vm.unlockApp({ code: '2468' })).toBe(true);
    expect(vm.getSnapshot().appLocked).toBe(false);

    // Input keeps it open; a minute without input covers it.
    clock.advance(50_000);
    clock.input();
    clock.advance(50_000);
    expect(vm.getSnapshot().appLocked).toBe(false);
    clock.advance(10_000 + IDLE_CHECK_MS);
    expect(vm.getSnapshot().appLocked).toBe(true);
    await vm.unlockApp({ code: '2468' });

    expect(vm.isLocked(7)).toBe(true);
    expect(vm.isLocked(8)).toBe(false);
    expect(await vm.unlockChat(7, { code: 'nope' })).toBe(false);
    expect(vm.isLocked(7)).toBe(true);
    await vm.unlockChat(7, { code: '2468' });
    expect(vm.isLocked(7)).toBe(false);
    vm.chatChosen(8);
    expect(vm.isLocked(7)).toBe(true);

    // Another device turns the lock off: nothing is covered here either.
    state = lock({ has_code: false, idle_minutes: 0, conversation_ids: [], version: 4 });
    server.privateEntries.push({ seq: 1, kind: 'lock_changed', data: state, created_at: 0 });
    server.connections[0]?.push('private', { seq: 1, kind: 'lock_changed', data: state, created_at: 0 });
    await settle();
    expect(vm.isLocked(7)).toBe(false);
    vm.lockNow();
    expect(vm.getSnapshot().appLocked).toBe(false);
    vm.dispose();
  });
});
