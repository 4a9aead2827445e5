/**
 * The sign-in form and its steps (docs/protocol.md, "Signing in"):
 *
 * - credentials: a password, or a code sent by email or SMS (as `GET /auth/options` offers),
 *   or registering (with an invite code when registration is `invite_only`; hidden when closed);
 * - secondStep: the server asks for more — a code from the authenticator app or a recovery
 *   code (`second_factor_required`), or a code it sent to confirm a new device
 *   (`device_confirmation_required`, with resend and the masked destination);
 * - forgot: a code to the bound email or phone, then a new password;
 * - changePassword: an administrator reset the password; the session may do nothing else.
 *
 * Each sign-in sends this device's token for the name signed in with, so a known device is
 * not asked to confirm again.
 *
 * Single sign-on (OpenID Connect, when `GET /auth/options` offers it): the button leaves for
 * the provider; the provider's way back lands on `/#oidc=<handoff>` (or `#oidc_error=<code>`),
 * which `finishSingleSignOn` spends for a session like any other sign-in (a second step
 * included), then goes on to the path the sign-in was started for.
 */
import {
  errorCode,
  signInChallenge,
  type SingleSignOnLanding,
  weakPasswordReasons,
  type AccountSecurityApi,
  type AuthApi,
  type AuthOptions,
  type CodeChannel,
  type SecondStepMethod,
  type SignedIn,
  type SignInChallenge,
} from '@tidings/sdk';
import type { AccountBook } from '../lib/accounts';
import { ViewModel } from './ViewModel';

export type SignInMethod = 'password' | CodeChannel;

export type SignInStep =
  | { kind: 'credentials' }
  | { kind: 'secondStep'; challenge: SignInChallenge; method: SecondStepMethod; resent: boolean }
  | { kind: 'forgot'; channel: CodeChannel; codeSentTo: string | null }
  | { kind: 'changePassword'; account: string };

/** A line to show above the form after something went well. */
export type SignInInfo = 'codeSent' | 'passwordReset' | null;

export interface SignInSnapshot {
  step: SignInStep;
  mode: 'signIn' | 'register';
  method: SignInMethod;
  /** What the server offers; null until it answered (then password sign-in and open registration). */
  options: AuthOptions | null;
  /** Where the sign-in code went (a code sign-in), or null before one was sent. */
  codeSentTo: string | null;
  /** The account name to start with (signing in again to an account the server signed out). */
  prefill: string;
  busy: boolean;
  /** An error code to translate. */
  error: string | null;
  /** Why a new password was refused (`weak_password`), as the server's reason codes. */
  reasons: string[];
  info: SignInInfo;
}

export type SecurityApiFor = (token: string) => AccountSecurityApi;

export interface SignInDependencies {
  auth: AuthApi;
  book: AccountBook;
  deviceName: string;
  /** Needed for the forced password change only. */
  security?: SecurityApiFor;
  /** A sign-in is complete: keep and show it. */
  signedIn(signedIn: SignedIn, remember: boolean): void;
  /** Leaving for the single sign-on provider, and going on to a path once back (the browser's). */
  singleSignOn?: SingleSignOnNavigation;
}

export interface SingleSignOnNavigation {
  start(remember: boolean): void;
  goTo(path: string): void;
}

/** The name a single sign-on keeps this device's token under (it types no account name). */
export const SINGLE_SIGN_ON_NAME = 'oidc';

/** Until /auth/options answers (or on a server without it). */
const FALLBACK_OPTIONS: AuthOptions = { registration: 'open', sms_enabled: false, email_enabled: false };

const initial = (prefill: string, options: AuthOptions | null): SignInSnapshot => ({
  step: { kind: 'credentials' },
  mode: 'signIn',
  method: 'password',
  options,
  codeSentTo: null,
  prefill,
  busy: false,
  error: null,
  reasons: [],
  info: null,
});

export class SignInViewModel extends ViewModel<SignInSnapshot> {
  private remember = true;
  /** Where a single sign-on goes once complete (its second step included): a path here. */
  private landing = '/';
  /** The names this sign-in used (account, email, phone): the device token is kept under each. */
  private names: string[] = [];
  /** The password just typed: the forced change needs it as the current one. */
  private typedPassword: string | null = null;
  /** A sign-in whose password must change before it may do anything. */
  private pendingChange: SignedIn | null = null;
  private optionsLoad: Promise<void> | null = null;

