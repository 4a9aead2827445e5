/**
 * The Tidings client: one state machine that alone owns the connection, the synced state
 * and the send queue, and tells its listeners what changed through typed events.
 *
 *   idle → connecting → authenticating → syncing → connected
 *             ↑                                        │ connection lost
 *             └────────── waiting (backoff) ←──────────┘
 *   any → signed_out (signed in elsewhere, revoked, bad token) · any → stopped (stop()/logout)
 *
 * Correctness comes from sync, not from pushes (docs/protocol.md): on every connect the
 * client sends its private-log seq, applies what followed, then pulls the history ranges it
 * lacks. Entries are deduplicated by seq and shown only when contiguous, so whatever the
 * network does, every message shows once, in order.
 */
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff';
import type { Cache, CachedTimeline } from './cache';
import { CACHE_VERSION, MemoryCache } from './cache';
import { decodeFrame, encodeRequest, FrameError, type RequestId } from './codec';
import { applyEntry, applyRead, applyReceipt, compareConversations } from './conversations';
import { Emitter } from './emitter';
import { searchRequest, type MessageSearchOptions, type MessageSearchPage } from './search';
import { TidingsError } from './errors';
import { isFinalSendError, isResumableUploadError, Outbox, type PendingMessage, type PendingUpload } from './outbox';
import type { UploadMeta, Uploader } from './uploads';
import {
  CloseCode,
  type Call,
  type CallSignal,
  type CallTalking,
  type GroupCallSignal,
  type ConversationId,
  type ConversationSummary,
  type Entry,
  type Member,
  type MessageBodies,
  type MessageType,
  type OpName,
  type OpReply,
  type OpRequest,
  type PrivateEntry,
  type Pushes,
  type ReadState,
  type Seq,
  type SignedOutReason,
  type User,
  type UserId,
  type ViewMode,
} from './protocol';
import { Timeline } from './timeline';
import type { Transport, TransportFactory } from './transport';

export type ClientState =
  | 'idle'
  | 'connecting'
  | 'authenticating'
  | 'syncing'
  | 'connected'
  | 'waiting'
  | 'signed_out'
  | 'stopped';

/** Why the client was signed out; it does not reconnect after any of these. */
export type SignOutReason = SignedOutReason | 'invalid_token' | 'session_revoked';

/** A call push as the client emits it. */
export type CallPush =
  | { push: 'call_incoming' | 'call_accepted' | 'call_updated' | 'call_ended'; call: Call }
  | { push: 'call_signal'; signal: CallSignal };

/** A group call push as the client emits it (decision 0078). */
export type GroupCallPush =
  | { push: 'call_group'; call: Call }
  | { push: 'call_group_signal'; signal: GroupCallSignal }
  | { push: 'call_talking'; talking: CallTalking };

