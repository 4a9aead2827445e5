/**
 * Display names of users, learned from what the client sees (direct chats, group members,
 * profiles) and fetched once for ids not seen yet. Listeners hear when names arrive.
 */
import type { Client, Member, UserId } from '@tidings/sdk';

export class NameBook {
  private readonly names = new Map<UserId, string>();
  private readonly asked = new Set<UserId>();
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
    const known = this.names.get(userId) ?? this.client.userById(userId)?.nickname;
    if (known) return known;
    for (const summary of this.client.conversations()) {
      if (summary.peer?.user_id === userId && summary.name) return summary.name;
    }
    this.ask(userId);
    return `#${userId}`;
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
    }
    if (changed) this.changed();
  }

  private ask(userId: UserId): void {
    if (this.asked.has(userId) || this.client.state !== 'connected') return;
    this.asked.add(userId);
    this.client.profile(userId).then(
      (user) => {
        this.names.set(user.id, user.nickname);
        this.changed();
      },
      () => this.asked.delete(userId),
    );
  }

  private changed(): void {
    this.version += 1;
    for (const listener of [...this.listeners]) listener();
  }
}
