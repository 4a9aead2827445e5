/**
 * The Tidings wire protocol, typed from docs/protocol.md (the contract with the server).
 *
 * Every shape here mirrors a table in that document; when the document changes, this file
 * changes with it. Ids and seqs are JSON numbers; times are milliseconds since the epoch.
 *
 * What the server validates — message bodies and every op's data — comes from the server's own
 * models (generated/wire.ts, by scripts/gen_wire_types.py); replies and pushes, which the
 * server builds without models, are written here and their names checked against the server
 * (generated/conformance.ts).
 */

import type {
  FileKind,
  MessageBodies,
  MessageType,
  OpRequests,
  Platform,
  SiteBranding,
  SiteButtons,
  SiteCors,
  SiteLimits,
  SiteModules,
} from './generated/wire';

export type { FileKind, OpRequests, Platform, ServerCloseCode, ServerErrorCode } from './generated/wire';

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
  RequestTimeout: 'request_timeout',
  Unauthenticated: 'unauthenticated',
  InvalidToken: 'invalid_token',
  InvalidCredentials: 'invalid_credentials',
  AlreadyAuthenticated: 'already_authenticated',
  AccountTaken: 'account_taken',
  AccountDisabled: 'account_disabled',
  RateLimited: 'rate_limited',
  WeakPassword: 'weak_password',
  PasswordChangeRequired: 'password_change_required',
  RegistrationClosed: 'registration_closed',
  SecondFactorRequired: 'second_factor_required',
  DeviceConfirmationRequired: 'device_confirmation_required',
  InvalidCode: 'invalid_code',
  ChallengeExpired: 'challenge_expired',
  DestinationTaken: 'destination_taken',
  ChannelUnavailable: 'channel_unavailable',
  // Sign in with OpenID Connect (decision 0064)
  OidcNotConfigured: 'oidc_not_configured',
  OidcProviderUnreachable: 'oidc_provider_unreachable',
  OidcProviderRefused: 'oidc_provider_refused',
  OidcStateInvalid: 'oidc_state_invalid',
  OidcNonceMismatch: 'oidc_nonce_mismatch',
  OidcIdTokenInvalid: 'oidc_id_token_invalid',
  OidcClaimMissing: 'oidc_claim_missing',
  OidcUserUnknown: 'oidc_user_unknown',
  // Apps (issue 14, decision 0065)
  InvalidScope: 'invalid_scope',
  InsufficientScope: 'insufficient_scope',
  WebhookUrlRefused: 'webhook_url_refused',
  // Workbench tickets (J6, decision 0069)
  InvalidTicket: 'invalid_ticket',
  ExternalIdTaken: 'external_id_taken',
  TooManyUsers: 'too_many_users',
  SsoTicketInvalid: 'sso_ticket_invalid',
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
  // Broadcasts (decision 0058): the chosen audience reaches nobody.
  EmptyAudience: 'empty_audience',
  // Contacts, organization and groups
  Muted: 'muted',
  Blocked: 'blocked',
  PendingModeration: 'pending_moderation',
  MessageRejected: 'message_rejected',
  GroupDisbanded: 'group_disbanded',
  PrivateChatForbidden: 'private_chat_forbidden',
  Cycle: 'cycle',
  DepartmentNotEmpty: 'department_not_empty',
  OrgChanged: 'org_changed',
  InvalidInvite: 'invalid_invite',
  BadFile: 'bad_file',
  // Files
  UploadOffsetMismatch: 'upload_offset_mismatch',
  UploadLocked: 'upload_locked',
  UploadIncomplete: 'upload_incomplete',
  FileTooLarge: 'file_too_large',
  QuotaExceeded: 'quota_exceeded',
  NotAnImage: 'not_an_image',
  WrongFileKind: 'wrong_file_kind',
  FileExpired: 'file_expired',
  FileInUse: 'file_in_use',
  InvalidLink: 'invalid_link',
  UnsupportedMediaType: 'unsupported_media_type',
  TusVersionUnsupported: 'tus_version_unsupported',
  UnsupportedChecksum: 'unsupported_checksum',
  ChecksumMismatch: 'checksum_mismatch',
  RangeNotSatisfiable: 'range_not_satisfiable',
  // A contact card naming someone the sender may not see.
  UnknownContact: 'unknown_contact',
  // Favourites (issue 12): the most a user may keep are kept already.
  FavoritesFull: 'favorites_full',
  // Stickers (issue 12): my collection is full.
  TooManyStickers: 'too_many_stickers',
  // Burn after reading (direct chats)
  BurnAfterReading: 'burn_after_reading',
  BurnDirectOnly: 'burn_direct_only',
  // Calls (decision 0074)
  CallEnded: 'call_ended',
  CallAnsweredElsewhere: 'call_answered_elsewhere',
  InAnotherCall: 'in_another_call',
  CallsDirectOnly: 'calls_direct_only',
  // Group calls (decision 0078): no SFU on this server; the call is as full as it may be.
  GroupCallsUnavailable: 'group_calls_unavailable',
  CallFull: 'call_full',
  // Web Push (issue 12): push is off on the server; an endpoint it may not call.
  PushUnavailable: 'push_unavailable',
  PushEndpointRefused: 'push_endpoint_refused',
  // Privacy and the password lock (h/me)
  WrongLockCode: 'wrong_lock_code',
  LockCodeRequired: 'lock_code_required',
  LockNotSet: 'lock_not_set',
  NotAcceptingFriends: 'not_accepting_friends',
  InvalidAvatar: 'invalid_avatar',
  /** An administrator turned this module off (site settings); `details.module` names it. */
  FeatureDisabled: 'feature_disabled',
  // Content moderation (K7): the server's word list refused a text; a word list change too large.
  ContentBlocked: 'content_blocked',
  TooManyWords: 'too_many_words',
  // Customer service (decision 0066)
  VisitorNotAllowed: 'visitor_not_allowed',
  NotAnAgent: 'not_an_agent',
  ServiceChatTaken: 'service_chat_taken',
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
// Generated from the server's models (generated/wire.ts): the bodies the server validates.

