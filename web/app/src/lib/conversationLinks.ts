/**
 * Links that open a conversation: `/#/c/<id>`, the address a push notification carries
 * (docs/protocol.md, "Web Push"). The app opened at such an address, or told by the service
 * worker that one was clicked (`{type: 'open', url}`), shows that conversation once the
 * workspace is there; the address goes back to `/` so a reload does not open it again.
 */
import type { ConversationId } from '@tidings/sdk';

/** The conversation a link names, or null. */
export function conversationOfLink(url: string): ConversationId | null {
  const hash = url.slice(url.indexOf('#') >= 0 ? url.indexOf('#') : url.length);
  const match = /^#\/c\/([1-9][0-9]{0,15})$/.exec(hash);
  return match ? Number(match[1]) : null;
}

/** Requests to open a conversation, held until the workspace listens. */
export class ConversationLinks {
  private pending: ConversationId | null = null;
  private listener: ((id: ConversationId) => void) | null = null;

  /** Open this link's conversation (now, or when the workspace is there). */
  open(url: string): void {
    const id = conversationOfLink(url);
    if (id === null) return;
    if (this.listener) this.listener(id);
    else this.pending = id;
  }

  /** The workspace listens (one at a time); a request made before it came is delivered now. */
  listen(listener: (id: ConversationId) => void): () => void {
    this.listener = listener;
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) listener(pending);
    return () => {
      if (this.listener === listener) this.listener = null;
    };
  }
}
