/**
 * The wire types the server validates, generated from its pydantic models by
 * scripts/gen_wire_types.py. Do not edit: run the script after changing the server's schemas
 * (tests/test_wire_types.py fails until then).
 *
 * Message bodies are typed as they travel: a field the server leaves out when it holds its
 * default is optional. Inputs are typed as the server accepts them: `null` where it means
 * something (clear, unset), optional where there is a default.
 */

// ---- names the server uses -----------------------------------------------------------------

/** Message types (tidings.domain.bodies.MessageType). */
export type MessageType =
  | 'text'
  | 'image'
  | 'file'
  | 'voice'
  | 'video'
  | 'location'
  | 'contact_card'
  | 'custom_card'
  | 'sticker'
  | 'notice'
  | 'chat_record';

/** Every error code the server sends (tidings.domain.errors). */
export type ServerErrorCode =
  | 'malformed_json'
  | 'invalid_utf8'
  | 'invalid_input'
  | 'unknown_op'
  | 'frame_too_large'
  | 'payload_too_large'
  | 'request_timeout'
  | 'unauthenticated'
  | 'invalid_token'
  | 'invalid_credentials'
  | 'already_authenticated'
  | 'account_taken'
  | 'account_disabled'
  | 'rate_limited'
  | 'weak_password'
  | 'password_change_required'
  | 'registration_closed'
  | 'second_factor_required'
  | 'device_confirmation_required'
  | 'invalid_code'
  | 'challenge_expired'
  | 'destination_taken'
  | 'channel_unavailable'
  | 'oidc_not_configured'
  | 'oidc_provider_unreachable'
  | 'oidc_provider_refused'
  | 'oidc_state_invalid'
  | 'oidc_nonce_mismatch'
  | 'oidc_id_token_invalid'
  | 'oidc_claim_missing'
  | 'oidc_user_unknown'
  | 'invalid_scope'
  | 'insufficient_scope'
  | 'webhook_url_refused'
  | 'invalid_ticket'
  | 'external_id_taken'
  | 'too_many_users'
  | 'sso_ticket_invalid'
  | 'forbidden'
  | 'not_found'
  | 'not_member'
  | 'not_friends'
  | 'file_too_large'
  | 'quota_exceeded'
  | 'tus_version_unsupported'
  | 'unsupported_media_type'
  | 'upload_offset_mismatch'
  | 'upload_locked'
  | 'upload_incomplete'
  | 'unsupported_checksum'
  | 'checksum_mismatch'
  | 'not_an_image'
  | 'wrong_file_kind'
  | 'file_expired'
  | 'file_in_use'
  | 'range_not_satisfiable'
  | 'invalid_link'
  | 'not_your_message'
  | 'recall_window_passed'
  | 'not_recallable'
  | 'group_full'
  | 'conflict'
  | 'muted'
  | 'blocked'
  | 'pending_moderation'
  | 'message_rejected'
  | 'group_disbanded'
  | 'private_chat_forbidden'
  | 'cycle'
  | 'department_not_empty'
  | 'org_changed'
  | 'invalid_invite'
  | 'bad_file'
  | 'unknown_contact'
  | 'favorites_full'
  | 'too_many_stickers'
  | 'burn_after_reading'
  | 'burn_direct_only'
  | 'call_ended'
  | 'call_answered_elsewhere'
  | 'in_another_call'
  | 'calls_direct_only'
  | 'group_calls_unavailable'
  | 'call_full'
  | 'push_unavailable'
  | 'push_endpoint_refused'
  | 'wrong_lock_code'
  | 'lock_code_required'
  | 'lock_not_set'
  | 'not_accepting_friends'
  | 'invalid_avatar'
  | 'feature_disabled'
  | 'empty_audience'
  | 'content_blocked'
  | 'too_many_words'
  | 'visitor_not_allowed'
  | 'not_an_agent'
  | 'service_chat_taken'
  | 'internal_error';

/** Every push the server sends (tidings.domain.events.PushEvent). */
export type PushName =
  | 'entry'
  | 'private'
  | 'receipt'
  | 'typing'
  | 'presence'
  | 'signed_out'
  | 'org_changed'
  | 'site_settings_changed'
  | 'service_queue'
  | 'call_incoming'
  | 'call_accepted'
  | 'call_updated'
  | 'call_ended'
  | 'call_signal'
  | 'call_group'
  | 'call_group_signal'
  | 'call_talking';

/** WebSocket close codes the server uses. */
export type ServerCloseCode =
  | 1000
  | 1001
  | 1008
  | 4000
  | 4001
  | 4002
  | 4003
  | 4004;

/** Where a session runs. */
export type Platform =
  | 'web'
  | 'desktop'
  | 'ios'
  | 'android'
  | 'api';

/** What a stored file is. */
export type FileKind =
  | 'image'
  | 'video'
  | 'voice'
  | 'file';

// ---- message bodies, as they travel --------------------------------------------------------

export interface TextBody {
  burn?: boolean;
  /** min length 1 */
  text: string;
  /** at most 100 items; each: > 0 */
  mentions?: number[];
  mention_all?: boolean;
}

export interface ImageBody {
  burn?: boolean;
  /** pattern ^[A-Za-z0-9_-]{1,64}$ */
  file_id: string;
  /** > 0; ≤ 100000 */
  width: number;
  /** > 0; ≤ 100000 */
  height: number;
  /** ≥ 0 */
  size?: number;
  /** max length 200 */
  name?: string;
  /** ≥ 0 */
  expires_at?: number;
}

