/**
 * The one way the app sends an image message: the picture prepared (measured, compressed
 * unless the original is asked for), then uploaded and sent by the SDK (`Client.sendFile`).
 * The chat's composer and the image viewer's editor both send through here.
 */
import type { Client, ConversationId, PendingMessage, Seq } from '@tidings/sdk';
import type { PreparedImage } from '../lib/images';

export interface ImageSendOptions {
  replyToSeq?: Seq | null;
  /** Resumes the same file's upload on a later visit (files picked from the disk). */
  fingerprint?: string;
  /** Gone this many days (1-7) after sending; null or absent: kept. */
  expiryDays?: number | null;
  /** Burn after reading (direct chats). */
  burn?: boolean;
}

/** Send a prepared image; returns the pending message (its bubble shows at once). */
export function sendPreparedImage(
  client: Client,
  conversationId: ConversationId,
  prepared: PreparedImage,
  options: ImageSendOptions = {},
): PendingMessage {
  return client.sendFile(
    conversationId,
    prepared.blob,
    {
      type: 'image',
      body: { width: prepared.width, height: prepared.height, name: prepared.name, size: prepared.blob.size, ...(options.burn ? { burn: true } : {}) },
    },
    {
      replyToSeq: options.replyToSeq ?? null,
      expiryDays: options.expiryDays ?? null,
      // A compressed copy is made afresh each time: only the original has a stable fingerprint.
      ...(!prepared.compressed && options.fingerprint ? { fingerprint: options.fingerprint } : {}),
    },
  );
}
