/**
 * Who is signed in on this device: several accounts at once (PRODUCT.md A8), one shown.
 *
 * Every account keeps its own Client (its own connection, IndexedDB cache `tidings-<user id>`
 * and outbox), so switching is instant and each keeps its drafts and unread counts; the
 * account list shows each one's unread count. Signing one out, or the server signing one out
 * (another device took its place), touches that account only.
 *
 * "Remember me" keeps the server's device credential; the next visit exchanges it for a new
 * session without a password (the credential is single-use, a new one comes back). Where the
 * accounts are stored is AccountBook's business (lib/accounts.ts); the sign-in form's steps
 * are SignInViewModel's.
 */
import { errorCode, type AuthApi, type Client, type SignedIn, type SignOutReason, type SingleSignOnLanding, type User } from '@tidings/sdk';
import { AccountBook, type StoredAccount } from '../lib/accounts';
import type { KeyValueStore } from '../lib/storage';
import { SignInViewModel, type SecurityApiFor, type SingleSignOnNavigation } from './SignInViewModel';
import { ViewModel } from './ViewModel';
import { IndexedDbRestoredStore } from '../lib/restoredHistory';

export type SignInNotice = 'signed_in_elsewhere' | 'password_changed' | 'account_frozen' | 'session_ended' | 'signed_out' | 'sso_ticket_refused';

/** One account in the account switcher. */
export interface AccountSummary {
  user: User;
  /** Unread messages (muted conversations left out); 0 for an account signed out. */
  unread: number;
  active: boolean;
  /** Set when the server signed this account out: choosing it signs in again. */
  notice: SignInNotice | null;
}

export type SessionSnapshot =
  | { screen: 'restoring' }
  | {
      screen: 'signIn';
      notice: SignInNotice | null;
      /** The account the notice is about, when other accounts stay signed in. */
      noticeFor: User | null;
      /** Other accounts are signed in: the form can be left without signing in. */
      canCancel: boolean;
      accounts: readonly AccountSummary[];
    }
  | { screen: 'main'; client: Client; user: User; accounts: readonly AccountSummary[] };

export interface SessionDependencies {
  auth: AuthApi;
  /** Survives the browser closing. */
  local: KeyValueStore;
  /** This tab only. */
  tab: KeyValueStore;
  createClient(token: string, user: User): Client;
  deviceName: string;
  /** Whether this window may exchange remembered device credentials (not a pop-out). */
  deviceSignIn?: boolean;
  /** Whether to connect every account (the main window) or only the one shown (a pop-out). */
  allAccounts?: boolean;
  /** The account-security REST API for a session token (the forced password change). */
  security?: SecurityApiFor;
  /** Single sign-on's browser navigation (absent: no single sign-on button). */
  singleSignOn?: SingleSignOnNavigation;
}

interface Account {
  user: User;
  client: Client | null;
  unread: number;
  notice: SignInNotice | null;
  /** Stops listening to the client. */
  release: () => void;
}

export class SessionViewModel extends ViewModel<SessionSnapshot> {
  readonly book: AccountBook;
  /** The sign-in form (its steps: codes, second step, forgotten and forced password changes). */
  readonly signInForm: SignInViewModel;
  /** Signed-in accounts (and ones the server signed out), in the order they were added. */
  private readonly accounts = new Map<number, Account>();
  private activeId: number | null = null;
  private signInScreen: { notice: SignInNotice | null; noticeFor: User | null } | null = null;
  /** Until the stored accounts are back, the splash stays. */
  private restoring = true;

  constructor(private readonly deps: SessionDependencies) {
    super({ screen: 'restoring' });
    this.book = new AccountBook(deps.local, deps.tab);
    this.signInForm = new SignInViewModel({
      auth: deps.auth,
      book: this.book,
      deviceName: deps.deviceName,
      security: deps.security,
      signedIn: (signedIn, remember) => this.accept(signedIn, remember),
      singleSignOn: deps.singleSignOn,
    });
  }

  /** On page load: resume the stored sessions, or sign in with their device credentials. */
  async restore(): Promise<void> {
    const stored = this.book.all();
    const wanted = this.book.activeId();
    const chosen = this.deps.allAccounts === false ? stored.filter((a) => a.user.id === (wanted ?? stored[0]?.user.id)) : stored;
    await Promise.all(chosen.map((account) => this.resume(account)));
    this.restoring = false;
    const live = [...this.accounts.values()].filter((a) => a.client);
    const active = live.find((a) => a.user.id === wanted) ?? live[0];
    if (active) this.activate(active.user.id);
    else this.showSignIn(null, null);
  }

