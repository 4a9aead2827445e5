/**
 * One open conversation: its timeline folded into bubbles and notices, the composer
 * (draft, reply, @mentions, emoji), message states and the bubble actions.
 */
import {
  errorCode,
  isFinalSendError,
  MAX_EXPIRY_DAYS,
  MIN_EXPIRY_DAYS,
  receiptOf,
  type CallMedia,
  type ChatRecordBody,
  type Client,
  type ConversationId,
  type ConversationSummary,
  type Entry,
  type Member,
  type MessageBodies,
  type MessageType,
  type PendingMessage,
  type PowerName,
  type ReadState,
  type Role,
  type Seq,
  type UserId,
} from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import type { RecentEmoji } from '../lib/emoji';
import { clockTime, dayLabel, describeEntry, visitorName } from '../lib/format';
import { formatBytes, type ImagePreparer, type PreparedImage } from '../lib/images';
import { safeWebUrl } from '../lib/media';
import { dateTime } from '../lib/when';
import { conversationTitle } from './ConversationListViewModel';
import { ComposeViewModel } from './ComposeViewModel';
import type { GroupInfoViewModel } from './GroupInfoViewModel';
import { holds } from '../lib/groupPowers';
import { sendPreparedImage } from './ImageSending';
import type { NameBook } from './NameBook';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';
import type { RestoredHistory } from '../lib/restoredHistory';
import { RestoredInChat } from './RestoredInChat';
import { MessageSelectionViewModel } from './MessageSelectionViewModel';
import { copyMedia } from './RecordMedia';
import { BurnTracker, type BurnBubble, type BurnControls } from './BurnAfterReading';
// The customer-service bar's view model comes with the bar's code (screens.tsx).
import type { ServiceChatViewModel } from './ServiceChatViewModel';
// In-chat search's view model is fetched when the search first opens (decision 0073).
import type { MessageResultsViewModel } from './MessageResultsViewModel';

export type BubbleState = 'sending' | 'failed' | 'moderation' | 'sent' | 'delivered' | 'read';

export interface Quote {
  seq: Seq;
  sender: string;
  text: string;
}

export interface BubbleItem {
  kind: 'bubble';
  key: string;
  seq: Seq | null;
  clientMsgId: string | null;
  senderId: UserId;
  sender: string;
  mine: boolean;
  /** Text to show; for kinds the app cannot show yet, a bracketed description. */
  text: string;
  isText: boolean;
  notice: { title: string; url: string | null } | null;
  time: string;
  state: BubbleState | null;
  /** Group read summary of my message: "3 unread" / "All read". */
  readSummary: string | null;
  quote: Quote | null;
  mentionsMe: boolean;
  /** A copy made by a forward (its client_msg_id starts with "fwd-"; a forward's note does not). */
  forwarded: boolean;
  /** An image or a file card. */
  media: MediaContent | null;
  /** The file of a message still uploading. */
  upload: UploadProgress | null;
  /**
   * Why my message failed (translated), and whether sending it again can work: a refusal
   * such as a mute or a block is shown, not offered as a retry.
   */
  failure: { text: string; retryable: boolean } | null;
  // History backup (0051): a message from a restored backup the server does not show, and its file's bytes.
  restored?: boolean;
  restoredFile?: Blob | null;
  /** Burn after reading: sealed, counting down, or the sender's view; null for other messages. */
  burn: BurnBubble | null;
}

/** Why I cannot send in this group now; null: I can. */
export type MuteState = { kind: 'until'; until: number } | { kind: 'forever' } | { kind: 'all' } | null;

export type MediaContent =
  | {
      kind: 'image';
      /** Null while the image uploads. */
      fileId: string | null;
      width: number;
      height: number;
      name: string;
      /** The picture on this device (sending, or just sent): shown until the server's loads. */
      local: Blob | null;
      expired: boolean;
      /** As on file cards: when it goes, or for one still sending how long it is kept; null: kept. */
      expiry: string | null;
    }
  | {
      kind: 'file';
      fileId: string | null;
      name: string;
      size: number;
      sizeText: string;
      expired: boolean;
      /** When the file goes ("Expires 24/11 14:05"), or for one still sending how long it is kept; null: kept. */
      expiry: string | null;
    }
  | {
      kind: 'voice';
      fileId: string | null;
      durationMs: number;
      durationText: string;
      expired: boolean;
      /** "Expires 24/11 14:05" for one sent to expire; null: kept. */
      expiry: string | null;
      /** Loudness bars 0-100 sent with it (issue 12); null: none (a flat line is drawn). */
      waveform: readonly number[] | null;
    }
  | {
      kind: 'video';
      fileId: string | null;
      /** A still to show before it plays (an image file sent with it). */
      posterFileId: string | null;
      width: number;
      height: number;
      durationText: string;
      expired: boolean;
      /** "Expires 24/11 14:05" for one sent to expire; null: kept. */
      expiry: string | null;
    }
  | {
      kind: 'location';
      name: string;
      address: string;
      latitude: number;
      longitude: number;
      /** False: the sender shared an area (rounded to about a kilometre), not a point. */
      precise: boolean;
      coordinates: string;
      /** An http(s) map link built from the coordinates; null if they make no sense. */
      mapUrl: string | null;
    }
  | { kind: 'contact'; userId: UserId; name: string }
  | {
      kind: 'card';
      title: string;
      description: string;
      price: string | null;
      /** Only http(s) links; null for anything else (the card shows, unclickable). */
      url: string | null;
      host: string;
      /** Only a picture from this server (see sameOriginImage). */
      imageUrl: string | null;
      source: string;
      /** Label and value lines (an order's items, its state). */
      fields: { label: string; value: string }[];
    }
  | { kind: 'sticker'; fileId: string | null; width: number; height: number; emoji: string }
  /** A chat record (merged forward): its title, the first lines, and the copies to open. */
  | { kind: 'record'; title: string; lines: string[]; more: number; count: number; body: ChatRecordBody };

/**
 * The file a message carries that can go to my favourites (F3): a sent image, file, voice
 * message, video or sticker whose file has not expired; null for anything else.
 */
export function favoriteFileOf(item: BubbleItem): string | null {
  const media = item.media;
  if (item.seq === null || !media) return null;
  switch (media.kind) {
    case 'sticker':
      return media.fileId;
    case 'image':
    case 'file':
    case 'voice':
    case 'video':
      return media.expired ? null : media.fileId;
    default:
      return null;
  }
}

