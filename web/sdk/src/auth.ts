/**
 * Signing in over REST (docs/protocol.md, "REST /api/v1"): accounts, device credentials for
 * "remember me", sign-in codes by email or SMS, the second step of a sign-in (TOTP, a
 * recovery code, or a code confirming a new device), resetting a forgotten password, and
 * logout. The WebSocket then authenticates with the token.
 *
 * A sign-in that needs a second step fails with `second_factor_required` or
 * `device_confirmation_required`; `signInChallenge(error)` reads what to ask for.
 */
import { TidingsError } from './errors';
import { requestJson, type Fetch } from './http';
import type { SignedIn } from './protocol';

export interface SignInInput {
  account: string;
  password: string;
  remember?: boolean;
  deviceName?: string;
  /** The token a previous sign-in of this user on this device returned (the device is known). */
  deviceToken?: string | null;
}

export interface RegisterInput extends SignInInput {
  nickname: string;
  /** Needed when the server's registration is `invite_only`. */
  inviteCode?: string;
}

/** What the sign-in page may offer (`GET /auth/options`, no authentication). */
export interface AuthOptions {
  registration: 'open' | 'invite_only' | 'closed';
  sms_enabled: boolean;
  email_enabled: boolean;
  /** Sign in with OpenID Connect: the button's label ("Sign in with <label>"), or null when off. */
  oidc?: { label: string } | null;
}

/** A single sign-on's answer: a sign-in, and the path on this server it was started for. */
export interface SingleSignOnSignedIn extends SignedIn {
  next: string;
}

/** Where a single sign-on left the browser (`/#oidc=<handoff>` or `/#oidc_error=<code>`). */
export type SingleSignOnLanding = { handoff: string } | { error: string };

/** The single sign-on landing in an address's fragment, or null if it holds none. */
export function singleSignOnLanding(hash: string): SingleSignOnLanding | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const handoff = params.get('oidc');
  if (handoff) return { handoff };
  const error = params.get('oidc_error');
  if (error && /^[a-z_]{1,64}$/.test(error)) return { error };
  return null;
}

/** The address that starts a single sign-on (a browser navigation, not a fetch). */
export function singleSignOnStartUrl(baseUrl: string, remember: boolean, next = '/'): string {
  const url = new URL('/api/v1/auth/oidc/start', baseUrl);
  url.searchParams.set('remember', String(remember));
  if (next !== '/') url.searchParams.set('next', next);
  return url.toString();
}

export type CodeChannel = 'email' | 'sms';
export type CodePurpose = 'login' | 'reset_password';

export interface CodeSignInInput {
  channel: CodeChannel;
  destination: string;
  code: string;
  remember?: boolean;
  deviceName?: string;
  deviceToken?: string | null;
}

/** How the second step may be answered. */
export type SecondStepMethod = 'totp' | 'recovery_code' | 'email' | 'sms';

/** The second step a sign-in asks for (the details of its 401). */
export interface SignInChallenge {
  reason: 'second_factor_required' | 'device_confirmation_required';
  challenge: string;
  methods: SecondStepMethod[];
  /** Where a device confirmation code went, masked (`a***@example.com`). */
  destination: string | null;
  /** Seconds the challenge stays valid. */
  expiresIn: number;
  /**
   * A single sign-on's second step (`POST /auth/oidc/finish`): where the sign-in was started
   * to land and whether to remember it, for once the step is answered; null otherwise.
   */
  singleSignOn: { next: string; remember: boolean } | null;
}

/** The challenge in a sign-in's failure, or null when it failed for another reason. */
export function signInChallenge(error: unknown): SignInChallenge | null {
  if (!(error instanceof TidingsError)) return null;
  if (error.code !== 'second_factor_required' && error.code !== 'device_confirmation_required') return null;
  const details = (error.details ?? {}) as Record<string, unknown>;
  if (typeof details.challenge !== 'string') return null;
  const methods = Array.isArray(details.methods) ? details.methods.filter((m): m is SecondStepMethod => typeof m === 'string') : [];
  return {
    reason: error.code,
    challenge: details.challenge,
    methods,
    destination: typeof details.destination === 'string' ? details.destination : null,
    expiresIn: typeof details.expires_in === 'number' ? details.expires_in : 300,
    singleSignOn: typeof details.next === 'string' && typeof details.remember === 'boolean' ? { next: details.next, remember: details.remember } : null,
  };
}

