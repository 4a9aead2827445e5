/**
 * The password lock on this device (seed: 聊天记录加密, h/me). The server keeps the code (as a
 * hash), which chats it covers and the idle minutes, the same on every device of the user
 * (`lock_changed`); this view model decides what is hidden here and now:
 *
 * - a locked chat shows in the list without its preview, and opening it asks for the code;
 *   it stays open until another chat is chosen (opening it again asks again);
 * - with an idle time set, the whole app is covered after that many minutes without input,
 *   and when the app starts (closing the app locks it), until the code or the account
 *   password is given.
 *
 * Time is read from `Date.now` and waited for with `setInterval`, so a test can move the
 * page's clock (Playwright's `page.clock`) instead of waiting minutes.
 */
import { errorCode, type ChatLockState, type Client, type ConversationId } from '@tidings/sdk';
import { ViewModel } from './ViewModel';

/** How often idleness is checked. */
export const IDLE_CHECK_MS = 5_000;
/** The idle times offered (minutes; 0: never). */
export const IDLE_CHOICES = [0, 1, 5, 15, 30, 60] as const;

export interface LockSnapshot {
  lock: ChatLockState | null;
  /** The whole app is covered. */
  appLocked: boolean;
  /** The locked chat the user unlocked (until another one is chosen). */
  unlockedId: ConversationId | null;
  busy: boolean;
  /** An error code to translate (wrong code, throttled...). */
  error: string | null;
  /** The lock settings were opened with the code (or password): changes may lock less. */
  managing: boolean;
}

export interface LockEnvironment {
  now(): number;
  setInterval(callback: () => void, ms: number): () => void;
  /** Calls `callback` on the user's input; returns the remover. */
  onActivity(callback: () => void): () => void;
}

export const browserLockEnvironment: LockEnvironment = {
  now: () => Date.now(),
  setInterval: (callback, ms) => {
    const timer = window.setInterval(callback, ms);
    return () => window.clearInterval(timer);
  },
  onActivity: (callback) => {
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove'] as const;
    for (const name of events) window.addEventListener(name, callback, { passive: true, capture: true });
    return () => {
      for (const name of events) window.removeEventListener(name, callback, { capture: true });
    };
  },
};

export class LockViewModel extends ViewModel<LockSnapshot> {
  private lastActivity: number;
  /** What proved the last change (kept in memory only while the settings are open). */
  private proof: { current_code: string } | { password: string } | null = null;
  private startChecked = false;

  constructor(
    private readonly client: Client,
    private readonly environment: LockEnvironment = browserLockEnvironment,
  ) {
    super({ lock: null, appLocked: false, unlockedId: null, busy: false, error: null, managing: false });
    this.lastActivity = environment.now();
    this.track(environment.onActivity(() => (this.lastActivity = this.environment.now())));
    this.track(environment.setInterval(() => this.checkIdle(), IDLE_CHECK_MS));
    this.track(
      client.on('private', ({ entry }) => {
        if (entry.kind === 'lock_changed') this.applyLock(entry.data);
      }),
    );
    this.track(
      client.on('connected', () => {
        void this.load();
      }),
    );
    if (client.state === 'connected') void this.load();
  }

  async load(): Promise<void> {
    try {
      this.applyLock(await this.client.request('me.lock.get', undefined), true);
    } catch {
      // Offline: the lock is read again on the next connection.
    }
  }

  /** Whether this chat is hidden behind the code now. */
  isLocked(id: ConversationId): boolean {
    const { lock, unlockedId } = this.getSnapshot();
    return !!lock?.has_code && lock.conversation_ids.includes(id) && unlockedId !== id;
  }

  /** Whether this chat is one the lock covers (whether or not it is open now). */
  covers(id: ConversationId): boolean {
    const lock = this.getSnapshot().lock;
    return !!lock?.has_code && lock.conversation_ids.includes(id);
  }

  /** Another chat was chosen: the unlocked one locks again. */
  chatChosen(id: ConversationId | null): void {
    const { unlockedId } = this.getSnapshot();
    if (unlockedId !== null && unlockedId !== id) this.update({ unlockedId: null });
  }