export type {
  ContactCardBody,
  CustomCardBody,
  FileBody,
  ImageBody,
  LocationBody,
  MessageBodies,
  MessageType,
  NoticeBody,
  StickerBody,
  TextBody,
  VideoBody,
  VoiceBody,
} from './generated/wire';

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

export type PowerName = 'approve_joins' | 'remove_members' | 'mute' | 'recall' | 'edit_info' | 'announcements' | 'moderate';
export const POWERS: readonly PowerName[] = [
  'approve_joins',
  'remove_members',
  'mute',
  'recall',
  'edit_info',
  'announcements',
  'moderate',
];
export type JoinMode = 'open' | 'approval' | 'invite_code' | 'back_office';
export type ViewMode = 'all' | 'do_not_disturb' | 'admins_only';

/** The group settings every member sees (`group.info`, `group_updated`). */
export interface GroupSettings {
  name: string;
  avatar: string;
  intro: string;
  join_mode: JoinMode;
  mute_all: boolean;
  moderation: boolean;
  forbid_private_chat: boolean;
  size_limit: number | null;
}

/** Group governance entries (docs/protocol.md, "Group entries"). */
export interface GroupEntryBodies {
  group_updated: Partial<GroupSettings>;
  role_changed: { user_id: UserId; role: 'admin' | 'member'; powers: PowerName[] };
  owner_changed: { previous_owner_id: UserId; owner_id: UserId };
  member_muted: { user_id: UserId; until: number };
  member_unmuted: { user_id: UserId };
  member_removed: { user_id: UserId; remover_id: UserId };
  group_disbanded: Record<string, never>;
  announcement_posted: { announcement_id: number; text: string; pinned: boolean };
  announcement_edited: { announcement_id: number; text: string; pinned: boolean };
  message_marked: { target_seq: Seq; important: boolean };
}
export type GroupEntryKind = keyof GroupEntryBodies;
export type GroupEntry = {
  [K in GroupEntryKind]: EntryBase & { kind: K; type: null; body: GroupEntryBodies[K] };
}[GroupEntryKind];

// Burn after reading in direct chats (docs/protocol.md, "Burn after reading").
export interface BurnOpenedEntry extends EntryBase {
  kind: 'burn_opened';
  type: null;
  body: { target_seq: Seq; opened_at: number; burn_at: number };
}
/** The target is tombstoned: `recalled: true`, body `{burned: true}`. */
export interface BurnedEntry extends EntryBase {
  kind: 'burned';
  type: null;
  body: { target_seq: Seq };
}
export interface BurnModeEntry extends EntryBase {
  kind: 'burn_mode';
  type: null;
  body: { user_id: UserId; enabled: boolean };
}
export type BurnEntry = BurnOpenedEntry | BurnedEntry | BurnModeEntry;
/** `burn.open`'s reply. */
export interface BurnOpening {
  conversation_id: ConversationId;
  seq: Seq;
  reader_id: UserId;
  opened_at: number;
  burn_at: number;
  burned: boolean;
}
/** `burn.mode`'s reply: who has the chat's burn mode on. */
export interface BurnMode {
  conversation_id: ConversationId;
  enabled_by: UserId[];
}

