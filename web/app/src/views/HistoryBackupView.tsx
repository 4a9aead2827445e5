/**
 * Settings → Chat history backup (0051): back up (choose conversations, with or without
 * files, a passphrase twice, progress, cancel, download) and restore (choose the file, the
 * passphrase, a preview of what it holds, import with progress). Loaded on demand.
 */
import type { Client } from '@tidings/sdk';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { backupTranslator, type BackupTranslate, type BackupWord } from '../i18n/backupWords';
import { errorMessage, type Locale, type Translate } from '../i18n/i18n';
import { describeMessage } from '../lib/format';
import { formatBytes } from '../lib/images';
import { restoredHistoryFor } from '../lib/restoredHistory';
import { dateTime } from '../lib/when';
import { HistoryBackupViewModel, MIN_PASSPHRASE, type HistoryBackupSnapshot } from '../viewmodels/HistoryBackupViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import './history-backup.css';

interface Props {
  client: Client;
  t: Translate;
  locale: Locale;
  onBack(): void;
}

const STRENGTH: readonly BackupWord[] = ['backup.strength0', 'backup.strength1', 'backup.strength2', 'backup.strength3'];

export default function HistoryBackupView({ client, t: appWords, locale, onBack }: Props) {
  const t = useMemo(() => backupTranslator(appWords, locale), [appWords, locale]);
  const vm = useMemo(() => new HistoryBackupViewModel(client, restoredHistoryFor(client)), [client]);
  useEffect(() => () => vm.dispose(), [vm]);
  const s = useViewModel(vm);
  return (
    <section className="settings-pane history-backup" data-testid="history-backup">
      <div className="settings-title-row">
        <button type="button" className="link-button" onClick={onBack} data-testid="backup-back">
          ‹ {t('settings.title')}
        </button>
        <h2>{t('backup.title')}</h2>
      </div>
      <div className="segmented backup-tabs" role="tablist">
        {(['backup', 'restore'] as const).map((tab) => (
          <button key={tab} role="tab" aria-selected={s.tab === tab} className={s.tab === tab ? 'active' : ''} onClick={() => vm.showTab(tab)} data-testid={`backup-tab-${tab}`}>
            {t(tab === 'backup' ? 'backup.tabBackup' : 'backup.tabRestore')}
          </button>
        ))}
      </div>
      {s.tab === 'backup' ? <BackupPanel vm={vm} s={s} t={t} locale={locale} /> : <RestorePanel vm={vm} s={s} t={t} locale={locale} />}
    </section>
  );
}

function conversationName(t: BackupTranslate, c: { type: string; name: string }): string {
  return c.type === 'system' ? t('list.systemNotices') : c.name || t('backup.unnamed');
}

function backupError(t: BackupTranslate, code: string): string {
  const key = `backup.error.${code}` as BackupWord;
  return key in KNOWN_ERRORS ? t(key) : errorMessage(t, code);
}
const KNOWN_ERRORS: Record<string, true> = {
  'backup.error.wrong_passphrase': true,
  'backup.error.damaged': true,
  'backup.error.not_a_backup': true,
  'backup.error.unsupported_version': true,
  'backup.error.cancelled': true,
  'backup.error.backup_failed': true,
};

