/**
 * Settings → Chat history backup (0051): back up chosen conversations to a passphrase-
 * encrypted file, and restore one (preview what it holds, then import into this device).
 */
import { BackupError, type Client, type ConversationId, type ConversationType } from '@tidings/sdk';
import {
  backupFileName,
  exportHistory,
  passphraseStrength,
  previewBackup,
  resolveConversation,
  restoreHistory,
  type BackupManifest,
  type BackupProgress,
  type ExportOptions,
  type RestoreProgress,
  type RestoreResult,
} from '../lib/historyBackup';
import type { RestoredConversation, RestoredHistory, RestoredEntry } from '../lib/restoredHistory';
import { ViewModel } from './ViewModel';

/** Fewer characters than this cannot protect a file someone may try passphrases on offline. */
export const MIN_PASSPHRASE = 8;

export interface BackupChoice {
  id: ConversationId;
  type: ConversationType;
  /** The conversation's name; '' for system notices (the view words it). */
  name: string;
  selected: boolean;
}

export interface RestorePreview {
  createdAt: number;
  account: string;
  nickname: string;
  origin: string;
  withFiles: boolean;
  conversations: { id: ConversationId; type: ConversationType; name: string; showsIn: ConversationId }[];
}

export interface HistoryBackupSnapshot {
  tab: 'backup' | 'restore';
  choices: BackupChoice[];
  withFiles: boolean;
  passphrase: string;
  confirm: string;
  strength: 0 | 1 | 2 | 3;
  /** Why the backup cannot start yet. */
  problem: 'none_chosen' | 'short' | 'mismatch' | null;
  exporting: BackupProgress | null;
  /** An error code, or 'cancelled'. */
  exportError: string | null;
  exported: { blob: Blob; fileName: string; size: number; entries: number; files: number; missingFiles: number } | null;
  file: { name: string; size: number } | null;
  restorePassphrase: string;
  previewing: boolean;
  preview: RestorePreview | null;
  restoring: RestoreProgress | null;
  /** A BackupErrorCode (`wrong_passphrase`, `damaged`, ...), 'cancelled' or another error code. */
  restoreError: string | null;
  restored: RestoreResult | null;
  /** Restored conversations with no chat of mine to show in, readable here. */
  archive: RestoredConversation[];
  archiveOpen: { conversation: RestoredConversation; entries: RestoredEntry[] } | null;
}

function errorCodeOf(error: unknown): string {
  if (error instanceof BackupError) return error.code;
  if (error instanceof DOMException && error.name === 'AbortError') return 'cancelled';
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return 'backup_failed';
}

export class HistoryBackupViewModel extends ViewModel<HistoryBackupSnapshot> {
  private exportAbort: AbortController | null = null;
  private restoreAbort: AbortController | null = null;
  private chosenFile: Blob | null = null;

  constructor(
    private readonly client: Client,
    private readonly history: RestoredHistory,
    private readonly options: { writer?: ExportOptions['writer']; reader?: { minIterations: number }; now?: () => number } = {},
  ) {
    super({
      tab: 'backup',
      choices: client.conversations().map((s) => ({ id: s.id, type: s.type, name: s.name, selected: true })),
      withFiles: false,
      passphrase: '',
      confirm: '',
      strength: 0,
      problem: null,
      exporting: null,
      exportError: null,
      exported: null,
      file: null,
      restorePassphrase: '',
      previewing: false,
      preview: null,
      restoring: null,
      restoreError: null,
      restored: null,
      archive: [],
      archiveOpen: null,
    });
    this.recheck();
    void this.loadArchive();
    this.track(() => {
      this.exportAbort?.abort();
      this.restoreAbort?.abort();
    });
  }

  showTab(tab: 'backup' | 'restore'): void {
    this.update({ tab });
  }

  toggle(id: ConversationId): void {
    this.update({ choices: this.getSnapshot().choices.map((c) => (c.id === id ? { ...c, selected: !c.selected } : c)), exported: null });
    this.recheck();
  }

  selectAll(selected: boolean): void {
    this.update({ choices: this.getSnapshot().choices.map((c) => ({ ...c, selected })), exported: null });
    this.recheck();
  }

  setWithFiles(withFiles: boolean): void {
    this.update({ withFiles, exported: null });
  }

  setPassphrase(passphrase: string): void {
    this.update({ passphrase, strength: passphraseStrength(passphrase), exported: null, exportError: null });
    this.recheck();
  }

  setConfirm(confirm: string): void {
    this.update({ confirm, exportError: null });
    this.recheck();
  }

  private recheck(): void {
    const s = this.getSnapshot();
    const problem = !s.choices.some((c) => c.selected)
      ? 'none_chosen'
      : [...s.passphrase].length < MIN_PASSPHRASE
        ? 'short'
        : s.passphrase !== s.confirm
          ? 'mismatch'
          : null;
    this.update({ problem });
  }

