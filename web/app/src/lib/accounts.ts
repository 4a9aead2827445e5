/**
 * The accounts signed in on this browser (PRODUCT.md A8: several at once, switched without
 * signing out), as stored between visits.
 *
 * An account signed in with "remember me" lives in localStorage with its session token and
 * its single-use device credential; one without lives in this tab's sessionStorage. The
 * account a tab shows is the tab's own choice (`tidings.active` in the tab), falling back to
 * the one last shown anywhere. Device tokens (the server's mark of a known device, sent with
 * every sign-in so a known device needs no confirmation) outlive signing out: they are kept
 * by user id and by every name the user signed in with (account, email, phone).
 */
import type { User } from '@tidings/sdk';
import { readJson, type KeyValueStore } from './storage';

export interface StoredAccount {
  user: User;
  /** The session token, or null when only the device credential is left. */
  token: string | null;
  /** The remembered device credential ("remember me"), or null. */
  credential: string | null;
}

const ACCOUNTS = 'tidings.accounts';
const ACTIVE = 'tidings.active';
const DEVICE_TOKENS = 'tidings.deviceTokens';
/** Before several accounts: one session and one device credential. */
const LEGACY_SESSION = 'tidings.session';
const LEGACY_DEVICE = 'tidings.device';

function isAccount(value: unknown): value is StoredAccount {
  const record = value as StoredAccount | null;
  return typeof record === 'object' && record !== null && typeof record.user?.id === 'number';
}

export class AccountBook {
  constructor(
    /** Survives the browser closing. */
    private readonly local: KeyValueStore,
    /** This tab only. */
    private readonly tab: KeyValueStore,
  ) {
    this.upgrade();
  }

  /** Every stored account, this tab's first; one per user. */
  all(): StoredAccount[] {
    const seen = new Set<number>();
    const accounts: StoredAccount[] = [];
    for (const account of [...this.list(this.tab), ...this.list(this.local)]) {
      if (seen.has(account.user.id)) continue;
      seen.add(account.user.id);
      accounts.push(account);
    }
    return accounts;
  }

  /** Keep a signed-in account (a new one goes last; one signed in again keeps its place). */
  keep(user: User, token: string, remember: boolean, credential: string | null): void {
    const store = remember ? this.local : this.tab;
    const other = remember ? this.tab : this.local;
    const account: StoredAccount = { user, token, credential: remember ? credential : null };
    this.save(other, this.list(other).filter((a) => a.user.id !== user.id));
    const list = this.list(store);
    const at = list.findIndex((a) => a.user.id === user.id);
    this.save(store, at < 0 ? [...list, account] : list.map((a, i) => (i === at ? account : a)));
  }

  /** A session was spent or ended; what is left is the credential (if any). */
  dropToken(userId: number): void {
    for (const store of [this.tab, this.local]) {
      this.save(store, this.list(store).map((a) => (a.user.id === userId ? { ...a, token: null } : a)));
    }
  }

  /** The profile changed (name, avatar): the account list shows it. */
  updateUser(user: User): void {
    for (const store of [this.tab, this.local]) {
      const list = this.list(store);
      if (list.some((a) => a.user.id === user.id)) this.save(store, list.map((a) => (a.user.id === user.id ? { ...a, user } : a)));
    }
  }

  remove(userId: number): void {
    for (const store of [this.tab, this.local]) {
      const list = this.list(store);
      if (list.some((a) => a.user.id === userId)) this.save(store, list.filter((a) => a.user.id !== userId));
    }
    if (this.activeId() === userId) {
      this.tab.remove(ACTIVE);
      this.local.remove(ACTIVE);
    }
  }

  activeId(): number | null {
    const value = Number(this.tab.get(ACTIVE) ?? this.local.get(ACTIVE) ?? NaN);
    return Number.isInteger(value) ? value : null;
  }

  setActive(userId: number): void {
    this.tab.set(ACTIVE, String(userId));
    this.local.set(ACTIVE, String(userId));
  }

  /** The device token to send when signing in as `name` (an account, email or phone). */
  deviceToken(name: string): string | null {
    return readJson<Record<string, string>>(this.local, DEVICE_TOKENS)?.[name.trim().toLowerCase()] ?? null;
  }

  /** Remember the device token of a sign-in under every name the user may sign in with. */
  keepDeviceToken(token: string, names: readonly string[]): void {
    const tokens = readJson<Record<string, string>>(this.local, DEVICE_TOKENS) ?? {};
    for (const name of names) if (name.trim()) tokens[name.trim().toLowerCase()] = token;
    this.local.set(DEVICE_TOKENS, JSON.stringify(tokens));
  }

  private list(store: KeyValueStore): StoredAccount[] {
    const value = readJson<unknown>(store, ACCOUNTS);
    return Array.isArray(value) ? value.filter(isAccount) : [];
  }

  private save(store: KeyValueStore, accounts: StoredAccount[]): void {
    if (accounts.length === 0) store.remove(ACCOUNTS);
    else store.set(ACCOUNTS, JSON.stringify(accounts));
  }

  /** A browser that signed in before several accounts: its one session becomes the first account. */
  private upgrade(): void {
    for (const store of [this.tab, this.local]) {
      const legacy = readJson<{ token?: string; user?: User }>(store, LEGACY_SESSION);
      if (!legacy?.token || !legacy.user) continue;
      const credential = store === this.local ? this.local.get(LEGACY_DEVICE) : null;
      this.save(store, [...this.list(store), { user: legacy.user, token: legacy.token, credential }]);
      store.remove(LEGACY_SESSION);
      if (store === this.local) this.local.remove(LEGACY_DEVICE);
    }
  }
}