export interface FileBody {
  burn?: boolean;
  /** pattern ^[A-Za-z0-9_-]{1,64}$ */
  file_id: string;
  /** min length 1; max length 255 */
  name: string;
  /** ≥ 0 */
  size: number;
  /** max length 200 */
  mime?: string;
  /** ≥ 0 */
  expires_at?: number;
}

export interface VoiceBody {
  burn?: boolean;
  /** pattern ^[A-Za-z0-9_-]{1,64}$ */
  file_id: string;
  /** > 0; ≤ 600000 */
  duration_ms: number;
  /** ≥ 0 */
  size?: number;
  /** ≥ 0 */
  expires_at?: number;
  /** at most 64 items; each: ≥ 0; ≤ 100 */
  waveform?: number[];
}

export interface VideoBody {
  burn?: boolean;
  /** pattern ^[A-Za-z0-9_-]{1,64}$ */
  file_id: string;
  /** > 0; ≤ 86400000 */
  duration_ms: number;
  /** > 0; ≤ 100000 */
  width: number;
  /** > 0; ≤ 100000 */
  height: number;
  /** ≥ 0 */
  size?: number;
  /** pattern ^[A-Za-z0-9_-]{1,64}$ */
  poster_file_id?: string;
  /** ≥ 0 */
  expires_at?: number;
}

export interface LocationBody {
  burn?: boolean;
  /** ≥ -90; ≤ 90 */
  latitude: number;
  /** ≥ -180; ≤ 180 */
  longitude: number;
  precision?: 'precise' | 'blurred';
  /** max length 200 */
  name?: string;
  /** max length 500 */
  address?: string;
}

export interface ContactCardBody {
  burn?: boolean;
  /** > 0 */
  user_id: number;
}

/** One labelled line of a card ("Amount: 1,200.00", "Status: approved"). */
export interface CardField {
  /** min length 1; max length 64 */
  label: string;
  /** max length 500 */
  value: string;
}

/**
 * A card from a host system: an order link from a web shop, an approval from a
 * workbench app (decision 0069).
 */
export interface CustomCardBody {
  burn?: boolean;
  /** min length 1; max length 200 */
  title: string;
  /** min length 1; uri */
  url: string;
  /** max length 1000 */
  description?: string;
  /** pattern ^\d{1,12}(\.\d{1,4})?$ */
  price?: string;
  /** pattern ^[A-Z]{3}$ */
  currency?: string;
  /** min length 1; uri */
  image_url?: string;
  /** max length 200 */
  source?: string;
  /** at most 20 items */
  fields?: CardField[];
}

export interface StickerBody {
  burn?: boolean;
  /** pattern ^[A-Za-z0-9_-]{1,64}$ */
  file_id: string;
  /** > 0; ≤ 4096 */
  width: number;
  /** > 0; ≤ 4096 */
  height: number;
  /** max length 16 */
  emoji?: string;
  /** ≥ 0 */
  expires_at?: number;
}

/** A picture shown in a notice (a broadcast's, decision 0058): an uploaded image file. */
export interface NoticeImage {
  /** pattern ^[A-Za-z0-9_-]{1,64}$ */
  file_id: string;
  /** > 0; ≤ 100000 */
  width: number;
  /** > 0; ≤ 100000 */
  height: number;
}

export interface NoticeBody {
  burn?: boolean;
  /** min length 1; max length 200 */
  title: string;
  /** max length 5000 */
  text?: string;
  /** min length 1; uri */
  url?: string;
  image?: NoticeImage;
}

/** One copied message: who sent it as they were named then, when, and what. */
export interface RecordItem {
  burn?: boolean;
  /** > 0 */
  sender_id: number;
  /** max length 100 */
  sender_name: string;
  /** max length 512 */
  sender_avatar?: string;
  /** ≥ 0 */
  sent_at: number;
  /** max length 32 */
  type: string;
  body: object;
}

export interface ChatRecordBody {
  burn?: boolean;
  /** min length 1; max length 200 */
  title: string;
  /** at least 1 items; at most 100 items */
  items: RecordItem[];
}

/** The body of each message type. */
export interface MessageBodies {
  'text': TextBody;
  'image': ImageBody;
  'file': FileBody;
  'voice': VoiceBody;
  'video': VideoBody;
  'location': LocationBody;
  'contact_card': ContactCardBody;
  'custom_card': CustomCardBody;
  'sticker': StickerBody;
  'notice': NoticeBody;
  'chat_record': ChatRecordBody;
}

// ---- inputs: WebSocket op data and REST request bodies -------------------------------------

export interface RegisterInput {
  /** pattern ^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$ */
  account: string;
  /** min length 1; max length 256 */
  password: string;
  /** min length 1; max length 64 */
  nickname: string;
  platform?: Platform;
  /** max length 100 */
  device_name?: string;
  remember?: boolean;
  /** min length 1; max length 64 */
  invite_code?: string | null;
}

export interface ChangePasswordInput {
  /** min length 1; max length 256 */
  current_password: string;
  /** min length 1; max length 256 */
  new_password: string;
  sign_out_others?: boolean;
}

export interface RegistrationInviteInput {
  /** ≥ 1; ≤ 100000 */
  max_uses?: number;
  /** ≥ 1; ≤ 31622400 */
  expires_in_seconds?: number | null;
}