export interface ClientEvents {
  /** The state machine moved. */
  state: { state: ClientState; previous: ClientState };
  /** Authenticated and synced: the client is live. */
  connected: { user: User; sessionId: number };
  /** The connection closed; a reconnect is scheduled in `reconnectInMs` (null: none). */
  disconnected: { code: number; reason: string; reconnectInMs: number | null };
  /** The session ended on the server's side; the app should show the sign-in screen. */
  signedOut: { reason: SignOutReason };
  /** The conversation list or one of its summaries changed. */
  conversations: { ids: ConversationId[] };
  /** A conversation's visible entries or pending messages changed. */
  timeline: { conversationId: ConversationId };
  /** A message from someone else arrived live (for notifications). */
  message: { entry: Entry };
  /** A member's read or delivered position moved. */
  receipt: Pushes['receipt'];
  /** Who is typing in a conversation changed. */
  typing: { conversationId: ConversationId; userIds: UserId[] };
  /** A user went online or offline. */
  presence: { userId: UserId; online: boolean };
  /** The signed-in user's profile changed. */
  me: { user: User };
  /** An entry of my private log was applied (friends, contact groups, join requests...). */
  private: { entry: PrivateEntry };
  /** A group's governance changed (settings, roles, mutes, members removed, announcements). */
  group: { conversationId: ConversationId; entry: Entry };
  /** The organization changed on the server; refetch the tree. */
  orgChanged: { version: number };
  /** An administrator changed the site settings (modules, client entries, limits, brand). */
  siteSettings: Pushes['site_settings_changed'];
  /** Customer service: the queue moved (agents only); ask for `service.queue` again. */
  serviceQueue: Pushes['service_queue'];
  /** A call's push (decision 0074): rang, answered, changed, ended, or signalling for it. */
  call: CallPush;
  groupCall: GroupCallPush;
  /** Something failed in the background (a frame outside the protocol, a cache error). */
  error: { error: unknown };
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface ClientOptions {
  transport: TransportFactory;
  token: string;
  /** The user id the token belongs to, when known (selects the cache before auth). */
  cache?: Cache;
  clock?: Clock;
  backoff?: BackoffOptions;
  /** Heartbeat period; the server closes connections silent for 75 s. */
  pingIntervalMs?: number;
  requestTimeoutMs?: number;
  /** A message not acknowledged this long after it was written is marked failed. */
  sendTimeoutMs?: number;
  /** Entries pulled for a conversation this device has nothing of (the newest page). */
  pageSize?: number;
  newClientMsgId?: () => string;
  /** Uploads files for image and file messages (a TusUploader in browsers). */
  uploader?: Uploader;
}

/** What a file message says besides its file id, which the upload provides. */
export type FileContent =
  | { type: 'image'; body: Omit<MessageBodies['image'], 'file_id'> }
  | { type: 'file'; body: Omit<MessageBodies['file'], 'file_id'> }
  // Issue 12: recorded voice, a video with its still (see sendFile's `poster`), a sticker.
  | { type: 'voice'; body: Omit<MessageBodies['voice'], 'file_id'> }
  | { type: 'video'; body: Omit<MessageBodies['video'], 'file_id' | 'poster_file_id'> }
  | { type: 'sticker'; body: Omit<MessageBodies['sticker'], 'file_id'> };

export interface TimelineSnapshot {
  conversationId: ConversationId;
  entries: readonly Entry[];
  pending: readonly PendingMessage[];
  reachedStart: boolean;
  loading: boolean;
  /**
   * The message the conversation was opened at (`openAt`, a search result): show it
   * highlighted, scrolled into view. Null for a conversation opened at its newest.
   */
  anchor: Seq | null;
  /**
   * The entries reach the live tail: new messages show at the bottom. False while a window
   * opened far back is shown; scrolling down pages it on (`loadNewer`) until it joins.
   */
  atLatest: boolean;
  loadingNewer: boolean;
}

interface InFlight {
  op: OpName;
  resolve: (data: unknown) => void;
  reject: (error: TidingsError) => void;
  timer: unknown;
}

const TYPING_SHOWN_MS = 6_000;
const TYPING_THROTTLE_MS = 3_000;
const ACK_DELAY_MS = 200;
const PERSIST_DELAY_MS = 400;
/** Display names kept in the cache for an offline start (a few hundred KiB at most). */
const MAX_CACHED_NAMES = 5_000;
/** A hole bigger than this is not filled: the device starts afresh from the newest page. */
const MAX_GAP_FILL = 2_000;
const HISTORY_LIMIT = 500;
/** Message types that carry an uploaded file. */
const FILE_TYPES: ReadonlySet<string> = new Set(['image', 'file', 'voice', 'video', 'sticker']);
/** Files up to this size are kept in the cache while they upload, to resume after a restart. */
const MAX_CACHED_FILE_BYTES = 64 * 1024 * 1024;
/** A sent file may be kept 1 to 7 days (PRODUCT.md F3; the server checks the same). */
export const MIN_EXPIRY_DAYS = 1;
export const MAX_EXPIRY_DAYS = 7;
/** Entries after which the cached member list is stale. */
const MEMBERSHIP_KINDS: ReadonlySet<string> = new Set([
  'member_joined',
  'member_left',
  'member_removed',
  'role_changed',
  'owner_changed',
  'member_muted',
  'member_unmuted',
]);
/** Entries that change what a group's info panel shows. */
const GOVERNANCE_KINDS: ReadonlySet<string> = new Set([
  ...MEMBERSHIP_KINDS,
  'group_updated',
  'group_disbanded',
  'announcement_posted',
  'announcement_edited',
  'message_marked',
]);

function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return `w-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class Client extends Emitter<ClientEvents> {
  private stateValue: ClientState = 'idle';
  private transport: Transport | null = null;
  /** Bumped for every connection so late callbacks of an old one are ignored. */
  private generation = 0;
  private attempt = 0;
  private reconnectTimer: unknown = null;
  private pingTimer: unknown = null;
  private nextRequestId = 1;
  private readonly inFlight = new Map<RequestId, InFlight>();

  private user: User | null = null;
  private sessionId: number | null = null;
  private privateSeq = 0;
  private readonly summaries = new Map<ConversationId, ConversationSummary>();
  /**
   * Groups one has left, looked up for a search result (`lookUpConversation`, decision 0075):
   * readable up to their `left_seq`, read-only, and never in the list. Not cached.
   */
  private readonly formers = new Map<ConversationId, ConversationSummary>();
  private readonly formerLoads = new Map<ConversationId, Promise<ConversationSummary | null>>();
  private sortedCache: readonly ConversationSummary[] | null = null;
  private readonly timelines = new Map<ConversationId, Timeline>();
  private readonly timelineLoads = new Map<ConversationId, Promise<Timeline>>();
  private readonly snapshots = new Map<ConversationId, TimelineSnapshot>();
  private readonly catchingUp = new Set<ConversationId>();
  private readonly loadingOlder = new Set<ConversationId>();
  /**
   * Windows opened at a message far back (`openAt`), not contiguous with the live tail held
   * in `timelines` yet; dropped when scrolling down joins them to it. Never cached.
   */
  private readonly focuses = new Map<ConversationId, Timeline>();
  private readonly anchors = new Map<ConversationId, Seq>();
  private readonly loadingNewer = new Set<ConversationId>();
  private outbox = new Outbox();
  private readonly transmitting = new Set<string>();
  private readonly ackedSeqs = new Map<ConversationId, Seq>();
  private readonly ackTimers = new Map<ConversationId, unknown>();
  private readonly typingUsers = new Map<ConversationId, Map<UserId, number>>();
  private readonly typingSentAt = new Map<ConversationId, number>();
  private readonly presenceOf = new Map<UserId, boolean>();
  private readonly users = new Map<UserId, User>();
  private readonly members = new Map<ConversationId, Promise<Member[]>>();
  private persistTimer: unknown = null;
  private readonly dirtyTimelines = new Set<ConversationId>();
  private signedOutReason: SignOutReason | null = null;
  private networkDown = false;
  private readonly viewModes = new Map<ConversationId, ViewMode>();
  /** Names the app learned, kept in the cache for an offline start (`rememberNames`). */
  private readonly names = new Map<UserId, string>();

  private readonly token: string;
  private readonly connectTransport: TransportFactory;
  private readonly cache: Cache;
  private readonly clock: Clock;
  private readonly backoff: BackoffOptions;
  private readonly pingIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly sendTimeoutMs: number;
  private readonly pageSize: number;
  private readonly newClientMsgId: () => string;
  private readonly uploader: Uploader | null;
  private readonly uploadAborts = new Map<string, AbortController>();
  private readonly progressTimers = new Map<ConversationId, unknown>();

  constructor(options: ClientOptions) {
    super();
    this.token = options.token;
    this.connectTransport = options.transport;
    this.cache = options.cache ?? new MemoryCache();
    this.clock = options.clock ?? systemClock;
    this.backoff = options.backoff ?? defaultBackoff;
    this.pingIntervalMs = options.pingIntervalMs ?? 25_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
    this.pageSize = options.pageSize ?? 50;
    this.newClientMsgId = options.newClientMsgId ?? randomId;
    this.uploader = options.uploader ?? null;
  }

  // ---- reading state -------------------------------------------------------------------

  get state(): ClientState {
    return this.stateValue;
  }

  /** The signed-in user (from the cache until the server confirms). */
  /** This device's session (a call's participant names the device in it by session). */
  get session(): number | null {
    return this.sessionId;
  }

  get me(): User | null {
    return this.user;
  }

  get signOutReason(): SignOutReason | null {
    return this.signedOutReason;
  }

  /** The session token, for the REST calls the WebSocket does not carry (imports, QR codes). */
  get sessionToken(): string {
    return this.token;
  }

  /** Conversations, pinned first then by last activity; a stable array until a change. */
  conversations(): readonly ConversationSummary[] {
    if (!this.sortedCache) this.sortedCache = [...this.summaries.values()].sort(compareConversations);
    return this.sortedCache;
  }

  /**
   * A conversation of the list, or a group one has left that was looked up
   * (`lookUpConversation`; its `left_seq` is set and it is read-only).
   */
  conversation(id: ConversationId): ConversationSummary | undefined {
    return this.summaries.get(id) ?? this.formers.get(id);
  }

  /** I am a member of this conversation: it is in the list (not a group I left). */
  isMember(id: ConversationId): boolean {
    return this.summaries.has(id);
  }

  /**
   * The conversation of a search result: from the list, or else asked of the server
   * (`conversation.get`) — a group one has left answers as it was at the leaving, with
   * `left_seq`, and is kept apart from the list (it never comes back into it) so its name
   * and avatar show and it opens read-only. Null when it is not one I may read.
   */
  lookUpConversation(id: ConversationId): Promise<ConversationSummary | null> {
    const known = this.conversation(id);
    if (known) return Promise.resolve(known);
    const pending = this.formerLoads.get(id);
    if (pending) return pending;
    const load = this.call('conversation.get', { conversation_id: id })
      .then((summary) => {
        if (summary.left_seq === undefined || this.summaries.has(id)) return this.summaries.get(id) ?? summary;
        this.formers.set(id, summary);
        const timeline = this.timelines.get(id);
        if (timeline && this.hideFor(timeline, summary)) this.timelineChanged(id);
        this.conversationsChanged([id]);
        return summary;
      })
      .catch(() => null)
      .finally(() => this.formerLoads.delete(id));
    this.formerLoads.set(id, load);
    return load;
  }

  /** What a conversation shows now; a stable object until its next `timeline` event. */
  timeline(id: ConversationId): TimelineSnapshot {
    const cached = this.snapshots.get(id);
    if (cached) return cached;
    const timeline = this.timelines.get(id);
    const focus = this.focuses.get(id);
    const shown = focus ?? timeline;
    const snapshot: TimelineSnapshot = {
      conversationId: id,
      entries: shown ? shown.visible() : [],
      // Messages being sent belong at the live tail, not below a window far back.
      pending: focus ? [] : this.outbox.forConversation(id),
      reachedStart: shown ? shown.held.reachedStart : false,
      loading: this.loadingOlder.has(id) || this.timelineLoads.has(id) || (this.catchingUp.has(id) && (timeline?.isEmpty ?? true)),
      anchor: this.anchors.get(id) ?? null,
      atLatest: !focus,
      loadingNewer: this.loadingNewer.has(id),
    };
    this.snapshots.set(id, snapshot);
    return snapshot;
  }

  /** Who is typing in a conversation (not me). */
  typing(id: ConversationId): UserId[] {
    const now = this.clock.now();
    return [...(this.typingUsers.get(id) ?? new Map<UserId, number>()).entries()]
      .filter(([, until]) => until > now)
      .map(([userId]) => userId);
  }

  isOnline(userId: UserId): boolean | undefined {
    return this.presenceOf.get(userId);
  }

  /** A display name kept from an earlier visit (or remembered since), for when offline. */
  knownName(id: UserId): string | undefined {
    return this.names.get(id);
  }

  /**
   * Keep display names the app learned (lookups, members, contacts) in the local cache, so
   * an offline start shows who wrote what instead of bare ids. The newest are kept, up to
   * MAX_CACHED_NAMES.
   */
  rememberNames(names: Iterable<readonly [UserId, string]>): void {
    let changed = false;
    for (const [id, name] of names) {
      if (this.names.get(id) === name) continue;
      this.names.delete(id);
      this.names.set(id, name);
      changed = true;
    }
    for (const id of this.names.keys()) {
      if (this.names.size <= MAX_CACHED_NAMES) break;
      this.names.delete(id);
    }
    // Never after stopping: signing out has cleared the cache, and it must stay cleared.
    if (changed && this.stateValue !== 'stopped' && this.stateValue !== 'signed_out') this.schedulePersist();
  }

  /** A user's profile if this device has seen it. */
  userById(id: UserId): User | undefined {
    return id === this.user?.id ? this.user : this.users.get(id);
  }

  /** My view mode in a group ("all" unless my private log said otherwise). */
  viewMode(id: ConversationId): ViewMode {
    return this.viewModes.get(id) ?? 'all';
  }

  /**
   * Any op of the protocol, for what the client does not fold itself (contacts, the
   * organization, group governance, files). Fails at once with `offline` when not connected.
   */
  request<O extends OpName>(op: O, data: OpRequest<O>): Promise<OpReply<O>> {
    return this.call(op, data);
  }

  // ---- lifecycle -----------------------------------------------------------------------

  /** Show what the cache holds, then connect. */
  async start(): Promise<void> {
    if (this.stateValue !== 'idle') return;
    try {
      const account = await this.cache.loadAccount();
      if (account) {
        this.user = account.user;
        this.privateSeq = account.privateSeq;
        for (const summary of account.conversations) this.summaries.set(summary.id, summary);
        for (const [id, mode] of Object.entries(account.viewModes ?? {})) this.viewModes.set(Number(id), mode);
        for (const [id, name] of Object.entries(account.names ?? {})) this.names.set(Number(id), name);
        // Who I am, as last seen: shown (the account's avatar) before the connection says so.
        this.emit('me', { user: account.user });
        this.conversationsChanged([...this.summaries.keys()]);
      }
      // Uploads from an earlier visit (or another window) wait for the user to resume them:
      // resuming is safe anywhere (tus continues from the server's offset, the send is idempotent).
      this.outbox = new Outbox(
        (await this.cache.loadOutbox()).map((m) =>
          m.upload ? { ...m, state: 'failed' as const, upload: { ...m.upload, state: m.file ? ('paused' as const) : ('failed' as const), error: m.file ? null : 'file_missing' } } : m,
        ),
      );
    } catch (error) {
      this.emit('error', { error });
    }
    if (this.stateValue === 'idle') this.connect();
  }

  /** Close the connection for good (the app is going away, or signing out). */
  stop(): void {
    this.clearReconnect();
    this.setState('stopped');
    this.dropConnection(CloseCode.Normal, 'client stopped');
    this.flushPersist();
  }

  /** Connect at once if waiting (the network came back, the page became visible). */
  reconnectNow(): void {
    this.networkDown = false;
    // The socket may have stayed up while the uploads' HTTP requests failed.
    if (this.stateValue === 'connected') this.resumeInterruptedUploads();
    if (this.stateValue !== 'waiting') return;
    this.clearReconnect();
    this.attempt = 0;
    this.connect();
  }

  /**
   * The network is gone (the browser said so): close now instead of waiting for a timeout,
   * and do not retry until `reconnectNow()` (the network is back) or the longest backoff.
   * A shared connection lives in a worker that may still reach the server; the window's
   * word about its network wins.
   */
  networkLost(): void {
    this.networkDown = true;
    if (this.transport) this.transport.close(CloseCode.Normal, 'network lost');
  }

  /** End this session on the server and forget this device's copy. */
  async logout(): Promise<void> {
    try {
      if (this.stateValue === 'connected') await this.call('logout', undefined);
    } catch {
      // Signing out locally must work offline too.
    }
    this.stop();
    await this.cache.clear().catch(() => undefined);
  }

  private setState(next: ClientState): void {
    const previous = this.stateValue;
    if (previous === next) return;
    this.stateValue = next;
    this.emit('state', { state: next, previous });
  }

  private connect(): void {
    this.generation += 1;
    const generation = this.generation;
    this.setState('connecting');
    this.transport = this.connectTransport({
      onOpen: () => {
        if (generation === this.generation) void this.authenticate(generation);
      },
      onMessage: (text) => {
        if (generation === this.generation) this.receive(text);
      },
      onClose: (code, reason) => {
        if (generation === this.generation) this.connectionClosed(code, reason);
      },
    });
  }

  private async authenticate(generation: number): Promise<void> {
    this.setState('authenticating');
    try {
      const reply = await this.call('auth', { token: this.token }, true);
      if (generation !== this.generation) return;
      this.user = reply.user;
      this.sessionId = reply.session_id;
      this.emit('me', { user: reply.user });
      this.setState('syncing');
      await this.sync(generation);
      if (generation !== this.generation) return;
      this.attempt = 0;
      this.setState('connected');
      this.emit('connected', { user: reply.user, sessionId: reply.session_id });
      this.schedulePing(generation);
      this.flushOutbox();
      this.resumeInterruptedUploads();
      void this.catchUpAll();
      void this.subscribePresence();
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof TidingsError && (error.code === 'invalid_token' || error.code === 'unauthenticated')) {
        this.signOut('invalid_token');
      } else {
        this.emit('error', { error });
        this.transport?.close(CloseCode.Normal, 'sync failed');
      }
    }
  }

  private connectionClosed(code: number, reason: string): void {
    this.transport = null;
    this.generation += 1;
    this.clearPing();
    this.failInFlight(new TidingsError('connection_lost', 'the connection closed'));
    if (this.stateValue === 'stopped' || this.stateValue === 'signed_out') return;
    if (code === CloseCode.SignedInElsewhere) return this.signOut('signed_in_elsewhere');
    if (code === CloseCode.SessionRevoked) return this.signOut(this.signedOutReason ?? 'session_revoked');
    if (code === CloseCode.InvalidToken) return this.signOut('invalid_token');
    const delay = this.networkDown ? this.backoff.maxMs : backoffDelay(this.attempt, this.backoff);
    this.attempt += 1;
    this.setState('waiting');
    this.emit('disconnected', { code, reason, reconnectInMs: delay });
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stateValue === 'waiting') this.connect();
    }, delay);
  }

  private signOut(reason: SignOutReason): void {
    this.signedOutReason = reason;
    this.clearReconnect();
    this.setState('signed_out');
    this.dropConnection(CloseCode.Normal, 'signed out');
    this.emit('signedOut', { reason });
  }

  private dropConnection(code: number, reason: string): void {
    const transport = this.transport;
    this.transport = null;
    this.generation += 1;
    this.clearPing();
    this.failInFlight(new TidingsError('connection_lost', reason));
    if (transport?.release) transport.release();
    else transport?.close(code, reason);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== null) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private schedulePing(generation: number): void {
    this.clearPing();
    this.pingTimer = this.clock.setTimeout(() => {
      if (generation !== this.generation) return;
      // A ping that gets no reply in time closes the connection (the request times out).
      this.call('ping', undefined).then(
        () => this.schedulePing(generation),
        () => undefined,
      );
    }, this.pingIntervalMs);
  }

  private clearPing(): void {
    if (this.pingTimer !== null) this.clock.clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }

  // ---- requests ------------------------------------------------------------------------

  /**
   * Send one request and wait for its reply. Before the client is connected only the
   * handshake (`internal`) may call; everything else fails at once with `offline`.
   */
  private call<O extends OpName>(op: O, data: OpRequest<O>, internal = false): Promise<OpReply<O>> {
    const transport = this.transport;
    const ready = internal ? transport !== null : this.stateValue === 'connected';
    if (!transport || !ready) return Promise.reject(new TidingsError('offline', 'not connected'));
    const id = this.nextRequestId++;
    return new Promise<OpReply<O>>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.inFlight.delete(id);
        reject(new TidingsError('timeout', `${op} got no reply`));
        // A silent server is a dead connection: close and reconnect.
        if (this.transport === transport) transport.close(CloseCode.HeartbeatTimeout, 'request timed out');
      }, this.requestTimeoutMs);
      this.inFlight.set(id, { op, resolve: resolve as (data: unknown) => void, reject, timer });
      transport.send(encodeRequest(id, op, data));
    });
  }

  private failInFlight(error: TidingsError): void {
    for (const request of this.inFlight.values()) {
      this.clock.clearTimeout(request.timer);
      request.reject(error);
    }
    this.inFlight.clear();
  }

  private receive(text: string): void {
    let frame;
    try {
      frame = decodeFrame(text);
    } catch (error) {
      if (error instanceof FrameError) this.emit('error', { error });
      return;
    }
    if (frame.type === 'reply') {
      const request = frame.id === null ? undefined : this.inFlight.get(frame.id);
      if (!request || frame.id === null) {
        if (!frame.ok) this.emit('error', { error: new TidingsError(frame.error.code, frame.error.message) });
        return;
      }
      this.inFlight.delete(frame.id);
      this.clock.clearTimeout(request.timer);
      if (frame.ok) request.resolve(frame.data);
      else request.reject(new TidingsError(frame.error.code, frame.error.message, frame.error.details));
      return;
    }
    switch (frame.push) {
      case 'entry':
        void this.entryArrived(frame.data, true);
        break;
      case 'private':
        void this.applyPrivate(frame.data);
        break;
      case 'receipt':
        this.receiptArrived(frame.data);
        break;
      case 'typing':
        this.typingArrived(frame.data.conversation_id, frame.data.user_id);
        break;
      case 'presence':
        this.presenceOf.set(frame.data.user_id, frame.data.online);
        this.emit('presence', { userId: frame.data.user_id, online: frame.data.online });
        break;
      case 'org_changed':
        this.emit('orgChanged', { version: frame.data.version });
        break;
      case 'site_settings_changed':
        this.emit('siteSettings', frame.data);
        break;
      case 'service_queue':
        this.emit('serviceQueue', frame.data);
        break;
      case 'call_incoming':
      case 'call_accepted':
      case 'call_updated':
      case 'call_ended':
        this.emit('call', { push: frame.push, call: frame.data });
        break;
      case 'call_signal':
        this.emit('call', { push: 'call_signal', signal: frame.data });
        break;
      case 'call_group':
        this.emit('groupCall', { push: 'call_group', call: frame.data });
        break;
      case 'call_group_signal':
        this.emit('groupCall', { push: 'call_group_signal', signal: frame.data });
        break;
      case 'call_talking':
        this.emit('groupCall', { push: 'call_talking', talking: frame.data });
        break;
      case 'signed_out':
        // The close (4001/4002) follows; remember why so the notice can say it.
        this.signedOutReason = frame.data.reason;
        if (frame.data.reason === 'signed_in_elsewhere') this.signOut('signed_in_elsewhere');
        break;
    }
  }

  // ---- sync ----------------------------------------------------------------------------

  private async sync(generation: number): Promise<void> {
    let summaries: ConversationSummary[] = [];
    for (;;) {
      const reply = await this.call('sync', { private_seq: this.privateSeq, limit: 1000 }, true);
      if (generation !== this.generation) return;
      for (const entry of reply.private_entries) await this.applyPrivate(entry);
      summaries = reply.conversations;
      if (!reply.has_more || reply.private_entries.length === 0) break;
    }
    const fresh = new Map(summaries.map((s) => [s.id, s]));
    for (const id of [...this.summaries.keys()]) {
      if (!fresh.has(id)) this.forgetConversation(id);
    }
    for (const summary of summaries) this.upsertSummary(summary);
    this.conversationsChanged([...fresh.keys()]);
    this.schedulePersist();
  }

  private upsertSummary(summary: ConversationSummary): void {
    // Back in a group one had left: what was read of it before belongs to another part.
    if (this.formers.delete(summary.id)) this.forgetConversation(summary.id);
    const local = this.summaries.get(summary.id);
    // A push may have moved this conversation past the sync reply already.
    const merged =
      local && local.last_seq > summary.last_seq
        ? { ...summary, last_seq: local.last_seq, preview: local.preview, last_activity_at: local.last_activity_at }
        : summary;
    this.summaries.set(summary.id, merged);
    const timeline = this.timelines.get(summary.id);
    if (timeline && this.hideFor(timeline, merged)) this.timelineChanged(summary.id);
    const focus = this.focuses.get(summary.id);
    if (focus && this.hideFor(focus, merged)) this.timelineChanged(summary.id);
  }

  private hideFor(timeline: Timeline, summary: ConversationSummary): boolean {
    return timeline.hideThrough(Math.max(summary.visible_from_seq - 1, summary.cleared_seq));
  }

  private async applyPrivate(entry: PrivateEntry): Promise<void> {
    if (entry.seq <= this.privateSeq) return;
    this.privateSeq = entry.seq;
    switch (entry.kind) {
      case 'conversation_joined':
        if (this.stateValue === 'connected') await this.refreshConversation(entry.data.conversation_id);
        break;
      case 'conversation_left':
        this.forgetConversation(entry.data.conversation_id);
        this.conversationsChanged([entry.data.conversation_id]);
        break;
      case 'conversation_settings': {
        const { conversation_id, pinned, muted, draft } = entry.data;
        this.updateSummary(conversation_id, (s) => ({ ...s, pinned, muted, draft }));
        break;
      }
      case 'messages_deleted': {
        const { conversation_id, seqs } = entry.data;
        const timeline = await this.loadTimeline(conversation_id);
        if (timeline.deleteSeqs(seqs)) this.timelineChanged(conversation_id);
        if (this.focuses.get(conversation_id)?.deleteSeqs(seqs)) this.timelineChanged(conversation_id);
        // The list's preview moves back to the newest entry still shown (as the server's).
        this.updateSummary(conversation_id, (s) =>
          s.preview && seqs.includes(s.preview.seq) ? { ...s, preview: timeline.visible().at(-1) ?? null } : s,
        );
        break;
      }
      case 'history_cleared': {
        const { conversation_id, cleared_seq } = entry.data;
        this.updateSummary(conversation_id, (s) => ({
          ...s,
          cleared_seq: Math.max(s.cleared_seq, cleared_seq),
          unread: cleared_seq >= s.last_seq ? 0 : s.unread,
          // The list's preview goes with the history (as the server's summary does).
          preview: s.preview && s.preview.seq <= cleared_seq ? null : s.preview,
        }));
        const timeline = this.timelines.get(conversation_id);
        if (timeline?.hideThrough(cleared_seq)) this.timelineChanged(conversation_id);
        if (this.focuses.get(conversation_id)?.hideThrough(cleared_seq)) this.timelineChanged(conversation_id);
        break;
      }
      case 'read':
        this.updateSummary(entry.data.conversation_id, (s) =>
          applyRead(s, entry.data.read_seq, this.unreadAfter(s, entry.data.read_seq)),
        );
        break;
      case 'profile_updated':
        if (entry.data.id === this.user?.id) {
          this.user = entry.data;
          this.emit('me', { user: entry.data });
        }
        this.users.set(entry.data.id, entry.data);
        break;
      case 'session_revoked':
        if (entry.data.session_id === this.sessionId) this.signedOutReason = 'signed_out';
        break;
      case 'group_view_mode':
        this.viewModes.set(entry.data.conversation_id, entry.data.view_mode);
        this.conversationsChanged([entry.data.conversation_id]);
        break;
      case 'message_rejected': {
        const message = this.outbox.get(entry.data.client_msg_id);
        if (message) {
          this.outbox.update(message.client_msg_id, { state: 'failed', error: 'message_rejected' });
          this.outboxChanged(message.conversation_id, message.client_msg_id);
        }
        break;
      }
      default:
        break;
    }
    this.emit('private', { entry });
    this.schedulePersist();
  }

  /** Unread messages from others after `readSeq`, counted from the held entries. */
  private unreadAfter(summary: ConversationSummary, readSeq: Seq): number | undefined {
    const timeline = this.timelines.get(summary.id);
    if (!timeline) return undefined;
    const held = timeline.held;
    if (held.from === 0 || held.from > readSeq + 1 || held.through < summary.last_seq) return undefined;
    return timeline
      .visible()
      .filter((e) => e.seq > readSeq && e.kind === 'message' && !e.recalled && e.sender_id !== this.user?.id).length;
  }

  private async refreshConversation(id: ConversationId): Promise<void> {
    try {
      const summary = await this.call('conversation.get', { conversation_id: id });
      this.upsertSummary(summary);
      this.conversationsChanged([id]);
      this.members.delete(id);
      void this.catchUp(id);
      if (summary.peer) void this.subscribePresence([summary.peer.user_id]);
    } catch (error) {
      this.emit('error', { error });
    }
  }

  private forgetConversation(id: ConversationId): void {
    this.summaries.delete(id);
    this.formers.delete(id);
    this.timelines.delete(id);
    this.focuses.delete(id);
    this.anchors.delete(id);
    this.snapshots.delete(id);
    this.members.delete(id);
    void this.cache.deleteTimeline(id).catch(() => undefined);
  }

  /** Pull what this device lacks of every conversation, a few at a time. */
  private async catchUpAll(): Promise<void> {
    const behind = [...this.summaries.values()]
      .filter((s) => s.last_seq > (this.timelines.get(s.id)?.held.through ?? 0))
      .sort(compareConversations)
      .map((s) => s.id);
    const workers = Array.from({ length: 4 }, async () => {
      for (let id = behind.shift(); id !== undefined; id = behind.shift()) {
        if (this.stateValue !== 'connected') return;
        await this.catchUp(id);
      }
    });
    await Promise.all(workers);
  }

  /** Pull the entries after what this device holds, up to the conversation's last seq. */
  private async catchUp(id: ConversationId): Promise<void> {
    if (this.catchingUp.has(id)) return;
    this.catchingUp.add(id);
    this.timelineChanged(id);
    try {
      const timeline = await this.loadTimeline(id);
      for (;;) {
        const summary = this.conversation(id);
        if (!summary || this.stateValue !== 'connected') break;
        const held = timeline.held;
        if (timeline.isEmpty || summary.last_seq - held.through > MAX_GAP_FILL) {
          timeline.reset();
          this.hideFor(timeline, summary);
          if (summary.last_seq === 0) {
            timeline.addOlder([], true);
            break;
          }
          const reply = await this.call('history', {
            conversation_id: id,
            before_seq: summary.last_seq + 1,
            limit: this.pageSize,
          });
          this.entriesArrived(id, reply.messages, false);
          if (reply.messages.length < this.pageSize) timeline.addOlder([], true);
          break;
        }
        const gap = timeline.gap(summary.last_seq);
        if (!gap) break;
        const reply = await this.call('history', {
          conversation_id: id,
          after_seq: gap.after,
          before_seq: gap.before,
          limit: HISTORY_LIMIT,
        });
        // History leaves out what I deleted for myself; a whole range came back, so a seq
        // missing from it is one of those, and no pull will fill it: held as deleted, so the
        // entries after it (my own sent ones too) are not left waiting behind the hole.
        const hidden: Entry[] = [];
        if (reply.messages.length < HISTORY_LIMIT) {
          const returned = new Set(reply.messages.map((m) => m.seq));
          for (let seq = gap.after + 1; seq < Math.min(gap.before, summary.last_seq + 1); seq += 1) {
            if (!returned.has(seq)) hidden.push(deletedPlaceholder(id, seq));
          }
          timeline.deleteSeqs(hidden.map((e) => e.seq));
        }
        if (reply.messages.length === 0 && hidden.length === 0) break;
        this.entriesArrived(id, [...reply.messages, ...hidden].sort((a, b) => a.seq - b.seq), false);
      }
    } catch (error) {
      if (!(error instanceof TidingsError && ['offline', 'connection_lost'].includes(error.code))) {
        this.emit('error', { error });
      }
    } finally {
      this.catchingUp.delete(id);
      this.timelineChanged(id);
    }
  }

  // ---- conversation entries -------------------------------------------------------------

  private async entryArrived(entry: Entry, live: boolean): Promise<void> {
    const id = entry.conversation_id;
    if (!this.summaries.has(id)) {
      // A conversation this device has not heard of yet: its joined entry is on the way.
      await this.refreshConversation(id);
      return;
    }
    await this.loadTimeline(id);
    const added = this.entriesArrived(id, [entry], live);
    const summary = this.summaries.get(id);
    if (summary && this.timelines.get(id)?.gap(summary.last_seq)) void this.catchUp(id);
    if (live && added.some((e) => e.seq === entry.seq) && entry.sender_id !== this.user?.id && entry.kind === 'message') {
      this.emit('message', { entry });
    }
  }

  /** Fold entries into a conversation's timeline and summary; returns what became visible. */
  private entriesArrived(id: ConversationId, entries: readonly Entry[], live: boolean): Entry[] {
    const timeline = this.timelines.get(id);
    if (!timeline) return [];
    const added = timeline.addNewer(entries);
    // A window opened further back shows recalls and burns of what it holds at once.
    if (this.focuses.get(id)?.applyTombstones(added)) this.timelineChanged(id);
    let summary = this.summaries.get(id);
    const me = this.user?.id ?? 0;
    let outboxChanged = false;
    for (const entry of added) {
      if (summary) summary = applyEntry(summary, entry, me);
      if (entry.sender_id === me && entry.client_msg_id && this.outbox.settle(entry.client_msg_id)) {
        outboxChanged = true;
        this.persistPending(entry.client_msg_id);
      }
      if (entry.sender_id !== null) this.stopTyping(id, entry.sender_id);
      if (MEMBERSHIP_KINDS.has(entry.kind)) this.members.delete(id);
    }
    if (summary && summary !== this.summaries.get(id)) {
      this.summaries.set(id, summary);
      this.conversationsChanged([id]);
    }
    if (added.length > 0 || outboxChanged) {
      this.timelineChanged(id);
      this.dirtyTimelines.add(id);
      this.schedulePersist();
    }
    for (const entry of added) {
      if (GOVERNANCE_KINDS.has(entry.kind)) this.emit('group', { conversationId: id, entry });
    }
    const fromOthers = added.filter((e) => e.sender_id !== me);
    const last = fromOthers[fromOthers.length - 1];
    if (last) this.scheduleAck(id, timeline.held.through);
    return added;
  }

  /** The timeline of a conversation, from memory or else from the local cache. */
  private loadTimeline(id: ConversationId): Promise<Timeline> {
    const loaded = this.timelines.get(id);
    if (loaded) return Promise.resolve(loaded);
    const pending = this.timelineLoads.get(id);
    if (pending) return pending;
    const load = this.cache
      .loadTimeline(id)
      .catch(() => null)
      .then((cached: CachedTimeline | null) => {
        const timeline = cached ? Timeline.restore(cached.window, cached.entries) : new Timeline();
        if (cached) {
          timeline.hideThrough(cached.hiddenThrough);
          timeline.deleteSeqs(cached.deletedSeqs);
        }
        const summary = this.conversation(id);
        if (summary) this.hideFor(timeline, summary);
        this.timelines.set(id, timeline);
        this.timelineLoads.delete(id);
        this.timelineChanged(id);
        return timeline;
      });
    this.timelineLoads.set(id, load);
    return load;
  }

  /**
   * The user opened a conversation: show the cached entries at once, then pull what is
   * missing, and a first page of history when the device holds little.
   */
  async openConversation(id: ConversationId): Promise<void> {
    const timeline = await this.loadTimeline(id);
    if (this.stateValue !== 'connected') return;
    const summary = this.conversation(id);
    if (summary && (timeline.isEmpty || timeline.held.through < summary.last_seq)) await this.catchUp(id);
    if (timeline.visible().length < 20 && !timeline.held.reachedStart) await this.loadOlder(id);
  }

  /** Pull the page before the oldest entry held (the user scrolled up). */
  async loadOlder(id: ConversationId): Promise<void> {
    const timeline = this.focuses.get(id) ?? (await this.loadTimeline(id));
    const held = timeline.held;
    if (held.reachedStart || this.loadingOlder.has(id) || this.stateValue !== 'connected') return;
    if (timeline.isEmpty) return this.catchUp(id);
    this.loadingOlder.add(id);
    this.timelineChanged(id);
    try {
      const reply = await this.call('history', {
        conversation_id: id,
        before_seq: held.from,
        limit: this.pageSize,
      });
      timeline.addOlder(reply.messages, reply.messages.length < this.pageSize);
      this.dirtyTimelines.add(id);
      this.schedulePersist();
    } catch (error) {
      this.emit('error', { error });
    } finally {
      this.loadingOlder.delete(id);
      this.timelineChanged(id);
    }
  }

  // ---- message search and jumping to a result (issue 15) --------------------------------

  /** Search the messages I may read (docs/protocol.md, "Message search"). */
  async searchMessages(q: string, options: MessageSearchOptions = {}): Promise<MessageSearchPage> {
    return this.call('messages.search', searchRequest(q, options));
  }

  /**
   * The entries around `seq` (it, and about as many before as after), straight from the
   * server and not kept in the timeline: a view opened at a search result far back in a long
   * conversation. Page on from it with `history`'s `before_seq` and `after_seq`.
   */
  async historyAround(id: ConversationId, seq: Seq, limit = 50): Promise<Entry[]> {
    const reply = await this.call('history', { conversation_id: id, around_seq: seq, limit });
    return reply.messages;
  }

  /**
   * Open a conversation at a message (a search result): that message and its context
   * around it (`history`'s `around_seq`), however far back it is, without pulling everything
   * between it and the newest. The snapshot's `anchor` says which message to show; while the
   * window is not joined to the live tail, `atLatest` is false and `loadNewer` pages on
   * downwards until it is (then new messages show again); `loadOlder` pages upwards as
   * ever. False when the message is not one this member may see (recalled messages are).
   */
  async openAt(id: ConversationId, seq: Seq): Promise<boolean> {
    this.anchors.set(id, seq);
    this.timelineChanged(id);
    // In the window already shown (the next hit of a search in this chat): no request.
    const shown = this.focuses.get(id);
    if (shown && shown.held.from <= seq && seq <= shown.held.through) return shown.visible().some((e) => e.seq === seq);
    await this.openConversation(id);
    const main = await this.loadTimeline(id);
    const held = main.held;
    if (held.from !== 0 && held.from <= seq && seq <= held.through) {
      this.focuses.delete(id);
      this.timelineChanged(id);
      return main.visible().some((e) => e.seq === seq);
    }
    if (this.stateValue !== 'connected') return false;
    const limit = this.pageSize;
    const reply = await this.call('history', { conversation_id: id, around_seq: seq, limit });
    if (this.anchors.get(id) !== seq) return false; // opened elsewhere meanwhile
    const entries = [...reply.messages].sort((a, b) => a.seq - b.seq);
    const first = entries[0];
    const last = entries[entries.length - 1];
    if (!first || !last) {
      this.anchors.delete(id);
      this.timelineChanged(id);
      return false;
    }
    const focus = new Timeline();
    const summary = this.conversation(id);
    if (summary) this.hideFor(focus, summary);
    const hidden = holes(id, entries, first.seq, last.seq);
    focus.deleteSeqs(hidden.map((e) => e.seq));
    focus.addNewer([...entries, ...hidden].sort((a, b) => a.seq - b.seq));
    // The server gives up to limit / 2 + 1 at and before the seq: fewer means nothing older.
    if (entries.filter((e) => e.seq <= seq).length < Math.floor(limit / 2) + 1) focus.addOlder([], true);
    this.focuses.set(id, focus);
    this.joinLiveTail(id);
    this.timelineChanged(id);
    return entries.some((e) => e.seq === seq);
  }

  /** Page on downwards from a window opened at a message (`openAt`), towards the live tail. */
  async loadNewer(id: ConversationId): Promise<void> {
    const focus = this.focuses.get(id);
    if (!focus || this.loadingNewer.has(id) || this.stateValue !== 'connected') return;
    this.loadingNewer.add(id);
    this.timelineChanged(id);
    try {
      const after = focus.held.through;
      const reply = await this.call('history', { conversation_id: id, after_seq: after, limit: this.pageSize });
      if (this.focuses.get(id) !== focus) return;
      const entries = [...reply.messages].sort((a, b) => a.seq - b.seq);
      const highest = entries[entries.length - 1]?.seq ?? after;
      // Seqs left out between those returned are deleted for me; an empty page means all
      // up to the newest are (the tail held already starts after them).
      const live = this.timelines.get(id)?.held.from ?? 0;
      const newest = Math.min(this.conversation(id)?.last_seq ?? 0, live > 0 ? live - 1 : Number.MAX_SAFE_INTEGER);
      const through = entries.length === 0 ? newest : highest;
      const hidden = holes(id, entries, after + 1, through);
      focus.deleteSeqs(hidden.map((e) => e.seq));
      focus.addNewer([...entries, ...hidden].sort((a, b) => a.seq - b.seq));
      this.joinLiveTail(id);
    } catch (error) {
      this.emit('error', { error });
    } finally {
      this.loadingNewer.delete(id);
      this.timelineChanged(id);
    }
  }

  /** Back to the newest messages: forget the window opened at a message, and its anchor. */
  showLatest(id: ConversationId): void {
    const had = this.focuses.delete(id);
    if (this.anchors.delete(id) || had) this.timelineChanged(id);
  }

  /** The window opened at a message reached the live tail: it becomes part of the timeline. */
  private joinLiveTail(id: ConversationId): void {
    const focus = this.focuses.get(id);
    const main = this.timelines.get(id);
    if (!focus || !main) return;
    const live = main.held;
    const window = focus.held;
    const lastSeq = this.conversation(id)?.last_seq ?? 0;
    if (live.from === 0) {
      // Nothing of the tail is held (offline, or a tail reset): the window is the tail once it reaches the newest.
      if (window.through < lastSeq) return;
      this.timelines.set(id, focus);
    } else {
      if (window.through + 1 < live.from) return;
      main.deleteSeqs(focus.toCached().deletedSeqs.filter((seq) => seq < live.from));
      main.addOlder(
        focus.snapshot().filter((e) => e.seq < live.from),
        window.reachedStart,
      );
    }
    this.focuses.delete(id);
    this.dirtyTimelines.add(id);
    this.schedulePersist();
  }

  // ---- sending -------------------------------------------------------------------------

  /**
   * Queue a message. It shows at once as `sending`, goes out when connected, is retried under
   * the same client_msg_id after every reconnect, and fails after `sendTimeoutMs` connected
   * without an answer (offline it waits, however long).
   */
  send<T extends MessageType>(
    conversationId: ConversationId,
    type: T,
    body: MessageBodies[T],
    options: { replyToSeq?: Seq | null } = {},
  ): PendingMessage {
    const message: PendingMessage = {
      client_msg_id: this.newClientMsgId(),
      conversation_id: conversationId,
      type,
      body,
      reply_to_seq: options.replyToSeq ?? null,
      created_at: this.clock.now(),
      state: 'sending',
      attempts: 0,
      error: null,
    };
    this.outbox.add(message);
    this.outboxChanged(conversationId, message.client_msg_id);
    this.watchSendTimeout(message.client_msg_id);
    this.transmit(message);
    return message;
  }

  sendText(
    conversationId: ConversationId,
    text: string,
    options: { mentions?: UserId[]; mentionAll?: boolean; replyToSeq?: Seq | null } = {},
  ): PendingMessage {
    const body: MessageBodies['text'] = { text };
    if (options.mentions && options.mentions.length > 0) body.mentions = options.mentions;
    if (options.mentionAll === true) body.mention_all = true;
    return this.send(conversationId, 'text', body, { replyToSeq: options.replyToSeq ?? null });
  }

  /**
   * Send a file as an image or file message: it shows at once with its upload's progress,
   * uploads (resumably), then sends like any message. `fingerprint` resumes an upload of the
   * same file begun earlier; `expiryDays` (1-7) makes the file disappear that long after upload.
   */
  sendFile(
    conversationId: ConversationId,
    file: Blob,
    content: FileContent,
    options: { replyToSeq?: Seq | null; fingerprint?: string; expiryDays?: number | null; poster?: Blob | null } = {},
  ): PendingMessage {
    if (!this.uploader) throw new TidingsError('unsupported', 'this client has no uploader');
    const expiryDays = options.expiryDays ?? null;
    if (expiryDays !== null && !(Number.isInteger(expiryDays) && expiryDays >= MIN_EXPIRY_DAYS && expiryDays <= MAX_EXPIRY_DAYS)) {
      throw new TidingsError('invalid_input', `expiryDays must be ${MIN_EXPIRY_DAYS}-${MAX_EXPIRY_DAYS}`);
    }
    const message: PendingMessage = {
      client_msg_id: this.newClientMsgId(),
      conversation_id: conversationId,
      type: content.type,
      body: { ...content.body, file_id: '' } as MessageBodies[typeof content.type],
      reply_to_seq: options.replyToSeq ?? null,
      created_at: this.clock.now(),
      state: 'sending',
      attempts: 0,
      error: null,
      upload: { sent: 0, total: file.size, state: 'uploading', error: null },
      file,
      // The same file kept for a different time is a different upload.
      ...(options.fingerprint ? { fingerprint: expiryDays === null ? options.fingerprint : `${options.fingerprint}:expiry-${expiryDays}` } : {}),
      ...(expiryDays !== null ? { expiry_days: expiryDays } : {}),
      ...(options.poster && content.type === 'video' ? { poster: options.poster } : {}),
    };
    this.outbox.add(message);
    this.outboxChanged(conversationId, message.client_msg_id);
    void this.runUpload(message.client_msg_id);
    return message;
  }

  /** Upload a file on its own (an avatar); resolves to its file id. */
  uploadFile(file: Blob, meta: UploadMeta): Promise<string> {
    if (!this.uploader) return Promise.reject(new TidingsError('unsupported', 'this client has no uploader'));
    return this.uploader.upload(file, meta);
  }

  /** Stop an upload; `retry` resumes it from where the server has it. */
  pauseUpload(clientMsgId: string): void {
    const message = this.outbox.get(clientMsgId);
    if (!message?.upload || message.upload.state !== 'uploading') return;
    this.uploadAborts.get(clientMsgId)?.abort();
  }

  private async runUpload(clientMsgId: string): Promise<void> {
    const message = this.outbox.get(clientMsgId);
    if (!message?.upload || !message.file || !this.uploader || this.uploadAborts.has(clientMsgId)) return;
    const abort = new AbortController();
    this.uploadAborts.set(clientMsgId, abort);
    const file = message.file;
    const body = message.body as { name?: string; mime?: string; duration_ms?: number; width?: number; height?: number };
    const setUpload = (upload: PendingUpload, persist: boolean) => {
      const current = this.outbox.get(clientMsgId);
      if (!current) return;
      this.outbox.update(clientMsgId, { upload });
      if (persist) this.outboxChanged(current.conversation_id, clientMsgId);
      else this.progressChanged(current.conversation_id);
    };
    setUpload({ ...message.upload, state: 'uploading', error: null }, true);
    try {
      // A video's still goes first (issue 12); once uploaded its id stays in the body.
      const poster = message.poster;
      if (poster && !(message.body as { poster_file_id?: string }).poster_file_id) {
        const posterId = await this.uploader.upload(
          poster,
          { name: 'poster.jpg', type: poster.type || 'image/jpeg', ...(message.expiry_days !== undefined ? { expiryDays: message.expiry_days } : {}) },
          { signal: abort.signal, fingerprint: `poster:${clientMsgId}` },
        );
        const withPoster = this.outbox.get(clientMsgId);
        if (!withPoster) return;
        this.outbox.update(clientMsgId, { body: { ...withPoster.body, poster_file_id: posterId } as PendingMessage['body'], poster: undefined });
      }
      const media = message.type === 'voice' || message.type === 'video';
      const fileId = await this.uploader.upload(
        file,
        {
          name: body.name || (message.type === 'voice' ? 'voice' : message.type === 'video' ? 'video' : 'image'),
          type: file.type || body.mime || 'application/octet-stream',
          ...(message.expiry_days !== undefined ? { expiryDays: message.expiry_days } : {}),
          ...(media && body.duration_ms !== undefined ? { durationMs: body.duration_ms } : {}),
          ...(message.type === 'video' && body.width !== undefined && body.height !== undefined ? { width: body.width, height: body.height } : {}),
        },
        {
          signal: abort.signal,
          // Without a file fingerprint the message's own id names the upload: resuming it
          // (after a cut, a pause or a restart) continues on the server instead of starting over.
          fingerprint: message.fingerprint ?? `message:${clientMsgId}`,
          onProgress: (sent, total) => {
            const current = this.outbox.get(clientMsgId)?.upload;
            if (current) setUpload({ ...current, sent, total }, false);
          },
        },
      );
      const current = this.outbox.get(clientMsgId);
      if (!current) return;
      this.outbox.update(clientMsgId, {
        body: { ...current.body, file_id: fileId } as PendingMessage['body'],
        upload: undefined,
        file: undefined,
        state: 'sending',
        error: null,
      });
      this.outboxChanged(current.conversation_id, clientMsgId);
      this.watchSendTimeout(clientMsgId);
      this.transmitFiles(current.conversation_id);
    } catch (error) {
      const code = error instanceof TidingsError ? error.code : 'upload_failed';
      const current = this.outbox.get(clientMsgId);
      if (current?.upload) {
        const paused = code === 'aborted';
        // Cut off by the network: it goes on by itself once the connection is back.
        const interrupted = !paused && isResumableUploadError(code);
        this.outbox.update(clientMsgId, { state: paused || interrupted ? 'sending' : 'failed', error: paused ? null : code });
        setUpload({ ...current.upload, state: paused ? 'paused' : interrupted ? 'interrupted' : 'failed', error: paused ? null : code }, true);
        // Files picked after this one need not wait for it any more.
        this.transmitFiles(current.conversation_id);
      }
    } finally {
      this.uploadAborts.delete(clientMsgId);
    }
  }

  /**
   * Resume the uploads the network interrupted (tus continues from the server's offset), as
   * soon as the connection is back: the user need not press Resume. Uploads the user paused,
   * that failed for good, or that another window or an earlier visit began, wait for the user.
   */
  private resumeInterruptedUploads(): void {
    // Those still between attempts try again now rather than after their wait.
    this.uploader?.wake?.();
    for (const message of this.outbox.all()) {
      if (message.upload?.state !== 'interrupted' || !message.file) continue;
      this.outbox.update(message.client_msg_id, { state: 'sending', error: null });
      void this.runUpload(message.client_msg_id);
    }
  }

  /**
   * Files go out in the order they were sent: one whose upload finished first waits for the
   * earlier ones still uploading (images picked together arrive in the order picked).
   */
  private transmitFiles(conversationId: ConversationId): void {
    for (const message of this.outbox.forConversation(conversationId)) {
      if (message.upload?.state === 'uploading') return;
      if (message.state === 'sending' && !message.upload) this.transmit(message);
    }
  }

  /** Upload progress repaints its conversation at most a few times a second. */
  private progressChanged(conversationId: ConversationId): void {
    if (this.progressTimers.has(conversationId)) return;
    this.progressTimers.set(
      conversationId,
      this.clock.setTimeout(() => {
        this.progressTimers.delete(conversationId);
        this.timelineChanged(conversationId);
      }, 150),
    );
  }

  /** Send a failed message again, under its original client_msg_id (a stopped upload resumes). */
  retry(clientMsgId: string): void {
    const message = this.outbox.get(clientMsgId);
    if (message?.upload && message.upload.state !== 'uploading') {
      this.outbox.update(clientMsgId, { state: 'sending', error: null });
      void this.runUpload(clientMsgId);
      return;
    }
    if (!message || message.state !== 'failed') return;
    this.outbox.update(clientMsgId, { state: 'sending', error: null });
    this.outboxChanged(message.conversation_id, clientMsgId);
    this.watchSendTimeout(clientMsgId);
    const updated = this.outbox.get(clientMsgId);
    if (updated) this.transmit(updated);
  }

  /** Drop a message that was never sent (stopping its upload). */
  discard(clientMsgId: string): void {
    this.uploadAborts.get(clientMsgId)?.abort();
    const message = this.outbox.settle(clientMsgId);
    if (message) {
      this.outboxChanged(message.conversation_id, clientMsgId);
      this.transmitFiles(message.conversation_id);
    }
  }

  /**
   * A message fails after `sendTimeoutMs` without an answer. Offline the wait starts again:
   * a message written without a network stays queued and goes out once the connection is
   * back (sending is idempotent, so a late answer to a failed one still settles it).
   */
  private watchSendTimeout(clientMsgId: string): void {
    this.clock.setTimeout(() => {
      const message = this.outbox.get(clientMsgId);
      if (message?.state === 'sending' && this.stateValue !== 'connected') {
        this.watchSendTimeout(clientMsgId);
      } else if (message?.state === 'sending') {
        this.outbox.update(clientMsgId, { state: 'failed', error: 'timeout' });
        this.outboxChanged(message.conversation_id, clientMsgId);
      }
    }, this.sendTimeoutMs);
  }

  private flushOutbox(): void {
    for (const message of this.outbox.toSend()) this.transmit(message);
  }

  private transmit(message: PendingMessage): void {
    if (message.upload || this.stateValue !== 'connected' || this.transmitting.has(message.client_msg_id)) return;
    if (FILE_TYPES.has(message.type) && this.behindUpload(message)) return;
    this.transmitting.add(message.client_msg_id);
    this.outbox.update(message.client_msg_id, { attempts: message.attempts + 1 });
    const request: OpRequest<'send'> = {
      conversation_id: message.conversation_id,
      client_msg_id: message.client_msg_id,
      type: message.type,
      body: message.body,
    };
    if (message.reply_to_seq !== null) request.reply_to_seq = message.reply_to_seq;
    this.call('send', request)
      .then(async (entry) => {
        await this.loadTimeline(entry.conversation_id);
        this.outbox.settle(message.client_msg_id);
        this.entriesArrived(entry.conversation_id, [entry], true);
        this.outboxChanged(entry.conversation_id, message.client_msg_id);
        const summary = this.summaries.get(entry.conversation_id);
        if (summary && this.timelines.get(entry.conversation_id)?.gap(summary.last_seq)) {
          void this.catchUp(entry.conversation_id);
        }
      })
      .catch((error: unknown) => {
        if (error instanceof TidingsError && error.code === 'pending_moderation') {
          // Accepted, held for a moderator: the entry arrives once approved, or a rejection.
          this.outbox.update(message.client_msg_id, { state: 'moderation', error: null });
          this.outboxChanged(message.conversation_id, message.client_msg_id);
        } else if (error instanceof TidingsError && isFinalSendError(error.code)) {
          this.outbox.update(message.client_msg_id, { state: 'failed', error: error.code });
          this.outboxChanged(message.conversation_id, message.client_msg_id);
        }
        // Otherwise the connection went away: the next connect sends it again.
      })
      .finally(() => this.transmitting.delete(message.client_msg_id));
  }

  /** An earlier file of the same conversation is still uploading. */
  private behindUpload(message: PendingMessage): boolean {
    for (const other of this.outbox.forConversation(message.conversation_id)) {
      if (other.client_msg_id === message.client_msg_id) return false;
      if (other.upload?.state === 'uploading') return true;
    }
    return false;
  }

  private outboxChanged(conversationId: ConversationId, clientMsgId: string): void {
    this.timelineChanged(conversationId);
    this.persistPending(clientMsgId);
  }

  /** Write one pending message to the cache as it is now, or delete it once settled. */
  private persistPending(clientMsgId: string): void {
    let message = this.outbox.get(clientMsgId);
    // A big file is not copied into the cache: after a restart the user picks it again.
    if (message?.file && message.file.size > MAX_CACHED_FILE_BYTES) {
      const { file: _file, ...rest } = message;
      message = rest;
    }
    const write = message ? this.cache.savePending(message) : this.cache.deletePending(clientMsgId);
    write.catch((error: unknown) => this.emit('error', { error }));
  }

  /** Forward messages to several conversations, with an optional note after them. */
  async forward(
    conversationId: ConversationId,
    seqs: Seq[],
    targetIds: ConversationId[],
    note?: string,
    /** `merged`: one chat record holding copies of them all (its `title` e.g. "Chat history of A and B"). */
    options: { merged?: boolean; title?: string } = {},
  ): Promise<Entry[]> {
    const request: OpRequest<'forward'> = {
      conversation_id: conversationId,
      seqs,
      target_ids: targetIds,
      client_msg_id: this.newClientMsgId(),
    };
    if (note && note.trim()) request.note = note;
    if (options.merged) {
      request.merged = true;
      if (options.title) request.title = options.title;
    }
    const reply = await this.call('forward', request);
    for (const entry of reply.entries) {
      await this.loadTimeline(entry.conversation_id);
      this.entriesArrived(entry.conversation_id, [entry], true);
    }
    return reply.entries;
  }

  /** Recall one of my messages (or any, as a group admin) within the recall window. */
  async recall(conversationId: ConversationId, seq: Seq): Promise<void> {
    const entry = await this.call('recall', { conversation_id: conversationId, seq });
    await this.loadTimeline(conversationId);
    this.entriesArrived(conversationId, [entry], true);
  }

  /** Delete messages for me (on all my devices). */
  async deleteForMe(conversationId: ConversationId, seqs: Seq[]): Promise<void> {
    await this.call('delete', { conversation_id: conversationId, seqs });
    const timeline = await this.loadTimeline(conversationId);
    if (this.focuses.get(conversationId)?.deleteSeqs(seqs)) this.timelineChanged(conversationId);
    if (timeline.deleteSeqs(seqs)) {
      this.timelineChanged(conversationId);
      this.dirtyTimelines.add(conversationId);
      this.schedulePersist();
    }
  }

  // ---- clear history, favourites (issue 12, h/select) --------------------------------------

  /** Clear a conversation's history for me (on all my devices; D5). */
  async clearHistory(conversationId: ConversationId): Promise<void> {
    const { cleared_seq } = await this.call('clear', { conversation_id: conversationId });
    this.updateSummary(conversationId, (s) => ({
      ...s,
      cleared_seq: Math.max(s.cleared_seq, cleared_seq),
      unread: cleared_seq >= s.last_seq ? 0 : s.unread,
      preview: s.preview && s.preview.seq <= cleared_seq ? null : s.preview,
    }));
    const timeline = await this.loadTimeline(conversationId);
    if (this.focuses.get(conversationId)?.hideThrough(cleared_seq)) this.timelineChanged(conversationId);
    if (timeline.hideThrough(cleared_seq)) {
      this.timelineChanged(conversationId);
      this.dirtyTimelines.add(conversationId);
    }
    this.schedulePersist();
  }

  /** Send one of my favourites into conversations (a forward of my saved copy). */
  async sendFavorite(favoriteId: number, targetIds: ConversationId[], note?: string): Promise<Entry[]> {
    const request: OpRequest<'favorites.send'> = { id: favoriteId, target_ids: targetIds, client_msg_id: this.newClientMsgId() };
    if (note && note.trim()) request.note = note;
    const reply = await this.call('favorites.send', request);
    for (const entry of reply.entries) {
      await this.loadTimeline(entry.conversation_id);
      this.entriesArrived(entry.conversation_id, [entry], true);
    }
    return reply.entries;
  }

  /** Mark the conversation read up to its last entry (the user is looking at it). */
  markRead(conversationId: ConversationId): void {
    const summary = this.summaries.get(conversationId);
    if (!summary || summary.last_seq <= summary.read_seq || this.stateValue !== 'connected') return;
    const seq = summary.last_seq;
    this.updateSummary(conversationId, (s) => applyRead(s, seq, 0));
    this.call('read', { conversation_id: conversationId, seq }).catch(() => {
      // Sync brings the true position back on the next connect.
    });
  }

  /** Tell the others I am typing; throttled so a burst of keys sends one push. */
  typingNow(conversationId: ConversationId): void {
    const now = this.clock.now();
    if (now - (this.typingSentAt.get(conversationId) ?? 0) < TYPING_THROTTLE_MS) return;
    if (this.stateValue !== 'connected' || !this.summaries.has(conversationId)) return;
    this.typingSentAt.set(conversationId, now);
    this.call('typing', { conversation_id: conversationId }).catch(() => undefined);
  }

  async setSettings(
    conversationId: ConversationId,
    settings: { pinned?: boolean; muted?: boolean; draft?: string },
  ): Promise<void> {
    const reply = await this.call('conversation.settings', { conversation_id: conversationId, ...settings });
    this.updateSummary(conversationId, (s) => ({ ...s, pinned: reply.pinned, muted: reply.muted, draft: reply.draft }));
  }

  /** The direct chat with someone, created on first use; `viaGroupId` when met in a group. */
  async openDirect(peerId: UserId, viaGroupId?: ConversationId): Promise<ConversationSummary> {
    const request: OpRequest<'conversation.open_direct'> = { peer_id: peerId };
    if (viaGroupId !== undefined) request.via_group_id = viaGroupId;
    const summary = await this.call('conversation.open_direct', request);
    this.upsertSummary(summary);
    this.conversationsChanged([summary.id]);
    return summary;
  }

  async createGroup(name: string, memberIds: UserId[]): Promise<ConversationSummary> {
    const summary = await this.call('conversation.create_group', { name, member_ids: memberIds });
    this.upsertSummary(summary);
    this.conversationsChanged([summary.id]);
    void this.catchUp(summary.id);
    return summary;
  }

  /** Members of a conversation (cached until someone joins or leaves). */
  conversationMembers(conversationId: ConversationId): Promise<Member[]> {
    let members = this.members.get(conversationId);
    if (!members) {
      members = this.call('conversation.members', { conversation_id: conversationId }).then((reply) => reply.members);
      members.catch(() => this.members.delete(conversationId));
      this.members.set(conversationId, members);
    }
    return members;
  }

  readState(conversationId: ConversationId, seq: Seq): Promise<ReadState> {
    return this.call('read_state', { conversation_id: conversationId, seq });
  }

  async profile(userId: UserId): Promise<User> {
    const known = this.users.get(userId);
    if (known) return known;
    const user = await this.call('profile.get', { user_id: userId });
    this.users.set(user.id, user);
    return user;
  }

  // ---- receipts, typing, presence ------------------------------------------------------

  private receiptArrived(receipt: Pushes['receipt']): void {
    this.updateSummary(receipt.conversation_id, (s) => applyReceipt(s, receipt));
    this.emit('receipt', receipt);
  }

  private scheduleAck(id: ConversationId, seq: Seq): void {
    // A group one has left is read, not acknowledged (the server would refuse: not_member).
    if (!this.summaries.has(id)) return;
    if (seq <= (this.ackedSeqs.get(id) ?? 0) || this.ackTimers.has(id)) return;
    this.ackTimers.set(
      id,
      this.clock.setTimeout(() => {
        this.ackTimers.delete(id);
        const through = this.timelines.get(id)?.held.through ?? 0;
        if (through <= (this.ackedSeqs.get(id) ?? 0)) return;
        this.call('ack', { conversation_id: id, seq: through }).then(
          () => this.ackedSeqs.set(id, Math.max(this.ackedSeqs.get(id) ?? 0, through)),
          () => undefined,
        );
      }, ACK_DELAY_MS),
    );
  }

  private typingArrived(id: ConversationId, userId: UserId): void {
    if (userId === this.user?.id) return;
    let users = this.typingUsers.get(id);
    if (!users) {
      users = new Map();
      this.typingUsers.set(id, users);
    }
    users.set(userId, this.clock.now() + TYPING_SHOWN_MS);
    this.emit('typing', { conversationId: id, userIds: this.typing(id) });
    this.clock.setTimeout(() => this.emit('typing', { conversationId: id, userIds: this.typing(id) }), TYPING_SHOWN_MS + 10);
  }

  private stopTyping(id: ConversationId, userId: UserId): void {
    if (this.typingUsers.get(id)?.delete(userId)) {
      this.emit('typing', { conversationId: id, userIds: this.typing(id) });
    }
  }

  private async subscribePresence(userIds?: UserId[]): Promise<void> {
    const ids =
      userIds ??
      [...this.summaries.values()].flatMap((s) => (s.peer ? [s.peer.user_id] : [])).slice(0, 1000);
    if (ids.length === 0 || this.stateValue !== 'connected') return;
    try {
      const reply = await this.call('presence.subscribe', { user_ids: ids });
      for (const [key, online] of Object.entries(reply.presence)) {
        const userId = Number(key);
        this.presenceOf.set(userId, online);
        this.emit('presence', { userId, online });
      }
    } catch {
      // Presence is a nicety; the next connect subscribes again.
    }
  }

  // ---- change notification and persistence ----------------------------------------------

  private updateSummary(id: ConversationId, change: (s: ConversationSummary) => ConversationSummary): void {
    const summary = this.summaries.get(id);
    if (!summary) return;
    const next = change(summary);
    if (next === summary) return;
    this.summaries.set(id, next);
    this.conversationsChanged([id]);
    this.schedulePersist();
  }

  private conversationsChanged(ids: ConversationId[]): void {
    this.sortedCache = null;
    this.emit('conversations', { ids });
  }

  private timelineChanged(id: ConversationId): void {
    this.snapshots.delete(id);
    this.emit('timeline', { conversationId: id });
  }

  private schedulePersist(): void {
    if (this.persistTimer !== null) return;
    this.persistTimer = this.clock.setTimeout(() => {
      this.persistTimer = null;
      this.flushPersist();
    }, PERSIST_DELAY_MS);
  }

  private flushPersist(): void {
    if (this.persistTimer !== null) this.clock.clearTimeout(this.persistTimer);
    this.persistTimer = null;
    if (!this.user) return;
    const writes: Promise<void>[] = [
      this.cache.saveAccount({
        // The cache reads back only what carries its own version (it was written as 1 while
        // the cache was at 2, so a restart never showed the cached list).
        version: CACHE_VERSION,
        user: this.user,
        privateSeq: this.privateSeq,
        conversations: [...this.summaries.values()],
        viewModes: Object.fromEntries(this.viewModes),
        names: Object.fromEntries(this.names),
      }),
    ];
    for (const id of this.dirtyTimelines) {
      const timeline = this.timelines.get(id);
      if (timeline && !this.formers.has(id)) writes.push(this.cache.saveTimeline(id, timeline.toCached()));
    }
    this.dirtyTimelines.clear();
    Promise.all(writes).catch((error: unknown) => this.emit('error', { error }));
  }
}

/** Placeholders for the seqs in [from, through] that a history reply left out (deleted for me). */
function holes(conversationId: ConversationId, entries: readonly Entry[], from: Seq, through: Seq): Entry[] {
  const returned = new Set(entries.map((e) => e.seq));
  const out: Entry[] = [];
  for (let seq = from; seq <= through; seq += 1) if (!returned.has(seq)) out.push(deletedPlaceholder(conversationId, seq));
  return out;
}

/** Stands in the timeline for a seq deleted for me, which the server no longer sends. */
function deletedPlaceholder(conversationId: ConversationId, seq: Seq): Entry {
  return {
    id: 0, conversation_id: conversationId, seq, sender_id: null, kind: 'message', type: 'text',
    body: {}, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: true,
  } as unknown as Entry;
}
