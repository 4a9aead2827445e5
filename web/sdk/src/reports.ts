/**
 * Users' reports to the server's reviewers (docs/protocol.md "Content moderation"), merged
 * into `Ops` so that `client.request('reports.create', ...)` is typed like the rest.
 */
import type { ConversationId, Seq, UserId } from './protocol';

/** The reasons a user may give (a fixed list; the console translates them). */
export type ReportReason = 'spam' | 'abuse' | 'fraud' | 'illegal' | 'other';
export const REPORT_REASONS: readonly ReportReason[] = ['spam', 'abuse', 'fraud', 'illegal', 'other'];

/** What is reported: a message (conversation and seq), a person, or a group. */
export type ReportTarget =
  | { target_type: 'message'; conversation_id: ConversationId; seq: Seq }
  | { target_type: 'user'; user_id: UserId }
  | { target_type: 'group'; conversation_id: ConversationId };

export interface FiledReport {
  id: number;
  target_type: ReportTarget['target_type'];
  reason: ReportReason;
  status: 'open' | 'resolved';
  created_at: number;
  /** False: this reporter had reported the same thing before (the first report). */
  created: boolean;
}

declare module './protocol' {
  interface Ops {
    'reports.create': { req: ReportTarget & { reason: ReportReason; note?: string }; res: FiledReport };
  }
}