export interface LoginInput {
  /** min length 1; max length 64 */
  account: string;
  /** min length 1; max length 256 */
  password: string;
  platform?: Platform;
  /** max length 100 */
  device_name?: string;
  remember?: boolean;
  /** min length 1; max length 128 */
  device_token?: string | null;
}

export type CodePurpose = 'login' | 'reset_password' | 'bind' | 'device';

/** How a code travels: an e-mail or an SMS. */
export type Channel = 'email' | 'sms';

export interface SendCodeInput {
  purpose: CodePurpose;
  channel: Channel;
  /** min length 1; max length 254 */
  destination: string;
}

export interface CodeLoginInput {
  channel: Channel;
  /** min length 1; max length 254 */
  destination: string;
  /** min length 1; max length 32 */
  code: string;
  platform?: Platform;
  /** max length 100 */
  device_name?: string;
  remember?: boolean;
  /** min length 1; max length 128 */
  device_token?: string | null;
}

export interface ResetPasswordInput {
  channel: Channel;
  /** min length 1; max length 254 */
  destination: string;
  /** min length 1; max length 32 */
  code: string;
  /** min length 1; max length 256 */
  new_password: string;
}

export type SecondStepMethod = 'totp' | 'recovery_code' | 'email' | 'sms';

export interface VerifySignInInput {
  /** min length 1; max length 128 */
  challenge: string;
  /** min length 1; max length 32 */
  code: string;
  method?: SecondStepMethod | null;
  remember?: boolean | null;
}

export interface ResendInput {
  /** min length 1; max length 128 */
  challenge: string;
}

export interface BindEmailInput {
  /** min length 1; max length 254 */
  email: string;
}

export interface BindPhoneInput {
  /** min length 1; max length 254 */
  phone: string;
}

export interface CodeInput {
  /** min length 1; max length 32 */
  code: string;
}

export interface PasswordInput {
  /** min length 1; max length 256 */
  password: string;
}

export interface DeviceLoginInput {
  /** min length 1; max length 128 */
  device_credential: string;
  /** min length 1; max length 128 */
  device_token?: string | null;
}

/** The web client spends the handoff of a single sign-on (docs/protocol.md). */
export interface OidcFinishInput {
  /** min length 1; max length 128 */
  handoff: string;
  platform?: Platform;
  /** max length 100 */
  device_name?: string;
  /** min length 1; max length 128 */
  device_token?: string | null;
}

export interface AuthInput {
  /** min length 1 */
  token: string;
}

export interface CreateConversationInput {
  /** pattern ^(direct|group)$ */
  type: string;
  /** > 0 */
  peer_id?: number | null;
  /** min length 1; max length 100 */
  name?: string | null;
  /** at most 10000 items; each: > 0 */
  member_ids?: number[];
  /** > 0 */
  via_group_id?: number | null;
}

export interface ConversationRef {
  /** > 0 */
  conversation_id: number;
}

export interface SendInput {
  /** min length 1; max length 64; pattern ^[A-Za-z0-9_:.\-]+$ */
  client_msg_id: string;
  /** max length 32 */
  type: string;
  body: object;
  /** > 0 */
  reply_to_seq?: number | null;
}

export interface SendOp {
  /** min length 1; max length 64; pattern ^[A-Za-z0-9_:.\-]+$ */
  client_msg_id: string;
  /** max length 32 */
  type: string;
  body: object;
  /** > 0 */
  reply_to_seq?: number | null;
  /** > 0 */
  conversation_id: number;
}

export interface ForwardInput {
  /** at least 1 items; at most 100 items; each: > 0 */
  seqs: number[];
  /** at least 1 items; at most 100 items; each: > 0 */
  target_ids: number[];
  /** max length 10000 */
  note?: string | null;
  /** min length 1; max length 64; pattern ^[A-Za-z0-9_:.\-]+$ */
  client_msg_id: string;
  merged?: boolean;
  /** max length 200 */
  title?: string | null;
}

export interface ForwardOp {
  /** at least 1 items; at most 100 items; each: > 0 */
  seqs: number[];
  /** at least 1 items; at most 100 items; each: > 0 */
  target_ids: number[];
  /** max length 10000 */
  note?: string | null;
  /** min length 1; max length 64; pattern ^[A-Za-z0-9_:.\-]+$ */
  client_msg_id: string;
  merged?: boolean;
  /** max length 200 */
  title?: string | null;
  /** > 0 */
  conversation_id: number;
}

export interface SeqInput {
  /** > 0 */
  seq: number;
}

export interface SeqOp {
  /** > 0 */
  seq: number;
  /** > 0 */
  conversation_id: number;
}

export interface SeqsInput {
  /** at least 1 items; at most 500 items; each: > 0 */
  seqs: number[];
}

export interface SeqsOp {
  /** at least 1 items; at most 500 items; each: > 0 */
  seqs: number[];
  /** > 0 */
  conversation_id: number;
}

export interface HistoryOp {
  /** > 0 */
  conversation_id: number;
  /** ≥ 0 */
  after_seq?: number | null;
  /** ≥ 0 */
  before_seq?: number | null;
  /** ≥ 0 */
  around_seq?: number | null;
  /** ≥ 1; ≤ 500 */
  limit?: number;
}

export interface SyncInput {
  /** ≥ 0 */
  private_seq?: number;
  /** ≥ 1; ≤ 1000 */
  limit?: number | null;
}

export interface SettingsInput {
  pinned?: boolean | null;
  muted?: boolean | null;
  /** max length 10000 */
  draft?: string | null;
}

