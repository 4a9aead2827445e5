/**
 * The viewer of a chat record (合并转发): the copied messages as they were, each with its
 * sender's name and avatar then, its time and its content; a record inside opens on top
 * (Back returns). A favourite opens in the same viewer, as a record of one.
 */
import type { ChatRecordBody, UserId } from '@tidings/sdk';
import { avatarEmoji } from '../lib/avatar';
import { dateTime } from '../lib/when';
import type { MediaContent } from './ChatViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { copyMedia, copyText } from './RecordMedia';
import { ViewModel } from './ViewModel';

export interface RecordRow {
  key: string;
  senderId: UserId;
  sender: string;
  /** The sender's chosen avatar emoji then, if any. */
  avatar: string | null;
  time: string;
  text: string;
  media: MediaContent | null;
}

export interface ChatRecordSnapshot {
  title: string;
  rows: RecordRow[];
  /** Records opened from within records: Back returns to the one before. */
  depth: number;
}

export class ChatRecordViewModel extends ViewModel<ChatRecordSnapshot> {
  private readonly stack: ChatRecordBody[];

  constructor(
    body: ChatRecordBody,
    private readonly preferences: PreferencesViewModel,
    private readonly names: { name(id: UserId): string } | null = null,
    private readonly now: () => number = Date.now,
  ) {
    super({ title: body.title, rows: [], depth: 0 });
    this.stack = [body];
    this.track(preferences.subscribe(() => this.refresh()));
    this.refresh();
  }

  /** Open a record found inside this one. */
  open(body: ChatRecordBody): void {
    this.stack.push(body);
    this.refresh();
  }

  back(): void {
    if (this.stack.length > 1) this.stack.pop();
    this.refresh();
  }

  private refresh(): void {
    const { t, locale } = this.preferences.getSnapshot();
    const body = this.stack[this.stack.length - 1] as ChatRecordBody;
    const ctx = { t, locale, now: this.now(), ...(this.names ? { name: (id: UserId) => this.names?.name(id) ?? '' } : {}) };
    this.update({
      title: body.title,
      depth: this.stack.length - 1,
      rows: body.items.map((item, i) => ({
        key: `${this.stack.length}-${i}`,
        senderId: item.sender_id,
        sender: item.sender_name,
        avatar: avatarEmoji(item.sender_avatar ?? ''),
        time: dateTime(item.sent_at, locale),
        text: copyText(item.type, item.body, t),
        media: copyMedia(item.type, item.body, ctx),
      })),
    });
  }
}
