/**
 * Who is signed in on this device, and the sign-in screen's state.
 *
 * "Remember me" keeps the server's device credential; the next visit exchanges it for a
 * new session without a password (the credential is single-use, a new one comes back).
 * The session token lives in sessionStorage (this tab) or, when remembered, localStorage.
 */
import { errorCode, type AuthApi, type Client, type SignedIn, type SignOutReason, type User } from '@tidings/sdk';
import { readJson, type KeyValueStore } from '../lib/storage';
import { ViewModel } from './ViewModel';

export type SignInNotice = 'signed_in_elsewhere' | 'session_ended' | 'signed_out';

export type SessionSnapshot =
  | { screen: 'restoring' }
  | {
      screen: 'signIn';
      mode: 'signIn' | 'register';
      busy: boolean;
      /** An error code to translate. */
      error: string | null;
      notice: SignInNotice | null;
    }
  | { screen: 'main'; client: Client; user: User };

interface StoredSession {
  token: string;
  user: User;
}

export interface SessionDependencies {
  auth: AuthApi;
  /** Survives the browser closing. */
  local: KeyValueStore;
  /** This tab only. */
  tab: KeyValueStore;
  createClient(token: string, user: User): Client;
  deviceName: string;
  /** Whether this window may exchange the remembered device credential (not a pop-out). */
  deviceSignIn?: boolean;
}

const SESSION_KEY = 'tidings.session';
const DEVICE_KEY = 'tidings.device';

export class SessionViewModel extends ViewModel<SessionSnapshot> {
  private client: Client | null = null;

  constructor(private readonly deps: SessionDependencies) {
    super({ screen: 'restoring' });
  }

  /** On page load: resume the stored session, or sign in with the device credential. */
  async restore(): Promise<void> {
    const stored =
      readJson<StoredSession>(this.deps.tab, SESSION_KEY) ?? readJson<StoredSession>(this.deps.local, SESSION_KEY);
    if (stored?.token && stored.user) {
      this.startClient(stored.token, stored.user);
      return;
    }
    if (!(await this.signInWithDevice())) this.showSignIn(null);
  }

  async signIn(account: string, password: string, remember: boolean): Promise<void> {
    await this.attempt(() =>
      this.deps.auth.signIn({ account, password, remember, deviceName: this.deps.deviceName }),
      remember,
    );
  }

  async register(account: string, password: string, nickname: string, remember: boolean): Promise<void> {
    await this.attempt(
      () => this.deps.auth.register({ account, password, nickname, remember, deviceName: this.deps.deviceName }),
      remember,
    );
  }

  setMode(mode: 'signIn' | 'register'): void {
    const snapshot = this.getSnapshot();
    if (snapshot.screen === 'signIn') this.setSnapshot({ ...snapshot, mode, error: null });
  }

  /** Sign out: end the session on the server, forget this device's credential and cache. */
  async signOut(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.forget();
    this.showSignIn('signed_out');
    await client?.logout();
    client?.removeAllListeners();
  }

  private async attempt(call: () => Promise<SignedIn>, remember: boolean): Promise<void> {
    const snapshot = this.getSnapshot();
    if (snapshot.screen !== 'signIn' || snapshot.busy) return;
    this.setSnapshot({ ...snapshot, busy: true, error: null });
    try {
      const signedIn = await call();
      this.keep(signedIn, remember);
      this.startClient(signedIn.token, signedIn.user);
    } catch (error) {
      this.setSnapshot({ ...snapshot, busy: false, error: errorCode(error), notice: null });
    }
  }

  /** The page is going away: release the connection (other windows keep sharing it). */
  suspend(): void {
    this.client?.stop();
  }

  private async signInWithDevice(): Promise<boolean> {
    if (this.deps.deviceSignIn === false) return false;
    const credential = this.deps.local.get(DEVICE_KEY);
    if (!credential) return false;
    try {
      const signedIn = await this.deps.auth.deviceSignIn(credential);
      this.keep(signedIn, true);
      this.startClient(signedIn.token, signedIn.user);
      return true;
    } catch (error) {
      // A spent or revoked credential is useless; a network failure is not its fault.
      if (errorCode(error) !== 'network') this.deps.local.remove(DEVICE_KEY);
      return false;
    }
  }

  private keep(signedIn: SignedIn, remember: boolean): void {
    const session: StoredSession = { token: signedIn.token, user: signedIn.user };
    this.forget();
    (remember ? this.deps.local : this.deps.tab).set(SESSION_KEY, JSON.stringify(session));
    if (remember && signedIn.device_credential) this.deps.local.set(DEVICE_KEY, signedIn.device_credential);
  }

  private forget(): void {
    this.deps.local.remove(SESSION_KEY);
    this.deps.tab.remove(SESSION_KEY);
    this.deps.local.remove(DEVICE_KEY);
  }

  private startClient(token: string, user: User): void {
    this.client?.stop();
    const client = this.deps.createClient(token, user);
    this.client = client;
    client.on('signedOut', ({ reason }) => void this.signedOut(client, reason));
    client.on('me', ({ user: me }) => {
      const snapshot = this.getSnapshot();
      if (snapshot.screen === 'main' && snapshot.client === client) this.setSnapshot({ ...snapshot, user: me });
    });
    this.setSnapshot({ screen: 'main', client, user });
    void client.start();
  }

  private async signedOut(client: Client, reason: SignOutReason): Promise<void> {
    if (client !== this.client) return;
    this.client = null;
    client.stop();
    client.removeAllListeners();
    this.deps.local.remove(SESSION_KEY);
    this.deps.tab.remove(SESSION_KEY);
    if (reason === 'signed_in_elsewhere') {
      // Another device took this platform's place; signing back in silently would undo that.
      this.deps.local.remove(DEVICE_KEY);
      this.showSignIn('signed_in_elsewhere');
      return;
    }
    this.setSnapshot({ screen: 'restoring' });
    if (!(await this.signInWithDevice())) this.showSignIn('session_ended');
  }

  private showSignIn(notice: SignInNotice | null): void {
    this.setSnapshot({ screen: 'signIn', mode: 'signIn', busy: false, error: null, notice });
  }
}