export interface SettingsOp {
  pinned?: boolean | null;
  muted?: boolean | null;
  /** max length 10000 */
  draft?: string | null;
  /** > 0 */
  conversation_id: number;
}

export interface InviteInput {
  /** at least 1 items; at most 10000 items; each: > 0 */
  user_ids: number[];
}

export interface InviteOp {
  /** at least 1 items; at most 10000 items; each: > 0 */
  user_ids: number[];
  /** > 0 */
  conversation_id: number;
}

export interface PeerOp {
  /** > 0 */
  peer_id: number;
  /** > 0 */
  via_group_id?: number | null;
}

export interface CreateGroupOp {
  /** min length 1; max length 100 */
  name: string;
  /** at most 10000 items; each: > 0 */
  member_ids?: number[];
}

export interface UserIdsInput {
  /** at most 1000 items; each: > 0 */
  user_ids: number[];
}

export interface UserLookupInput {
  /** at least 1 items; at most 200 items; each: > 0 */
  user_ids: number[];
}

export interface SessionRef {
  /** > 0 */
  session_id: number;
}

export interface UserRef {
  /** > 0 */
  user_id?: number | null;
}

export type Empty = Record<string, never>;

export interface SearchInput {
  /** min length 1; max length 64 */
  query: string;
  /** ≥ 1; ≤ 100 */
  limit?: number;
  /** ≥ 0; ≤ 100000 */
  offset?: number;
}

export interface TargetUser {
  /** > 0 */
  user_id: number;
}

export interface FriendRequestInput {
  /** > 0 */
  user_id: number;
  /** max length 200 */
  message?: string;
}

export interface FriendRequestRef {
  /** > 0 */
  request_id: number;
}

export interface ContactUpdateInput {
  /** max length 64 */
  remark?: string | null;
  /** at most 20 items */
  tags?: string[] | null;
  /** > 0 */
  contact_group_id?: number | null;
}

export interface ContactUpdateOp {
  /** max length 64 */
  remark?: string | null;
  /** at most 20 items */
  tags?: string[] | null;
  /** > 0 */
  contact_group_id?: number | null;
  /** > 0 */
  user_id: number;
}

export interface ContactGroupCreate {
  /** min length 1; max length 64 */
  name: string;
  /** > 0 */
  parent_id?: number | null;
}

export interface ContactGroupRef {
  /** > 0 */
  group_id: number;
}

export interface ContactGroupName {
  /** min length 1; max length 64 */
  name: string;
}

export interface ContactGroupParent {
  /** > 0 */
  parent_id: number | null;
}

export interface ContactGroupRename {
  /** > 0 */
  group_id: number;
  /** min length 1; max length 64 */
  name: string;
}

export interface ContactGroupMove {
  /** > 0 */
  group_id: number;
  /** > 0 */
  parent_id: number | null;
}

export interface InviteCreate {
  kind: 'friend' | 'group';
  /** > 0 */
  conversation_id?: number | null;
  /** ≥ 1; < 2147483648 */
  expires_in_seconds?: number | null;
}

export interface InviteRef {
  /** min length 8; max length 64; pattern ^[\w-]+$ */
  code: string;
}

export interface InviteAccept {
  /** min length 8; max length 64; pattern ^[\w-]+$ */
  code: string;
  /** max length 200 */
  message?: string;
}

export interface DepartmentRef {
  /** > 0 */
  department_id: number;
}

export interface DepartmentPage {
  /** > 0 */
  department_id: number;
  /** ≥ 0 */
  after_user_id?: number;
  /** ≥ 1; ≤ 1000 */
  limit?: number;
}

export interface OrgSearchInput {
  /** min length 1; max length 64 */
  query: string;
  /** ≥ 1; ≤ 100 */
  limit?: number;
}

export interface DepartmentCreate {
  /** min length 1; max length 100 */
  name: string;
  /** > 0 */
  parent_id?: number | null;
  hidden?: boolean;
}

export interface DepartmentChanges {
  /** min length 1; max length 100 */
  name?: string | null;
  /** > 0 */
  parent_id?: number | null;
  hidden?: boolean | null;
  /** ≥ 0; ≤ 1000000 */
  sort_order?: number | null;
}

export interface DepartmentUpdate {
  /** > 0 */
  department_id: number;
  /** min length 1; max length 100 */
  name?: string | null;
  /** > 0 */
  parent_id?: number | null;
  hidden?: boolean | null;
  /** ≥ 0; ≤ 1000000 */
  sort_order?: number | null;
}

export interface PositionInput {
  /** max length 64 */
  position?: string;
}

export interface PlaceInput {
  /** > 0 */
  department_id: number;
  /** max length 64 */
  position?: string;
  /** > 0 */
  user_id: number;
}

export interface UnplaceInput {
  /** > 0 */
  department_id: number;
  /** > 0 */
  user_id: number;
}

export interface CollaborateInput {
  /** > 0 */
  department_id: number;
  /** > 0 */
  partner_id: number;
  on?: boolean;
}

export interface CompanyInput {
  /** min length 1; max length 100 */
  name: string;
}

