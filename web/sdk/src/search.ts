/**
 * Message search (docs/protocol.md, "Message search"; decision 0072), merged into `Ops` so
 * that `client.request` types it like the rest; `Client.searchMessages` calls it.
 *
 * A result's `snippet` is plain text and `highlights` are `[start, end)` offsets into it in
 * UTF-16 code units (what `String.prototype.slice` counts). Render the parts of
 * `snippetParts` as text nodes, the hits in a `<mark>`: never as HTML, since messages are
 * untrusted.
 */
import type { MessageSearchOp, SearchKind } from './generated/wire';
import type { ConversationId, MessageType, Seq, UserId } from './protocol';

export type { SearchKind };

export interface MessageSearchResult {
  conversation_id: ConversationId;
  seq: Seq;
  sender_id: UserId | null;
  /** When it was sent, ms since the epoch. */
  created_at: number;
  type: MessageType;
  /** About 80 characters of what the message is found by, around the first hit. */
  snippet: string;
  /** `[start, end)` in UTF-16 code units of `snippet`, in order, not overlapping. */
  highlights: [number, number][];
}

export interface MessageSearchPage {
  results: MessageSearchResult[];
  /** Pass as `cursor` for the next page; null when there is none. */
  next: string | null;
}

export interface MessageSearchOptions {
  /** Only this conversation (in-chat search). */
  conversationId?: ConversationId;
  senderId?: UserId;
  /** Sent at or after (ms). */
  since?: number;
  /** Sent before (ms). */
  until?: number;
  /** Any of these kinds: `text`, `file`, `image`, `link`. */
  types?: SearchKind[];
  /** 1 to 50; 20 by default. */
  limit?: number;
  /** `next` of the previous page. */
  cursor?: string;
  /** `relevance` (the default: most relevant, then newest) or `newest` first (search in a chat). */
  order?: 'relevance' | 'newest';
}

declare module './protocol' {
  interface Ops {
    'messages.search': { req: MessageSearchOp; res: MessageSearchPage };
  }
}

/** The request data for `messages.search`. */
export function searchRequest(q: string, options: MessageSearchOptions = {}): MessageSearchOp {
  const request: MessageSearchOp = { q };
  if (options.conversationId !== undefined) request.conversation_id = options.conversationId;
  if (options.senderId !== undefined) request.sender_id = options.senderId;
  if (options.since !== undefined) request.since = options.since;
  if (options.until !== undefined) request.until = options.until;
  if (options.types && options.types.length > 0) request.types = options.types;
  if (options.limit !== undefined) request.limit = options.limit;
  if (options.cursor !== undefined) request.cursor = options.cursor;
  if (options.order !== undefined) request.order = options.order;
  return request;
}

export interface SnippetPart {
  text: string;
  /** Part of what matched the query: show it marked. */
  hit: boolean;
}

/** A snippet cut at its highlights, for rendering as text nodes (never as HTML). */
export function snippetParts(snippet: string, highlights: readonly (readonly [number, number])[]): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const [start, end] of highlights) {
    const from = Math.max(at, Math.min(start, snippet.length));
    const to = Math.max(from, Math.min(end, snippet.length));
    if (from > at) parts.push({ text: snippet.slice(at, from), hit: false });
    if (to > from) parts.push({ text: snippet.slice(from, to), hit: true });
    at = to;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), hit: false });
  return parts;
}
