/**
 * Customer service for agents (docs/protocol.md "Customer service", decision 0066): the
 * queue of waiting visitors, taking, transferring and closing chats. Merged into `Ops` so
 * `client.request('service.take', ...)` is typed like the rest; the `serviceQueue` event
 * (push `service_queue`) says when to ask for the queue again.
 */
import type { ConversationId, Entry, UserId } from './protocol';

export type ServiceState = 'waiting' | 'taken' | 'closed';

export interface ServicePage {
  url: string;
  title: string;
  at?: number;
}

export interface ServiceChat {
  conversation_id: ConversationId;
  visitor_id: UserId;
  state: ServiceState;
  agent_id: UserId | null;
  waiting_since: number | null;
  page: ServicePage | null;
  identified: boolean;
  created_at: number;
  visitor: { id: UserId; nickname: string; avatar: string; external_id: string | null };
  preview: Entry | null;
}

/** One earlier (or the current) stint of a visitor's chat. */
export interface ServiceCase {
  id: number;
  opened_at: number;
  first_seq: number;
  agent_id: UserId | null;
  agent_name: string;
  taken_at: number | null;
  closed_at: number | null;
  page: ServicePage | null;
}

export interface ServiceAgent {
  user_id: UserId;
  nickname: string;
  avatar: string;
}

declare module './protocol' {
  interface Ops {
    'service.queue': { req: Record<string, never>; res: { waiting: ServiceChat[]; mine: ServiceChat[] } };
    'service.agents': { req: Record<string, never>; res: { agents: ServiceAgent[] } };
    'service.details': { req: { conversation_id: ConversationId }; res: ServiceChat & { cases: ServiceCase[] } };
    'service.take': { req: { conversation_id: ConversationId }; res: ServiceChat };
    'service.transfer': { req: { conversation_id: ConversationId; agent_id: UserId }; res: ServiceChat };
    'service.close': { req: { conversation_id: ConversationId }; res: ServiceChat };
    'service.chat': { req: Record<string, never>; res: { conversation_id: ConversationId; state: ServiceState; agent: { nickname: string; avatar: string } | null } };
    'service.page': { req: { url: string; title?: string }; res: null };
  }
}