export interface GroupUpdateInput {
  /** min length 1; max length 100 */
  name?: string | null;
  /** max length 512 */
  avatar?: string | null;
  /** max length 500 */
  intro?: string | null;
  join_mode?: 'open' | 'approval' | 'invite_code' | 'back_office' | null;
  mute_all?: boolean | null;
  moderation?: boolean | null;
  forbid_private_chat?: boolean | null;
  /** at most 200 items; each: max length 64 */
  keywords?: string[] | null;
  /** ≥ 0; ≤ 1000 */
  rate_count?: number | null;
  /** ≥ 0; ≤ 86400 */
  rate_seconds?: number | null;
  /** ≥ 2; ≤ 1000000 */
  size_limit?: number | null;
}

export interface GroupUpdateOp {
  /** min length 1; max length 100 */
  name?: string | null;
  /** max length 512 */
  avatar?: string | null;
  /** max length 500 */
  intro?: string | null;
  join_mode?: 'open' | 'approval' | 'invite_code' | 'back_office' | null;
  mute_all?: boolean | null;
  moderation?: boolean | null;
  forbid_private_chat?: boolean | null;
  /** at most 200 items; each: max length 64 */
  keywords?: string[] | null;
  /** ≥ 0; ≤ 1000 */
  rate_count?: number | null;
  /** ≥ 0; ≤ 86400 */
  rate_seconds?: number | null;
  /** ≥ 2; ≤ 1000000 */
  size_limit?: number | null;
  /** > 0 */
  conversation_id: number;
}

export interface MemberOp {
  /** > 0 */
  conversation_id: number;
  /** > 0 */
  user_id: number;
}

export interface SetAdminInput {
  /** at most 7 items */
  powers: ('approve_joins' | 'remove_members' | 'mute' | 'recall' | 'edit_info' | 'announcements' | 'moderate')[] | null;
}

export interface SetAdminOp {
  /** > 0 */
  conversation_id: number;
  /** > 0 */
  user_id: number;
  /** at most 7 items */
  powers: ('approve_joins' | 'remove_members' | 'mute' | 'recall' | 'edit_info' | 'announcements' | 'moderate')[] | null;
}

export interface MuteInput {
  /** ≥ 1; < 2147483648 */
  seconds: number | null;
}

export interface MuteOp {
  /** > 0 */
  conversation_id: number;
  /** > 0 */
  user_id: number;
  /** ≥ 1; < 2147483648 */
  seconds: number | null;
}

export interface RemoveInput {
  blacklist?: boolean;
}

export interface RemoveOp {
  /** > 0 */
  conversation_id: number;
  /** > 0 */
  user_id: number;
  blacklist?: boolean;
}

export interface BlacklistInput {
  /** at least 1 items; at most 1000 items; each: > 0 */
  user_ids: number[];
}

export interface BlacklistOp {
  /** at least 1 items; at most 1000 items; each: > 0 */
  user_ids: number[];
  /** > 0 */
  conversation_id: number;
}

export interface JoinInput {
  /** max length 200 */
  message?: string;
}

export interface JoinOp {
  /** max length 200 */
  message?: string;
  /** > 0 */
  conversation_id: number;
}

export interface GroupNumberInput {
  /** > 0 */
  number: number;
}

export interface JoinDecision {
  /** > 0 */
  request_id: number;
  approve: boolean;
}

export interface ModerationDecision {
  /** > 0 */
  pending_id: number;
  approve: boolean;
  /** max length 200 */
  reason?: string;
}

export interface AnnouncementInput {
  /** min length 1; max length 5000 */
  text: string;
  pinned?: boolean;
}

export interface AnnouncementOp {
  /** min length 1; max length 5000 */
  text: string;
  pinned?: boolean;
  /** > 0 */
  conversation_id: number;
}

export interface AnnouncementRef {
  /** > 0 */
  announcement_id: number;
}

export interface AnnouncementChanges {
  /** min length 1; max length 5000 */
  text?: string | null;
  pinned?: boolean | null;
}

export interface AnnouncementEdit {
  /** > 0 */
  announcement_id: number;
  /** min length 1; max length 5000 */
  text?: string | null;
  pinned?: boolean | null;
}

export interface MarkInput {
  important?: boolean;
}

export interface MarkOp {
  important?: boolean;
  /** > 0 */
  conversation_id: number;
  /** > 0 */
  seq: number;
}

export interface ViewModeInput {
  view_mode: 'all' | 'do_not_disturb' | 'admins_only';
}

export interface ViewModeOp {
  view_mode: 'all' | 'do_not_disturb' | 'admins_only';
  /** > 0 */
  conversation_id: number;
}

export interface MembersPageOp {
  /** > 0 */
  conversation_id: number;
  /** ≥ 0 */
  after_user_id?: number;
  /** ≥ 1; ≤ 1000 */
  limit?: number;
}

export interface AssignOp {
  /** > 0 */
  conversation_id: number;
  /** at least 1 items; at most 10000 items; each: > 0 */
  user_ids: number[];
}

export interface TableFileInput {
  /** pattern ^[A-Za-z0-9_-]{1,32}$ */
  file_id: string;
  format?: 'csv' | 'xlsx' | null;
}

export interface TableExportInput {
  format?: 'csv' | 'xlsx';
}

export interface InviteQrInput {
  /** min length 8; max length 64; pattern ^[\w-]+$ */
  code: string;
  format?: 'svg' | 'png';
  /** max length 200; pattern ^https?://[^\s/?#]+(/[^\s?#]*)?$ */
  base_url: string;
}

export interface BurnModeInput {
  enabled: boolean;
}

export interface BurnModeOp {
  enabled: boolean;
  /** > 0 */
  conversation_id: number;
}

