/**
 * Display names of users, learned from what the client sees (direct chats, group members,
 * profiles) and fetched once for ids not seen yet — together: the ids asked for while a view
 * renders go in one `users.lookup` (up to 200 a request). Listeners hear when names arrive.
 */
import type { Client, Member, UserId } from '@tidings/sdk';

/** The most ids one `users.lookup` takes. */
export const LOOKUP_BATCH = 200;

export class NameBook {
  private readonly names = new Map<UserId, string>();
  /** Avatars (`file:<id>`, `emoji:…`, "") as the server last told them (h/me). */
  private readonly avatars = new Map<UserId, string>();
  /** My remarks about friends: shown instead of their nicknames (B3). */
  private readonly remarks = new Map<UserId, string>();
  private readonly asked = new Set<UserId>();
  /** Asked for, not yet sent: looked up together once the current task is done. */
  private readonly waiting = new Set<UserId>();
  private flushScheduled = false;
  private readonly listeners = new Set<() => void>();
  private version = 0;

  constructor(private readonly client: Client) {}

  get revision(): number {
    return this.version;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  name(userId: UserId): string {
    const me = this.client.me;
    if (me && me.id === userId) return me.nickname;
    const remark = this.remarks.get(userId);
    if (remark) return remark;
    const known = this.names.get(userId) ?? this.client.userById(userId)?.nickname ?? this.client.knownName(userId);
    if (known) return known;
    for (const summary of this.client.conversations()) {
      if (summary.peer?.user_id === userId && summary.name) return summary.name;
    }
    this.ask(userId);
    return `#${userId}`;
  }

  /** A user's avatar (`file:<id>`, `emoji:…`; "" for initials); asks the server when unknown. */
  avatar(userId: UserId): string {
    const me = this.client.me;
    if (me && me.id === userId) return me.avatar;
    const known = this.avatars.get(userId) ?? this.client.userById(userId)?.avatar;
    if (known !== undefined) return known;
    for (const summary of this.client.conversations()) {
      if (summary.peer?.user_id === userId && summary.peer.avatar !== undefined) return summary.peer.avatar;
    }
    this.ask(userId);
    return '';
  }

  /** Avatars seen in cards (search, the organization, friends). */
  learnAvatars(users: readonly { id: UserId; avatar: string }[]): void {
    let changed = false;
    for (const user of users) {
      if (this.avatars.get(user.id) !== user.avatar) {
        this.avatars.set(user.id, user.avatar);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  /** My remark for a friend, if I gave one. */
  remark(userId: UserId): string | undefined {
    return this.remarks.get(userId);
  }

  /** Friends with their nicknames and my remarks (the whole list: remarks not in it are gone). */
  learnContacts(contacts: readonly { id: UserId; nickname: string; remark: string }[]): void {
    let changed = false;
    const seen = new Set<UserId>();
    for (const contact of contacts) {
      seen.add(contact.id);
      if (this.names.get(contact.id) !== contact.nickname) {
        this.names.set(contact.id, contact.nickname);
        changed = true;
      }
      if ((this.remarks.get(contact.id) ?? '') !== contact.remark) {
        if (contact.remark) this.remarks.set(contact.id, contact.remark);
        else this.remarks.delete(contact.id);
        changed = true;
      }
    }
    for (const id of [...this.remarks.keys()]) {
      if (!seen.has(id)) {
        this.remarks.delete(id);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  has(userId: UserId): boolean {
    return this.names.has(userId);
  }

  /** Everyone this device knows by name (for "people you know"). */
  known(): { id: UserId; name: string }[] {
    const out = new Map<UserId, string>(this.names);
    for (const summary of this.client.conversations()) {
      if (summary.peer && summary.name) out.set(summary.peer.user_id, summary.name);
    }
    for (const [id, remark] of this.remarks) out.set(id, remark);
    const me = this.client.me?.id;
    return [...out.entries()].filter(([id]) => id !== me).map(([id, name]) => ({ id, name }));
  }

  learn(members: readonly Member[]): void {
    let changed = false;
    for (const member of members) {
      if (this.names.get(member.user_id) !== member.nickname) {
        this.names.set(member.user_id, member.nickname);
        changed = true;
      }
      if (this.avatars.get(member.user_id) !== member.avatar) {
        this.avatars.set(member.user_id, member.avatar);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  private ask(userId: UserId): void {
    if (this.asked.has(userId) || this.client.state !== 'connected') return;
    this.asked.add(userId);
    this.waiting.add(userId);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => void this.flush());
  }

  /** One lookup per 200 ids; people the server leaves out (hidden, unknown) are not asked again. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const ids = [...this.waiting];
    this.waiting.clear();
    const batches: UserId[][] = [];
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) batches.push(ids.slice(i, i + LOOKUP_BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        try {
          const { users } = await this.client.request('users.lookup', { user_ids: batch });
          let changed = false;
          for (const user of users) {
            if (this.names.get(user.id) !== user.nickname) {
              this.names.set(user.id, user.nickname);
              changed = true;
            }
            if (this.avatars.get(user.id) !== user.avatar) {
              this.avatars.set(user.id, user.avatar);
              changed = true;
            }
          }
          if (changed) this.changed();
        } catch {
          // Offline or refused: ask again the next time the name is wanted.
          for (const id of batch) this.asked.delete(id);
        }
      }),
    );
  }

  private changed(): void {
    // Kept in the local cache: an offline start still shows who wrote what.
    this.client.rememberNames(this.names);
    this.version += 1;
    for (const listener of [...this.listeners]) listener();
  }
}
