/**
 * My friends, my contact groups and the friend requests, kept live from my private log. In
 * the first load: the workspace needs them from the start for the "new friends" badge and
 * for the remarks that name people everywhere. The Contacts tab's view model (fetched when
 * the tab first opens) reads them from here.
 */
import { errorCode, type Client, type ContactGroup, type Friend, type FriendRequests, type PrivateEntry } from '@tidings/sdk';
import type { NameBook } from './NameBook';
import { ViewModel } from './ViewModel';

export interface ContactBookSnapshot {
  friends: Friend[];
  contactGroups: ContactGroup[];
  requests: FriendRequests;
  /** The error code of the last load, null when it worked. */
  error: string | null;
}

/** What a private-log entry of these kinds says: the friends or requests changed. */
const CHANGES: ReadonlySet<PrivateEntry['kind']> = new Set<PrivateEntry['kind']>([
  'friend_request',
  'friend_request_sent',
  'friend_request_decided',
  'friend_added',
  'friend_removed',
  'contact_updated',
  'contact_groups',
]);

export class ContactBook extends ViewModel<ContactBookSnapshot> {
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
  ) {
    super({ friends: [], contactGroups: [], requests: { pending_count: 0, incoming: [], outgoing: [] }, error: null });
    this.track(
      client.on('state', ({ state }) => {
        if (state === 'connected') void this.reload();
      }),
    );
    this.track(
      client.on('private', ({ entry }) => {
        if (CHANGES.has(entry.kind)) this.reloadSoon();
      }),
    );
    this.track(() => {
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
    });
    if (client.state === 'connected') void this.reload();
  }

  /** Ask the server again; every answer (or failure) is a new snapshot. */
  async reload(): Promise<void> {
    if (this.client.state !== 'connected') return;
    try {
      const [friends, requests] = await Promise.all([
        this.client.request('friends.list', undefined),
        this.client.request('friends.requests', undefined),
      ]);
      this.names.learnContacts(friends.friends.map((f) => ({ id: f.user_id, nickname: f.user.nickname, remark: f.remark })));
      this.names.learnAvatars(friends.friends.map((f) => f.user));
      this.update({ friends: friends.friends, contactGroups: friends.contact_groups, requests, error: null });
    } catch (error) {
      this.update({ error: errorCode(error) });
    }
  }

  private reloadSoon(): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.reload();
    }, 100);
  }
}
