/**
 * The Me page (A3, A7, h/me): my profile (nickname, signature, work fields, avatar uploaded
 * after a square crop), my privacy choices (enforced by the server), and my signed-in devices
 * with sign-out. Changes made on my other devices arrive as private entries.
 */
import { errorCode, type Client, type PrivacyChoices, type SessionInfo, type User } from '@tidings/sdk';
import { ViewModel } from './ViewModel';

export type MePage = 'main' | 'profile' | 'privacy' | 'lock' | 'devices' | 'security';

export interface ProfileDraft {
  nickname: string;
  signature: string;
  work_email: string;
  office_phone: string;
  desk: string;
}

export interface MeSnapshot {
  page: MePage;
  user: User | null;
  draft: ProfileDraft;
  privacy: PrivacyChoices | null;
  sessions: SessionInfo[] | null;
  busy: boolean;
  /** An error code to translate. */
  error: string | null;
  /** A short confirmation ("saved"). */
  notice: string | null;
  /** The picture being cropped (an object URL), before it is uploaded. */
  cropping: string | null;
}

/** The avatar's side in pixels: sharp on high-density screens, small to send. */
export const AVATAR_PIXELS = 256;

function draftOf(user: User | null): ProfileDraft {
  return {
    nickname: user?.nickname ?? '',
    signature: user?.signature ?? '',
    work_email: user?.work_email ?? '',
    office_phone: user?.office_phone ?? '',
    desk: user?.desk ?? '',
  };
}

export class MeViewModel extends ViewModel<MeSnapshot> {
  constructor(private readonly client: Client) {
    super({
      page: 'main',
      user: client.me,
      draft: draftOf(client.me),
      privacy: null,
      sessions: null,
      busy: false,
      error: null,
      notice: null,
      cropping: null,
    });
    this.track(
      client.on('me', ({ user }) => {
        const editing = this.getSnapshot().page === 'profile';
        this.update({ user, ...(editing ? {} : { draft: draftOf(user) }) });
      }),
    );
    this.track(
      client.on('private', ({ entry }) => {
        if (entry.kind === 'privacy_changed') this.update({ privacy: entry.data });
      }),
    );
  }

  open(page: MePage): void {
    this.update({ page, error: null, notice: null, ...(page === 'profile' ? { draft: draftOf(this.client.me) } : {}) });
    if (page === 'privacy' || page === 'main') void this.loadPrivacy();
    if (page === 'devices') void this.loadSessions();
  }

  edit(field: keyof ProfileDraft, value: string): void {
    this.update({ draft: { ...this.getSnapshot().draft, [field]: value }, notice: null });
  }

  async saveProfile(): Promise<boolean> {
    const { draft } = this.getSnapshot();
    if (!draft.nickname.trim()) {
      this.update({ error: 'nickname_required' });
      return false;
    }
    return this.run(async () => {
      const user = await this.client.request('profile.update', { ...draft, nickname: draft.nickname.trim() });
      this.update({ user, draft: draftOf(user), notice: 'saved', page: 'main' });
    });
  }

  /** A picture was chosen: crop it first (the view shows the cropper). */
  choosePicture(url: string): void {
    this.update({ cropping: url, error: null });
  }

  cancelCrop(): void {
    this.update({ cropping: null });
  }

  /** The cropped square: uploaded like any file, then named as my avatar. */
  async setAvatar(picture: Blob): Promise<boolean> {
    this.update({ cropping: null });
    return this.run(async () => {
      const type = picture.type || 'image/png';
      const fileId = await this.client.uploadFile(picture, { name: type === 'image/jpeg' ? 'avatar.jpg' : 'avatar.png', type });
      const user = await this.client.request('profile.update', { avatar: `file:${fileId}` });
      this.update({ user, notice: 'avatarSaved' });
    });
  }

  async removeAvatar(): Promise<boolean> {
    return this.run(async () => {
      const user = await this.client.request('profile.update', { avatar: '' });
      this.update({ user });
    });
  }

  async loadPrivacy(): Promise<void> {
    try {
      this.update({ privacy: await this.client.request('me.privacy.get', undefined) });
    } catch (error) {
      this.update({ error: errorCode(error) });
    }
  }

  async setPrivacy(change: Partial<PrivacyChoices>): Promise<boolean> {
    const before = this.getSnapshot().privacy;
    if (before) this.update({ privacy: { ...before, ...change } });
    return this.run(async () => {
      this.update({ privacy: await this.client.request('me.privacy.update', change) });
    }, () => this.update({ privacy: before }));
  }

  async loadSessions(): Promise<void> {
    try {
      const { sessions } = await this.client.request('sessions.list', undefined);
      this.update({ sessions: [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || b.last_seen_at - a.last_seen_at) });
    } catch (error) {
      this.update({ error: errorCode(error) });
    }
  }

  async signOutSession(sessionId: number): Promise<boolean> {
    return this.run(async () => {
      await this.client.request('sessions.sign_out', { session_id: sessionId });
      await this.loadSessions();
    });
  }

  private async run(action: () => Promise<void>, undo?: () => void): Promise<boolean> {
    this.update({ busy: true, error: null });
    try {
      await action();
      return true;
    } catch (error) {
      undo?.();
      this.update({ error: errorCode(error) });
      return false;
    } finally {
      this.update({ busy: false });
    }
  }
}
