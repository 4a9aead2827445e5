/**
 * What a copied message shows, outside a chat: the items of a chat record (合并转发) and
 * favourites. The same `MediaContent` the chat's bubbles take, so the same components render
 * them (Media.tsx, RichMedia.tsx); the copies' files open by signed link like any other, the
 * server letting those who see the record (or saved the favourite) read them.
 */
import type { ChatRecordBody, MessageBodies, MessageType, UserId } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import { describeMessage, type MessageContent } from '../lib/format';
import { formatBytes } from '../lib/images';
import { coordinatesText, formatDuration, hostOf, mapUrl, priceText, safeWebUrl, sameOriginImage } from '../lib/media';
import { dateTime } from '../lib/when';
import type { MediaContent } from './ChatViewModel';

/** Lines a record's card shows before "and N more". */
export const RECORD_CARD_LINES = 4;

export interface CopyContext {
  t: Translate;
  locale: string;
  now: number;
  /** A contact card's name now (the NameBook's), when there is one. */
  name?(userId: UserId): string;
  /** This page's origin: pictures on cards from it may show. */
  origin?: string | null;
}

const TYPES: ReadonlySet<string> = new Set<MessageType>([
  'text', 'image', 'file', 'voice', 'video', 'location', 'contact_card', 'custom_card', 'sticker', 'notice', 'chat_record',
]);

/** A copy's content as the describers take it; null for a type this app does not know. */
export function contentOf(type: string, body: unknown): MessageContent | null {
  return TYPES.has(type) && typeof body === 'object' && body !== null ? ({ type, body } as MessageContent) : null;
}

/** One line for a copy ("[Image]", the text, "[Chat history] title"). */
export function describeCopy(type: string, body: unknown, t: Translate): string {
  const content = contentOf(type, body);
  return content ? describeMessage(content, t) : t('preview.unsupported');
}

/** The card of a chat record in a bubble or a favourite. */
export function recordMedia(body: ChatRecordBody, t: Translate): Extract<MediaContent, { kind: 'record' }> {
  const lines = body.items.slice(0, RECORD_CARD_LINES).map((item) => `${item.sender_name}: ${describeCopy(item.type, item.body, t)}`);
  return { kind: 'record', title: body.title, lines, more: Math.max(0, body.items.length - RECORD_CARD_LINES), count: body.items.length, body };
}

/** The media of a copied message; null for text and types shown as text. */
export function copyMedia(type: string, body: unknown, ctx: CopyContext): MediaContent | null {
  if (!contentOf(type, body)) return null;
  const expired = (at: number | null | undefined) => at !== undefined && at !== null && at <= ctx.now;
  const expiry = (at: number | null | undefined) =>
    at === undefined || at === null || at <= ctx.now ? null : ctx.t('files.expiresAt', { time: dateTime(at, ctx.locale) });
  switch (type as MessageType) {
    case 'image': {
      const image = body as MessageBodies['image'];
      return { kind: 'image', fileId: image.file_id || null, width: image.width, height: image.height, name: image.name ?? '', local: null, expired: expired(image.expires_at), expiry: expiry(image.expires_at) };
    }
    case 'file': {
      const file = body as MessageBodies['file'];
      return { kind: 'file', fileId: file.file_id || null, name: file.name, size: file.size, sizeText: formatBytes(file.size, ctx.locale), expired: expired(file.expires_at), expiry: expiry(file.expires_at) };
    }
    case 'voice': {
      const voice = body as MessageBodies['voice'];
      return { kind: 'voice', fileId: voice.file_id || null, durationMs: voice.duration_ms, durationText: formatDuration(voice.duration_ms), expired: expired(voice.expires_at), expiry: expiry(voice.expires_at), waveform: voice.waveform ?? null };
    }
    case 'video': {
      const video = body as MessageBodies['video'];
      return {
        kind: 'video', fileId: video.file_id || null, posterFileId: video.poster_file_id ?? null, width: video.width, height: video.height,
        durationText: formatDuration(video.duration_ms), expired: expired(video.expires_at), expiry: expiry(video.expires_at),
      };
    }
    case 'location': {
      const place = body as MessageBodies['location'];
      const precise = place.precision !== 'blurred';
      return {
        kind: 'location', name: place.name ?? '', address: place.address ?? '', latitude: place.latitude, longitude: place.longitude, precise,
        coordinates: coordinatesText(place.latitude, place.longitude, precise), mapUrl: mapUrl(place.latitude, place.longitude, precise),
      };
    }
    case 'contact_card': {
      const card = body as MessageBodies['contact_card'];
      return { kind: 'contact', userId: card.user_id, name: ctx.name?.(card.user_id) ?? `#${card.user_id}` };
    }
    case 'custom_card': {
      const card = body as MessageBodies['custom_card'];
      const url = safeWebUrl(card.url);
      const origin = ctx.origin === undefined ? (globalThis.location?.origin ?? null) : ctx.origin;
      return {
        kind: 'card', title: card.title, description: card.description ?? '', price: priceText(card.price, card.currency, ctx.locale),
        url, host: hostOf(url), imageUrl: sameOriginImage(card.image_url, origin), source: card.source ?? '',
        fields: (card.fields ?? []).map(({ label, value }) => ({ label, value })),
      };
    }
    case 'sticker': {
      const sticker = body as MessageBodies['sticker'];
      return { kind: 'sticker', fileId: sticker.file_id || null, width: sticker.width, height: sticker.height, emoji: sticker.emoji ?? '' };
    }
    case 'chat_record':
      return recordMedia(body as ChatRecordBody, ctx.t);
    default:
      return null;
  }
}

/** The text a copy shows under its sender (text and notices; others show as media). */
export function copyText(type: string, body: unknown, t: Translate): string {
  if (type === 'text') return (body as MessageBodies['text']).text;
  if (type === 'notice') {
    const notice = body as MessageBodies['notice'];
    return [notice.title, notice.text ?? ''].filter(Boolean).join('\n');
  }
  return contentOf(type, body) ? '' : t('preview.unsupported');
}
