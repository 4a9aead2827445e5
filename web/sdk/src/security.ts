/**
 * The signed-in user's account security over REST (docs/protocol.md, "Account security"):
 * password, bound email and phone, two-step sign-in with an authenticator app (TOTP) and
 * its recovery codes, and the devices the account knows.
 */
import { requestJson, type Fetch } from './http';
import type { CodeChannel } from './auth';
import type { User } from './protocol';

/** A device this account signed in from before (a sign-in there needs no confirmation). */
export interface KnownDevice {
  id: number;
  device_name: string;
  platform: string;
  first_used_at: number;
  last_used_at: number;
  last_ip: string | null;
}

export interface SecurityOverview {
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  totp_enabled: boolean;
  recovery_codes_left: number;
  password_change_required: boolean;
  known_devices: KnownDevice[];
}

/** An authenticator app enrolment, inactive until confirmed with a code. */
export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  /** An SVG image of the QR code of `otpauth_uri`. */
  qr_svg: string;
}

const PATHS: Record<CodeChannel, string> = { email: '/api/v1/me/email', sms: '/api/v1/me/phone' };

export class AccountSecurityApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  overview(): Promise<SecurityOverview> {
    return this.call<SecurityOverview>('GET', '/api/v1/me/security');
  }

  /** Change the password; with `signOutOthers` every other session ends. Resolves to how many did. */
  async changePassword(currentPassword: string, newPassword: string, signOutOthers: boolean): Promise<number> {
    const reply = await this.call<{ signed_out?: number } | null>('POST', '/api/v1/me/password', {
      current_password: currentPassword,
      new_password: newPassword,
      sign_out_others: signOutOthers,
    });
    return reply?.signed_out ?? 0;
  }

  /** Bind an email address (`email`) or phone (`sms`): a code is sent there to verify it. */
  async bind(channel: CodeChannel, destination: string): Promise<void> {
    await this.call<null>('POST', PATHS[channel], channel === 'email' ? { email: destination } : { phone: destination });
  }

  verifyBinding(channel: CodeChannel, code: string): Promise<User> {
    return this.call<User>('POST', `${PATHS[channel]}/verify`, { code });
  }

  async unbind(channel: CodeChannel, password: string): Promise<void> {
    await this.call<null>('DELETE', PATHS[channel], { password });
  }

  startTotp(): Promise<TotpEnrolment> {
    return this.call<TotpEnrolment>('POST', '/api/v1/me/totp');
  }

  /** Turn two-step sign-in on with a code from the app; resolves to the recovery codes (shown once). */
  async confirmTotp(code: string): Promise<string[]> {
    return (await this.call<{ recovery_codes: string[] }>('POST', '/api/v1/me/totp/confirm', { code })).recovery_codes;
  }

  async disableTotp(password: string): Promise<void> {
    await this.call<null>('DELETE', '/api/v1/me/totp', { password });
  }

  /** A new set of recovery codes (the old ones stop working); needs a code from the app. */
  async regenerateRecoveryCodes(code: string): Promise<string[]> {
    return (await this.call<{ recovery_codes: string[] }>('POST', '/api/v1/me/totp/recovery-codes', { code })).recovery_codes;
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return requestJson<T>(this.fetchImpl, this.baseUrl, method, path, body, this.token());
  }
}
