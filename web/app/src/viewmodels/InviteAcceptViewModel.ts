/**
 * The app opened at an invite link, `/invite/<code>` (PRODUCT.md B5, E12: the link inside
 * invite QR codes): once signed in, show what the invite leads to and offer to accept it.
 */
import { errorCode, type Client, type ConversationId, type InviteKind, type UserId } from '@tidings/sdk';
import { avatarEmoji } from '../lib/avatar';
import { ViewModel } from './ViewModel';

/** Errors that only mean the connection was not there; the lookup is tried again on connect. */
const OFFLINE: ReadonlySet<string> = new Set(['offline', 'connection_lost', 'timeout']);

export interface InviteAcceptSnapshot {
  code: string;
  loading: boolean;
  kind: InviteKind | null;
  /** The inviter's nickname (friend invites) or the group's name. */
  name: string;
  /** The inviter's account, or (groups) the group's member count. */
  account: string;
  memberCount: number;
  /** The id the avatar colour comes from. */
  avatarId: number;
  /** A group's chosen avatar. */
  emoji: string | null;
  /** My own link: nothing to accept. */
  own: boolean;
  /** Already a friend or a member: the chat to open instead. */
  already: boolean;
  message: string;
  busy: boolean;
  /** Accepted: now friends, joined, or waiting for an admin's approval. */
  result: 'friends' | 'joined' | 'pending' | null;
  /** Where "open the chat" leads once accepted (or already in). */
  userId: UserId | null;
  conversationId: ConversationId | null;
  /** The chat can be opened now (a group joined is in my list). */
  chatReady: boolean;
  /** An error code to translate (`invalid_invite`: expired, revoked or unknown). */
  error: string | null;
}

export class InviteAcceptViewModel extends ViewModel<InviteAcceptSnapshot> {
  constructor(
    private readonly client: Client,
    code: string,
  ) {
    super({
      code, loading: true, kind: null, name: '', account: '', memberCount: 0, avatarId: 0, emoji: null, own: false, already: false,
      message: '', busy: false, result: null, userId: null, conversationId: null, chatReady: false, error: null,
    });
    // A group joined arrives through sync a moment after the reply.
    this.track(client.on('conversations', () => this.update({ chatReady: this.chatReady() })));
    // Just signed in, the connection is still opening: look the invite up once it is there
    // (and again after a cut that lost the answer).
    this.track(
      client.on('state', ({ state }) => {
        const s = this.getSnapshot();
        if (state === 'connected' && s.kind === null && (s.error === null || OFFLINE.has(s.error))) void this.load();
      }),
    );
    if (client.state === 'connected') void this.load();
  }

  private chatReady(): boolean {
    const { kind, conversationId, result, already } = this.getSnapshot();
    if (kind === 'friend') return result === 'friends' || already;
    return conversationId !== null && (result === 'joined' || already) && this.client.isMember(conversationId);
  }

  setMessage(message: string): void {
    this.update({ message });
  }

  async load(): Promise<void> {
    const { code } = this.getSnapshot();
    this.update({ loading: true, error: null });
    try {
      const invite = await this.client.request('invites.get', { code });
      const group = invite.group ?? null;
      const own = invite.user_id === this.client.me?.id;
      const memberOf = group !== null && this.client.isMember(group.id);
      this.update({
        loading: false,
        kind: invite.kind,
        name: invite.kind === 'group' ? (group?.name ?? '') : (invite.inviter?.nickname ?? ''),
        account: invite.inviter?.account ?? '',
        memberCount: group?.member_count ?? 0,
        avatarId: invite.kind === 'group' ? (group?.id ?? 0) : invite.user_id,
        emoji: avatarEmoji(group?.avatar),
        own,
        already: !own && memberOf,
        userId: invite.kind === 'friend' ? invite.user_id : null,
        conversationId: group?.id ?? null,
      });
      this.update({ chatReady: this.chatReady() });
    } catch (error) {
      this.update({ loading: false, error: errorCode(error) });
    }
  }

  async accept(): Promise<void> {
    const s = this.getSnapshot();
    if (s.loading || s.busy || s.own || s.result !== null || s.kind === null) return;
    this.update({ busy: true, error: null });
    try {
      const reply = await this.client.request('invites.accept', { code: s.code, ...(s.message.trim() ? { message: s.message.trim() } : {}) });
      const result = reply.kind === 'friend' ? 'friends' : reply.status === 'pending' ? 'pending' : 'joined';
      this.update({
        busy: false,
        result,
        userId: reply.user_id ?? s.userId,
        conversationId: reply.conversation_id ?? s.conversationId,
      });
      this.update({ chatReady: this.chatReady() });
    } catch (error) {
      this.update({ busy: false, error: errorCode(error) });
    }
  }
}
