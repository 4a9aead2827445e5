/**
 * Settings → Account security: change the password, bind and verify an email address and a
 * phone, two-step sign-in with an authenticator app (TOTP: QR code, secret, confirm, the
 * recovery codes shown once), new recovery codes, turning it off, and the known devices.
 *
 * One panel is open at a time; `busy`, `error` and `reasons` belong to it.
 */
import { errorCode, weakPasswordReasons, type AccountSecurityApi, type CodeChannel, type SecurityOverview, type TotpEnrolment } from '@tidings/sdk';
import { ViewModel } from './ViewModel';

export type SecurityPanel =
  | { kind: 'password'; signedOut: number | null }
  | { kind: 'bind'; channel: CodeChannel; sentTo: string | null }
  | { kind: 'unbind'; channel: CodeChannel }
  | { kind: 'totpSetup'; enrolment: TotpEnrolment; qrImage: string }
  | { kind: 'recoveryCodes'; codes: string[] }
  | { kind: 'regenerate' }
  | { kind: 'totpDisable' }
  | null;

export interface SecuritySnapshot {
  overview: SecurityOverview | null;
  /** Loading the overview failed with this code. */
  loadError: string | null;
  panel: SecurityPanel;
  busy: boolean;
  /** An error code to translate. */
  error: string | null;
  /** Why a new password was refused (`weak_password`). */
  reasons: string[];
}

/**
 * The QR code as an image address. An SVG shown through <img> runs no script and loads
 * nothing, whatever it contains, so the server's markup never enters the page's DOM.
 * An SVG made for inlining in HTML may lack its namespace, without which a browser will
 * not decode it as an image document: it is added.
 */
export function svgImage(svg: string): string {
  const standalone = /^\s*<svg\b(?![^>]*\bxmlns=)/.test(svg) ? svg.replace(/<svg\b/, '<svg xmlns="http://www.w3.org/2000/svg"') : svg;
  const bytes = new TextEncoder().encode(standalone);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

export class SecurityViewModel extends ViewModel<SecuritySnapshot> {
  constructor(private readonly api: AccountSecurityApi) {
    super({ overview: null, loadError: null, panel: null, busy: false, error: null, reasons: [] });
  }

  async load(): Promise<void> {
    try {
      this.update({ overview: await this.api.overview(), loadError: null });
    } catch (error) {
      this.update({ loadError: errorCode(error) });
    }
  }

  open(panel: 'password' | 'regenerate' | 'totpDisable'): void {
    this.show(panel === 'password' ? { kind: 'password', signedOut: null } : { kind: panel });
  }

  openBind(channel: CodeChannel): void {
    this.show({ kind: 'bind', channel, sentTo: null });
  }

  openUnbind(channel: CodeChannel): void {
    this.show({ kind: 'unbind', channel });
  }

  close(): void {
    this.show(null);
  }

  async changePassword(current: string, next: string, signOutOthers: boolean): Promise<void> {
    await this.busyWith(async () => {
      const signedOut = await this.api.changePassword(current, next, signOutOthers);
      this.update({ panel: { kind: 'password', signedOut } });
    });
  }

  /** Send a code to the new email address or phone. */
  async bind(destination: string): Promise<void> {
    const panel = this.getSnapshot().panel;
    if (panel?.kind !== 'bind') return;
    await this.busyWith(async () => {
      await this.api.bind(panel.channel, destination.trim());
      this.update({ panel: { ...panel, sentTo: destination.trim() } });
    });
  }

  async verifyBinding(code: string): Promise<void> {
    const panel = this.getSnapshot().panel;
    if (panel?.kind !== 'bind') return;
    await this.busyWith(async () => {
      await this.api.verifyBinding(panel.channel, code.trim());
      await this.reload();
      this.update({ panel: null });
    });
  }

  async unbind(password: string): Promise<void> {
    const panel = this.getSnapshot().panel;
    if (panel?.kind !== 'unbind') return;
    await this.busyWith(async () => {
      await this.api.unbind(panel.channel, password);
      await this.reload();
      this.update({ panel: null });
    });
  }

  /** Start enrolling an authenticator app: its QR code and secret. */
  async startTotp(): Promise<void> {
    this.show(null);
    await this.busyWith(async () => {
      const enrolment = await this.api.startTotp();
      this.update({ panel: { kind: 'totpSetup', enrolment, qrImage: svgImage(enrolment.qr_svg) } });
    });
  }

  /** Confirm the enrolment with the app's code; the recovery codes are shown once. */
  async confirmTotp(code: string): Promise<void> {
    if (this.getSnapshot().panel?.kind !== 'totpSetup') return;
    await this.busyWith(async () => {
      const codes = await this.api.confirmTotp(code.trim());
      await this.reload();
      this.update({ panel: { kind: 'recoveryCodes', codes } });
    });
  }

  async regenerateRecoveryCodes(code: string): Promise<void> {
    await this.busyWith(async () => {
      const codes = await this.api.regenerateRecoveryCodes(code.trim());
      await this.reload();
      this.update({ panel: { kind: 'recoveryCodes', codes } });
    });
  }

  async disableTotp(password: string): Promise<void> {
    await this.busyWith(async () => {
      await this.api.disableTotp(password);
      await this.reload();
      this.update({ panel: null });
    });
  }

  /** The recovery codes as a text file's content. */
  recoveryCodesText(): string {
    const panel = this.getSnapshot().panel;
    return panel?.kind === 'recoveryCodes' ? `${panel.codes.join('\n')}\n` : '';
  }

  private async reload(): Promise<void> {
    this.update({ overview: await this.api.overview() });
  }

  private show(panel: SecurityPanel): void {
    this.update({ panel, busy: false, error: null, reasons: [] });
  }

  private async busyWith(action: () => Promise<void>): Promise<void> {
    if (this.getSnapshot().busy) return;
    this.update({ busy: true, error: null, reasons: [] });
    try {
      await action();
      this.update({ busy: false });
    } catch (error) {
      this.update({ busy: false, error: errorCode(error), reasons: weakPasswordReasons(error) });
    }
  }
}