export interface FileRef {
  /** min length 1; max length 64 */
  file_id: string;
}

export interface LinkInput {
  variant?: 'original' | 'thumbnail';
  ttl_seconds?: number | null;
}

export interface LinkOp {
  variant?: 'original' | 'thumbnail';
  ttl_seconds?: number | null;
  /** min length 1; max length 64 */
  file_id: string;
}

export interface ConversationFilesOp {
  /** > 0 */
  conversation_id: number;
  kind?: FileKind | null;
  /** ≥ 0 */
  since?: number | null;
  /** ≥ 0 */
  until?: number | null;
  /** ≥ 0 */
  before_seq?: number | null;
  /** ≥ 1; ≤ 200 */
  limit?: number;
}

export interface FavoritesOp {
  /** ≥ 0 */
  before?: number | null;
  /** ≥ 1; ≤ 200 */
  limit?: number;
}

/** The fields a user may change on their own profile (PRODUCT.md A7). */
export interface ProfileUpdate {
  /** min length 1; max length 64 */
  nickname?: string | null;
  /** max length 512 */
  avatar?: string | null;
  /** max length 200 */
  signature?: string | null;
  /** max length 254 */
  work_email?: string | null;
  /** max length 40 */
  office_phone?: string | null;
  /** max length 100 */
  desk?: string | null;
}

export interface CallRef {
  /** > 0 */
  call_id: number;
}

/** This device's state in the call: what it sends, and whether its media flows. */
export interface CallMediaOp {
  /** > 0 */
  call_id: number;
  audio: boolean;
  video: boolean;
  screen?: boolean;
  connection?: 'ok' | 'lost';
}

/** Group calls: a host mutes a member. */
export interface CallMuteMemberOp {
  /** > 0 */
  call_id: number;
  /** > 0 */
  user_id: number;
}

/** RTCSessionDescriptionInit, as the browser makes it. */
export interface SessionDescription {
  type: 'offer' | 'answer';
  /** min length 1; max length 65536 */
  sdp: string;
}

/** Group calls: the device's offer of what it sends to the SFU. */
export interface CallPublishOp {
  /** > 0 */
  call_id: number;
  description: SessionDescription;
}

/** RTCIceCandidateInit, as the browser makes it. */
export interface IceCandidate {
  /** max length 1024 */
  candidate: string;
  /** max length 64 */
  sdpMid?: string | null;
  /** ≥ 0; ≤ 64 */
  sdpMLineIndex?: number | null;
  /** max length 256 */
  usernameFragment?: string | null;
}

/** Relayed to the other party's device in the call: a description or a candidate. */
export interface CallSignalOp {
  /** > 0 */
  call_id: number;
  description?: SessionDescription | null;
  candidate?: IceCandidate | null;
  target?: 'publisher' | 'subscriber' | null;
}

export type CallMedia = 'audio' | 'video';

export interface CallStartOp {
  /** > 0 */
  conversation_id: number;
  media?: CallMedia;
}

export interface FavoriteMessageInput {
  /** > 0 */
  conversation_id: number;
  /** > 0 */
  seq: number;
}

export interface FavoritesListInput {
  /** > 0 */
  before?: number | null;
  /** ≥ 1; ≤ 200 */
  limit?: number;
  category?: 'text' | 'image' | 'file' | 'voice' | 'location' | 'link' | 'chat_record' | null;
  /** max length 100 */
  query?: string | null;
}

export interface FavoriteRef {
  /** > 0 */
  id: number;
}

export interface FavoriteSendOp {
  /** at least 1 items; at most 100 items; each: > 0 */
  target_ids: number[];
  /** min length 1; max length 64; pattern ^[A-Za-z0-9_:.\-]+$ */
  client_msg_id: string;
  /** max length 10000 */
  note?: string | null;
  /** > 0 */
  id: number;
}

/**
 * ``me.lock.set``: a new ``code`` (``remove`` takes the lock and all it covers away), the
 * idle minutes, the locked chats (the whole list); ``current_code`` or ``password`` proves
 * the change when one locks less.
 */
export interface LockSet {
  /** min length 4; max length 128 */
  code?: string | null;
  remove?: boolean;
  /** ≥ 0; ≤ 1440 */
  idle_minutes?: number | null;
  /** at most 1000 items; each: ≥ 1 */
  conversation_ids?: number[] | null;
  /** max length 128 */
  current_code?: string | null;
  /** max length 256 */
  password?: string | null;
  /** ≥ 0 */
  version?: number | null;
}

/** ``me.lock.verify``: the code, or the account password (for a forgotten code). */
export interface LockVerify {
  /** max length 128 */
  code?: string | null;
  /** max length 256 */
  password?: string | null;
}

/** Who may find me in people search by an identifier (my phone, my account). */
export type FindBy = 'everyone' | 'friends' | 'nobody';

/** Who may add me as a friend: at once, after I accept (the default), or nobody. */
export type AddMe = 'everyone' | 'verify' | 'nobody';

/** ``me.privacy.update``: any of the choices; the others stay. */
export interface PrivacyUpdate {
  find_by_phone?: FindBy | null;
  find_by_account?: FindBy | null;
  add_me?: AddMe | null;
  show_online?: boolean | null;
  send_read_receipts?: boolean | null;
}

/**
 * The message-type filter: text messages, files, images, links (a text carrying a
 * web address, or a card that links somewhere).
 */
export type SearchKind = 'text' | 'file' | 'image' | 'link';

