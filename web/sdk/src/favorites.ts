/**
 * Favourites of any message and chat records (docs/protocol.md: "Favourites of messages",
 * "Chat records"), merged into `Ops` and `PrivateData` so that `client.request` and the
 * `private` event type them like the rest.
 */
import type { ChatRecordBody, RecordItem } from './generated/wire';
import type { ConversationId, Entry, MessageBodies, MessageType, Seq, UserId } from './protocol';

export type { ChatRecordBody, RecordItem };

/** What the favourites page filters by (the server maps each to message types). */
export type FavoriteCategory = 'text' | 'image' | 'file' | 'voice' | 'location' | 'link' | 'chat_record';

/** My copy of a message, kept when the source is deleted for me, cleared or recalled. */
export interface FavoriteMessage {
  id: number;
  conversation_id: ConversationId;
  seq: Seq;
  sender_id: UserId | null;
  /** The sender's name when saved. */
  sender_name: string;
  sent_at: number;
  type: MessageType;
  body: MessageBodies[MessageType];
  saved_at: number;
}

declare module './protocol' {
  interface Ops {
    'favorites.add_message': { req: { conversation_id: ConversationId; seq: Seq }; res: FavoriteMessage };
    'favorites.list': {
      req: { before?: number; limit?: number; category?: FavoriteCategory; query?: string };
      res: { favorites: FavoriteMessage[] };
    };
    'favorites.remove_message': { req: { id: number }; res: null };
    'favorites.send': {
      req: { id: number; target_ids: ConversationId[]; client_msg_id: string; note?: string };
      res: { entries: Entry[] };
    };
  }
  interface PrivateData {
    favorite_added: { favorite: FavoriteMessage };
    favorite_removed: { id: number };
  }
}