function BackupPanel({ vm, s, t, locale }: { vm: HistoryBackupViewModel; s: HistoryBackupSnapshot; t: BackupTranslate; locale: string }) {
  const busy = s.exporting !== null;
  const chosen = s.choices.filter((c) => c.selected).length;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void vm.startBackup();
  };
  return (
    <form className="backup-form" onSubmit={submit} data-testid="backup-form">
      <p className="backup-intro">{t('backup.intro')}</p>
      <h3 className="settings-heading">{t('backup.conversations', { chosen, count: s.choices.length })}</h3>
      <div className="settings-card backup-choices">
        <div className="backup-choice-tools">
          <button type="button" className="link-button" onClick={() => vm.selectAll(true)} disabled={busy}>{t('backup.selectAll')}</button>
          <button type="button" className="link-button" onClick={() => vm.selectAll(false)} disabled={busy}>{t('backup.selectNone')}</button>
        </div>
        <ul className="backup-choice-list" data-testid="backup-choices">
          {s.choices.map((c) => (
            <li key={c.id}>
              <label className="backup-choice">
                <input type="checkbox" checked={c.selected} onChange={() => vm.toggle(c.id)} disabled={busy} data-testid="backup-choice" data-id={c.id} />
                <span className="ellipsis">{conversationName(t, c)}</span>
                <span className="backup-kind">{t(c.type === 'group' ? 'backup.group' : c.type === 'system' ? 'backup.system' : 'backup.direct')}</span>
              </label>
            </li>
          ))}
        </ul>
      </div>
      <div className="settings-card">
        <label className="backup-check">
          <input type="checkbox" checked={s.withFiles} onChange={(e) => vm.setWithFiles(e.target.checked)} disabled={busy} data-testid="backup-with-files" />
          <span>
            {t('backup.withFiles')}
            <span className="backup-hint">{t('backup.withFilesHint')}</span>
          </span>
        </label>
      </div>
      <h3 className="settings-heading">{t('backup.encryption')}</h3>
      <div className="settings-card backup-passphrase">
        <label className="backup-field">
          <span>{t('backup.passphrase')}</span>
          <input type="password" autoComplete="new-password" value={s.passphrase} onChange={(e) => vm.setPassphrase(e.target.value)} disabled={busy} data-testid="backup-passphrase" />
        </label>
        <div className={`backup-strength${s.passphrase ? ` level-${s.strength}` : ''}`} data-testid="backup-strength" data-level={s.strength} aria-live="polite">
          <span className="backup-meter" aria-hidden="true">
            {[0, 1, 2, 3].map((i) => <span key={i} className={i <= s.strength && s.passphrase ? 'on' : ''} />)}
          </span>
          {s.passphrase ? t(STRENGTH[s.strength] ?? 'backup.strength0') : t('backup.passphraseHint', { min: MIN_PASSPHRASE })}
        </div>
        <label className="backup-field">
          <span>{t('backup.confirm')}</span>
          <input type="password" autoComplete="new-password" value={s.confirm} onChange={(e) => vm.setConfirm(e.target.value)} disabled={busy} data-testid="backup-confirm" />
        </label>
        <p className="backup-warning">{t('backup.forgetWarning')}</p>
      </div>
      {s.problem && (s.passphrase || s.confirm || s.problem === 'none_chosen') && (
        <div className="backup-problem" data-testid="backup-problem">{t(`backup.problem.${s.problem}` as BackupWord, { min: MIN_PASSPHRASE })}</div>
      )}
      {s.exporting ? (
        <div className="settings-card backup-progress" data-testid="backup-progress" role="status">
          <div className="progress">
            <span style={{ width: `${exportPercent(s.exporting)}%` }} />
          </div>
          <div className="backup-progress-row">
            <span>
              {s.exporting.phase === 'key'
                ? t('backup.preparing')
                : t('backup.progress', { done: s.exporting.done, count: s.exporting.conversations, entries: s.exporting.entries, files: s.exporting.files, size: formatBytes(s.exporting.bytes, locale) })}
            </span>
            <button type="button" className="secondary" onClick={() => vm.cancelBackup()} data-testid="backup-cancel">{t('backup.cancel')}</button>
          </div>
        </div>
      ) : (
        <div className="backup-actions">
          <button type="submit" className="primary" disabled={s.problem !== null} data-testid="backup-start">{t('backup.start')}</button>
        </div>
      )}
      {s.exportError && <div className="form-error" role="alert" data-testid="backup-error">{backupError(t, s.exportError)}</div>}
      {s.exported && <Exported exported={s.exported} t={t} locale={locale} />}
    </form>
  );
}

/** Entries exported of those expected, or conversations done (deleted entries make the former an estimate). */
function exportPercent(p: NonNullable<HistoryBackupSnapshot['exporting']>): number {
  if (p.phase === 'key' || p.conversations === 0) return 2;
  const byEntries = p.expected > 0 ? p.entries / p.expected : 0;
  return Math.max(2, Math.min(99, Math.round(Math.max(byEntries, p.done / p.conversations) * 100)));
}

function Exported({ exported, t, locale }: { exported: NonNullable<HistoryBackupSnapshot['exported']>; t: BackupTranslate; locale: string }) {
  const url = useMemo(() => URL.createObjectURL(exported.blob), [exported.blob]);
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    // The download starts by itself; the link stays for another copy.
    link.current?.click();
    link.current?.scrollIntoView({ block: 'nearest' });
    return () => URL.revokeObjectURL(url);
  }, [url]);
  return (
    <div className="settings-card backup-done" data-testid="backup-done" role="status">
      <p>
        {t('backup.done', { entries: exported.entries, files: exported.files, size: formatBytes(exported.size, locale) })}
        {exported.missingFiles > 0 && <> {t('backup.missingFiles', { count: exported.missingFiles })}</>}
      </p>
      <a ref={link} className="backup-download" href={url} download={exported.fileName} data-testid="backup-download">
        {t('backup.download', { name: exported.fileName })}
      </a>
    </div>
  );
}