  async startBackup(): Promise<void> {
    const s = this.getSnapshot();
    if (s.problem || s.exporting) return;
    const abort = new AbortController();
    this.exportAbort = abort;
    const now = this.options.now ?? Date.now;
    this.update({ exporting: { phase: 'key', done: 0, conversations: 0, entries: 0, expected: 0, files: 0, bytes: 0 }, exportError: null, exported: null });
    try {
      const result = await exportHistory(this.client, {
        conversationIds: s.choices.filter((c) => c.selected).map((c) => c.id),
        withFiles: s.withFiles,
        passphrase: s.passphrase,
        origin: this.history.origin,
        signal: abort.signal,
        onProgress: (progress) => {
          if (!abort.signal.aborted) this.update({ exporting: progress });
        },
        now,
        ...(this.options.writer ? { writer: this.options.writer } : {}),
      });
      this.update({
        exporting: null,
        exported: {
          blob: result.blob,
          fileName: backupFileName(this.client.me?.account ?? 'me', now()),
          size: result.blob.size,
          entries: result.entries,
          files: result.files,
          missingFiles: result.missingFiles,
        },
        // The passphrase is not kept on screen once used.
        passphrase: '',
        confirm: '',
        strength: 0,
      });
      this.recheck();
    } catch (error) {
      this.update({ exporting: null, exportError: errorCodeOf(error) });
    } finally {
      this.exportAbort = null;
    }
  }

  cancelBackup(): void {
    this.exportAbort?.abort();
  }

  chooseFile(file: Blob & { name?: string }): void {
    this.chosenFile = file;
    this.update({ file: { name: file.name ?? '', size: file.size }, preview: null, restoreError: null, restored: null });
  }

  setRestorePassphrase(restorePassphrase: string): void {
    this.update({ restorePassphrase, restoreError: null });
  }

  /** Open the file with the passphrase and say what it holds, and where each conversation will show. */
  async previewFile(): Promise<void> {
    const file = this.chosenFile;
    const s = this.getSnapshot();
    if (!file || s.previewing || s.restorePassphrase === '') return;
    this.update({ previewing: true, restoreError: null, preview: null, restored: null });
    try {
      const manifest = await previewBackup(file, s.restorePassphrase, this.options.reader);
      this.update({ previewing: false, preview: await this.describe(manifest) });
    } catch (error) {
      this.update({ previewing: false, restoreError: errorCodeOf(error) });
    }
  }

  private async describe(manifest: BackupManifest): Promise<RestorePreview> {
    const conversations: RestorePreview['conversations'] = [];
    for (const c of manifest.conversations) {
      const showsIn = await resolveConversation(this.client, this.history.origin, c, manifest);
      conversations.push({ id: c.id, type: c.type, name: c.name, showsIn });
    }
    return {
      createdAt: manifest.created_at,
      account: manifest.account.account,
      nickname: manifest.account.nickname,
      origin: manifest.origin,
      withFiles: manifest.with_files,
      conversations,
    };
  }

  async restore(): Promise<void> {
    const file = this.chosenFile;
    const s = this.getSnapshot();
    if (!file || !s.preview || s.restoring) return;
    const abort = new AbortController();
    this.restoreAbort = abort;
    this.update({ restoring: { entries: 0, files: 0, read: 0, total: file.size }, restoreError: null, restored: null });
    try {
      const result = await restoreHistory(file, {
        passphrase: s.restorePassphrase,
        store: this.history.store,
        resolve: (info, manifest) => resolveConversation(this.client, this.history.origin, info, manifest),
        signal: abort.signal,
        onProgress: (progress) => {
          if (!abort.signal.aborted) this.update({ restoring: progress });
        },
        ...(this.options.reader ? { reader: this.options.reader } : {}),
        ...(this.options.now ? { now: this.options.now } : {}),
      });
      this.update({ restoring: null, restored: result, restorePassphrase: '' });
    } catch (error) {
      this.update({ restoring: null, restoreError: errorCodeOf(error) });
    } finally {
      this.restoreAbort = null;
      // Whatever was written (all of it, or the part before a cancel) shows in the chats.
      this.history.invalidate();
      await this.loadArchive();
    }
  }

  cancelRestore(): void {
    this.restoreAbort?.abort();
  }

  private async loadArchive(): Promise<void> {
    try {
      const all = await this.history.store.conversations();
      this.update({ archive: all.filter((c) => c.target === 0).sort((a, b) => a.name.localeCompare(b.name)) });
    } catch {
      // No restored history on this device.
    }
  }

  async openArchive(key: string): Promise<void> {
    const conversation = this.getSnapshot().archive.find((c) => c.key === key);
    if (!conversation) return;
    const entries = (await this.history.store.entriesOf(key)).filter((e) => e.entry.kind === 'message');
    this.update({ archiveOpen: { conversation, entries } });
  }

  closeArchive(): void {
    this.update({ archiveOpen: null });
  }
}