  /**
   * Single sign-on (decision 0067): the page was opened as `/sso?ticket=...`; spend the
   * ticket (by a POST: the session token never travels in a URL) and land on `next`
   * signed in, beside any account already here. A used, expired or unknown ticket, or a
   * frozen account, shows the sign-in form with a notice saying so.
   */
  async signInWithTicket(ticket: string, land: (next: string) => void): Promise<void> {
    await this.restore();
    try {
      const signedIn = await this.deps.auth.ssoSignIn(ticket, this.deps.deviceName);
      land(signedIn.next);
      this.accept(signedIn, false);
    } catch (error) {
      land('/');
      this.showSignIn(errorCode(error) === 'account_disabled' ? 'account_frozen' : 'sso_ticket_refused', null);
    }
  }

  /** Show another signed-in account (or, for one the server signed out, its sign-in form). */
  switchTo(userId: number): void {
    const account = this.accounts.get(userId);
    if (!account) return;
    if (account.client) {
      this.activate(userId);
      return;
    }
    this.signInForm.reset(account.user.account);
    this.showSignIn(account.notice, account.user);
  }

  /** Back from the single sign-on provider (after `restore`): the sign-in form finishes it,
   * as one more account if others are signed in. */
  async finishSingleSignOn(landing: SingleSignOnLanding): Promise<void> {
    this.signInForm.reset('');
    this.showSignIn(null, null);
    await this.signInForm.finishSingleSignOn(landing);
  }

  /** Sign in to one more account; the others stay signed in. */
  addAccount(): void {
    this.signInForm.reset('');
    this.showSignIn(null, null);
  }

  /** Leave the sign-in form for the account shown before (or any other signed in). */
  cancelSignIn(): void {
    const live = [...this.accounts.values()].filter((a) => a.client);
    const back = live.find((a) => a.user.id === this.activeId) ?? live[0];
    if (back) this.activate(back.user.id);
  }

  /** Sign one account out (the shown one by default): end its session, forget its credential and cache. */
  async signOut(userId: number | null = this.activeId): Promise<void> {
    if (userId === null) return;
    const account = this.accounts.get(userId);
    this.accounts.delete(userId);
    this.book.remove(userId);
    account?.release();
    if (userId === this.activeId || this.activeId === null) this.showNext('signed_out');
    else this.publish();
    await account?.client?.logout();
    account?.client?.removeAllListeners();
    // History restored from a backup goes with the cache (0051): a shared computer keeps nothing.
    if (typeof indexedDB !== 'undefined') await IndexedDbRestoredStore.forget(userId);
  }

  /** An account the server signed out leaves the list (and its sign-in form, for the others). */
  forget(userId: number): void {
    const account = this.accounts.get(userId);
    if (!account || account.client) return;
    this.accounts.delete(userId);
    if (this.signInScreen?.noticeFor?.id === userId) this.cancelSignIn();
    else this.publish();
  }

  /** The page is going away: release the connections (other windows keep sharing them). */
  suspend(): void {
    for (const account of this.accounts.values()) account.client?.stop();
  }

  /** The user shown, or null on the sign-in form. */
  get activeUser(): User | null {
    const snapshot = this.getSnapshot();
    return snapshot.screen === 'main' ? snapshot.user : null;
  }

  private async resume(stored: StoredAccount): Promise<void> {
    if (stored.token) {
      this.startClient(stored.token, stored.user);
      return;
    }
    if ((await this.signInWithDevice(stored)) === 'spent') this.book.remove(stored.user.id);
  }

  /** A sign-in finished (the form's, or a device credential's): keep it and show it. */
  private accept(signedIn: SignedIn, remember: boolean): void {
    this.book.keep(signedIn.user, signedIn.token, remember, signedIn.device_credential ?? null);
    this.startClient(signedIn.token, signedIn.user);
    this.activate(signedIn.user.id);
  }

