/**
 * Lists of files (PRODUCT.md E10, F3): a group's files, filterable by type and time, and my
 * favourite files. Each row says when its file expires; a download asks the server for a
 * signed link first (FileLinks). Removing a group file recalls the message that carried it:
 * the server keeps sent files as long as a message refers to them, so that is what "delete"
 * means there — allowed to the sender (within the recall window) and to admins with the
 * recall power; the server has the last word.
 */
import { errorCode, type Client, type ConversationFile, type ConversationId, type FavoriteFile, type FileInfo, type FileKind, type Seq } from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import { listTime } from '../lib/format';
import { formatBytes } from '../lib/images';
import { dateTime } from '../lib/when';
import type { FileLinks } from './FileLinks';
import type { NameBook } from './NameBook';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

export type KindFilter = FileKind | 'all';
export type PeriodFilter = 'all' | 'week' | 'month';

const PAGE = 50;
const DAY_MS = 86_400_000;
const PERIOD_MS: Record<PeriodFilter, number | null> = { all: null, week: 7 * DAY_MS, month: 30 * DAY_MS };

export interface FileRow {
  fileId: string;
  name: string;
  kind: FileKind;
  size: string;
  /** Who sent it and when (group files), or when I saved it (favourites). */
  detail: string;
  /** "Expires 5/14 09:00", "Expired", or null for files that stay. */
  expiry: string | null;
  expired: boolean;
  seq: Seq | null;
  canDelete: boolean;
}

/** The expiry line of a file (F3), or null when it does not expire. */
export function expiryText(file: Pick<FileInfo, 'expires_at' | 'expired'>, now: number, locale: string, t: Translate): string | null {
  if (file.expired || (file.expires_at !== null && file.expires_at <= now)) return t('files.expired');
  if (file.expires_at === null) return null;
  return t('files.expiresAt', { time: dateTime(file.expires_at, locale) });
}

function fileName(file: FileInfo, t: Translate): string {
  if (file.name) return file.name;
  return file.kind === 'image' ? t('files.kindImage') : file.kind === 'video' ? t('files.kindVideo') : file.kind === 'voice' ? t('files.kindVoice') : t('files.kindFile');
}

interface ListSnapshot {
  loading: boolean;
  rows: FileRow[];
  more: boolean;
  busy: boolean;
  /** A translated message after an action failed or succeeded. */
  notice: string | null;
}

/** What both lists share: paging, downloads, notices. */
abstract class FileListViewModel<F extends FileInfo, S extends ListSnapshot> extends ViewModel<S> {
  protected files: F[] = [];
  protected more = false;
  private generation = 0;

  protected constructor(
    initial: S,
    protected readonly client: Client,
    protected readonly links: FileLinks,
    protected readonly preferences: PreferencesViewModel,
    protected readonly now: () => number,
  ) {
    super(initial);
    this.track(preferences.subscribe(() => this.refresh()));
  }

  protected get t(): Translate {
    return this.preferences.getSnapshot().t;
  }

  protected abstract fetchPage(after: F | null): Promise<F[]>;
  protected abstract refresh(): void;

  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.update({ loading: true } as Partial<S>);
    try {
      const files = await this.fetchPage(null);
      if (generation !== this.generation) return;
      this.files = files;
      this.more = files.length >= PAGE;
      this.update({ loading: false } as Partial<S>);
    } catch (error) {
      if (generation !== this.generation) return;
      this.update({ loading: false, notice: errorMessage(this.t, errorCode(error)) } as Partial<S>);
    }
    this.refresh();
  }

  async loadMore(): Promise<void> {
    const last = this.files[this.files.length - 1];
    if (!this.more || !last) return;
    const generation = this.generation;
    try {
      const files = await this.fetchPage(last);
      if (generation !== this.generation) return;
      this.files = [...this.files, ...files];
      this.more = files.length >= PAGE;
    } catch (error) {
      this.update({ notice: errorMessage(this.t, errorCode(error)) } as Partial<S>);
    }
    this.refresh();
  }

  /** A link to download the file with (signed: a plain link cannot carry the token). */
  async downloadUrl(fileId: string): Promise<string | null> {
    try {
      return await this.links.fetch(fileId, 'original');
    } catch (error) {
      this.update({ notice: errorMessage(this.t, errorCode(error)) } as Partial<S>);
      return null;
    }
  }

  clearNotice(): void {
    this.update({ notice: null } as Partial<S>);
  }

  protected async act(action: () => Promise<void>): Promise<boolean> {
    this.update({ busy: true, notice: null } as Partial<S>);
    try {
      await action();
      this.update({ busy: false } as Partial<S>);
      this.refresh();
      return true;
    } catch (error) {
      this.update({ busy: false, notice: errorMessage(this.t, errorCode(error)) } as Partial<S>);
      return false;
    }
  }

  protected row(file: F, detail: string, seq: Seq | null, canDelete: boolean): FileRow {
    const { locale } = this.preferences.getSnapshot();
    const now = this.now();
    const expiry = expiryText(file, now, locale, this.t);
    return {
      fileId: file.id,
      name: fileName(file, this.t),
      kind: file.kind,
      size: formatBytes(file.size, locale),
      detail,
      expiry,
      expired: file.expired || (file.expires_at !== null && file.expires_at <= now),
      seq,
      canDelete,
    };
  }

}