/**
 * The order of results: most relevant first (then newest), or newest first (search
 * inside one chat, stepped through like the chat itself).
 */
export type SearchOrder = 'relevance' | 'newest';

export interface MessageSearchOp {
  /** max length 20000 */
  q: string;
  /** > 0 */
  conversation_id?: number | null;
  /** > 0 */
  sender_id?: number | null;
  /** ≥ 0 */
  since?: number | null;
  /** ≥ 0 */
  until?: number | null;
  /** at most 4 items */
  types?: SearchKind[];
  /** ≥ 1; ≤ 50 */
  limit?: number;
  /** min length 1; max length 200 */
  cursor?: string | null;
  order?: SearchOrder;
}

export interface PushKeys {
  /** max length 128; pattern ^[A-Za-z0-9_-]+=*$ */
  p256dh: string;
  /** max length 128; pattern ^[A-Za-z0-9_-]+=*$ */
  auth: string;
}

export interface PushSubscribeInput {
  /** min length 8; max length 2048 */
  endpoint: string;
  keys: PushKeys;
}

export interface PushUnsubscribeInput {
  /** min length 8; max length 2048 */
  endpoint: string;
}

/**
 * A message is named by ``conversation_id`` and ``seq``, a person by ``user_id``, a group
 * by ``conversation_id``.
 */
export interface ReportInput {
  target_type: 'message' | 'user' | 'group';
  reason: 'spam' | 'abuse' | 'fraud' | 'illegal' | 'other';
  /** max length 500 */
  note?: string;
  /** > 0 */
  conversation_id?: number | null;
  /** > 0 */
  seq?: number | null;
  /** > 0 */
  user_id?: number | null;
}

/** The host page the visitor is on: shown to the agent, never fetched by the server. */
export interface VisitorPage {
  /** min length 1; uri */
  url: string;
  /** max length 200 */
  title?: string;
}

export interface ServiceTransferOp {
  /** > 0 */
  agent_id: number;
  /** > 0 */
  conversation_id: number;
}

export interface SettingsUpdateInput {
  changes: object;
  /** ≥ 0 */
  version?: number | null;
}

export interface StickerAdd {
  /** min length 1; max length 64 */
  file_id: string;
  /** min length 1; max length 16 */
  emoji?: string | null;
}

/** The data each WebSocket op takes (the gateway's registry). */
export interface OpRequests {
  'auth': AuthInput;
  'ack': SeqOp;
  'blocks.add': TargetUser;
  'blocks.list': Empty;
  'blocks.remove': TargetUser;
  'burn.mode': ConversationRef;
  'burn.open': SeqOp;
  'burn.set_mode': BurnModeOp;
  'call.accept': CallRef;
  'call.current': Empty;
  'call.decline': CallRef;
  'call.get': CallRef;
  'call.hangup': CallRef;
  'call.ice_servers': Empty;
  'call.join': CallRef;
  'call.leave': CallRef;
  'call.live': Empty;
  'call.media': CallMediaOp;
  'call.mute_member': CallMuteMemberOp;
  'call.publish': CallPublishOp;
  'call.signal': CallSignalOp;
  'call.start': CallStartOp;
  'clear': ConversationRef;
  'contact_groups.create': ContactGroupCreate;
  'contact_groups.delete': ContactGroupRef;
  'contact_groups.move': ContactGroupMove;
  'contact_groups.rename': ContactGroupRename;
  'contacts.import': TableFileInput;
  'contacts.search': SearchInput;
  'contacts.update': ContactUpdateOp;
  'conversation.create_group': CreateGroupOp;
  'conversation.files': ConversationFilesOp;
  'conversation.get': ConversationRef;
  'conversation.members': ConversationRef;
  'conversation.open_direct': PeerOp;
  'conversation.settings': SettingsOp;
  'conversations.list': Empty;
  'delete': SeqsOp;
  'favorites.add': FileRef;
  'favorites.add_message': FavoriteMessageInput;
  'favorites.files': FavoritesOp;
  'favorites.list': FavoritesListInput;
  'favorites.remove': FileRef;
  'favorites.remove_message': FavoriteRef;
  'favorites.send': FavoriteSendOp;
  'files.info': FileRef;
  'files.link': LinkOp;
  'forward': ForwardOp;
  'friends.accept': FriendRequestRef;
  'friends.ignore': FriendRequestRef;
  'friends.list': Empty;
  'friends.reject': FriendRequestRef;
  'friends.remove': TargetUser;
  'friends.request': FriendRequestInput;
  'friends.requests': Empty;
  'group.announcement.edit': AnnouncementEdit;
  'group.announcement.post': AnnouncementOp;
  'group.announcement.read': AnnouncementRef;
  'group.announcement.reads': AnnouncementRef;
  'group.announcements': ConversationRef;
  'group.assign': AssignOp;
  'group.blacklist': ConversationRef;
  'group.blacklist.add': BlacklistOp;
  'group.blacklist.remove': BlacklistOp;
  'group.board': ConversationRef;
  'group.decide_join': JoinDecision;
  'group.disband': ConversationRef;
  'group.find': GroupNumberInput;
  'group.info': ConversationRef;
  'group.invite': InviteOp;
  'group.join': JoinOp;
  'group.join_requests': ConversationRef;
  'group.leave': ConversationRef;
  'group.mark': MarkOp;
  'group.members': MembersPageOp;
  'group.moderate': ModerationDecision;
  'group.moderation_queue': ConversationRef;
  'group.mute': MuteOp;
  'group.remove': RemoveOp;
  'group.set_admin': SetAdminOp;
  'group.transfer': MemberOp;
  'group.unmute': MemberOp;
  'group.update': GroupUpdateOp;
  'group.view_mode': ViewModeOp;
  'history': HistoryOp;
  'invites.accept': InviteAccept;
  'invites.create': InviteCreate;
  'invites.get': InviteRef;
  'invites.list': Empty;
  'invites.qr': InviteQrInput;
  'invites.revoke': InviteRef;
  'logout': Empty;
  'map.config': Empty;
  'me.change_password': ChangePasswordInput;
  'me.email.bind': BindEmailInput;
  'me.email.unbind': PasswordInput;
  'me.email.verify': CodeInput;
  'me.lock.get': Empty;
  'me.lock.set': LockSet;
  'me.lock.verify': LockVerify;
  'me.phone.bind': BindPhoneInput;
  'me.phone.unbind': PasswordInput;
  'me.phone.verify': CodeInput;
  'me.privacy.get': Empty;
  'me.privacy.update': PrivacyUpdate;
  'me.security': Empty;
  'me.totp.confirm': CodeInput;
  'me.totp.disable': PasswordInput;
  'me.totp.recovery_codes': CodeInput;
  'me.totp.start': Empty;
  'messages.search': MessageSearchOp;
  'org.collaborate': CollaborateInput;
  'org.company': CompanyInput;
  'org.department': DepartmentPage;
  'org.department.create': DepartmentCreate;
  'org.department.delete': DepartmentRef;
  'org.department.update': DepartmentUpdate;
  'org.export': TableExportInput;
  'org.import': TableFileInput;
  'org.member.remove': UnplaceInput;
  'org.member.set': PlaceInput;
  'org.search': OrgSearchInput;
  'org.tree': Empty;
  'presence.subscribe': UserIdsInput;
  'presence.unsubscribe': UserIdsInput;
  'profile.get': UserRef;
  'profile.update': ProfileUpdate;
  'push.config': Empty;
  'push.subscribe': PushSubscribeInput;
  'push.unsubscribe': PushUnsubscribeInput;
  'read': SeqOp;
  'read_state': SeqOp;
  'recall': SeqOp;
  'reports.create': ReportInput;
  'send': SendOp;
  'service.agents': Empty;
  'service.chat': Empty;
  'service.close': ConversationRef;
  'service.details': ConversationRef;
  'service.page': VisitorPage;
  'service.queue': Empty;
  'service.take': ConversationRef;
  'service.transfer': ServiceTransferOp;
  'sessions.list': Empty;
  'sessions.sign_out': SessionRef;
  'settings.get': Empty;
  'settings.update': SettingsUpdateInput;
  'stickers.add': StickerAdd;
  'stickers.list': Empty;
  'stickers.remove': FileRef;
  'storage.usage': Empty;
  'sync': SyncInput;
  'typing': ConversationRef;
  'users.import': TableFileInput;
  'users.lookup': UserLookupInput;
}