  /** Exchange an account's remembered credential for a session: signed in, spent (or none), or the server was unreachable. */
  private async signInWithDevice(stored: StoredAccount): Promise<'signedIn' | 'spent' | 'offline'> {
    if (this.deps.deviceSignIn === false) return 'offline';
    if (!stored.credential) return 'spent';
    try {
      const signedIn = await this.deps.auth.deviceSignIn(stored.credential, this.book.deviceToken(stored.user.account));
      this.book.keep(signedIn.user, signedIn.token, true, signedIn.device_credential ?? null);
      if (signedIn.device_token) this.book.keepDeviceToken(signedIn.device_token, [signedIn.user.account]);
      this.startClient(signedIn.token, signedIn.user);
      return 'signedIn';
    } catch (error) {
      // A spent or revoked credential is useless; a network failure is not its fault.
      return errorCode(error) === 'network' ? 'offline' : 'spent';
    }
  }

  private startClient(token: string, user: User): void {
    const previous = this.accounts.get(user.id);
    // Signing in again to an account already here replaces its client (the server ends the old session).
    previous?.release();
    previous?.client?.stop();
    previous?.client?.removeAllListeners();
    const client = this.deps.createClient(token, user);
    const account: Account = { user, client, unread: 0, notice: null, release: () => undefined };
    const listeners = [
      client.on('signedOut', ({ reason }) => void this.signedOut(account, client, reason)),
      client.on('me', ({ user: me }) => {
        account.user = me;
        this.book.updateUser(me);
        this.publish();
      }),
      client.on('conversations', () => {
        const unread = client.conversations().reduce((sum, c) => sum + (c.muted ? 0 : c.unread), 0);
        if (unread === account.unread) return;
        account.unread = unread;
        this.publish();
      }),
    ];
    account.release = () => listeners.forEach((off) => off());
    this.accounts.set(user.id, account);
    void client.start();
  }

  private async signedOut(account: Account, client: Client, reason: SignOutReason): Promise<void> {
    if (account.client !== client || this.accounts.get(account.user.id) !== account) return;
    const userId = account.user.id;
    account.release();
    account.client = null;
    client.stop();
    client.removeAllListeners();
    const stored = this.book.all().find((a) => a.user.id === userId);
    this.book.dropToken(userId);
    // Another device took this platform's place, or the password changed: signing back in
    // silently would undo that.
    const notice: SignInNotice =
      reason === 'signed_in_elsewhere' || reason === 'account_frozen'
        ? reason
        : reason === 'password_changed' || reason === 'password_reset'
          ? 'password_changed'
          : 'session_ended';
    if (notice === 'session_ended' && stored && (await this.signInWithDevice({ ...stored, token: null })) === 'signedIn') {
      this.publish();
      return;
    }
    this.book.remove(userId);
    account.notice = notice;
    account.unread = 0;
    if (this.activeId === userId) {
      this.signInForm.reset(account.user.account);
      this.showSignIn(notice, account.user);
    } else this.publish();
  }

  private activate(userId: number): void {
    this.activeId = userId;
    this.book.setActive(userId);
    this.signInScreen = null;
    this.publish();
  }

  /** The shown account went away: show another one, or the sign-in form. */
  private showNext(notice: SignInNotice): void {
    const next = [...this.accounts.values()].find((a) => a.client);
    if (next) this.activate(next.user.id);
    else {
      this.signInForm.reset('');
      this.showSignIn(notice, null);
    }
  }

  private showSignIn(notice: SignInNotice | null, noticeFor: User | null): void {
    this.signInScreen = { notice, noticeFor };
    this.publish();
  }

  private summaries(): AccountSummary[] {
    return [...this.accounts.values()].map((a) => ({
      user: a.user,
      unread: a.unread,
      active: a.user.id === this.activeId && this.signInScreen === null,
      notice: a.notice,
    }));
  }

  private publish(): void {
    if (this.restoring) return;
    const accounts = this.summaries();
    const active = this.activeId === null ? undefined : this.accounts.get(this.activeId);
    if (this.signInScreen || !active?.client) {
      const screen = this.signInScreen ?? { notice: null, noticeFor: null };
      this.setSnapshot({
        screen: 'signIn',
        notice: screen.notice,
        noticeFor: screen.noticeFor,
        canCancel: [...this.accounts.values()].some((a) => a.client),
        accounts,
      });
      return;
    }
    this.setSnapshot({ screen: 'main', client: active.client, user: active.user, accounts });
  }
}