/** The reasons a new password was refused (`weak_password`), or [] for another error. */
export function weakPasswordReasons(error: unknown): string[] {
  if (!(error instanceof TidingsError) || error.code !== 'weak_password') return [];
  const reasons = (error.details as { reasons?: unknown } | undefined)?.reasons;
  return Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === 'string') : [];
}

/** The optional fields of a sign-in: sent only when set (the server refuses unknown fields). */
function device(input: { remember?: boolean; deviceName?: string; deviceToken?: string | null }): Record<string, unknown> {
  const body: Record<string, unknown> = { remember: input.remember ?? false, device_name: input.deviceName ?? '' };
  if (input.deviceToken) body.device_token = input.deviceToken;
  return body;
}

export class AuthApi {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  /** Which sign-in and registration choices the server offers. */
  options(): Promise<AuthOptions> {
    return requestJson<AuthOptions>(this.fetchImpl, this.baseUrl, 'GET', '/api/v1/auth/options');
  }

  signIn(input: SignInInput): Promise<SignedIn> {
    return this.post<SignedIn>('/api/v1/auth/login', { account: input.account, password: input.password, ...device(input) });
  }

  register(input: RegisterInput): Promise<SignedIn> {
    const body: Record<string, unknown> = {
      account: input.account,
      password: input.password,
      nickname: input.nickname,
      ...device(input),
    };
    delete body.device_token;
    if (input.inviteCode) body.invite_code = input.inviteCode;
    return this.post<SignedIn>('/api/v1/auth/register', body);
  }

  /**
   * Spend a one-time sign-in ticket an app asked for (single sign-on, decision 0067): a
   * session as a sign-in gives, and `next`, the path of this site to land on.
   */
  ssoSignIn(ticket: string, deviceName: string): Promise<SignedIn & { next: string }> {
    return this.post<SignedIn & { next: string }>('/api/v1/auth/sso', { ticket, platform: 'web', device_name: deviceName });
  }

  /** Exchange a remembered device credential for a new session (the old credential is spent). */
  deviceSignIn(deviceCredential: string, deviceToken?: string | null): Promise<SignedIn> {
    const body: Record<string, unknown> = { device_credential: deviceCredential };
    if (deviceToken) body.device_token = deviceToken;
    return this.post<SignedIn>('/api/v1/auth/device-login', body);
  }

  /** Spend a single sign-on's handoff for a session (or the second step it still needs). */
  finishSingleSignOn(handoff: string, deviceName?: string, deviceToken?: string | null): Promise<SingleSignOnSignedIn> {
    const body: Record<string, unknown> = { handoff, device_name: deviceName ?? '' };
    if (deviceToken) body.device_token = deviceToken;
    return this.post<SingleSignOnSignedIn>('/api/v1/auth/oidc/finish', body);
  }

  /** Send a code to an email address or phone; the answer is the same whether or not it is bound. */
  async requestCode(purpose: CodePurpose, channel: CodeChannel, destination: string): Promise<void> {
    await this.post<null>('/api/v1/auth/codes', { purpose, channel, destination });
  }

  /** Sign in with a code sent by `requestCode('login', ...)`. */
  codeSignIn(input: CodeSignInInput): Promise<SignedIn> {
    return this.post<SignedIn>('/api/v1/auth/login/code', {
      channel: input.channel,
      destination: input.destination,
      code: input.code,
      ...device(input),
    });
  }

  /** Answer a sign-in's second step; `method` says which kind of code it is. */
  verifySignIn(challenge: string, code: string, method: SecondStepMethod, remember: boolean): Promise<SignedIn> {
    return this.post<SignedIn>('/api/v1/auth/login/verify', { challenge, code, method, remember });
  }

  /** Send the device confirmation code of a challenge again. */
  async resendSignInCode(challenge: string): Promise<void> {
    await this.post<null>('/api/v1/auth/login/resend', { challenge });
  }

  /** Set a new password with a code sent by `requestCode('reset_password', ...)`; every session ends. */
  async resetPassword(channel: CodeChannel, destination: string, code: string, newPassword: string): Promise<void> {
    await this.post<null>('/api/v1/auth/password/reset', { channel, destination, code, new_password: newPassword });
  }

  async logout(token: string): Promise<void> {
    await this.post<null>('/api/v1/auth/logout', undefined, token);
  }

  private post<T>(path: string, body: unknown, token?: string): Promise<T> {
    return requestJson<T>(this.fetchImpl, this.baseUrl, 'POST', path, body, token);
  }
}