// ---- a group's files ---------------------------------------------------------------------

export interface ConversationFilesSnapshot extends ListSnapshot {
  kind: KindFilter;
  period: PeriodFilter;
  /** A file waiting for "remove it for everyone?". */
  confirmDelete: { seq: Seq; name: string } | null;
}

export class ConversationFilesViewModel extends FileListViewModel<ConversationFile, ConversationFilesSnapshot> {
  private kind: KindFilter = 'all';
  private period: PeriodFilter = 'all';

  constructor(
    readonly conversationId: ConversationId,
    client: Client,
    links: FileLinks,
    private readonly names: NameBook,
    preferences: PreferencesViewModel,
    /** I hold the recall power here (admins): I may remove anyone's file. */
    private readonly canRemoveAny: () => boolean,
    now: () => number = Date.now,
  ) {
    super({ loading: true, rows: [], more: false, busy: false, notice: null, kind: 'all', period: 'all', confirmDelete: null }, client, links, preferences, now);
    this.track(names.onChange(() => this.refresh()));
    void this.reload();
  }

  filter(kind: KindFilter, period: PeriodFilter = this.period): void {
    if (kind === this.kind && period === this.period) return;
    this.kind = kind;
    this.period = period;
    this.update({ kind, period });
    void this.reload();
  }

  protected async fetchPage(after: ConversationFile | null): Promise<ConversationFile[]> {
    const span = PERIOD_MS[this.period];
    const reply = await this.client.request('conversation.files', {
      conversation_id: this.conversationId,
      limit: PAGE,
      ...(this.kind !== 'all' ? { kind: this.kind } : {}),
      ...(span !== null ? { since: this.now() - span } : {}),
      ...(after ? { before_seq: after.seq } : {}),
    });
    return reply.files;
  }

  async addFavorite(fileId: string): Promise<void> {
    await this.act(async () => {
      await this.client.request('favorites.add', { file_id: fileId });
      this.update({ notice: this.t('favorites.added') });
    });
  }

  askDelete(seq: Seq): void {
    const file = this.files.find((f) => f.seq === seq);
    if (file) this.update({ confirmDelete: { seq, name: fileName(file, this.t) } });
  }

  cancelDelete(): void {
    this.update({ confirmDelete: null });
  }

  /** Remove the file for everyone: recall the message carrying it. */
  async confirmDeleteNow(): Promise<void> {
    const pending = this.getSnapshot().confirmDelete;
    if (!pending) return;
    this.update({ confirmDelete: null });
    const ok = await this.act(() => this.client.recall(this.conversationId, pending.seq));
    if (ok) {
      this.files = this.files.filter((f) => f.seq !== pending.seq);
      this.refresh();
    }
  }

  protected refresh(): void {
    const { locale } = this.preferences.getSnapshot();
    const now = this.now();
    const me = this.client.me?.id;
    const removeAny = this.canRemoveAny();
    this.update({
      rows: this.files.map((f) =>
        this.row(f, `${this.names.name(f.sender_id)} · ${listTime(f.sent_at, now, locale, this.t)}`, f.seq, removeAny || f.sender_id === me),
      ),
      more: this.more,
    });
  }
}

// ---- my favourite files ------------------------------------------------------------------

export type FavoritesSnapshot = ListSnapshot;

export class FavoritesViewModel extends FileListViewModel<FavoriteFile, FavoritesSnapshot> {
  constructor(client: Client, links: FileLinks, preferences: PreferencesViewModel, now: () => number = Date.now) {
    super({ loading: true, rows: [], more: false, busy: false, notice: null }, client, links, preferences, now);
    this.track(
      client.on('state', ({ state }) => {
        if (state === 'connected') void this.reload();
      }),
    );
    void this.reload();
  }

  protected async fetchPage(after: FavoriteFile | null): Promise<FavoriteFile[]> {
    const reply = await this.client.request('favorites.files', { limit: PAGE, ...(after ? { before: after.saved_at } : {}) });
    return reply.files;
  }

  async remove(fileId: string): Promise<void> {
    const ok = await this.act(() => this.client.request('favorites.remove', { file_id: fileId }).then(() => undefined));
    if (ok) {
      this.files = this.files.filter((f) => f.id !== fileId);
      this.refresh();
    }
  }

  protected refresh(): void {
    const { locale } = this.preferences.getSnapshot();
    const now = this.now();
    this.update({
      rows: this.files.map((f) => this.row(f, this.t('favorites.savedAt', { time: listTime(f.saved_at, now, locale, this.t) }), null, true)),
      more: this.more,
    });
  }
}