/** The image a message carries that can be saved as a sticker (issue 12): a sent image or sticker. */
export function stickerFileOf(item: BubbleItem): string | null {
  const media = item.media;
  if (item.seq === null || !media) return null;
  if (media.kind === 'sticker') return media.fileId;
  return media.kind === 'image' && !media.expired ? media.fileId : null;
}

/** Message types shown as media rather than text. */
const MEDIA_TYPES: ReadonlySet<MessageType> = new Set(['image', 'file', 'voice', 'video', 'location', 'contact_card', 'custom_card', 'sticker', 'chat_record']);

export interface UploadProgress {
  percent: number;
  /** `interrupted`: the network broke it off; it resumes by itself when the connection is back. */
  state: 'uploading' | 'paused' | 'interrupted' | 'failed';
  /** A translated reason when it failed. */
  error: string | null;
}

/** Something picked to send: in the strip above the input until sent. */
export interface AttachmentItem {
  id: string;
  kind: 'image' | 'file';
  name: string;
  size: number;
  sizeText: string;
  file: Blob;
  /** Images: measured and compressed, ready to go. */
  ready: boolean;
  /** Gone this many days after sending (F3), for files and images alike; null: kept. */
  expiryDays: number | null;
}

/** What a chat needs of its surroundings for files (absent in tests that do not send any). */
export interface ChatEnvironment {
  images?: ImagePreparer;
  /** A stable name for a picked file, to resume its upload on a later visit. */
  fingerprint?(file: Blob): string | undefined;
  /** This page's origin: pictures on cards from it may show (default: the page's own). */
  origin?: string | null;
  /** History restored from a backup on this device (0051), merged into the chat. */
  restored?: RestoredHistory;
}

export interface NoticeItem {
  kind: 'notice';
  key: string;
  text: string;
  /** A call's record (decision 0074): call back with the same media. */
  callBack?: CallMedia;
}

export type ChatItem = BubbleItem | NoticeItem;

export interface MentionCandidate {
  /** 0 for "@all". */
  userId: UserId;
  name: string;
  /** "@all": everyone in the group (mention_all). */
  all: boolean;
}

export interface ChatSnapshot {
  conversationId: ConversationId;
  title: string;
  type: ConversationSummary['type'];
  /** Under the title: presence for direct chats, member count for groups, or typing. */
  subtitle: string;
  typing: boolean;
  items: ChatItem[];
  reachedStart: boolean;
  loading: boolean;
  /** The message the chat was opened at (a search result): scrolled to and highlighted. */
  anchor: Seq | null;
  /** Bumped by every jump, so the list scrolls to the anchor again even when it is the same. */
  jump: number;
  /**
   * The searched words to mark inside the anchor's text (a search opened the chat there):
   * finds them as the server matches. Null once the search closes or without one.
   */
  searchMarks: { seq: Seq; find: (text: string) => [number, number][] } | null;
  /** The rows reach the newest message; false while a window far back is shown. */
  atLatest: boolean;
  loadingNewer: boolean;
  /** Search inside this conversation (header button, Ctrl+F), while open. */
  search: MessageResultsViewModel | null;
  draft: string;
  replyTo: Quote | null;
  mentionCandidates: MentionCandidate[];
  recentEmoji: readonly string[];
  canSend: boolean;
  /**
   * Files, images, voice, stickers and the "+" panel's kinds may be sent: not in a
   * customer-service chat, which carries text and cards only (the visitor's token reaches
   * no file; decision 0066).
   */
  attachable: boolean;
  /** I am muted here (or everyone is): the composer says so, and until when, instead of sending. */
  muted: string | null;
  /**
   * A group I left (`left`) or was removed from (`removed`), opened from a search result:
   * read-only up to the leaving (decision 0075), a calm line instead of the composer. Null
   * for a conversation I am in.
   */
  left: 'left' | 'removed' | null;
  /** The other person of a direct chat. */
  peerId: UserId | null;
  peerOnline: boolean | undefined;
  /** A translated message to flash (an action failed). */
  toast: string | null;
  /** The group's info panel, while open. */
  groupInfo: GroupInfoViewModel | null;
  /** Who has read one of my group messages, while shown. */
  readers: Readers | null;
  attachments: AttachmentItem[];
  /** Send images as they are, not compressed. */
  sendOriginal: boolean;
  /** Group powers of mine that show in the bubble menu. */
  canRecallAny: boolean;
  canMarkImportant: boolean;
  /** Burn after reading (direct chats): the composer's toggle and the chat's mode. */
  burn: BurnControls;
}

export interface Readers {
  seq: Seq;
  loading: boolean;
  read: { id: UserId; name: string }[];
  unread: { id: UserId; name: string }[];
}

const MAX_ATTACHMENTS = 20;
/** What browsers decode and the server accepts as images (docs/protocol.md, "Files"). */
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp']);

/** Entries closer than this share a time separator. */
const SEPARATOR_GAP_MS = 5 * 60_000;
const READ_STATE_MESSAGES = 20;

export class ChatViewModel extends ViewModel<ChatSnapshot> {
  private draft: string;
  private caret = 0;
  private replyTo: Quote | null = null;
  private members: Member[] = [];
  /** "@Name" texts the user picked from the mention list, by user id. */
  private readonly mentioned = new Map<UserId, string>();
  /** The "@all" text, once the user picked it from the mention list. */
  private mentionedAll: string | null = null;
  private readonly readStates = new Map<Seq, ReadState>();
  private readStateTimer: ReturnType<typeof setTimeout> | null = null;
  private toast: string | null = null;
  private savedDraft: string;
  private groupInfo: GroupInfoViewModel | null = null;
  private groupInfoOpening = 0;
  private closed = false;
  private readers: Readers | null = null;
  private attachments: (AttachmentItem & { prepared: Promise<PreparedImage | null> | null })[] = [];
  private sendOriginal = false;
  private nextAttachment = 1;
  /** Images sent from here, by client_msg_id: shown while the server's copy loads. */
  private readonly localImages = new Map<string, Blob>();
  private sending: Promise<void> = Promise.resolve();
  /** My role and powers in this group (who may recall others' messages, mark them important). */
  private powers: { role: Role; powers: readonly PowerName[] } | null = null;
  /** My mute in this group (ms, -1 for ever; null or past: none) and the group's "mute everyone". */
  private mutedUntil: number | null = null;
  private muteAll = false;
  private muteTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly restoredInChat: RestoredInChat | null;
  /** Multi-select: checkboxes on messages and a bar to forward, favourite or delete them. */
  readonly selection: MessageSelectionViewModel;
  /** Burn after reading: the view calls its actions (open, toggle, mode). */
  readonly burn: BurnTracker;
  private serviceModel: ServiceChatViewModel | null = null;
  private searchModel: MessageResultsViewModel | null = null;
  private jumps = 0;
  private searchMarks: ChatSnapshot['searchMarks'] = null;

