/**
 * Invite links and their QR codes (PRODUCT.md B5, E12): "add me as a friend" or "join this
 * group". Make one (expiring or not), copy its link, show its QR code, revoke it; and, for
 * friend links, accept a link someone else shared (pasted as a link or a bare code).
 */
import { errorCode, type Client, type ConversationId, type Invite, type InviteKind, type InvitePreview } from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import { listTime } from '../lib/format';
import { dateTime } from '../lib/when';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

export type InviteState = 'live' | 'expired' | 'revoked';

export interface InviteRow {
  code: string;
  link: string;
  state: InviteState;
  /** "Never expires", "Expires 14:05"... */
  expiry: string;
  created: string;
}

/** What a pasted link leads to. */
export interface FoundInvite {
  code: string;
  kind: InviteKind;
  /** The inviter's nickname, or the group's name. */
  name: string;
  detail: string;
  /** Accepted: now friends, joined, or waiting for approval. */
  result: 'friends' | 'joined' | 'pending' | null;
}

export interface InviteLinksSnapshot {
  loading: boolean;
  invites: InviteRow[];
  /** The QR code shown (an object URL of the server's PNG) and the code it is for. */
  qr: { code: string; url: string | null; error: string | null } | null;
  found: FoundInvite | null;
  busy: boolean;
  /** A translated message after an action failed (or a copy succeeded). */
  notice: string | null;
}

export interface InviteEnvironment {
  /** The server's address, for links (`<origin>/invite/<code>`). */
  origin: string;
  /** The QR code of an invite, as an image. */
  qrImage(code: string): Promise<Blob>;
  objectUrl(blob: Blob): string;
  revokeObjectUrl(url: string): void;
}

/** Lifetimes offered when making a link (seconds; null: until revoked). */
export const INVITE_LIFETIMES: readonly (number | null)[] = [86_400, 7 * 86_400, 30 * 86_400, null];

const CODE = /^[A-Za-z0-9_-]{8,64}$/;

/** The code in a pasted invite: a link `…/invite/<code>` or the bare code. */
export function inviteCode(text: string): string | null {
  const trimmed = text.trim();
  const match = /\/invite\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(trimmed);
  const code = match ? match[1] ?? '' : trimmed;
  return CODE.test(code) ? code : null;
}

export function inviteState(invite: Invite, now: number): InviteState {
  if (invite.revoked) return 'revoked';
  if (invite.expires_at !== null && invite.expires_at <= now) return 'expired';
  return 'live';
}

export class InviteLinksViewModel extends ViewModel<InviteLinksSnapshot> {
  private invites: Invite[] = [];
  private qrUrl: string | null = null;

  constructor(
    private readonly client: Client,
    readonly kind: InviteKind,
    readonly conversationId: ConversationId | null,
    private readonly preferences: PreferencesViewModel,
    private readonly environment: InviteEnvironment,
    private readonly now: () => number = Date.now,
  ) {
    super({ loading: true, invites: [], qr: null, found: null, busy: false, notice: null });
    this.track(preferences.subscribe(() => this.refresh()));
    this.track(() => this.dropQr());
    void this.load();
  }

  private get t(): Translate {
    return this.preferences.getSnapshot().t;
  }

  link(code: string): string {
    return `${this.environment.origin.replace(/\/$/, '')}/invite/${code}`;
  }

  async load(): Promise<void> {
    try {
      const reply = await this.client.request('invites.list', undefined);
      // The server lists the invites I made; this screen shows those of its kind (and group).
      this.invites = reply.invites.filter(
        (i) => i.kind === this.kind && (this.kind === 'friend' || i.conversation_id === this.conversationId),
      );
      this.update({ loading: false });
    } catch (error) {
      this.update({ loading: false, notice: errorMessage(this.t, errorCode(error)) });
    }
    this.refresh();
  }

  /** Make a new link; shows its QR code at once. */
  async create(expiresInSeconds: number | null): Promise<string | null> {
    let code: string | null = null;
    await this.act(async () => {
      const invite = await this.client.request('invites.create', {
        kind: this.kind,
        ...(this.conversationId !== null ? { conversation_id: this.conversationId } : {}),
        ...(expiresInSeconds !== null ? { expires_in_seconds: expiresInSeconds } : {}),
      });
      this.invites = [invite, ...this.invites.filter((i) => i.code !== invite.code)];
      code = invite.code;
    });
    if (code) void this.showQr(code);
    return code;
  }