// One-to-one calls (docs/protocol.md, "Calls"; decision 0074).
export type CallMedia = 'audio' | 'video';
export type CallState = 'ringing' | 'active' | 'ended';
/** How a call ended; also the `type` of its `call` entry. */
export type CallOutcome = 'ended' | 'missed' | 'declined' | 'cancelled' | 'busy';
export type CallKind = 'direct' | 'group';
/** What a call ended in, as the chat keeps it: `sender_id` is the caller. A group call
 * (decision 0078) leaves `group_started` when it starts and `ended` when the last one leaves,
 * both with `group: true`, sent by the member who started it. */
export interface CallEntry extends EntryBase {
  kind: 'call';
  type: CallOutcome | 'group_started';
  body: {
    call_id: number;
    media: CallMedia;
    duration_ms?: number;
    hangup?: 'hangup' | 'lost';
    group?: boolean;
    participants?: number;
  };
}
export interface CallParticipant {
  user_id: UserId;
  /** The device in the call: the caller's from the start, the callee's once answered. */
  session_id: number | null;
  audio: boolean;
  video: boolean;
  screen: boolean;
  /** Group calls: in the call now (not left, media not lost), since when, muted by a host. */
  live: boolean;
  joined_at: number | null;
  host_muted: boolean;
}
export interface Call {
  id: number;
  kind: CallKind;
  conversation_id: ConversationId;
  /** Who called, or who started a group call. */
  caller_id: UserId;
  /** Null for a group call. */
  callee_id: UserId | null;
  media: CallMedia;
  state: CallState;
  created_at: number;
  ring_deadline: number;
  accepted_at: number | null;
  ended_at: number | null;
  end_reason: CallOutcome | null;
  duration_ms: number | null;
  participants: CallParticipant[];
  /** How many are in a group call now. */
  live_count: number;
}
/** Group calls: the SFU's offer of what this device receives, and which user each stream
 * (by its mid) comes from. */
export interface GroupCallSignal {
  call_id: number;
  description: { type: 'offer'; sdp: string };
  streams: { mid: string; type: 'audio' | 'video' | 'data'; user_id: UserId | null; active: boolean }[];
}
export interface CallTalking {
  call_id: number;
  user_id: UserId;
  talking: boolean;
}
export interface IceServers {
  ice_servers: { urls: string[]; username?: string; credential?: string }[];
  ttl: number;
}
export interface CallSignal {
  call_id: number;
  from_user_id: UserId;
  description?: { type: 'offer' | 'answer'; sdp: string };
  candidate?: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null };
}

export type Entry = MessageEntry | RecallEntry | GroupCreatedEntry | MemberJoinedEntry | MemberLeftEntry | GroupEntry | BurnEntry | CallEntry;
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
  // Contacts, organization and groups
  friend_request: { request_id: number; from_user: UserCard; message: string };
  friend_request_sent: { request_id: number; to_user_id: UserId; message: string };
  friend_request_decided: {
    request_id: number;
    from_user_id: UserId;
    to_user_id: UserId;
    decision: 'accepted' | 'rejected' | 'ignored';
  };
  friend_added: { user: UserCard; remark: string; tags: string[]; contact_group_id: number | null };
  friend_removed: { user_id: UserId };
  contact_updated: ContactNotes;
  contact_groups: { groups: ContactGroup[]; moved?: { from: number; to: number | null } };
  user_blocked: { user_id: UserId };
  user_unblocked: { user_id: UserId };
  departments_changed: { departments: { id: number; name: string; position: string }[] };
  // Privacy and the password lock (h/me)
  privacy_changed: PrivacyChoices;
  lock_changed: ChatLockState;
  join_request: JoinRequest;
  join_request_decided: { request_id: number; conversation_id: ConversationId; user_id: UserId; approved: boolean };
  moderation_pending: { pending_id: number; conversation_id: ConversationId; sender_id: UserId };
  moderation_decided: { pending_id: number; conversation_id: ConversationId; approved: boolean; seq: Seq | null };
  message_rejected: { pending_id: number; conversation_id: ConversationId; client_msg_id: string; reason: string };
  group_view_mode: { conversation_id: ConversationId; view_mode: ViewMode };
  announcement_read: { conversation_id: ConversationId; announcement_id: number };
  // Settings kept on the server (issue 12)
  settings_changed: SettingsReply;
}
export type PrivateKind = keyof PrivateData;