  constructor(
    readonly conversationId: ConversationId,
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly preferences: PreferencesViewModel,
    private readonly recentEmoji: RecentEmoji,
    private readonly now: () => number = Date.now,
    private readonly env: ChatEnvironment = {},
  ) {
    const summary = client.conversation(conversationId);
    super(ChatViewModel.empty(conversationId, summary?.draft ?? ''));
    this.selection = new MessageSelectionViewModel(client, conversationId, preferences, (text) => this.showToast(text));
    this.track(() => this.selection.dispose());
    this.draft = summary?.draft ?? '';
    this.savedDraft = this.draft;
    this.caret = this.draft.length;
    this.burn = new BurnTracker(client, conversationId, now, () => this.refresh(), (code) => this.showToast(errorMessage(this.t, code)));
    this.track(() => this.burn.dispose());
    const refresh = () => this.refresh();
    this.restoredInChat = env.restored ? new RestoredInChat(env.restored, conversationId) : null;
    if (this.restoredInChat) this.track(this.restoredInChat.subscribe(refresh));
    this.track(
      client.on('timeline', ({ conversationId: id }) => {
        if (id === conversationId) {
          this.refresh();
          this.refreshReadStatesSoon();
          this.catchUpOnMute();
        }
      }),
    );
    this.track(
      client.on('conversations', ({ ids }) => {
        if (ids.includes(conversationId)) this.refresh();
      }),
    );
    this.track(
      client.on('group', ({ conversationId: id, entry }) => {
        if (id === conversationId) this.foldMute(entry);
        // My powers may have changed (made admin, ownership handed over).
        if (id === conversationId && (entry.kind === 'role_changed' || entry.kind === 'owner_changed')) {
          void this.loadPowers();
          void this.client.conversationMembers(conversationId).then((members) => {
            this.members = members;
            this.refresh();
          });
        }
      }),
    );
    this.track(
      client.on('typing', ({ conversationId: id }) => {
        if (id === conversationId) this.refresh();
      }),
    );
    this.track(
      client.on('receipt', ({ conversation_id }) => {
        if (conversation_id === conversationId) this.refreshReadStatesSoon();
      }),
    );
    this.track(
      client.on('state', ({ state }) => {
        if (state === 'connected') void this.open();
        this.refresh();
      }),
    );
    this.track(client.on('presence', refresh));
    this.track(names.onChange(refresh));
    this.track(preferences.subscribe(refresh));
    this.track(() => {
      if (this.readStateTimer) clearTimeout(this.readStateTimer);
      if (this.muteTimer) clearTimeout(this.muteTimer);
    });
    this.refresh();
    void this.open();
  }

  private static empty(conversationId: ConversationId, draft: string): ChatSnapshot {
    return {
      conversationId, title: '', type: 'direct', subtitle: '', typing: false, items: [], reachedStart: false,
      loading: true, anchor: null, jump: 0, searchMarks: null, atLatest: true, loadingNewer: false, search: null, draft, replyTo: null, mentionCandidates: [], recentEmoji: [], canSend: true, attachable: true, muted: null, left: null,
      peerId: null, peerOnline: undefined, toast: null, groupInfo: null, readers: null, attachments: [],
      sendOriginal: false, canRecallAny: false, canMarkImportant: false,
      burn: { available: false, next: false, mode: false, peerMode: false },
    };
  }

  private get t(): Translate {
    return this.preferences.getSnapshot().t;
  }

  private async open(): Promise<void> {
    await this.client.openConversation(this.conversationId);
    const summary = this.client.conversation(this.conversationId);
    if (summary?.left_seq !== undefined) return this.learnLeaving(summary.left_seq);
    void this.burn.loadMode();
    if (summary?.type === 'group' && this.client.state === 'connected') {
      try {
        this.members = await this.client.conversationMembers(this.conversationId);
        this.names.learn(this.members);
        this.refresh();
      } catch {
        // Members show up on the next open; names fall back to ids meanwhile.
      }
      await this.loadPowers();
    }
    this.refreshReadStatesSoon();
  }

  /** The entry that took me out of a group I left: my leaving, or a removal naming me. */
  private leaving: Entry | null = null;

  private async learnLeaving(leftSeq: Seq): Promise<void> {
    const held = this.client.timeline(this.conversationId).entries.find((e) => e.seq === leftSeq);
    const preview = this.client.conversation(this.conversationId)?.preview;
    this.leaving = held ?? (preview?.seq === leftSeq ? preview : null);
    if (this.leaving === null && this.client.state === 'connected') {
      try {
        const reply = await this.client.request('history', { conversation_id: this.conversationId, after_seq: leftSeq - 1, limit: 1 });
        this.leaving = reply.messages.find((e) => e.seq === leftSeq) ?? null;
      } catch {
        // "You left this group" says enough meanwhile.
      }
    }
    this.refresh();
  }

  private leftState(summary: ConversationSummary | undefined): ChatSnapshot['left'] {
    if (summary?.left_seq === undefined) return null;
    const entry = this.leaving;
    const me = this.client.me?.id;
    return entry?.kind === 'member_removed' && (entry.body as { user_id?: UserId }).user_id === me ? 'removed' : 'left';
  }

  private async loadPowers(): Promise<void> {
    try {
      const info = await this.client.request('group.info', { conversation_id: this.conversationId });
      this.powers = { role: info.role, powers: info.disbanded ? [] : info.powers };
      this.mutedUntil = info.muted_until;
      this.muteAll = info.mute_all;
    } catch {
      this.powers = null;
    }
    this.refresh();
  }

  /**
   * A send refused as "muted" before the mute's entry reached me: ask the group how things
   * stand, so the composer and the failed message say so (once per refused message).
   */
  private catchUpOnMute(): void {
    const refused = this.client
      .timeline(this.conversationId)
      .pending.filter((m) => m.state === 'failed' && m.error === 'muted' && !this.mutedRefusals.has(m.client_msg_id));
    if (refused.length === 0) return;
    for (const m of refused) this.mutedRefusals.add(m.client_msg_id);
    void this.loadPowers();
  }

  private readonly mutedRefusals = new Set<string>();

