/**
 * Signing in over REST (docs/protocol.md, "REST /api/v1"): accounts, device credentials for
 * "remember me", and logout. The WebSocket then authenticates with the token.
 */
import { TidingsError } from './errors';
import type { DeviceLoginInput, LoginInput, RegisterInput as RegisterBody } from './generated/wire';
import type { SignedIn } from './protocol';

export interface SignInInput {
  account: string;
  password: string;
  remember?: boolean;
  deviceName?: string;
}

export interface RegisterInput extends SignInInput {
  nickname: string;
}

export class AuthApi {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  signIn(input: SignInInput): Promise<SignedIn> {
    return this.post<SignedIn>('/api/v1/auth/login', {
      account: input.account,
      password: input.password,
      remember: input.remember ?? false,
      device_name: input.deviceName ?? '',
    } satisfies LoginInput);
  }

  register(input: RegisterInput): Promise<SignedIn> {
    return this.post<SignedIn>('/api/v1/auth/register', {
      account: input.account,
      password: input.password,
      nickname: input.nickname,
      remember: input.remember ?? false,
      device_name: input.deviceName ?? '',
    } satisfies RegisterBody);
  }

  /** Exchange a remembered device credential for a new session (the old credential is spent). */
  deviceSignIn(deviceCredential: string): Promise<SignedIn> {
    return this.post<SignedIn>('/api/v1/auth/device-login', { device_credential: deviceCredential } satisfies DeviceLoginInput);
  }

  async logout(token: string): Promise<void> {
    await this.post<null>('/api/v1/auth/logout', undefined, token);
  }

  private async post<T>(path: string, body: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(new URL(path, this.baseUrl).toString(), {
        method: 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new TidingsError('network', 'the server cannot be reached');
    }
    if (response.status === 204) return null as T;
    const payload: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
      throw new TidingsError(error?.code ?? 'internal_error', error?.message ?? `HTTP ${response.status}`);
    }
    return payload as T;
  }
}