  /** Cover the whole app now (the "lock now" button). */
  lockNow(): void {
    if (this.getSnapshot().lock?.has_code) this.update({ appLocked: true, unlockedId: null, error: null, managing: false });
  }

  async unlockApp(secret: { code: string } | { password: string }): Promise<boolean> {
    const ok = await this.verify(secret);
    if (ok) {
      this.lastActivity = this.environment.now();
      this.update({ appLocked: false });
    }
    return ok;
  }

  async unlockChat(id: ConversationId, secret: { code: string } | { password: string }): Promise<boolean> {
    const ok = await this.verify(secret);
    if (ok) this.update({ unlockedId: id });
    return ok;
  }

  /** Open the settings for changes: the code, or the account password when it is forgotten. */
  async manage(secret: { code: string } | { password: string }): Promise<boolean> {
    const ok = await this.verify(secret);
    if (ok) {
      this.proof = 'code' in secret ? { current_code: secret.code } : { password: secret.password };
      this.update({ managing: true });
    }
    return ok;
  }

  /** Leaving the settings forgets the proof. */
  stopManaging(): void {
    this.proof = null;
    this.update({ managing: false, error: null });
  }

  /** A new code (the first, or a replacement once managing). */
  async setCode(code: string): Promise<boolean> {
    const ok = await this.change({ code });
    if (ok) {
      this.proof = { current_code: code };
      this.update({ managing: true });
    }
    return ok;
  }

  setIdleMinutes(minutes: number): Promise<boolean> {
    return this.change({ idle_minutes: minutes });
  }

  setChatLocked(id: ConversationId, locked: boolean): Promise<boolean> {
    const current = this.getSnapshot().lock?.conversation_ids ?? [];
    const next = locked ? [...new Set([...current, id])] : current.filter((c) => c !== id);
    return this.change({ conversation_ids: next });
  }

  async removeLock(): Promise<boolean> {
    const ok = await this.change({ remove: true });
    if (ok) this.stopManaging();
    return ok;
  }

  private async change(change: { code?: string; idle_minutes?: number; conversation_ids?: number[]; remove?: boolean }): Promise<boolean> {
    const lock = this.getSnapshot().lock;
    this.update({ busy: true, error: null });
    try {
      const reply = await this.client.request('me.lock.set', { ...change, ...(this.proof ?? {}), ...(lock ? { version: lock.version } : {}) });
      this.applyLock(reply);
      return true;
    } catch (error) {
      this.update({ error: errorCode(error) });
      if (errorCode(error) === 'conflict') void this.load();
      return false;
    } finally {
      this.update({ busy: false });
    }
  }

  private async verify(secret: { code: string } | { password: string }): Promise<boolean> {
    this.update({ busy: true, error: null });
    try {
      await this.client.request('me.lock.verify', secret);
      return true;
    } catch (error) {
      this.update({ error: errorCode(error) });
      return false;
    } finally {
      this.update({ busy: false });
    }
  }

  private applyLock(lock: ChatLockState, fresh = false): void {
    const current = this.getSnapshot().lock;
    // Entries replayed by a sync may be older than what is known.
    if (current && lock.version < current.version) return;
    const change: Partial<LockSnapshot> = { lock };
    // Judged on the server's answer, not on older entries a sync replays before it.
    if (fresh && !this.startChecked) {
      // Closing the app locks it: it starts covered when the idle lock is on.
      this.startChecked = true;
      if (lock.has_code && lock.idle_minutes > 0) change.appLocked = true;
    }
    if (!lock.has_code) {
      change.appLocked = false;
      change.managing = false;
      this.proof = null;
    }
    this.update(change);
  }

  private checkIdle(): void {
    const { lock, appLocked } = this.getSnapshot();
    if (appLocked || !lock?.has_code || lock.idle_minutes <= 0) return;
    if (this.environment.now() - this.lastActivity >= lock.idle_minutes * 60_000) {
      this.update({ appLocked: true, unlockedId: null, managing: false });
      this.proof = null;
    }
  }
}