// ---- settings kept on the server (issue 12; docs/protocol.md) ---------------------------

/** A do-not-disturb schedule: quiet on `days` (ISO weekdays, 1 = Monday) from `start` to `end` ("HH:MM", local time; an end at or before the start runs past midnight). */
export interface DndSchedule {
  kind: 'work' | 'night' | 'weekend' | 'custom';
  enabled?: boolean;
  days: number[];
  start: string;
  end: string;
}

export interface DndSettings {
  schedules?: DndSchedule[];
  /** An IANA zone; the schedules are in its local time. */
  time_zone?: string;
  exceptions?: { mentions?: boolean; starred?: boolean };
}

export interface NotificationChoices {
  enabled?: boolean;
  sound?: boolean;
  /** Show the message text in notifications. */
  preview?: boolean;
  calls_sound?: boolean;
}

export interface ConversationChoice {
  sound?: boolean;
  popup?: boolean;
}

export type ShortcutAction = 'send' | 'screenshot' | 'search' | 'next_unread';

/** The settings as stored: a key never set is absent (the client's default applies). */
export interface ServerSettings {
  locale?: 'zh-CN' | 'en';
  theme?: 'light' | 'dark';
  font_size?: 'small' | 'medium' | 'large' | 'xlarge';
  wallpaper?: 'none' | 'dawn' | 'mint' | 'dots' | 'night';
  send_key?: 'enter' | 'ctrl_enter';
  notifications?: NotificationChoices;
  dnd?: DndSettings;
  conversations?: Record<string, ConversationChoice>;
  shortcuts?: Partial<Record<ShortcutAction, string>>;
  /** Starred contacts (user ids): they come through do-not-disturb. */
  starred?: UserId[];
}

/** A partial change: `null` resets a key (or one conversation's choices) to the default. */
export type SettingsChanges = {
  [K in keyof ServerSettings]?: K extends 'conversations'
    ? Record<string, ConversationChoice | null> | null
    : ServerSettings[K] | null;
};

export interface SettingsReply {
  settings: ServerSettings;
  version: number;
}

export type PrivateEntry = {
  [K in PrivateKind]: { seq: Seq; kind: K; data: PrivateData[K]; created_at: number };
}[PrivateKind];

// ---- conversations ----------------------------------------------------------------------

/** `service`: a customer-service chat, a visitor and the agent serving them (decision 0066). */
export type ConversationType = 'direct' | 'group' | 'system' | 'service';
export type Role = 'owner' | 'admin' | 'member';

