/**
 * A person's profile card (I2, B3): nickname, account, signature, enterprise fields and the
 * departments I may see; for a friend, my remark (editable) and tags; otherwise "add friend".
 */
import { errorCode, type Client, type Profile, type UserId } from '@tidings/sdk';
import { ViewModel } from './ViewModel';

export interface ProfileSnapshot {
  userId: UserId;
  loading: boolean;
  /** An error code (`not_found` also for people the organization hides). */
  error: string | null;
  profile: Profile | null;
  isMe: boolean;
  isFriend: boolean;
  remark: string;
  /** A friend request is on its way (sent from this card). */
  requested: boolean;
  busy: boolean;
  /** I blocked this person (B4): they cannot message me. */
  blocked: boolean;
  /** An error code of the last action. */
  actionError: string | null;
  saved: boolean;
}

export class ProfileViewModel extends ViewModel<ProfileSnapshot> {
  constructor(
    readonly userId: UserId,
    private readonly client: Client,
  ) {
    super({
      userId, loading: true, error: null, profile: null, isMe: client.me?.id === userId, isFriend: false, remark: '',
      requested: false, busy: false, blocked: false, actionError: null, saved: false,
    });
    this.track(
      client.on('private', ({ entry }) => {
        if (entry.kind === 'user_blocked' || entry.kind === 'user_unblocked') {
          if (entry.data.user_id === userId) this.update({ blocked: entry.kind === 'user_blocked' });
          return;
        }
        const data = entry.data as { user_id?: UserId; user?: { id: UserId } };
        if (data.user_id === userId || data.user?.id === userId) void this.load();
      }),
    );
    void this.load();
  }

  async load(): Promise<void> {
    try {
      // The profile says whether I blocked them (never whether they blocked me).
      const profile = await this.client.request('profile.get', { user_id: this.userId });
      const contact = profile.contact ?? null;
      this.update({
        loading: false, error: null, profile, isFriend: contact !== null, remark: contact?.remark ?? '',
        blocked: profile.blocked === true,
      });
    } catch (error) {
      this.update({ loading: false, error: errorCode(error) });
    }
  }

  /** My remark for this friend (shown instead of their nickname in my lists). */
  async saveRemark(remark: string): Promise<void> {
    await this.act(async () => {
      const notes = await this.client.request('contacts.update', { user_id: this.userId, remark: remark.trim() });
      this.update({ remark: notes.remark, saved: true });
    });
  }

  async requestFriend(message: string): Promise<void> {
    await this.act(async () => {
      const reply = await this.client.request('friends.request', { user_id: this.userId, message: message.trim() });
      if (reply.status === 'accepted') await this.load();
      else this.update({ requested: true });
    });
  }

  async removeFriend(): Promise<void> {
    await this.act(async () => {
      await this.client.request('friends.remove', { user_id: this.userId });
      await this.load();
    });
  }

  async setBlocked(blocked: boolean): Promise<void> {
    await this.act(async () => {
      const reply = await this.client.request(blocked ? 'blocks.add' : 'blocks.remove', { user_id: this.userId });
      this.update({ blocked: reply.blocked });
    });
  }

  private async act(action: () => Promise<void>): Promise<void> {
    this.update({ busy: true, actionError: null, saved: false });
    try {
      await action();
      this.update({ busy: false });
    } catch (error) {
      this.update({ busy: false, actionError: errorCode(error) });
    }
  }
}