  async revoke(code: string): Promise<void> {
    await this.act(async () => {
      await this.client.request('invites.revoke', { code });
      this.invites = this.invites.map((i) => (i.code === code ? { ...i, revoked: true } : i));
      if (this.getSnapshot().qr?.code === code) this.hideQr();
    });
  }

  /** Fetch and show an invite's QR code. */
  async showQr(code: string): Promise<void> {
    this.dropQr();
    this.update({ qr: { code, url: null, error: null } });
    try {
      const blob = await this.environment.qrImage(code);
      if (this.getSnapshot().qr?.code !== code) return;
      this.qrUrl = this.environment.objectUrl(blob);
      this.update({ qr: { code, url: this.qrUrl, error: null } });
    } catch (error) {
      if (this.getSnapshot().qr?.code !== code) return;
      this.update({ qr: { code, url: null, error: errorMessage(this.t, errorCode(error)) } });
    }
  }

  hideQr(): void {
    this.dropQr();
    this.update({ qr: null });
  }

  /** The view copied a link (or could not). */
  copied(ok: boolean): void {
    this.update({ notice: ok ? this.t('invite.copied') : this.t('invite.copyFailed') });
  }

  clearNotice(): void {
    this.update({ notice: null });
  }

  // ---- accepting someone else's link ---------------------------------------------------

  /** Look up a pasted link or code. */
  async lookup(text: string): Promise<void> {
    const code = inviteCode(text);
    if (!code) {
      this.update({ found: null, notice: this.t('error.invalid_invite') });
      return;
    }
    await this.act(async () => {
      const preview: InvitePreview = await this.client.request('invites.get', { code });
      const group = preview.group ?? null;
      this.update({
        found: {
          code,
          kind: preview.kind,
          name: preview.kind === 'group' ? (group?.name ?? '') : (preview.inviter?.nickname ?? ''),
          detail:
            preview.kind === 'group'
              ? this.t('group.memberCount', { count: group?.member_count ?? 0 })
              : (preview.inviter?.account ?? ''),
          result: null,
        },
      });
    });
  }

  async acceptFound(message = ''): Promise<void> {
    const found = this.getSnapshot().found;
    if (!found) return;
    await this.act(async () => {
      const reply = await this.client.request('invites.accept', { code: found.code, message });
      const result = reply.kind === 'friend' ? 'friends' : reply.status === 'pending' ? 'pending' : 'joined';
      this.update({ found: { ...found, result } });
    });
  }

  clearFound(): void {
    this.update({ found: null });
  }

  // ---- internals -------------------------------------------------------------------------

  private dropQr(): void {
    if (this.qrUrl) this.environment.revokeObjectUrl(this.qrUrl);
    this.qrUrl = null;
  }

  private async act(action: () => Promise<void>): Promise<void> {
    this.update({ busy: true, notice: null });
    try {
      await action();
      this.update({ busy: false });
    } catch (error) {
      this.update({ busy: false, notice: errorMessage(this.t, errorCode(error)) });
    }
    this.refresh();
  }

  private refresh(): void {
    const { locale } = this.preferences.getSnapshot();
    const t = this.t;
    const now = this.now();
    const order: Record<InviteState, number> = { live: 0, expired: 1, revoked: 2 };
    const rows = this.invites
      .map((invite) => {
        const state = inviteState(invite, now);
        return {
          code: invite.code,
          link: this.link(invite.code),
          state,
          expiry:
            invite.expires_at === null
              ? t('invite.noExpiry')
              : t(state === 'expired' ? 'invite.expiredAt' : 'invite.expiresAt', { time: dateTime(invite.expires_at, locale) }),
          created: listTime(invite.created_at, now, locale, t),
          at: invite.created_at,
        };
      })
      .sort((a, b) => order[a.state] - order[b.state] || b.at - a.at)
      .map(({ at: _at, ...row }) => row);
    this.update({ invites: rows });
  }
}
