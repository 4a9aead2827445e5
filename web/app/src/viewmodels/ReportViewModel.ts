/**
 * Reporting a message, a person or a group to the server's reviewers (K7, docs/protocol.md
 * "Content moderation"): a reason from a fixed list and a note, sent as `reports.create`.
 */
import { errorCode, type Client, type ReportReason, type ReportTarget } from '@tidings/sdk';
import { ViewModel } from './ViewModel';

export const NOTE_MAX = 500;

export interface ReportSnapshot {
  target: ReportTarget;
  /** What is reported, as the dialog names it (a message's text, a name). */
  label: string;
  reason: ReportReason | null;
  note: string;
  busy: boolean;
  /** Sent: the reviewers have it (or had it already from me). */
  done: boolean;
  /** An error code to translate. */
  error: string | null;
}

export class ReportViewModel extends ViewModel<ReportSnapshot> {
  constructor(
    private readonly client: Client,
    target: ReportTarget,
    label: string,
  ) {
    super({ target, label, reason: null, note: '', busy: false, done: false, error: null });
  }

  setReason(reason: ReportReason): void {
    this.update({ reason, error: null });
  }

  setNote(note: string): void {
    this.update({ note: note.slice(0, NOTE_MAX) });
  }

  async submit(): Promise<boolean> {
    const { target, reason, note, busy } = this.getSnapshot();
    if (reason === null || busy) return false;
    this.update({ busy: true, error: null });
    try {
      await this.client.request('reports.create', { ...target, reason, note: note.trim() });
      this.update({ busy: false, done: true });
      return true;
    } catch (error) {
      this.update({ busy: false, error: errorCode(error) });
      return false;
    }
  }
}
