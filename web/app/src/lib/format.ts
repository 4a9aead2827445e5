/** Turning entries and times into the words a list row or a bubble shows. */
import type { CallEntry, ConversationType, Entry, MessageEntry } from '@tidings/sdk';

/** A message's type and body, whichever type it is. */
export type MessageContent = MessageEntry extends infer E ? (E extends MessageEntry ? Pick<E, 'type' | 'body'> : never) : never;
import type { MessageKey, Translate } from '../i18n/i18n';
import { formatDuration } from './media';

export interface NameSource {
  name(userId: number): string;
}

/** "Visitor 12", the server's name for a visitor who gave none, in the reader's language. */
export function visitorName(name: string, t: Translate): string {
  const anonymous = /^Visitor (\d+)$/.exec(name);
  return anonymous ? t('service.visitor', { id: anonymous[1] ?? '' }) : name;
}

/** One line describing an entry, for the conversation list and quotes. */
/** System entries whose subject may be me (each has a "…You" twin). */
type SubjectKey =
  | 'preview.madeAdmin'
  | 'preview.notAdmin'
  | 'preview.ownerChanged'
  | 'preview.memberMuted'
  | 'preview.memberUnmuted'
  | 'preview.memberRemoved'
  | 'preview.memberLeft';

export function describeEntry(entry: Entry, me: number, names: NameSource, t: Translate, conversation?: ConversationType): string {
  // No sender: the back office acted (an admin in the console), not a member.
  const who = (id: number | null) => (id === null ? t('common.administrator') : id === me ? t('common.you') : names.name(id));
  // "You are now an admin", not "You is": entries about me have their own wording.
  const about = (key: SubjectKey, id: number) => (id === me ? t(`${key}You` as const) : t(key, { name: who(id) }));
  // A customer-service chat (decision 0066): agents take it, hand it on and leave it; no group.
  if (conversation === 'service') {
    if (entry.kind === 'member_joined') {
      const names = entry.body.user_ids.map(who).join(', ');
      const by = entry.body.inviter_id;
      return by === null || entry.body.user_ids.includes(by) ? t('service.entry.took', { name: names }) : t('service.entry.transferred', { from: who(by), to: names });
    }
    if (entry.kind === 'member_left') return t('service.entry.left', { name: who(entry.body.user_id) });
  }
  switch (entry.kind) {
    case 'recall':
      return entry.sender_id === me ? t('preview.recalledByYou') : t('preview.recalledBy', { name: who(entry.sender_id) });
    case 'group_created':
      return t('preview.groupCreated', { name: who(entry.sender_id), group: entry.body.name });
    case 'member_joined':
      return t('preview.memberJoined', { names: entry.body.user_ids.map(who).join(', ') });
    case 'member_left':
      return about('preview.memberLeft', entry.body.user_id);
    case 'group_updated': {
      const body = entry.body;
      if (body.name !== undefined) return t('preview.groupRenamed', { name: who(entry.sender_id), group: body.name });
      if (body.mute_all !== undefined) return body.mute_all ? t('preview.muteAllOn', { name: who(entry.sender_id) }) : t('preview.muteAllOff', { name: who(entry.sender_id) });
      if (body.intro !== undefined) return t('preview.introChanged', { name: who(entry.sender_id) });
      return t('preview.groupUpdated', { name: who(entry.sender_id) });
    }
    case 'role_changed':
      return about(entry.body.role === 'admin' ? 'preview.madeAdmin' : 'preview.notAdmin', entry.body.user_id);
    case 'owner_changed':
      return about('preview.ownerChanged', entry.body.owner_id);
    case 'member_muted':
      return about('preview.memberMuted', entry.body.user_id);
    case 'member_unmuted':
      return about('preview.memberUnmuted', entry.body.user_id);
    case 'member_removed':
      return about('preview.memberRemoved', entry.body.user_id);
    case 'group_disbanded':
      return t('preview.groupDisbanded');
    case 'announcement_posted':
    case 'announcement_edited':
      return t('preview.announcement', { text: entry.body.text.replace(/\s+/g, ' ').trim() });
    case 'message_marked':
      return entry.body.important ? t('preview.markedImportant', { name: who(entry.sender_id) }) : t('preview.unmarkedImportant', { name: who(entry.sender_id) });
    // Burn after reading (direct chats)
    case 'burn_opened':
      return entry.sender_id === me ? t('burn.openedByYou') : t('burn.openedBy', { name: who(entry.sender_id) });
    case 'burned':
      return t('burn.burned');
    case 'burn_mode':
      return burnModeText(entry.body.enabled, entry.body.user_id === me, who(entry.body.user_id), t);
    // Calls (decision 0074): how it ended, seen from my side; the caller is the sender.
    case 'call':
      // A group call (decision 0078): who started it, then how long it lasted.
      if (entry.body.group) {
        const what = t(entry.body.media === 'video' ? 'call.video' : 'call.voice');
        const outcome =
          entry.type === 'group_started'
            ? entry.sender_id === me
              ? t('call.groupStartedByYou')
              : t('call.groupStarted', { name: who(entry.sender_id) })
            : t('call.groupEnded', { duration: formatDuration(entry.body.duration_ms ?? 0) });
        return t('call.record', { what, outcome });
      }
      return describeCall(entry, entry.sender_id === me, t);
    case 'message':
      break;
  }
  if (entry.recalled && isBurnedBody(entry.body)) return t('burn.burned');
  if (entry.recalled) {
    return entry.sender_id === me ? t('preview.recalledByYou') : t('preview.recalledBy', { name: who(entry.sender_id) });
  }
  return describeMessage(entry, t);
}

