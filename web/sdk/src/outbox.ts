/**
 * Messages the user sent that the server has not acknowledged yet.
 *
 * Each keeps the client_msg_id it was created with; every retry reuses it, so the server
 * stores it once however often it is sent (docs/protocol.md: sending is idempotent).
 */
import type { ConversationId, MessageBodies, MessageType, Seq } from './protocol';

/** `moderation`: the group holds it for a moderator (it is not retried meanwhile). */
export type SendState = 'sending' | 'failed' | 'moderation';

/** A file on its way to the server before its message can be sent. */
export interface PendingUpload {
  /** Bytes the server has. */
  sent: number;
  total: number;
  /**
   * `interrupted`: the network cut it off; it resumes by itself when the connection is back
   * (`paused` and `failed` wait for the user).
   */
  state: 'uploading' | 'paused' | 'interrupted' | 'failed';
  /** Why it failed or was interrupted: an error code. */
  error: string | null;
}

export interface PendingMessage {
  client_msg_id: string;
  conversation_id: ConversationId;
  type: MessageType;
  body: MessageBodies[MessageType];
  reply_to_seq: Seq | null;
  created_at: number;
  state: SendState;
  attempts: number;
  /** Why it failed, an error code from the server or `timeout`. */
  error: string | null;
  /** Set while the message's file uploads; its body's `file_id` is empty until then. */
  upload?: PendingUpload;
  /** The file itself, while it uploads (kept in the cache when small enough to resume after a restart). */
  file?: Blob;
  /** Resumes the same file's upload across visits. */
  fingerprint?: string;
  /** The file is gone this many days after its upload (1-7, F3); absent: kept. */
  expiry_days?: number;
  /** A video's still (issue 12): uploaded first, its id goes in the body's `poster_file_id`. */
  poster?: Blob;
}

/**
 * Upload errors that mean "the way to the server broke" (no response, a proxy's error page, a
 * lock left by the broken request): the upload resumes by itself once the connection is back.
 */
const RESUMABLE_UPLOAD_ERRORS: ReadonlySet<string> = new Set([
  'network',
  'timeout',
  'upload_failed',
  'upload_locked',
  'upload_offset_mismatch',
  'connection_lost',
  'internal_error',
]);

export function isResumableUploadError(code: string | null): boolean {
  return code !== null && RESUMABLE_UPLOAD_ERRORS.has(code);
}

/** Errors after which sending again cannot succeed: the message fails at once. */
const FINAL_ERRORS: ReadonlySet<string> = new Set([
  'invalid_input',
  'payload_too_large',
  'forbidden',
  'not_member',
  'not_friends',
  'frame_too_large',
  'muted',
  'blocked',
  'message_rejected',
  'content_blocked',
  'group_disbanded',
  'private_chat_forbidden',
  'not_found',
  'upload_incomplete',
  'file_expired',
  'wrong_file_kind',
  'not_an_image',
]);

export function isFinalSendError(code: string): boolean {
  return FINAL_ERRORS.has(code);
}

export class Outbox {
  private readonly pending = new Map<string, PendingMessage>();

  constructor(initial: readonly PendingMessage[] = []) {
    for (const message of initial) this.pending.set(message.client_msg_id, message);
  }

  add(message: PendingMessage): void {
    this.pending.set(message.client_msg_id, message);
  }

  get(clientMsgId: string): PendingMessage | undefined {
    return this.pending.get(clientMsgId);
  }

  /** The server has the message: forget it here. */
  settle(clientMsgId: string): PendingMessage | undefined {
    const message = this.pending.get(clientMsgId);
    this.pending.delete(clientMsgId);
    return message;
  }

  update(clientMsgId: string, change: Partial<Pick<PendingMessage, 'state' | 'attempts' | 'error' | 'upload' | 'body' | 'file' | 'poster'>>): void {
    const message = this.pending.get(clientMsgId);
    if (message) this.pending.set(clientMsgId, { ...message, ...change });
  }

  /** Messages still to send, oldest first. */
  toSend(): PendingMessage[] {
    return this.all().filter((m) => m.state === 'sending' && !m.upload);
  }

  forConversation(conversationId: ConversationId): PendingMessage[] {
    return this.all().filter((m) => m.conversation_id === conversationId);
  }

  all(): PendingMessage[] {
    return [...this.pending.values()].sort((a, b) => a.created_at - b.created_at);
  }
}
