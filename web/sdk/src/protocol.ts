/**
 * The Tidings wire protocol, typed from docs/protocol.md (the contract with the server).
 *
 * Every shape here mirrors a table in that document; when the document changes, this file
 * changes with it. Ids and seqs are JSON numbers; times are milliseconds since the epoch.
 */

export type UserId = number;
export type ConversationId = number;
export type Seq = number;

/** Stable error codes shared with the server (clients translate by code). */
export const ErrorCode = {
  MalformedJson: 'malformed_json',
  InvalidUtf8: 'invalid_utf8',
  InvalidInput: 'invalid_input',
  UnknownOp: 'unknown_op',
  FrameTooLarge: 'frame_too_large',
  PayloadTooLarge: 'payload_too_large',
  Unauthenticated: 'unauthenticated',
  InvalidToken: 'invalid_token',
  InvalidCredentials: 'invalid_credentials',
  AlreadyAuthenticated: 'already_authenticated',
  AccountTaken: 'account_taken',
  AccountDisabled: 'account_disabled',
  RateLimited: 'rate_limited',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  NotMember: 'not_member',
  NotFriends: 'not_friends',
  NotYourMessage: 'not_your_message',
  RecallWindowPassed: 'recall_window_passed',
  NotRecallable: 'not_recallable',
  GroupFull: 'group_full',
  Conflict: 'conflict',
  InternalError: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses. */
export const CloseCode = {
  Normal: 1000,
  ServerShuttingDown: 1001,
  TooFarBehind: 1008,
  FrameFarTooLarge: 1009,
  NoAuth: 4000,
  SignedInElsewhere: 4001,
  SessionRevoked: 4002,
  HeartbeatTimeout: 4003,
  InvalidToken: 4004,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export interface WireError {
  code: ErrorCode | string;
  message: string;
  details?: unknown;
}

export interface User {
  id: UserId;
  account: string;
  nickname: string;
  avatar: string;
  signature: string;
  work_email: string;
  office_phone: string;
  desk: string;
}

// ---- message bodies (per `type`) -------------------------------------------------------

export interface TextBody {
  text: string;
  mentions?: UserId[];
  mention_all?: boolean;
}
export interface ImageBody {
  file_id: string;
  width: number;
  height: number;
  size?: number;
  name?: string;
}
export interface FileBody {
  file_id: string;
  name: string;
  size: number;
  mime?: string;
}
export interface VoiceBody {
  file_id: string;
  duration_ms: number;
  size?: number;
}
export interface VideoBody {
  file_id: string;
  duration_ms: number;
  width: number;
  height: number;
  size?: number;
  poster_file_id?: string;
}
export interface LocationBody {
  latitude: number;
  longitude: number;
  precision: 'precise' | 'blurred';
  name?: string;
  address?: string;
}
export interface ContactCardBody {
  user_id: UserId;
}
export interface CustomCardBody {
  title: string;
  url: string;
  description?: string;
  price?: string;
  currency?: string;
  image_url?: string;
  source?: string;
}
export interface StickerBody {
  file_id: string;
  width: number;
  height: number;
  emoji?: string;
}
export interface NoticeBody {
  title: string;
  text: string;
  url?: string;
}

export interface MessageBodies {
  text: TextBody;
  image: ImageBody;
  file: FileBody;
  voice: VoiceBody;
  video: VideoBody;
  location: LocationBody;
  contact_card: ContactCardBody;
  custom_card: CustomCardBody;
  sticker: StickerBody;
  notice: NoticeBody;
}
export type MessageType = keyof MessageBodies;

// ---- conversation log entries (per `kind`) ---------------------------------------------

interface EntryBase {
  id: number;
  conversation_id: ConversationId;
  seq: Seq;
  sender_id: UserId | null;
  client_msg_id: string | null;
  created_at: number;
  reply_to_seq: Seq | null;
  recalled: boolean;
}

/** A message; `recalled: true` means tombstoned and `body` is `{}`. */
export type MessageEntry = {
  [T in MessageType]: EntryBase & { kind: 'message'; type: T; body: MessageBodies[T] };
}[MessageType];

export interface RecallEntry extends EntryBase {
  kind: 'recall';
  type: null;
  body: { target_seq: Seq };
}
export interface GroupCreatedEntry extends EntryBase {
  kind: 'group_created';
  type: null;
  body: { name: string; member_ids: UserId[] };
}
export interface MemberJoinedEntry extends EntryBase {
  kind: 'member_joined';
  type: null;
  body: { user_ids: UserId[]; inviter_id: UserId | null };
}
export interface MemberLeftEntry extends EntryBase {
  kind: 'member_left';
  type: null;
  body: { user_id: UserId };
}

export type Entry = MessageEntry | RecallEntry | GroupCreatedEntry | MemberJoinedEntry | MemberLeftEntry;
export type EntryKind = Entry['kind'];

// ---- the private log --------------------------------------------------------------------

export interface ConversationSettings {
  conversation_id: ConversationId;
  pinned: boolean;
  muted: boolean;
  draft: string;
}

export interface PrivateData {
  conversation_joined: { conversation_id: ConversationId };
  conversation_left: { conversation_id: ConversationId };
  conversation_settings: ConversationSettings;
  messages_deleted: { conversation_id: ConversationId; seqs: Seq[] };
  history_cleared: { conversation_id: ConversationId; cleared_seq: Seq };
  read: { conversation_id: ConversationId; read_seq: Seq };
  profile_updated: User;
  session_revoked: { session_id: number; reason: string };
}
export type PrivateKind = keyof PrivateData;

export type PrivateEntry = {
  [K in PrivateKind]: { seq: Seq; kind: K; data: PrivateData[K]; created_at: number };
}[PrivateKind];

// ---- conversations ----------------------------------------------------------------------

export type ConversationType = 'direct' | 'group' | 'system';
export type Role = 'owner' | 'admin' | 'member';

export interface PeerPosition {
  user_id: UserId;
  read_seq: Seq;
  delivered_seq: Seq;
}

export interface ConversationSummary {
  id: ConversationId;
  type: ConversationType;
  /** The peer's nickname for direct chats; empty for system notices. */
  name: string;
  last_seq: Seq;
  last_activity_at: number;
  role: Role;
  visible_from_seq: Seq;
  read_seq: Seq;
  delivered_seq: Seq;
  cleared_seq: Seq;
  pinned: boolean;
  muted: boolean;
  draft: string;
  unread: number;
  preview: Entry | null;
  peer?: PeerPosition;
}

export interface Member {
  user_id: UserId;
  role: Role;
  nickname: string;
  avatar: string;
}

export interface ReadState {
  conversation_id: ConversationId;
  seq: Seq;
  read_count: number;
  unread_count: number;
  read_by: UserId[];
  unread_by: UserId[];
}

export interface SessionInfo {
  id: number;
  platform: Platform;
  device_name: string;
  created_at: number;
  last_seen_at: number;
  ip: string;
  current: boolean;
}

export type Platform = 'web' | 'desktop' | 'ios' | 'android' | 'api';

// ---- WebSocket ops: request data and reply data ----------------------------------------

export interface SyncReply {
  private_entries: PrivateEntry[];
  has_more: boolean;
  conversations: ConversationSummary[];
}

export interface HistoryReply {
  conversation_id: ConversationId;
  messages: Entry[];
}

export interface SendRequest {
  conversation_id: ConversationId;
  client_msg_id: string;
  type: MessageType;
  body: MessageBodies[MessageType];
  reply_to_seq?: Seq;
}

export interface Ops {
  auth: { req: { token: string }; res: { user: User; session_id: number } };
  ping: { req: undefined; res: { now: number } };
  sync: { req: { private_seq: Seq; limit?: number }; res: SyncReply };
  history: {
    req: { conversation_id: ConversationId; after_seq?: Seq; before_seq?: Seq; limit?: number };
    res: HistoryReply;
  };
  send: { req: SendRequest; res: Entry };
  forward: {
    req: {
      conversation_id: ConversationId;
      seqs: Seq[];
      target_ids: ConversationId[];
      note?: string;
      client_msg_id: string;
    };
    res: { entries: Entry[] };
  };
  recall: { req: { conversation_id: ConversationId; seq: Seq }; res: RecallEntry };
  delete: {
    req: { conversation_id: ConversationId; seqs: Seq[] };
    res: { conversation_id: ConversationId; seqs: Seq[] };
  };
  clear: {
    req: { conversation_id: ConversationId };
    res: { conversation_id: ConversationId; cleared_seq: Seq };
  };
  ack: { req: { conversation_id: ConversationId; seq: Seq }; res: null };
  read: {
    req: { conversation_id: ConversationId; seq: Seq };
    res: { conversation_id: ConversationId; read_seq: Seq };
  };
  read_state: { req: { conversation_id: ConversationId; seq: Seq }; res: ReadState };
  typing: { req: { conversation_id: ConversationId }; res: null };
  'presence.subscribe': { req: { user_ids: UserId[] }; res: { presence: Record<string, boolean> } };
  'presence.unsubscribe': { req: { user_ids: UserId[] }; res: null };
  'conversations.list': { req: undefined; res: { conversations: ConversationSummary[] } };
  'conversation.get': { req: { conversation_id: ConversationId }; res: ConversationSummary };
  'conversation.members': { req: { conversation_id: ConversationId }; res: { members: Member[] } };
  'conversation.open_direct': { req: { peer_id: UserId }; res: ConversationSummary };
  'conversation.create_group': { req: { name: string; member_ids: UserId[] }; res: ConversationSummary };
  'conversation.settings': {
    req: { conversation_id: ConversationId; pinned?: boolean; muted?: boolean; draft?: string };
    res: ConversationSettings;
  };
  'group.invite': { req: { conversation_id: ConversationId; user_ids: UserId[] }; res: MemberJoinedEntry };
  'group.leave': { req: { conversation_id: ConversationId }; res: MemberLeftEntry };
  'sessions.list': { req: undefined; res: { sessions: SessionInfo[] } };
  'sessions.sign_out': { req: { session_id: number }; res: null };
  logout: { req: undefined; res: null };
  'profile.get': { req: { user_id?: UserId }; res: User };
  'profile.update': {
    req: Partial<Pick<User, 'nickname' | 'avatar' | 'signature' | 'work_email' | 'office_phone' | 'desk'>>;
    res: User;
  };
}
export type OpName = keyof Ops;
export type OpRequest<O extends OpName> = Ops[O]['req'];
export type OpReply<O extends OpName> = Ops[O]['res'];

// ---- pushes -----------------------------------------------------------------------------

export type SignedOutReason = 'signed_in_elsewhere' | 'signed_out' | 'logged_out';

export interface Pushes {
  entry: Entry;
  private: PrivateEntry;
  receipt: { conversation_id: ConversationId; user_id: UserId; read_seq?: Seq; delivered_seq?: Seq };
  typing: { conversation_id: ConversationId; user_id: UserId };
  presence: { user_id: UserId; online: boolean };
  signed_out: { reason: SignedOutReason };
}
export type PushName = keyof Pushes;

// ---- REST auth --------------------------------------------------------------------------

export interface SignedIn {
  token: string;
  user: User;
  session_id: number;
  device_credential?: string;
}
