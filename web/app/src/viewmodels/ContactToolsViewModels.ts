/**
 * Two contact tools (PRODUCT.md B4, B6): the people I blocked, to see and unblock; and
 * importing contacts from a CSV or Excel file, with the server's report row by row.
 */
import { errorCode, type Client, type ImportReport, type UserCard, type UserId } from '@tidings/sdk';
import { errorMessage, type MessageKey, type Translate } from '../i18n/i18n';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

// ---- blocked people ------------------------------------------------------------------------

export interface BlockedSnapshot {
  loading: boolean;
  people: { id: UserId; name: string; account: string }[];
  busy: boolean;
  error: string | null;
}

export class BlockedListViewModel extends ViewModel<BlockedSnapshot> {
  private blocked: UserCard[] = [];

  constructor(
    private readonly client: Client,
    private readonly preferences: PreferencesViewModel,
  ) {
    super({ loading: true, people: [], busy: false, error: null });
    this.track(
      client.on('private', ({ entry }) => {
        if (entry.kind === 'user_blocked' || entry.kind === 'user_unblocked') void this.load();
      }),
    );
    this.track(
      client.on('state', ({ state }) => {
        if (state === 'connected') void this.load();
      }),
    );
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const reply = await this.client.request('blocks.list', undefined);
      this.blocked = reply.blocked;
      this.update({ loading: false, error: null });
    } catch (error) {
      this.update({ loading: false, error: errorMessage(this.preferences.getSnapshot().t, errorCode(error)) });
    }
    this.refresh();
  }

  async unblock(userId: UserId): Promise<void> {
    this.update({ busy: true, error: null });
    try {
      await this.client.request('blocks.remove', { user_id: userId });
      this.blocked = this.blocked.filter((b) => b.id !== userId);
      this.update({ busy: false });
    } catch (error) {
      this.update({ busy: false, error: errorMessage(this.preferences.getSnapshot().t, errorCode(error)) });
    }
    this.refresh();
  }

  private refresh(): void {
    this.update({
      people: this.blocked
        .map((b) => ({ id: b.id, name: b.nickname || b.account, account: b.account }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    });
  }
}

// ---- importing contacts ----------------------------------------------------------------------

export interface ImportRowView {
  row: number;
  account: string;
  status: 'requested' | 'updated' | 'rejected';
  /** Translated when the server's reason is one we know, else the server's words (as text). */
  reason: string;
}

export interface ContactImportSnapshot {
  fileName: string | null;
  busy: boolean;
  /** A translated error: a file that cannot be read changes nothing. */
  error: string | null;
  report: { added: number; updated: number; rejected: number; rows: ImportRowView[] } | null;
}

/** The server's reasons (English, stable) that the client says in the user's language. */
const REASONS: Record<string, MessageKey> = {
  'no account or phone': 'import.reasonNoAccount',
  'no such user': 'import.reasonNoUser',
  'a duplicate row': 'import.reasonDuplicate',
  'that is you': 'import.reasonSelf',
};

export function importReason(reason: string | undefined, t: Translate): string {
  if (!reason) return '';
  const key = REASONS[reason];
  return key ? t(key) : reason;
}

/** The largest file the server takes (docs/protocol.md: at most 1 MiB). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

export class ContactImportViewModel extends ViewModel<ContactImportSnapshot> {
  private last: ImportReport | null = null;

  constructor(
    private readonly upload: (file: Blob, name: string) => Promise<ImportReport>,
    private readonly preferences: PreferencesViewModel,
  ) {
    super({ fileName: null, busy: false, error: null, report: null });
    this.track(preferences.subscribe(() => this.refresh()));
  }

  private get t(): Translate {
    return this.preferences.getSnapshot().t;
  }

  async importFile(file: Blob, name: string): Promise<void> {
    this.last = null;
    if (!/\.(csv|xlsx)$/i.test(name)) {
      this.update({ fileName: name, error: this.t('import.wrongType'), report: null });
      return;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      this.update({ fileName: name, error: this.t('import.tooLarge'), report: null });
      return;
    }
    this.update({ fileName: name, busy: true, error: null, report: null });
    try {
      this.last = await this.upload(file, name);
      this.update({ busy: false });
    } catch (error) {
      const code = errorCode(error);
      this.update({ busy: false, error: code === 'bad_file' ? this.t('import.badFile') : errorMessage(this.t, code) });
    }
    this.refresh();
  }

  reset(): void {
    this.last = null;
    this.update({ fileName: null, error: null, report: null });
  }

  private refresh(): void {
    const report = this.last;
    if (!report) return;
    this.update({
      report: {
        added: report.added,
        updated: report.rows.filter((r) => r.status === 'updated').length,
        rejected: report.rejected,
        rows: report.rows.map((r) => ({ row: r.row, account: r.account, status: r.status, reason: importReason(r.reason, this.t) })),
      },
    });
  }
}