  /** Mute entries of the group's log, as they arrive: the composer follows them live. */
  private foldMute(entry: { kind: string; body: unknown }): void {
    const me = this.client.me?.id;
    if (entry.kind === 'member_muted') {
      const body = entry.body as { user_id: UserId; until: number };
      if (body.user_id === me) this.mutedUntil = body.until;
    } else if (entry.kind === 'member_unmuted') {
      const body = entry.body as { user_id: UserId };
      if (body.user_id === me) this.mutedUntil = null;
    } else if (entry.kind === 'group_updated') {
      const body = entry.body as { mute_all?: boolean };
      if (body.mute_all !== undefined) this.muteAll = body.mute_all;
    } else {
      return;
    }
    this.refresh();
  }

  /**
   * Whether I may speak here now: my own mute (expiring by itself, no entry needed), then
   * "mute everyone", which holds plain members only (the owner and admins still speak).
   */
  muteState(): MuteState {
    const summary = this.client.conversation(this.conversationId);
    if (summary?.type !== 'group') return null;
    const until = this.mutedUntil;
    if (until === -1) return { kind: 'forever' };
    if (until !== null && until > this.now()) return { kind: 'until', until };
    if (this.muteAll && this.powers !== null && this.powers.role === 'member') return { kind: 'all' };
    return null;
  }

  private muteText(mute: MuteState): string | null {
    if (mute === null) return null;
    if (mute.kind === 'all') return this.t('chat.everyoneMuted');
    if (mute.kind === 'forever') return this.t('chat.mutedByAdmin');
    return this.t('chat.mutedUntil', { time: dateTime(mute.until, this.preferences.getSnapshot().locale) });
  }

  /** Wake when a timed mute runs out, so the composer opens again by itself. */
  private watchMuteEnd(mute: MuteState): void {
    if (this.muteTimer) clearTimeout(this.muteTimer);
    this.muteTimer = null;
    if (mute?.kind !== 'until') return;
    const wait = Math.min(mute.until - this.now() + 50, 2 ** 31 - 1);
    this.muteTimer = setTimeout(() => {
      this.muteTimer = null;
      this.refresh();
    }, Math.max(wait, 0));
  }

  /** Put a message on the group's board of important messages (the announcements power). */
  async markImportant(seq: Seq): Promise<void> {
    await this.act(async () => {
      await this.client.request('group.mark', { conversation_id: this.conversationId, seq, important: true });
      this.showToast(this.t('group.markedImportant'));
    });
  }

  // ---- actions -------------------------------------------------------------------------

  /** The user is looking at this conversation: everything in it is read. */
  markRead(): void {
    this.client.markRead(this.conversationId);
  }

  loadOlder(): void {
    void this.client.loadOlder(this.conversationId);
  }

  /** Scrolled down in a window opened far back: page on towards the newest. */
  loadNewer(): void {
    void this.client.loadNewer(this.conversationId);
  }

  /**
   * Show this message (a search result) with its context, highlighted: the SDK loads the
   * entries around it, however far back, and scrolling both ways pages on from there.
   */
  async jumpTo(seq: Seq, query = ''): Promise<boolean> {
    const jump = (this.jumps += 1);
    // The words found are marked in the message: matched as the server does (lib/searchMatch,
    // a chunk that comes with the search screens).
    // Without its code (offline, say) the message still opens, unmarked.
    const marking = query.trim() ? import('../lib/searchMatch').then(({ matcher }) => matcher(query), () => null) : Promise.resolve(null);
    this.refresh();
    const [shown, find] = await Promise.all([this.client.openAt(this.conversationId, seq), marking]);
    if (jump === this.jumps) this.searchMarks = find ? { seq, find } : null;
    // A jump overtaken by another one is not a message that cannot be shown.
    if (!shown && !this.closed && jump === this.jumps) this.showToast(this.t('search.notShown'));
    this.refresh();
    return shown;
  }

  /** Back to the newest messages (the "latest" button, or after sending). */
  showLatest(): void {
    this.client.showLatest(this.conversationId);
  }

  /** Open search inside this conversation; its code is fetched the first time. */
  async openSearch(): Promise<void> {
    if (this.searchModel) return;
    const { MessageResultsViewModel } = await import('./MessageResultsViewModel');
    if (this.closed || this.searchModel) return;
    this.searchModel = new MessageResultsViewModel(this.client, this.names, this.preferences, this.conversationId, this.now);
    this.refresh();
  }

  closeSearch(): void {
    this.searchModel?.dispose();
    this.searchModel = null;
    this.searchMarks = null;
    this.refresh();
  }

  /** The search that opened the chat at a message closed: its words are no longer marked. */
  clearSearchMarks(): void {
    if (this.searchMarks === null) return;
    this.searchMarks = null;
    this.refresh();
  }

  setDraft(text: string, caret: number = text.length): void {
    this.draft = text;
    this.caret = caret;
    if (text.trim()) this.client.typingNow(this.conversationId);
    this.refresh();
  }

  /** The caret moved (the mention list depends on the word before it). */
  moveCaret(caret: number): void {
    const clamped = Math.min(Math.max(caret, 0), this.draft.length);
    if (clamped === this.caret) return;
    this.caret = clamped;
    this.refresh();
  }

  /** Send the draft and the picked attachments; returns false when there was nothing to send. */
  send(): boolean {
    const text = this.draft.replace(/\s+$/u, '');
    const attachments = this.attachments;
    if ((!text.trim() && attachments.length === 0) || !this.getSnapshot().canSend || this.muteState() !== null) return false;
    const replyToSeq = this.replyTo?.seq ?? null;
    const burn = this.burn.sendsBurning;
    if (text.trim() && burn) {
      this.client.send(this.conversationId, 'text', { text, burn: true }, { replyToSeq });
    } else if (text.trim()) {
      const mentions = [...this.mentioned.entries()].filter(([, label]) => text.includes(`@${label}`)).map(([id]) => id);
      const mentionAll = this.mentionedAll !== null && text.includes(`@${this.mentionedAll}`);
      this.client.sendText(this.conversationId, text, { mentions, mentionAll, replyToSeq });
    }
    // In the order picked, each once its image is ready (measured, compressed).
    this.attachments = [];
    for (const attachment of attachments) {
      this.sending = this.sending.then(() => this.sendAttachment(attachment, text.trim() ? null : replyToSeq, burn));
    }
    this.burn.sent();
    this.draft = '';
    this.caret = 0;
    this.replyTo = null;
    this.mentioned.clear();
    this.mentionedAll = null;
    this.refresh();
    return true;
  }