/** A call's record: "[Video call] Duration 1:05", "[Voice call] Missed call". */
export function describeCall(entry: CallEntry, mine: boolean, t: Translate): string {
  const what = t(entry.body.media === 'video' ? 'call.video' : 'call.voice');
  const duration = formatDuration(entry.body.duration_ms ?? 0);
  const outcome =
    entry.type === 'ended'
      ? t(entry.body.hangup === 'lost' ? 'call.outcome.lost' : 'call.outcome.ended', { duration })
      : // Missed, declined, cancelled, busy: worded for the caller ("…Mine") or the callee.
        t(`call.outcome.${entry.type}${mine ? 'Mine' : ''}` as MessageKey);
  return t('call.record', { what, outcome });
}

/** One line for a message's content (previews, quotes, toasts, moderation queues). */
export function describeMessage(message: MessageContent, t: Translate): string {
  // A burn-after-reading message never shows its content outside its bubble.
  if (message.body.burn === true) return t('burn.preview');
  switch (message.type) {
    case 'text':
      return message.body.text.replace(/\s+/g, ' ').trim();
    case 'image':
      return t('preview.image');
    case 'file':
      return t('preview.file', { name: message.body.name });
    // Issue 12 (h/compose): "[Voice] 0:07", "[Video] 1:05", "[Location] <name or address>".
    case 'voice':
      return t('preview.voiceLength', { duration: formatDuration(message.body.duration_ms) });
    case 'video':
      return t('preview.videoLength', { duration: formatDuration(message.body.duration_ms) });
    case 'location': {
      const place = (message.body.name || message.body.address || '').replace(/\s+/g, ' ').trim();
      return place ? t('preview.locationAt', { place }) : t('preview.location');
    }
    case 'contact_card':
      return t('preview.contactCard');
    case 'custom_card':
      return t('preview.customCard', { title: message.body.title });
    case 'sticker':
      return message.body.emoji ? t('preview.stickerEmoji', { emoji: message.body.emoji }) : t('preview.sticker');
    case 'notice':
      return message.body.title;
    case 'chat_record':
      return t('preview.chatRecord', { title: message.body.title });
  }
}

/** A burned message's tombstone (its body only says it burned). */
export function isBurnedBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { burned?: unknown }).burned === true;
}

function burnModeText(enabled: boolean, mine: boolean, name: string, t: Translate): string {
  if (mine) return enabled ? t('burn.modeOnYou') : t('burn.modeOffYou');
  return enabled ? t('burn.modeOn', { name }) : t('burn.modeOff', { name });
}

/** Formatters are costly to build; a chat of 10,000 messages formats 10,000 times. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, found);
  }
  return found;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A list row's time: 14:05 today, Yesterday, a weekday this week, else a date. */
export function listTime(at: number, now: number, locale: string, t: Translate): string {
  if (!at) return '';
  const date = new Date(at);
  const today = new Date(now);
  if (sameDay(date, today)) return clockTime(at, locale);
  const yesterday = new Date(now - 86_400_000);
  if (sameDay(date, yesterday)) return t('time.yesterday');
  if (now - at < 6 * 86_400_000 && at < now) {
    return formatter(locale, { weekday: 'short' }).format(date);
  }
  const sameYear = date.getFullYear() === today.getFullYear();
  return formatter(locale, sameYear ? { month: 'numeric', day: 'numeric' } : { year: 'numeric', month: 'numeric', day: 'numeric' }).format(date);
}

/** Clock times by minute: a long chat shows thousands, mostly of the same few minutes. */
const clockTimes = new Map<string, string>();

export function clockTime(at: number, locale: string): string {
  const key = `${locale}|${Math.floor(at / 60_000)}`;
  let found = clockTimes.get(key);
  if (found === undefined) {
    if (clockTimes.size > 20_000) clockTimes.clear();
    found = formatter(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(at));
    clockTimes.set(key, found);
  }
  return found;
}

/** A day separator in a chat: Today-style labels use the list's rules plus the clock. */
export function dayLabel(at: number, now: number, locale: string, t: Translate): string {
  const date = new Date(at);
  if (sameDay(date, new Date(now))) return clockTime(at, locale);
  return `${listTime(at, now, locale, t)} ${clockTime(at, locale)}`;
}

export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const LINK = /\bhttps?:\/\/[^\s<>"'，。！？）]+/gi;

/**
 * Split message text into plain text and links. Only http(s) links become links, so a
 * `javascript:` URL stays text; the views render both as React text, never as HTML.
 */
export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let url = match[0];
    // Trailing punctuation usually ends the sentence, not the link.
    while (/[.,;:!?)\]]$/.test(url)) url = url.slice(0, -1);
    const start = match.index;
    if (start > last) segments.push({ kind: 'text', text: text.slice(last, start) });
    segments.push({ kind: 'link', text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}