  constructor(private readonly deps: SignInDependencies) {
    super(initial('', null));
  }

  /** Ask the server which ways to sign in and register it offers (once). */
  loadOptions(): Promise<void> {
    this.optionsLoad ??= this.deps.auth.options().then(
      (options) => this.update({ options }),
      () => {
        this.optionsLoad = null;
        this.update({ options: FALLBACK_OPTIONS });
      },
    );
    return this.optionsLoad;
  }

  /** Back to an empty form (the options stay known). */
  reset(prefill: string): void {
    this.pendingChange = null;
    this.typedPassword = null;
    this.setSnapshot(initial(prefill, this.getSnapshot().options));
  }

  setMode(mode: 'signIn' | 'register'): void {
    if (mode === 'register' && this.getSnapshot().options?.registration === 'closed') return;
    this.update({ mode, method: 'password', error: null, reasons: [], info: null });
  }

  setMethod(method: SignInMethod): void {
    this.update({ method, mode: 'signIn', codeSentTo: null, error: null, reasons: [], info: null });
  }

  async signInWithPassword(account: string, password: string, remember: boolean): Promise<void> {
    this.typedPassword = password;
    await this.attempt([account], remember, () =>
      this.deps.auth.signIn({ account, password, remember, deviceName: this.deps.deviceName, deviceToken: this.deps.book.deviceToken(account) }),
    );
  }

  async register(account: string, password: string, nickname: string, inviteCode: string, remember: boolean): Promise<void> {
    await this.attempt([account], remember, () =>
      this.deps.auth.register({ account, password, nickname, inviteCode: inviteCode.trim() || undefined, remember, deviceName: this.deps.deviceName }),
    );
  }

  /** Send a sign-in code to an email address or phone (the method chosen). */
  async sendSignInCode(destination: string): Promise<void> {
    const method = this.getSnapshot().method;
    if (method === 'password') return;
    await this.busyWith(async () => {
      await this.deps.auth.requestCode('login', method, destination);
      this.update({ codeSentTo: destination, info: 'codeSent' });
    });
  }

  async signInWithCode(destination: string, code: string, remember: boolean): Promise<void> {
    const method = this.getSnapshot().method;
    if (method === 'password') return;
    await this.attempt([destination], remember, () =>
      this.deps.auth.codeSignIn({
        channel: method,
        destination,
        code: code.trim(),
        remember,
        deviceName: this.deps.deviceName,
        deviceToken: this.deps.book.deviceToken(destination),
      }),
    );
  }

  /** Leave for the single sign-on provider (the form stays busy until the page goes). */
  startSingleSignOn(remember: boolean): void {
    const navigation = this.deps.singleSignOn;
    if (!navigation || this.getSnapshot().busy) return;
    this.update({ busy: true, error: null, reasons: [], info: null });
    navigation.start(remember);
  }

  /** Back from the provider: spend the handoff for a session, or show why it failed. */
  async finishSingleSignOn(landing: SingleSignOnLanding): Promise<void> {
    if ('error' in landing) {
      this.update({ error: landing.error, reasons: [], info: null });
      return;
    }
    await this.attempt([SINGLE_SIGN_ON_NAME], true, async () => {
      try {
        const signedIn = await this.deps.auth.finishSingleSignOn(landing.handoff, this.deps.deviceName, this.deps.book.deviceToken(SINGLE_SIGN_ON_NAME));
        // "Remember me" was chosen before leaving; the credential says what it was.
        this.remember = signedIn.device_credential !== undefined;
        this.landing = signedIn.next;
        const { next: _next, ...rest } = signedIn;
        return rest;
      } catch (error) {
        // A second step still to answer: the server says what the sign-in was started with,
        // kept until the step is done (its answer no longer knows).
        const started = signInChallenge(error)?.singleSignOn;
        if (started) {
          this.remember = started.remember;
          this.landing = started.next;
        }
        throw error;
      }
    });
  }

  /** Answer the second step with the code typed, of the kind chosen. */
  async verify(code: string): Promise<void> {
    const step = this.getSnapshot().step;
    if (step.kind !== 'secondStep') return;
    await this.attempt(this.names, this.remember, () => this.deps.auth.verifySignIn(step.challenge.challenge, code.trim(), step.method, this.remember));
  }