  /**
   * The customer-service side of this chat (its page, transfer, close) when it is one, made
   * the first time it is asked for; null for any other conversation.
   */
  service(Service: typeof ServiceChatViewModel): ServiceChatViewModel | null {
    if (this.client.conversation(this.conversationId)?.type !== 'service' || this.closed) return null;
    if (!this.serviceModel) {
      const model = new Service(this.client, this.conversationId, () => this.t);
      this.serviceModel = model;
      this.track(() => model.dispose());
    }
    return this.serviceModel;
  }

  /** Files picked, pasted or dropped: images get a preview and are compressed; others go as files. */
  addFiles(files: readonly { file: Blob; name: string }[]): void {
    const { locale } = this.preferences.getSnapshot();
    if (!this.getSnapshot().attachable) {
      this.showToast(this.t('service.textOnly'));
      return;
    }
    for (const { file, name } of files.slice(0, MAX_ATTACHMENTS - this.attachments.length)) {
      const image = this.env.images !== undefined && IMAGE_TYPES.has(file.type);
      const attachment = {
        id: `a${this.nextAttachment++}`,
        kind: image ? ('image' as const) : ('file' as const),
        name: name || (image ? 'image.png' : 'file'),
        size: file.size,
        sizeText: formatBytes(file.size, locale),
        file,
        ready: !image,
        expiryDays: null,
        prepared: null as Promise<PreparedImage | null> | null,
      };
      this.attachments.push(attachment);
      if (image) this.prepare(attachment);
    }
    this.refresh();
  }

  /** Keep a picked file only so many days (1-7) after it is sent; null keeps it. */
  setAttachmentExpiry(id: string, days: number | null): void {
    if (days !== null && !(Number.isInteger(days) && days >= MIN_EXPIRY_DAYS && days <= MAX_EXPIRY_DAYS)) return;
    const attachment = this.attachments.find((a) => a.id === id);
    if (!attachment || attachment.expiryDays === days) return;
    attachment.expiryDays = days;
    this.refresh();
  }

  removeAttachment(id: string): void {
    this.attachments = this.attachments.filter((a) => a.id !== id);
    this.refresh();
  }

  /** Send images uncompressed ("original image"). */
  setSendOriginal(original: boolean): void {
    if (original === this.sendOriginal) return;
    this.sendOriginal = original;
    for (const attachment of this.attachments) if (attachment.kind === 'image') this.prepare(attachment);
    this.refresh();
  }

  // The "+" panel (issue 12, h/compose): voice, video, location, contact cards, stickers.
  private composeVm: ComposeViewModel | null = null;
  get compose(): ComposeViewModel {
    if (!this.composeVm) {
      const made = new ComposeViewModel(this.client, this.conversationId, this.names, () => this.t, (text) => this.showToast(text), () => this.getSnapshot().canSend && this.muteState() === null, this.burn);
      this.composeVm = made;
      this.track(() => made.dispose());
    }
    return this.composeVm;
  }

  /** Stop a message's upload; `retry` resumes it. */
  pauseUpload(clientMsgId: string): void {
    this.client.pauseUpload(clientMsgId);
  }

  private prepare(attachment: AttachmentItem & { prepared: Promise<PreparedImage | null> | null }): void {
    const images = this.env.images;
    if (!images) return;
    attachment.ready = false;
    const prepared = images.prepare(attachment.file, attachment.name, this.sendOriginal).catch(() => null);
    attachment.prepared = prepared;
    void prepared.then((result) => {
      if (attachment.prepared !== prepared) return;
      attachment.ready = true;
      if (result) attachment.sizeText = formatBytes(result.blob.size, this.preferences.getSnapshot().locale);
      // Not an image the browser can read: it goes as a file.
      else attachment.kind = 'file';
      this.refresh();
    });
  }

  private async sendAttachment(
    attachment: AttachmentItem & { prepared: Promise<PreparedImage | null> | null },
    replyToSeq: Seq | null,
    burn = false,
  ): Promise<void> {
    try {
      const prepared = attachment.prepared ? await attachment.prepared : null;
      if (prepared) {
        const message = sendPreparedImage(this.client, this.conversationId, prepared, {
          replyToSeq,
          expiryDays: attachment.expiryDays,
          burn,
          ...this.fingerprintOf(attachment.file),
        });
        this.localImages.set(message.client_msg_id, prepared.blob);
      } else {
        const mime = attachment.file.type || 'application/octet-stream';
        this.client.sendFile(
          this.conversationId,
          attachment.file,
          { type: 'file', body: { name: attachment.name, size: attachment.file.size, mime, ...(burn ? { burn: true } : {}) } },
          { replyToSeq, expiryDays: attachment.expiryDays, ...this.fingerprintOf(attachment.file) },
        );
      }
    } catch (error) {
      this.showToast(errorMessage(this.t, errorCode(error)));
    }
  }

  // --- Screenshots (I6; h/shot): the image editor's picture into this chat ---
  /**
   * Send a picture made here (a screenshot from the editor) as an image, at full resolution:
   * never scaled down. Returns false when this chat takes nothing now (muted, read-only).
   */
  async sendPicture(picture: Blob, name: string): Promise<boolean> {
    const images = this.env.images;
    if (!images || !this.getSnapshot().canSend || this.muteState() !== null) return false;
    try {
      const prepared = await images.prepare(picture, name, true);
      const message = sendPreparedImage(this.client, this.conversationId, prepared);
      this.localImages.set(message.client_msg_id, prepared.blob);
      return true;
    } catch (error) {
      this.showToast(errorMessage(this.t, errorCode(error)));
      return false;
    }
  }

  private fingerprintOf(file: Blob): { fingerprint?: string } {
    const fingerprint = this.env.fingerprint?.(file);
    return fingerprint ? { fingerprint } : {};
  }

  insertEmoji(emoji: string): void {
    this.recentEmoji.use(emoji);
    const caret = Math.min(this.caret, this.draft.length);
    this.draft = this.draft.slice(0, caret) + emoji + this.draft.slice(caret);
    this.caret = caret + emoji.length;
    this.refresh();
  }

  /** Replace the "@que" before the caret with the picked member's name. */
  pickMention(candidate: MentionCandidate): void {
    const before = this.draft.slice(0, this.caret);
    const match = /@([^\s@]*)$/u.exec(before);
    if (!match) return;
    const start = before.length - match[0].length;
    const inserted = `@${candidate.name} `;
    this.draft = this.draft.slice(0, start) + inserted + this.draft.slice(this.caret);
    this.caret = start + inserted.length;
    if (candidate.all) this.mentionedAll = candidate.name;
    else this.mentioned.set(candidate.userId, candidate.name);
    this.refresh();
  }