function RestorePanel({ vm, s, t, locale }: { vm: HistoryBackupViewModel; s: HistoryBackupSnapshot; t: BackupTranslate; locale: string }) {
  const [dragging, setDragging] = useState(false);
  const busy = s.restoring !== null || s.previewing;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (s.preview) void vm.restore();
    else void vm.previewFile();
  };
  return (
    <form className="backup-form" onSubmit={submit} data-testid="restore-form">
      <p className="backup-intro">{t('backup.restoreIntro')}</p>
      <div
        className={`settings-card restore-file${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const file = e.dataTransfer.files[0];
          if (file) vm.chooseFile(file);
        }}
      >
        <label className="restore-pick">
          <input
            type="file"
            accept=".tdbackup,application/octet-stream"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) vm.chooseFile(file);
              // The same file may be chosen again (to restore it once more).
              e.target.value = '';
            }}
            disabled={busy}
            data-testid="restore-file"
          />
          <span className="secondary-like">{t('backup.chooseFile')}</span>
          <span className="restore-file-name ellipsis" data-testid="restore-file-name">
            {s.file ? `${s.file.name} · ${formatBytes(s.file.size, locale)}` : t('backup.noFile')}
          </span>
        </label>
      </div>
      {s.file && (
        <div className="settings-card backup-passphrase">
          <label className="backup-field">
            <span>{t('backup.passphrase')}</span>
            <input type="password" autoComplete="off" value={s.restorePassphrase} onChange={(e) => vm.setRestorePassphrase(e.target.value)} disabled={busy} data-testid="restore-passphrase" />
          </label>
          {!s.preview && (
            <div className="backup-actions">
              <button type="submit" className="primary" disabled={busy || s.restorePassphrase === ''} data-testid="restore-open">
                {s.previewing ? t('backup.opening') : t('backup.open')}
              </button>
            </div>
          )}
        </div>
      )}
      {s.restoreError && <div className="form-error" role="alert" data-testid="restore-error">{backupError(t, s.restoreError)}</div>}
      {s.preview && (
        <div className="settings-card restore-preview" data-testid="restore-preview">
          <p className="restore-summary">
            {t('backup.previewSummary', { who: s.preview.nickname, account: s.preview.account, when: dateTime(s.preview.createdAt, locale), count: s.preview.conversations.length })}
          </p>
          <p className="backup-hint">
            {s.preview.withFiles ? t('backup.previewWithFiles') : t('backup.previewNoFiles')} · {s.preview.origin}
          </p>
          <ul className="restore-list">
            {s.preview.conversations.map((c) => (
              <li key={c.id} data-testid="restore-conversation">
                <span className="ellipsis">{conversationName(t, c)}</span>
                <span className={`restore-where${c.showsIn ? '' : ' alone'}`}>{c.showsIn ? t('backup.showsInChat') : t('backup.keptHere')}</span>
              </li>
            ))}
          </ul>
          {s.restoring ? (
            <div className="backup-progress" data-testid="restore-progress" role="status">
              <div className="progress">
                <span style={{ width: `${s.restoring.total ? Math.round((s.restoring.read / s.restoring.total) * 100) : 0}%` }} />
              </div>
              <div className="backup-progress-row">
                <span>{t('backup.restoring', { entries: s.restoring.entries, files: s.restoring.files })}</span>
                <button type="button" className="secondary" onClick={() => vm.cancelRestore()} data-testid="restore-cancel">{t('backup.cancel')}</button>
              </div>
            </div>
          ) : (
            !s.restored && (
              <div className="backup-actions">
                <button type="submit" className="primary" data-testid="restore-start">{t('backup.restore')}</button>
              </div>
            )
          )}
        </div>
      )}
      {s.restored && (
        <div className="settings-card backup-done" data-testid="restore-done" role="status">
          {t('backup.restored', { entries: s.restored.entries, added: s.restored.added, files: s.restored.files })}
        </div>
      )}
      {s.archive.length > 0 && <Archive vm={vm} s={s} t={t} locale={locale} />}
    </form>
  );
}

/** Restored conversations with no chat of mine to show in: readable here. */
function Archive({ vm, s, t, locale }: { vm: HistoryBackupViewModel; s: HistoryBackupSnapshot; t: BackupTranslate; locale: string }) {
  const open = s.archiveOpen;
  return (
    <>
      <h3 className="settings-heading">{t('backup.archive')}</h3>
      <div className="settings-card restore-archive" data-testid="restore-archive">
        {open ? (
          <div className="archive-reader">
            <div className="backup-progress-row">
              <strong>{conversationName(t, open.conversation)}</strong>
              <button type="button" className="link-button" onClick={() => vm.closeArchive()}>{t('backup.closeArchive')}</button>
            </div>
            <ol className="archive-entries">
              {open.entries.map((e) => (
                <li key={e.key} className={e.mine ? 'mine' : ''} data-testid="archive-entry">
                  <span className="archive-meta">{e.sender?.nickname ?? ''} · {dateTime(e.createdAt, locale)}</span>
                  <span className="archive-text">
                    {e.entry.kind === 'message' ? (e.entry.recalled ? t('backup.recalled') : describeMessage(e.entry, t)) : ''}
                  </span>
                </li>
              ))}
            </ol>
          </div>
        ) : (
          <ul className="restore-list">
            {s.archive.map((c) => (
              <li key={c.key}>
                <button type="button" className="link-button" onClick={() => void vm.openArchive(c.key)} data-testid="archive-open">
                  {conversationName(t, c)}
                </button>
                <span className="backup-hint">{c.origin}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}
