/**
 * The ops behind the contact, group and file management screens (docs/protocol.md: "Invite
 * links", "group.announcement.reads", "Files" over WebSocket), merged into `Ops` so that
 * `client.request` types them like the rest. Kept apart from protocol.ts, whose messaging
 * part is generated and checked against the server's schemas.
 */
import type { ConversationId, FileInfo, Seq, UserCard, UserId } from './protocol';

export type InviteKind = 'friend' | 'group';

/** An invite link's code: `<server>/invite/<code>` (and its QR code over REST). */
export interface Invite {
  code: string;
  kind: InviteKind;
  /** Who made it. */
  user_id: UserId;
  conversation_id: ConversationId | null;
  created_at: number;
  /** ms; null: until revoked. */
  expires_at: number | null;
  revoked: boolean;
}

/** `invites.get`: what an invite leads to, before accepting it. */
export interface InvitePreview extends Invite {
  inviter: UserCard | null;
  group?: { id: ConversationId; name: string; avatar?: string; member_count: number } | null;
}

export interface AnnouncementReads {
  announcement_id: number;
  read_count: number;
  unread_count: number;
  read_by: UserId[];
  unread_by: UserId[];
}

/** A file sent in a conversation (`conversation.files`), newest first. */
export interface ConversationFile extends FileInfo {
  seq: Seq;
  sender_id: UserId;
  sent_at: number;
}

/** A file in my favorites. */
export interface FavoriteFile extends FileInfo {
  saved_at: number;
}

/** A contacts import's report: one row per spreadsheet row (the header is row 1). */
export interface ImportReport {
  added: number;
  rejected: number;
  rows: ImportRow[];
}

export interface ImportRow {
  row: number;
  account: string;
  status: 'requested' | 'updated' | 'rejected';
  /** Why a row was rejected (English, from the server). */
  reason?: string;
  request_id?: number;
}

export interface StorageUsage {
  used_bytes: number;
  /** 0: unlimited. */
  quota_bytes: number;
  max_file_bytes: number;
}

declare module './protocol' {
  interface Ops {
    'invites.create': {
      req: { kind: InviteKind; conversation_id?: ConversationId; expires_in_seconds?: number };
      res: Invite;
    };
    'invites.list': { req: undefined; res: { invites: Invite[] } };
    'invites.get': { req: { code: string }; res: InvitePreview };
    'invites.revoke': { req: { code: string }; res: null };
    'invites.accept': {
      req: { code: string; message?: string };
      res: { kind: InviteKind; user_id?: UserId; conversation_id?: ConversationId; status?: 'joined' | 'pending' };
    };
    'group.announcement.reads': { req: { announcement_id: number }; res: AnnouncementReads };
    'conversation.files': {
      req: {
        conversation_id: ConversationId;
        kind?: FileInfo['kind'];
        since?: number;
        until?: number;
        before_seq?: Seq;
        limit?: number;
      };
      res: { conversation_id: ConversationId; files: ConversationFile[] };
    };
    'favorites.files': { req: { before?: number; limit?: number }; res: { files: FavoriteFile[] } };
    'favorites.add': { req: { file_id: string }; res: FavoriteFile };
    'favorites.remove': { req: { file_id: string }; res: null };
    'storage.usage': { req: undefined; res: StorageUsage };
  }
}