  get caretPosition(): number {
    return this.caret;
  }

  /** Quote a message in my next one; what I have typed stays (the view then focuses the input). */
  reply(seq: Seq): void {
    const entry = this.client.timeline(this.conversationId).entries.find((e) => e.seq === seq);
    if (!entry) return;
    this.replyTo = this.quoteOf(entry);
    this.replyRequests += 1;
    this.refresh();
  }

  /** Bumped on every "Reply": the composer focuses its input when it changes. */
  replyRequests = 0;

  cancelReply(): void {
    this.replyTo = null;
    this.refresh();
  }

  async recall(seq: Seq): Promise<void> {
    await this.act(() => this.client.recall(this.conversationId, seq));
  }

  async deleteForMe(seq: Seq): Promise<void> {
    await this.act(() => this.client.deleteForMe(this.conversationId, [seq]));
  }

  retry(clientMsgId: string): void {
    this.client.retry(clientMsgId);
  }

  discard(clientMsgId: string): void {
    this.client.discard(clientMsgId);
  }

  /** The text a "copy" puts on the clipboard. */
  copyText(seq: Seq): string {
    const entry = this.client.timeline(this.conversationId).entries.find((e) => e.seq === seq);
    if (!entry) return '';
    return entry.kind === 'message' && entry.type === 'text' && !entry.recalled
      ? entry.body.text
      : describeEntry(entry, this.client.me?.id ?? 0, this.names, this.t, this.client.conversation(this.conversationId)?.type);
  }

  /** Open or close the group's info panel. */
  toggleGroupInfo(): void {
    if (this.groupInfo) {
      this.groupInfo.dispose();
      this.groupInfo = null;
    } else if (this.client.conversation(this.conversationId)?.type === 'group') {
      // The panel's model is a chunk of its own, fetched the first time (decision 0043).
      const opening = ++this.groupInfoOpening;
      void import('./GroupInfoViewModel').then(({ GroupInfoViewModel }) => {
        if (opening !== this.groupInfoOpening || this.groupInfo || this.closed) return;
        this.groupInfo = new GroupInfoViewModel(this.conversationId, this.client, this.names, this.preferences);
        this.refresh();
      });
      return;
    }
    this.groupInfoOpening += 1;
    this.refresh();
  }

  /** Who has read one of my messages in a group (and who has not). */
  async showReaders(seq: Seq): Promise<void> {
    const names = (ids: readonly UserId[]) => ids.map((id) => ({ id, name: this.names.name(id) }));
    const known = this.readStates.get(seq);
    this.readers = { seq, loading: true, read: names(known?.read_by ?? []), unread: names(known?.unread_by ?? []) };
    this.refresh();
    try {
      const state = await this.client.readState(this.conversationId, seq);
      this.readStates.set(seq, state);
      if (this.readers?.seq === seq) this.readers = { seq, loading: false, read: names(state.read_by), unread: names(state.unread_by) };
    } catch (error) {
      if (this.readers?.seq === seq) this.readers = { ...this.readers, loading: false };
      this.showToast(errorMessage(this.t, errorCode(error)));
    }
    this.refresh();
  }

  closeReaders(): void {
    this.readers = null;
    this.refresh();
  }

  showToast(text: string | null): void {
    this.toast = text;
    this.refresh();
  }

  /** Keep the draft on the server (synced to my other devices) when leaving. */
  override dispose(): void {
    this.closed = true;
    this.searchModel?.dispose();
    this.searchModel = null;
    this.groupInfo?.dispose();
    this.groupInfo = null;
    if (this.draft !== this.savedDraft && this.client.state === 'connected') {
      this.client.setSettings(this.conversationId, { draft: this.draft }).catch(() => undefined);
    }
    super.dispose();
    // Opened again later, the chat shows its newest messages.
    this.client.showLatest(this.conversationId);
  }