// ---- site settings (GET /api/v1/public/settings, the site_settings_changed push) -----------

/**
 * Feature modules. The server refuses what is off with ``feature_disabled``; the client
 * hides its entry points.
 */
export interface SiteModules {
  file_sending?: boolean;
  image_sending?: boolean;
  voice_messages?: boolean;
  video_messages?: boolean;
  location?: boolean;
  stickers?: boolean;
  contact_cards?: boolean;
  recall?: boolean;
  burn_after_reading?: boolean;
  favorites?: boolean;
  group_creation_by_members?: boolean;
  friend_requests?: boolean;
  voice_calls?: boolean;
  video_calls?: boolean;
}

/** Entries the client shows. Hiding one does not forbid what it does (a module does). */
export interface SiteButtons {
  plus_media?: boolean;
  plus_file?: boolean;
  plus_screenshot?: boolean;
  plus_voice?: boolean;
  plus_location?: boolean;
  plus_contact?: boolean;
  plus_sticker?: boolean;
  contacts_add_friend?: boolean;
  contacts_new_group?: boolean;
  contacts_organization?: boolean;
  me_favorites?: boolean;
}

/**
 * Limits once read from the configuration at start-up. ``None`` in a change means
 * "back to the configured value".
 */
export interface SiteLimits {
  /** ≥ 0; ≤ 31536000 */
  recall_window_seconds: number;
  /** ≥ 2; ≤ 1000000 */
  group_size_limit: number;
  /** ≥ 1024 */
  max_file_bytes: number;
}

export interface SiteBranding {
  /** min length 1; max length 40 */
  product_name?: string;
  /** pattern ^(|file:[A-Za-z0-9_-]{1,64})$ */
  logo?: string;
  /** pattern ^#[0-9a-fA-F]{6}$ */
  brand_colour?: string;
  /** max length 500 */
  sign_in_text?: string;
  /** pattern ^(|file:[A-Za-z0-9_-]{1,64})$ */
  sign_in_background?: string;
}

/**
 * Cross-origin use (N5, decision 0063). ``None`` in a change means "back to the
 * configured ``TIDINGS_ALLOWED_ORIGINS``".
 */
export interface SiteCors {
  allowed_origins: string[];
}

export interface SiteSettings {
  modules?: SiteModules;
  buttons?: SiteButtons;
  limits: SiteLimits;
  branding?: SiteBranding;
  cors: SiteCors;
}