  /** Answer with a recovery code instead of the app's code (or back). */
  setSecondStepMethod(method: SecondStepMethod): void {
    const step = this.getSnapshot().step;
    if (step.kind === 'secondStep' && step.challenge.methods.includes(method)) this.update({ step: { ...step, method }, error: null });
  }

  async resend(): Promise<void> {
    const step = this.getSnapshot().step;
    if (step.kind !== 'secondStep') return;
    await this.busyWith(async () => {
      await this.deps.auth.resendSignInCode(step.challenge.challenge);
      this.update({ step: { ...step, resent: true } });
    });
  }

  /** "Forgot password": reset it with a code sent to the bound email (or phone). */
  startForgot(): void {
    const options = this.getSnapshot().options;
    const channel: CodeChannel = options?.email_enabled === false && options.sms_enabled ? 'sms' : 'email';
    this.update({ step: { kind: 'forgot', channel, codeSentTo: null }, error: null, reasons: [], info: null });
  }

  setForgotChannel(channel: CodeChannel): void {
    const step = this.getSnapshot().step;
    if (step.kind === 'forgot') this.update({ step: { kind: 'forgot', channel, codeSentTo: null }, error: null, info: null });
  }

  async sendResetCode(destination: string): Promise<void> {
    const step = this.getSnapshot().step;
    if (step.kind !== 'forgot') return;
    await this.busyWith(async () => {
      await this.deps.auth.requestCode('reset_password', step.channel, destination);
      this.update({ step: { ...step, codeSentTo: destination }, info: 'codeSent' });
    });
  }

  async resetPassword(code: string, newPassword: string): Promise<void> {
    const step = this.getSnapshot().step;
    if (step.kind !== 'forgot' || step.codeSentTo === null) return;
    const destination = step.codeSentTo;
    await this.busyWith(async () => {
      await this.deps.auth.resetPassword(step.channel, destination, code.trim(), newPassword);
      this.update({ step: { kind: 'credentials' }, method: 'password', mode: 'signIn', info: 'passwordReset' });
    });
  }

  /** The forced change after an administrator's reset; then the sign-in goes on. */
  async changePassword(newPassword: string, currentPassword?: string): Promise<void> {
    const pending = this.pendingChange;
    const security = this.deps.security;
    if (!pending || !security) return;
    await this.busyWith(async () => {
      await security(pending.token).changePassword(currentPassword ?? this.typedPassword ?? '', newPassword, true);
      this.finish({ ...pending, password_change_required: false });
    });
  }

  /** Whether the forced change knows the current password already (it was just typed). */
  get knowsCurrentPassword(): boolean {
    return this.typedPassword !== null;
  }

  /** Back from a step to the first form. */
  back(): void {
    this.pendingChange = null;
    this.update({ step: { kind: 'credentials' }, error: null, reasons: [], info: null });
  }

  private async attempt(names: string[], remember: boolean, call: () => Promise<SignedIn>): Promise<void> {
    this.remember = remember;
    this.names = names;
    // A first step starts afresh; a second step goes on where its first one meant to land.
    if (this.getSnapshot().step.kind !== 'secondStep') this.landing = '/';
    await this.busyWith(async () => {
      try {
        this.finish(await call());
      } catch (error) {
        const challenge = signInChallenge(error);
        if (!challenge) throw error;
        const method = challenge.methods[0] ?? 'totp';
        this.update({ step: { kind: 'secondStep', challenge, method, resent: false } });
      }
    });
  }

  private finish(signedIn: SignedIn): void {
    if (signedIn.password_change_required) {
      this.pendingChange = signedIn;
      this.update({ step: { kind: 'changePassword', account: signedIn.user.account }, info: null });
      return;
    }
    if (signedIn.device_token) this.deps.book.keepDeviceToken(signedIn.device_token, [...this.names, signedIn.user.account]);
    const remember = this.remember;
    const landing = this.landing;
    this.landing = '/';
    this.reset('');
    this.deps.signedIn(signedIn, remember);
    if (landing !== '/') this.deps.singleSignOn?.goTo(landing);
  }

  private async busyWith(action: () => Promise<void>): Promise<void> {
    if (this.getSnapshot().busy) return;
    this.update({ busy: true, error: null, reasons: [], info: null });
    try {
      await action();
      this.update({ busy: false });
    } catch (error) {
      this.update({ busy: false, error: errorCode(error), reasons: weakPasswordReasons(error) });
    }
  }
}