  private async act(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : 'internal_error';
      this.showToast(errorMessage(this.t, code));
    }
  }

  private refreshReadStatesSoon(): void {
    const summary = this.client.conversation(this.conversationId);
    if (summary?.type !== 'group' || summary.left_seq !== undefined || this.readStateTimer) return;
    this.readStateTimer = setTimeout(() => {
      this.readStateTimer = null;
      void this.loadReadStates();
    }, 250);
  }

  /** Read counts of my newest messages in a group (computed by the server from read_seq). */
  private async loadReadStates(): Promise<void> {
    if (this.client.state !== 'connected') return;
    const me = this.client.me?.id;
    const mine = this.client
      .timeline(this.conversationId)
      .entries.filter((e) => e.kind === 'message' && e.sender_id === me && !e.recalled)
      .slice(-READ_STATE_MESSAGES);
    const results = await Promise.allSettled(mine.map((e) => this.client.readState(this.conversationId, e.seq)));
    for (const result of results) {
      if (result.status === 'fulfilled') this.readStates.set(result.value.seq, result.value);
    }
    this.refresh();
  }

  // ---- the snapshot --------------------------------------------------------------------

  private quoteOf(entry: Entry): Quote {
    const me = this.client.me?.id ?? 0;
    return {
      seq: entry.seq,
      sender: entry.sender_id === null ? '' : this.names.name(entry.sender_id),
      text: describeEntry(entry, me, this.names, this.t, this.client.conversation(this.conversationId)?.type),
    };
  }

  private refresh(): void {
    const summary = this.client.conversation(this.conversationId);
    const { t, locale } = this.preferences.getSnapshot();
    const timeline = this.client.timeline(this.conversationId);
    const me = this.client.me?.id ?? 0;
    this.burn.fold(timeline.entries);
    const shown = summary ? this.shownEntries(summary, timeline.entries, me) : [];
    const restored = this.restoredInChat;
    // History restored from a backup joins the rows at the newest end only.
    const merged = restored && timeline.atLatest ? restored.merge(shown, timeline.reachedStart, me) : shown;
    const built = summary ? this.buildItems(summary, merged, timeline.pending, me) : [];
    const items = restored ? restored.decorate(built) : built;
    if (summary && this.adminsOnly(summary)) {
      items.unshift({ kind: 'notice', key: 'admins-only', text: t('chat.adminsOnly') });
    }
    const typingIds = this.client.typing(this.conversationId);
    let subtitle = '';
    let peerOnline: boolean | undefined;
    if (typingIds.length > 0) {
      subtitle = t('chat.typing', { name: typingIds.map((id) => this.names.name(id)).join(', ') });
    } else if (summary?.peer) {
      peerOnline = this.client.isOnline(summary.peer.user_id);
      subtitle = peerOnline === undefined ? '' : peerOnline ? t('chat.online') : t('chat.offline');
    } else if (summary?.type === 'group' && this.members.length > 0) {
      subtitle = t('chat.members', { count: this.members.length });
    } else if (summary?.type === 'service') {
      subtitle = t('service.customer');
    }
    if (summary?.peer) peerOnline = this.client.isOnline(summary.peer.user_id);
    const mute = this.muteState();
    this.watchMuteEnd(mute);
    this.setSnapshot({
      conversationId: this.conversationId,
      title: summary ? (summary.type === 'service' ? visitorName(summary.name, t) : conversationTitle(summary, t('list.systemNotices'), this.names)) : '',
      type: summary?.type ?? 'direct',
      subtitle,
      typing: typingIds.length > 0,
      items,
      reachedStart: timeline.reachedStart,
      loading: timeline.loading,
      anchor: timeline.anchor,
      jump: this.jumps,
      // Only while the message is the anchor (going to the newest forgets both).
      searchMarks: this.searchMarks && this.searchMarks.seq === timeline.anchor ? this.searchMarks : null,
      atLatest: timeline.atLatest,
      loadingNewer: timeline.loadingNewer,
      search: this.searchModel,
      draft: this.draft,
      replyTo: this.replyTo,
      mentionCandidates: this.mentionCandidates(me),
      recentEmoji: this.recentEmoji.all,
      canSend: summary !== undefined && summary.type !== 'system' && summary.left_seq === undefined,
      attachable: summary?.type !== 'service',
      muted: this.muteText(mute),
      left: this.leftState(summary),
      peerId: summary?.peer?.user_id ?? null,
      peerOnline,
      toast: this.toast,
      groupInfo: this.groupInfo,
      attachments: this.attachments.map(({ prepared: _prepared, ...item }) => item),
      sendOriginal: this.sendOriginal,
      canRecallAny: this.powers !== null && holds(this.powers.role, this.powers.powers, 'recall'),
      canMarkImportant: this.powers !== null && holds(this.powers.role, this.powers.powers, 'announcements'),
      burn: this.burn.controls(),
      readers: this.readers
        ? {
            ...this.readers,
            read: this.readers.read.map((r) => ({ id: r.id, name: this.names.name(r.id) })),
            unread: this.readers.unread.map((r) => ({ id: r.id, name: this.names.name(r.id) })),
          }
        : null,
    });
    void locale;
  }

  /** "Only admins' messages" (my view mode in this group): the roster says who they are. */
  private adminsOnly(summary: ConversationSummary): boolean {
    return summary.type === 'group' && this.members.length > 0 && this.client.viewMode(this.conversationId) === 'admins_only';
  }

  /** The entries to show: in "only admins' messages" mode, others' messages are left out. */
  shownEntries(summary: ConversationSummary, entries: readonly Entry[], me: UserId): readonly Entry[] {
    if (!this.adminsOnly(summary)) return entries;
    const admins = new Set(this.members.filter((m) => m.role !== 'member').map((m) => m.user_id));
    return entries.filter((e) => e.kind !== 'message' || e.sender_id === me || (e.sender_id !== null && admins.has(e.sender_id)));
  }

  private mentionCandidates(me: UserId): MentionCandidate[] {
    if (this.members.length === 0) return [];
    const match = /@([^\s@]*)$/u.exec(this.draft.slice(0, this.caret));
    if (!match) return [];
    const query = (match[1] ?? '').toLowerCase();
    const people = this.members
      .filter((m) => m.user_id !== me && m.nickname.toLowerCase().includes(query))
      .slice(0, 8)
      .map((m) => ({ userId: m.user_id, name: m.nickname, all: false }));
    // "@all" first, for whoever the server lets mention everyone: any member of a group
    // (actions/messages.py _check_mentions; the server rate-limits it per user).
    const { t } = this.preferences.getSnapshot();
    const everyone = t('chat.mentionAll');
    const summary = this.client.conversation(this.conversationId);
    const allowed = summary?.type === 'group';
    const matches = query === '' || everyone.toLowerCase().includes(query) || 'all'.includes(query);
    return allowed && matches ? [{ userId: 0, name: everyone, all: true }, ...people] : people;
  }

  /** Fold entries and pending messages into what the chat shows, with time separators. */
  buildItems(
    summary: ConversationSummary,
    entries: readonly Entry[],
    pending: readonly PendingMessage[],
    me: UserId,
  ): ChatItem[] {
    const { t, locale } = this.preferences.getSnapshot();
    const now = this.now();
    const items: ChatItem[] = [];
    let lastAt = 0;
    const separator = (at: number, key: string) => {
      if (at - lastAt >= SEPARATOR_GAP_MS) items.push({ kind: 'notice', key: `t-${key}`, text: dayLabel(at, now, locale, t) });
      lastAt = at;
    };
    const bySeq = new Map(entries.map((e) => [e.seq, e]));
    for (const entry of entries) {
      // A recall shows once, where the recalled message was; only a recall whose target
      // this device does not hold shows on its own.
      if (entry.kind === 'recall' && bySeq.has(entry.body.target_seq)) continue;
      // Burn after reading: an opening shows on its message; a burn, where the message was.
      if (entry.kind === 'burn_opened' || (entry.kind === 'burned' && bySeq.has(entry.body.target_seq))) continue;
      const burn = this.burn.bubbleOf(entry, me);
      if (burn === 'gone') {
        separator(entry.created_at, String(entry.seq));
        items.push({ kind: 'notice', key: `s-${entry.seq}`, text: t('burn.burned') });
        continue;
      }
      separator(entry.created_at, String(entry.seq));
      if (entry.kind === 'call') {
        items.push({ kind: 'notice', key: `s-${entry.seq}`, text: describeEntry(entry, me, this.names, t, summary.type), callBack: entry.body.group ? undefined : entry.body.media });
        continue;
      }
      if (entry.kind !== 'message' || entry.recalled) {
        items.push({ kind: 'notice', key: `s-${entry.seq}`, text: describeEntry(entry, me, this.names, t, summary.type) });
        continue;
      }
      const mine = entry.sender_id === me;
      const replied = entry.reply_to_seq === null ? undefined : bySeq.get(entry.reply_to_seq);
      items.push({
        kind: 'bubble',
        key: entry.client_msg_id && mine ? `c-${entry.client_msg_id}` : `s-${entry.seq}`,
        seq: entry.seq,
        clientMsgId: entry.client_msg_id,
        senderId: entry.sender_id ?? 0,
        sender: entry.sender_id === null ? t('list.systemNotices') : this.names.name(entry.sender_id),
        mine,
        text: entry.type === 'text' ? entry.body.text : entry.type === 'notice' ? entry.body.text ?? '' : MEDIA_TYPES.has(entry.type) ? '' : describeEntry(entry, me, this.names, t),
        isText: entry.type === 'text' || entry.type === 'notice',
        media: this.mediaOf(entry.type, entry.body, entry.client_msg_id && mine ? this.localImages.get(entry.client_msg_id) ?? null : null, now),
        upload: null,
        failure: null,
        // A notice's link opens only if it is http(s) (never javascript: and the like).
        notice: entry.type === 'notice' ? { title: entry.body.title, url: safeWebUrl(entry.body.url) } : null,
        time: clockTime(entry.created_at, locale),
        state: mine ? this.stateOf(summary, entry.seq) : null,
        readSummary: mine ? this.readSummary(entry.seq) : null,
        quote: replied ? this.quoteOf(replied) : null,
        mentionsMe:
          entry.type === 'text' && (entry.body.mentions?.includes(me) === true || entry.body.mention_all === true),
        forwarded: isForwardCopy(entry.client_msg_id),
        burn,
      });
    }
    for (const message of pending) {
      separator(message.created_at, message.client_msg_id);
      const replied = message.reply_to_seq === null ? undefined : bySeq.get(message.reply_to_seq);
      items.push({
        kind: 'bubble',
        key: `c-${message.client_msg_id}`,
        seq: null,
        clientMsgId: message.client_msg_id,
        senderId: me,
        sender: this.names.name(me),
        mine: true,
        text: message.type === 'text' ? (message.body as { text: string }).text : MEDIA_TYPES.has(message.type) ? '' : t('preview.unsupported'),
        isText: message.type === 'text',
        media: this.mediaOf(message.type, message.body, message.file ?? this.localImages.get(message.client_msg_id) ?? null, now, message.expiry_days ?? null),
        upload: message.upload
          ? {
              percent: message.upload.total > 0 ? Math.floor((message.upload.sent / message.upload.total) * 100) : 0,
              state: message.upload.state,
              error: message.upload.error ? errorMessage(t, message.upload.error) : null,
            }
          : null,
        notice: null,
        failure: message.state === 'failed' ? this.failureOf(message.error) : null,
        time: clockTime(message.created_at, locale),
        state: message.state,
        readSummary: null,
        quote: replied ? this.quoteOf(replied) : null,
        mentionsMe: false,
        forwarded: false,
        burn: (message.body as { burn?: boolean }).burn === true ? { state: 'unread', burnAt: null, mask: '' } : null,
      });
      if (message.type === 'image' && message.file) this.localImages.set(message.client_msg_id, message.file);
    }
    return items;
  }

  /**
   * A failed message: the reason, and a retry only where one can work. A refusal (muted,
   * blocked, not a member…) fails again however often it is sent; a mute that has since
   * been lifted can be retried.
   */
  private failureOf(code: string | null): { text: string; retryable: boolean } {
    const { t } = this.preferences.getSnapshot();
    if (code === null || !isFinalSendError(code)) return { text: t('state.failed'), retryable: true };
    if (code === 'muted') {
      const mute = this.muteState();
      return mute === null ? { text: t('state.failed'), retryable: true } : { text: this.muteText(mute) ?? errorMessage(t, code), retryable: false };
    }
    return { text: errorMessage(t, code), retryable: false };
  }

  private mediaOf(type: MessageType, body: unknown, local: Blob | null, now: number, pendingExpiryDays: number | null = null): MediaContent | null {
    const { locale } = this.preferences.getSnapshot();
    if (type === 'image') {
      const image = body as MessageBodies['image'];
      return {
        kind: 'image',
        fileId: image.file_id || null,
        width: image.width,
        height: image.height,
        name: image.name ?? '',
        local,
        expired: image.expires_at !== undefined && image.expires_at <= now,
        expiry: this.expiryOf(image.expires_at, now, pendingExpiryDays),
      };
    }
    if (type === 'file') {
      const file = body as MessageBodies['file'];
      return {
        kind: 'file',
        fileId: file.file_id || null,
        name: file.name,
        size: file.size,
        sizeText: formatBytes(file.size, locale),
        expired: file.expires_at !== undefined && file.expires_at <= now,
        expiry: this.expiryOf(file.expires_at, now, pendingExpiryDays),
      };
    }
    if (type === 'notice') {
      // A broadcast's picture (decision 0058), shown above the notice's text.
      const image = (body as MessageBodies['notice']).image;
      if (!image) return null;
      return { kind: 'image', fileId: image.file_id, width: image.width, height: image.height, name: '', local: null, expired: false, expiry: null };
    }
    return this.richMediaOf(type, body, now, locale);
  }

  /**
   * When a sent file goes ("Expires 24/11 14:05"; null once gone: the card says expired), or
   * for one still sending how long it is to be kept; null for files kept for good.
   */
  private expiryOf(expiresAt: number | null | undefined, now: number, pendingDays: number | null = null): string | null {
    if (expiresAt !== undefined && expiresAt !== null) {
      return expiresAt <= now ? null : this.t('files.expiresAt', { time: dateTime(expiresAt, this.preferences.getSnapshot().locale) });
    }
    if (pendingDays === null) return null;
    return this.t(pendingDays === 1 ? 'files.keptOneDay' : 'files.keptDays', { count: pendingDays });
  }

  /** Voice, video, location, cards, stickers, chat records: shown as copies are (RecordMedia). */
  private richMediaOf(type: MessageType, body: unknown, now: number, locale: string): MediaContent | null {
    return copyMedia(type, body, { t: this.t, locale, now, name: (id) => this.names.name(id), origin: this.env.origin });
  }

  private stateOf(summary: ConversationSummary, seq: Seq): BubbleState {
    if (summary.type !== 'direct') return 'sent';
    return receiptOf(summary, seq);
  }

  private readSummary(seq: Seq): string | null {
    const state = this.readStates.get(seq);
    if (!state) return null;
    return state.unread_count === 0 ? this.t('state.groupAllRead') : this.t('state.groupUnread', { count: state.unread_count });
  }
}

/** Copies a forward made carry ids the server derives with "fwd-" (docs/protocol.md, forward). */
export function isForwardCopy(clientMsgId: string | null): boolean {
  return clientMsgId?.startsWith('fwd-') === true;
}