export interface PeerPosition {
  user_id: UserId;
  read_seq: Seq;
  delivered_seq: Seq;
  /** The peer's avatar (`file:<id>`, `emoji:…` or ""). */
  avatar?: string;
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
  /** Groups: the group's avatar (`emoji:🚀`), "" for none. */
  avatar?: string;
  /** A group one has left (`conversation.get` only): readable up to this seq, read-only. */
  left_seq?: Seq;
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

// ---- contacts, organization and groups --------------------------------------------------

/** What anyone allowed to see a user is shown (search results, requests). */
export interface UserCard {
  id: UserId;
  account: string;
  nickname: string;
  avatar: string;
  signature: string;
}

/** My notes about a friend. */
export interface ContactNotes {
  user_id: UserId;
  remark: string;
  tags: string[];
  contact_group_id: number | null;
}

export interface ContactGroup {
  id: number;
  parent_id: number | null;
  name: string;
}

export interface DepartmentRef {
  id: number;
  name: string;
  position: string;
}

/** `profile.get`: the user with the departments I may see and my notes about them. */
export interface Profile extends User {
  departments?: DepartmentRef[];
  contact?: ContactNotes | null;
  /** Whether I blocked them (never whether they blocked me). */
  blocked?: boolean;
}

export interface SearchedUser extends UserCard {
  is_friend: boolean;
  remark: string;
  departments: DepartmentRef[];
}

export interface FriendRequests {
  pending_count: number;
  incoming: { request_id: number; from_user: UserCard; message: string; created_at: number }[];
  outgoing: { request_id: number; to_user: UserCard; message: string; created_at: number }[];
}

export interface Friend extends ContactNotes {
  user: UserCard;
}

export interface OrgDepartment {
  id: number;
  parent_id: number | null;
  name: string;
  hidden: boolean;
  member_count: number;
}

export interface OrgTree {
  version: number;
  company: string;
  departments: OrgDepartment[];
}

/** One department on a path from the top of the organization. */
export interface PathItem {
  id: number;
  name: string;
}

export interface OrgDepartmentPage {
  department: { id: number; parent_id: number | null; name: string };
  /** "Company/Sales/East": the names from the top. */
  path: string;
  /** The same path as departments, from the top (this one last). */
  path_items?: PathItem[];
  children: { id: number; name: string }[];
  members: (UserCard & { position: string })[];
  next_after_user_id: UserId | null;
}

export interface GroupInfo extends GroupSettings {
  id: ConversationId;
  number: number;
  member_count: number;
  created_at: number;
  disbanded: boolean;
  size_limit: number;
  role: Role;
  powers: PowerName[];
  muted_until: number | null;
  view_mode: ViewMode;
  keywords?: string[];
  rate_count?: number;
  rate_seconds?: number;
}

export interface GroupMember {
  user_id: UserId;
  role: Role;
  powers: PowerName[];
  /** ms; -1 forever; null or past: not muted. */
  muted_until: number | null;
  nickname: string;
  avatar: string;
}

export interface JoinRequest {
  id: number;
  conversation_id: ConversationId;
  user_id: UserId;
  message: string;
  status: string;
  created_at: number;
  /** The member whose invite it is; null when the user asked to join. */
  invited_by?: UserId | null;
}

/** `group.invite` from a member who cannot approve joins in an approval group. */
export interface InvitePending {
  status: 'pending';
  requests: JoinRequest[];
}

export interface QueuedMessage {
  id: number;
  conversation_id: ConversationId;
  sender_id: UserId;
  client_msg_id: string;
  type: MessageType;
  body: MessageBodies[MessageType];
  reply_to_seq: Seq | null;
  status: string;
  reason: string | null;
  created_at: number;
}

export interface Announcement {
  id: number;
  conversation_id: ConversationId;
  author_id: UserId;
  text: string;
  pinned: boolean;
  created_at: number;
  edited_at: number | null;
  read?: boolean;
}

export interface BlacklistEntry {
  user_id: UserId;
  added_by: UserId;
  created_at: number;
}

export type GroupUpdate = Partial<Omit<GroupSettings, 'size_limit'>> & {
  keywords?: string[];
  rate_count?: number;
  rate_seconds?: number;
  size_limit?: number;
};

// ---- files ------------------------------------------------------------------------------


export interface FileInfo {
  id: string;
  uploader_id: UserId;
  name: string;
  mime: string;
  kind: FileKind;
  size: number;
  state: 'uploading' | 'complete' | 'purged';
  created_at: number;
  completed_at: number | null;
  expires_at: number | null;
  expired: boolean;
  url: string;
  thumbnail_url?: string | null;
  width?: number;
  height?: number;
  duration_ms?: number;
  animated?: boolean;
}

export interface SignedLink {
  url: string;
  expires_at: number;
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
  auth: {
    req: OpRequests['auth'];
    res: { user: User; session_id: number; password_change_required?: boolean };
  };
  ping: { req: undefined; res: { now: number } };
  sync: { req: OpRequests['sync']; res: SyncReply };
  history: {
    req: OpRequests['history'];
    res: HistoryReply;
  };
  send: { req: SendRequest; res: Entry };
  forward: {
    req: OpRequests['forward'];
    res: { entries: Entry[] };
  };
  recall: { req: OpRequests['recall']; res: RecallEntry };
  'burn.open': { req: OpRequests['burn.open']; res: BurnOpening };
  'call.start': { req: OpRequests['call.start']; res: Call };
  'call.accept': { req: OpRequests['call.accept']; res: Call };
  'call.decline': { req: OpRequests['call.decline']; res: Call };
  'call.hangup': { req: OpRequests['call.hangup']; res: Call };
  'call.signal': { req: OpRequests['call.signal']; res: null };
  'call.media': { req: OpRequests['call.media']; res: Call };
  'call.get': { req: OpRequests['call.get']; res: Call };
  'call.current': { req: OpRequests['call.current']; res: { call: Call | null } };
  'call.ice_servers': { req: OpRequests['call.ice_servers']; res: IceServers };
  'call.join': { req: OpRequests['call.join']; res: Call };
  'call.leave': { req: OpRequests['call.leave']; res: Call };
  'call.publish': { req: OpRequests['call.publish']; res: { call_id: number; description: { type: 'answer'; sdp: string } } };
  'call.mute_member': { req: OpRequests['call.mute_member']; res: Call };
  'call.live': { req: OpRequests['call.live']; res: { calls: Call[]; available: boolean } };
  'burn.mode': { req: OpRequests['burn.mode']; res: BurnMode };
  'burn.set_mode': { req: OpRequests['burn.set_mode']; res: BurnMode };
  delete: {
    req: OpRequests['delete'];
    res: { conversation_id: ConversationId; seqs: Seq[] };
  };
  clear: {
    req: OpRequests['clear'];
    res: { conversation_id: ConversationId; cleared_seq: Seq };
  };
  ack: { req: OpRequests['ack']; res: null };
  read: {
    req: OpRequests['read'];
    res: { conversation_id: ConversationId; read_seq: Seq };
  };
  read_state: { req: OpRequests['read_state']; res: ReadState };
  typing: { req: OpRequests['typing']; res: null };
  'presence.subscribe': { req: OpRequests['presence.subscribe']; res: { presence: Record<string, boolean> } };
  'presence.unsubscribe': { req: OpRequests['presence.unsubscribe']; res: null };
  'conversations.list': { req: undefined; res: { conversations: ConversationSummary[] } };
  'conversation.get': { req: OpRequests['conversation.get']; res: ConversationSummary };
  'conversation.members': { req: OpRequests['conversation.members']; res: { members: Member[] } };
  'conversation.open_direct': { req: OpRequests['conversation.open_direct']; res: ConversationSummary };
  'conversation.create_group': { req: OpRequests['conversation.create_group']; res: ConversationSummary };
  'conversation.settings': {
    req: OpRequests['conversation.settings'];
    res: ConversationSettings;
  };
  'group.invite': { req: OpRequests['group.invite']; res: MemberJoinedEntry | InvitePending };
  'group.leave': { req: OpRequests['group.leave']; res: MemberLeftEntry };
  'sessions.list': { req: undefined; res: { sessions: SessionInfo[] } };
  'sessions.sign_out': { req: OpRequests['sessions.sign_out']; res: null };
  logout: { req: undefined; res: null };
  'profile.get': { req: OpRequests['profile.get']; res: Profile };
  'profile.update': {
    req: OpRequests['profile.update'];
    res: User;
  };
  // Contacts
  'contacts.search': {
    req: OpRequests['contacts.search'];
    res: { users: SearchedUser[]; has_more: boolean };
  };
  /** Cards of the people asked for that I may see, in the order asked (others left out). */
  'users.lookup': { req: OpRequests['users.lookup']; res: { users: SearchedUser[] } };
  'friends.request': { req: OpRequests['friends.request']; res: { request_id: number; status: string } };
  'friends.requests': { req: undefined; res: FriendRequests };
  'friends.accept': { req: OpRequests['friends.accept']; res: { request_id: number; status: string } };
  'friends.reject': { req: OpRequests['friends.reject']; res: { request_id: number; status: string } };
  'friends.ignore': { req: OpRequests['friends.ignore']; res: { request_id: number; status: string } };
  'friends.list': { req: undefined; res: { friends: Friend[]; contact_groups: ContactGroup[] } };
  'friends.remove': { req: OpRequests['friends.remove']; res: null };
  'contacts.update': {
    req: OpRequests['contacts.update'];
    res: ContactNotes;
  };
  'contact_groups.create': { req: OpRequests['contact_groups.create']; res: ContactGroup };
  'contact_groups.rename': { req: OpRequests['contact_groups.rename']; res: PrivateData['contact_groups'] };
  'contact_groups.move': { req: OpRequests['contact_groups.move']; res: PrivateData['contact_groups'] };
  'contact_groups.delete': { req: OpRequests['contact_groups.delete']; res: PrivateData['contact_groups'] };
  'blocks.add': { req: OpRequests['blocks.add']; res: { user_id: UserId; blocked: boolean } };
  'blocks.remove': { req: OpRequests['blocks.remove']; res: { user_id: UserId; blocked: boolean } };
  'blocks.list': { req: undefined; res: { blocked: UserCard[] } };
  // Organization
  'org.tree': { req: undefined; res: OrgTree };
  'org.department': {
    req: OpRequests['org.department'];
    res: OrgDepartmentPage;
  };
  'org.search': {
    req: OpRequests['org.search'];
    res: { departments: { id: number; name: string; path: string; path_items?: PathItem[] }[]; users: SearchedUser[]; has_more: boolean };
  };
  // Groups
  'group.info': { req: OpRequests['group.info']; res: GroupInfo };
  'group.find': {
    req: OpRequests['group.find'];
    res: { id: ConversationId; number: number; name: string; avatar: string; intro: string; member_count: number; join_mode: JoinMode };
  };
  'group.join': {
    req: OpRequests['group.join'];
    res: { status: 'joined' | 'pending'; entry?: Entry; request?: JoinRequest };
  };
  'group.members': {
    req: OpRequests['group.members'];
    res: { members: GroupMember[]; next_after_user_id: UserId | null };
  };
  'group.update': { req: OpRequests['group.update']; res: GroupInfo };
  'group.set_admin': {
    req: OpRequests['group.set_admin'];
    res: Entry;
  };
  'group.transfer': { req: OpRequests['group.transfer']; res: Entry };
  'group.disband': { req: OpRequests['group.disband']; res: Entry };
  'group.mute': { req: OpRequests['group.mute']; res: Entry };
  'group.unmute': { req: OpRequests['group.unmute']; res: Entry };
  'group.remove': {
    req: OpRequests['group.remove'];
    res: Entry;
  };
  'group.blacklist': { req: OpRequests['group.blacklist']; res: { blacklist: BlacklistEntry[] } };
  'group.blacklist.add': {
    req: OpRequests['group.blacklist.add'];
    res: { blacklist: BlacklistEntry[] };
  };
  'group.blacklist.remove': {
    req: OpRequests['group.blacklist.remove'];
    res: { blacklist: BlacklistEntry[] };
  };
  'group.join_requests': { req: OpRequests['group.join_requests']; res: { requests: JoinRequest[] } };
  'group.decide_join': {
    req: OpRequests['group.decide_join'];
    res: { request_id: number; approved: boolean; entry?: Entry };
  };
  'group.moderation_queue': { req: OpRequests['group.moderation_queue']; res: { pending: QueuedMessage[] } };
  'group.moderate': {
    req: OpRequests['group.moderate'];
    res: { pending_id: number; approved: boolean; entry?: Entry };
  };
  'group.announcements': { req: OpRequests['group.announcements']; res: { announcements: Announcement[] } };
  'group.announcement.post': {
    req: OpRequests['group.announcement.post'];
    res: Announcement;
  };
  'group.announcement.edit': {
    req: OpRequests['group.announcement.edit'];
    res: Announcement;
  };
  'group.announcement.read': { req: OpRequests['group.announcement.read']; res: { announcement_id: number; read: boolean } };
  'group.mark': {
    req: OpRequests['group.mark'];
    res: Entry;
  };
  'group.board': {
    req: OpRequests['group.board'];
    res: { items: { reason: 'important' | 'mention_all'; entry: Entry }[] };
  };
  'group.view_mode': {
    req: OpRequests['group.view_mode'];
    res: PrivateData['group_view_mode'];
  };
  // Settings kept on the server and Web Push (issue 12)
  'settings.get': { req: undefined; res: SettingsReply };
  'settings.update': { req: { changes: SettingsChanges; version?: number }; res: SettingsReply };
  'push.config': { req: undefined; res: { vapid_public_key: string | null } };
  'push.subscribe': { req: OpRequests['push.subscribe']; res: null };
  'push.unsubscribe': { req: OpRequests['push.unsubscribe']; res: null };
  // Files
  'files.info': { req: OpRequests['files.info']; res: FileInfo };
  'files.link': {
    req: OpRequests['files.link'];
    res: SignedLink;
  };
  // The composer's "+" panel (issue 12): my stickers and the map settings.
  'stickers.list': { req: OpRequests['stickers.list']; res: { stickers: Sticker[]; max: number } };
  'stickers.add': { req: OpRequests['stickers.add']; res: Sticker };
  'stickers.remove': { req: OpRequests['stickers.remove']; res: null };
  'map.config': { req: OpRequests['map.config']; res: MapConfig };
  // Privacy and the password lock (h/me)
  'me.privacy.get': { req: undefined; res: PrivacyChoices };
  'me.privacy.update': { req: OpRequests['me.privacy.update']; res: PrivacyChoices };
  'me.lock.get': { req: undefined; res: ChatLockState };
  'me.lock.set': { req: OpRequests['me.lock.set']; res: ChatLockState };
  'me.lock.verify': { req: OpRequests['me.lock.verify']; res: { ok: true } };
}
export type OpName = keyof Ops;

/** One of my saved stickers (`stickers.list`), the latest saved first. */
export interface Sticker {
  file_id: string;
  width: number;
  height: number;
  mime: string;
  animated: boolean;
  emoji: string | null;
  added_at: number;
  expired: boolean;
}

/** The server's map tiles for location messages (`map.config`); `tile_url` null: no map tiles. */
export interface MapConfig {
  tile_url: string | null;
  attribution: string | null;
  max_zoom: number;
}
export type OpRequest<O extends OpName> = Ops[O]['req'];
export type OpReply<O extends OpName> = Ops[O]['res'];

// ---- pushes -----------------------------------------------------------------------------

export type SignedOutReason = 'signed_in_elsewhere' | 'signed_out' | 'logged_out' | 'password_changed' | 'password_reset' | 'account_frozen';

export interface Pushes {
  entry: Entry;
  private: PrivateEntry;
  receipt: { conversation_id: ConversationId; user_id: UserId; read_seq?: Seq; delivered_seq?: Seq };
  typing: { conversation_id: ConversationId; user_id: UserId };
  presence: { user_id: UserId; online: boolean };
  signed_out: { reason: SignedOutReason };
  /** The organization changed; refetch `org.tree`. */
  org_changed: { version: number };
  /** An administrator changed the site settings: the whole document, as the public endpoint. */
  site_settings_changed: SiteSettingsSnapshot;
  /** To customer-service agents: a chat entered, moved in or left the queue (decision 0066). */
  service_queue: { conversation_id: ConversationId; state: 'waiting' | 'taken' | 'closed'; agent_id: UserId | null };
  /** Calls (decision 0074): ringing on every device of the callee. */
  call_incoming: Call;
  /** Answered on one device: the others stop ringing. */
  call_accepted: Call;
  /** Mute, camera, screen sharing, or the caller's other devices told of a call. */
  call_updated: Call;
  call_ended: Call;
  /** To the device in the call only: the other side's offer, answer or ICE candidate. */
  call_signal: CallSignal;
  /** Group calls (decision 0078), to every member of the group: started, who is in it, ended. */
  call_group: Call;
  /** To the device in the group call only: the SFU's offer of the others' media. */
  call_group_signal: GroupCallSignal;
  /** To the devices in the group call: who speaks now (the SFU's audio levels). */
  call_talking: CallTalking;
}

// ---- site settings (decision 0057) ------------------------------------------------------

/** The site settings in force: every key present (the server fills in the defaults). */
export interface SiteSettings {
  modules: Required<SiteModules>;
  buttons: Required<SiteButtons>;
  limits: SiteLimits;
  branding: Required<SiteBranding>;
  /** Origins whose pages may use the server cross-origin (decision 0063). */
  cors: SiteCors;
}
export type SiteModule = keyof SiteModules;
export type SiteButton = keyof SiteButtons;

/** `GET /api/v1/public/settings` and the `site_settings_changed` push. */
export interface SiteSettingsSnapshot {
  version: number;
  settings: SiteSettings;
}
export type PushName = keyof Pushes;

// ---- REST auth --------------------------------------------------------------------------

export interface SignedIn {
  token: string;
  user: User;
  session_id: number;
  device_credential?: string;
  /** Marks this device as known for this user; sent back with the next sign-in. */
  device_token?: string;
  /** Signed in with an admin's one-time password: only changing it is allowed. */
  password_change_required?: boolean;
}

// ---- privacy and the password lock (h/me) -------------------------------------------------

export type FindBy = 'everyone' | 'friends' | 'nobody';
export type AddMe = 'everyone' | 'verify' | 'nobody';

/** Who may find me, add me, see me online, see my reading (enforced by the server). */
export interface PrivacyChoices {
  find_by_phone: FindBy;
  find_by_account: FindBy;
  add_me: AddMe;
  show_online: boolean;
  send_read_receipts: boolean;
}

/** The password lock as every device of the user sees it (the code stays on the server, hashed). */
export interface ChatLockState {
  has_code: boolean;
  /** The whole app locks after this many idle minutes; 0: never. */
  idle_minutes: number;
  conversation_ids: ConversationId[];
  version: number;
}
