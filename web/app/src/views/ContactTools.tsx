import { useEffect, useState, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n/i18n';
import type { BlockedListViewModel, ContactImportViewModel } from '../viewmodels/ContactToolsViewModels';
import type { ConversationFilesViewModel, FavoritesViewModel, FileRow, KindFilter, PeriodFilter } from '../viewmodels/FileBrowserViewModels';
import { INVITE_LIFETIMES, type InviteLinksViewModel } from '../viewmodels/InviteLinksViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { CloseIcon, DownloadIcon, FileIcon, ImageIcon } from './Icons';

/**
 * The contact and file tools' views: invite links with QR codes (friends and groups), the
 * blocked list, importing contacts, and file lists (favourites, a group's files). They render
 * snapshots and call actions; everything shown is text (React escapes it), never HTML.
 */

const LIFETIME_KEYS: Record<string, MessageKey> = {
  '86400': 'invite.day',
  '604800': 'invite.week',
  '2592000': 'invite.month',
  null: 'invite.forever',
};

function Notice({ text, onDone }: { text: string | null; onDone(): void }) {
  useEffect(() => {
    if (!text) return;
    const timer = setTimeout(onDone, 3000);
    return () => clearTimeout(timer);
  }, [text, onDone]);
  return text ? <div className="tool-notice" role="status" data-testid="tool-notice">{text}</div> : null;
}

// ---- invite links ------------------------------------------------------------------------------

/** Make, copy, show as a QR code and revoke invite links; friend links can also be accepted. */
export function InviteLinksPanel({ vm, t, compact = false }: { vm: InviteLinksViewModel; t: Translate; compact?: boolean }) {
  const s = useViewModel(vm);
  const [lifetime, setLifetime] = useState<string>(String(7 * 86_400));
  const [pasted, setPasted] = useState('');
  const copy = (link: string) => {
    const clipboard = typeof navigator !== 'undefined' ? navigator.clipboard : undefined;
    if (!clipboard) {
      vm.copied(false);
      return;
    }
    clipboard.writeText(link).then(
      () => vm.copied(true),
      () => vm.copied(false),
    );
  };
  return (
    <div className={`invite-links${compact ? ' compact' : ''}`} data-testid="invite-links">
      <p className="muted small">{vm.kind === 'friend' ? t('invite.friendHint') : t('invite.groupHint')}</p>
      <form
        className="invite-create"
        onSubmit={(e) => {
          e.preventDefault();
          void vm.create(lifetime === 'null' ? null : Number(lifetime));
        }}
      >
        <label className="setting-row">
          <span>{t('invite.validFor')}</span>
          <select value={lifetime} onChange={(e) => setLifetime(e.target.value)} data-testid="invite-lifetime">
            {INVITE_LIFETIMES.map((seconds) => (
              <option key={String(seconds)} value={String(seconds)}>{t(LIFETIME_KEYS[String(seconds)] ?? 'invite.forever')}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="small-button primary" disabled={s.busy} data-testid="invite-create">{t('invite.create')}</button>
      </form>

      {s.qr && (
        <div className="invite-qr" data-testid="invite-qr">
          {s.qr.url ? <img src={s.qr.url} alt={t('invite.qr')} width={180} height={180} /> : <span className="muted small">{s.qr.error ?? t('common.loading')}</span>}
          <button className="link-button" onClick={() => vm.hideQr()}>{t('invite.hideQr')}</button>
        </div>
      )}

      {s.loading && <p className="muted small">{t('common.loading')}</p>}
      {!s.loading && s.invites.length === 0 && <p className="muted small">{t('invite.none')}</p>}
      <ul className="invite-list">
        {s.invites.map((invite) => (
          <li key={invite.code} className={`invite-row ${invite.state}`} data-testid="invite" data-state={invite.state} data-code={invite.code}>
            <input className="invite-link" readOnly value={invite.link} aria-label={t('invite.link')} onFocus={(e) => e.currentTarget.select()} data-testid="invite-link" />
            <div className="invite-meta">
              <span className={`tag${invite.state === 'live' ? '' : ' danger'}`}>
                {invite.state === 'live' ? invite.expiry : invite.state === 'revoked' ? t('invite.revoked') : invite.expiry}
              </span>
              {invite.state === 'live' && (
                <span className="row-actions">
                  <button className="link-button" onClick={() => copy(invite.link)} data-testid="invite-copy">{t('invite.copy')}</button>
                  <button className="link-button" onClick={() => void vm.showQr(invite.code)} data-testid="invite-show-qr">{t('invite.qr')}</button>
                  <button className="link-button danger-text" onClick={() => void vm.revoke(invite.code)} data-testid="invite-revoke">{t('invite.revoke')}</button>
                </span>
              )}
            </div>
          </li>
        ))}
      </ul>

      {vm.kind === 'friend' && (
        <div className="invite-accept" data-testid="invite-accept">
          <h3 className="contacts-heading">{t('invite.haveLink')}</h3>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void vm.lookup(pasted);
            }}
          >
            <input value={pasted} onChange={(e) => setPasted(e.target.value)} placeholder={t('invite.pastePlaceholder')} aria-label={t('invite.haveLink')} data-testid="invite-paste" />
            <button type="submit" disabled={!pasted.trim() || s.busy}>{t('invite.open')}</button>
          </form>
          {s.found && (
            <div className="request-row" data-testid="invite-found">
              <Avatar id={s.found.name.length} name={s.found.name} size={36} />
              <span className="pick-text">
                <strong>{s.found.name}</strong>
                <span className="muted small">{s.found.detail}</span>
              </span>
              {s.found.result === null ? (
                <button className="small-button primary" disabled={s.busy} onClick={() => void vm.acceptFound()} data-testid="invite-accept-button">
                  {s.found.kind === 'friend' ? t('invite.addFriend') : t('contacts.joinGroup')}
                </button>
              ) : (
                <span className="muted small">{s.found.result === 'friends' ? t('invite.nowFriends') : s.found.result === 'joined' ? t('invite.joined') : t('contacts.waiting')}</span>
              )}
            </div>
          )}
        </div>
      )}
      <Notice text={s.notice} onDone={() => vm.clearNotice()} />
    </div>
  );
}

// ---- blocked people ------------------------------------------------------------------------------

export function BlockedPane({ vm, t, onPerson }: { vm: BlockedListViewModel; t: Translate; onPerson(id: number): void }) {
  const s = useViewModel(vm);
  return (
    <ToolSection title={t('blocked.title')} testId="blocked-list">
      <p className="muted small">{t('blocked.hint')}</p>
      {s.error && <div className="form-error">{s.error}</div>}
      {s.loading && <p className="muted">{t('common.loading')}</p>}
      {!s.loading && s.people.length === 0 && <p className="muted">{t('blocked.none')}</p>}
      {s.people.map((p) => (
        <div key={p.id} className="request-row" data-testid="blocked-person" data-name={p.name}>
          <Avatar id={p.id} name={p.name} size={40} />
          <button className="pick-text plain-button" onClick={() => onPerson(p.id)}>
            <strong>{p.name}</strong>
            <span className="muted small">{p.account}</span>
          </button>
          <button className="small-button" disabled={s.busy} onClick={() => void vm.unblock(p.id)} data-testid="unblock">{t('profile.unblock')}</button>
        </div>
      ))}
    </ToolSection>
  );
}

// ---- importing contacts ------------------------------------------------------------------------------

const STATUS_KEYS = { requested: 'import.requested', updated: 'import.updated', rejected: 'import.rejectedRow' } as const;

export function ImportPane({ vm, t }: { vm: ContactImportViewModel; t: Translate }) {
  const s = useViewModel(vm);
  return (
    <ToolSection title={t('import.title')} testId="contact-import">
      <p className="muted small">{t('import.hint')}</p>
      <pre className="import-sample" aria-label={t('import.sample')}>{'account,remark,tags,message\nbob,Bob (design),design;web,Hi Bob\n'}</pre>
      <label className="small-button primary file-pick">
        {s.busy ? t('common.loading') : t('import.pick')}
        <input
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={s.busy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void vm.importFile(file, file.name);
          }}
          data-testid="import-file"
        />
      </label>
      {s.fileName && <p className="muted small">{s.fileName}</p>}
      {s.error && <div className="form-error" data-testid="import-error">{s.error}</div>}
      {s.report && (
        <div className="import-report" data-testid="import-report">
          <p data-testid="import-summary">{t('import.summary', { added: s.report.added, updated: s.report.updated, rejected: s.report.rejected })}</p>
          <table>
            <thead>
              <tr>
                <th>{t('import.row')}</th>
                <th>{t('import.account')}</th>
                <th>{t('import.result')}</th>
              </tr>
            </thead>
            <tbody>
              {s.report.rows.map((r) => (
                <tr key={r.row} className={r.status} data-testid="import-row" data-status={r.status}>
                  <td>{r.row}</td>
                  <td>{r.account}</td>
                  <td>
                    {t(STATUS_KEYS[r.status])}
                    {r.reason && <span className="muted"> · {r.reason}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </ToolSection>
  );
}

// ---- file lists ------------------------------------------------------------------------------

const KINDS: readonly KindFilter[] = ['all', 'image', 'video', 'voice', 'file'];
const KIND_KEYS: Record<KindFilter, MessageKey> = {
  all: 'files.kindAll',
  image: 'files.kindImage',
  video: 'files.kindVideo',
  voice: 'files.kindVoice',
  file: 'files.kindFile',
};
const PERIODS: readonly PeriodFilter[] = ['all', 'week', 'month'];
const PERIOD_KEYS: Record<PeriodFilter, MessageKey> = { all: 'files.anyTime', week: 'files.lastWeek', month: 'files.lastMonth' };

async function download(url: string | null, name: string): Promise<void> {
  if (!url) return;
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

function FileRows({
  rows,
  t,
  onDownload,
  actions,
}: {
  rows: FileRow[];
  t: Translate;
  onDownload(row: FileRow): void;
  actions(row: FileRow): ReactNode;
}) {
  return (
    <ul className="file-list">
      {rows.map((row) => (
        <li key={`${row.fileId}:${row.seq ?? ''}`} className={`file-row${row.expired ? ' expired' : ''}`} data-testid="file-row" data-name={row.name}>
          <span className="file-icon">{row.kind === 'image' ? <ImageIcon size={20} /> : <FileIcon size={20} />}</span>
          <span className="pick-text">
            <span className="ellipsis">{row.name}</span>
            <span className="muted small ellipsis">
              {row.size} · {row.detail}
              {row.expiry && <span className={`tag${row.expired ? ' danger' : ''}`} data-testid="file-expiry">{row.expiry}</span>}
            </span>
          </span>
          <span className="file-actions">
            {!row.expired && (
              <button className="icon-button small" onClick={() => onDownload(row)} title={t('files.download')} aria-label={t('files.download')} data-testid="file-download">
                <DownloadIcon size={16} />
              </button>
            )}
            {actions(row)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** My favourite files. */
export function FavoritesPane({ vm, t }: { vm: FavoritesViewModel; t: Translate }) {
  const s = useViewModel(vm);
  return (
    <ToolSection title={t('favorites.title')} testId="favorites">
      <p className="muted small">{t('favorites.hint')}</p>
      {s.loading && <p className="muted">{t('common.loading')}</p>}
      {!s.loading && s.rows.length === 0 && <p className="muted">{t('favorites.none')}</p>}
      <FileRows
        rows={s.rows}
        t={t}
        onDownload={(row) => void vm.downloadUrl(row.fileId).then((url) => download(url, row.name))}
        actions={(row) => (
          <button className="icon-button small" onClick={() => void vm.remove(row.fileId)} title={t('favorites.remove')} aria-label={t('favorites.remove')} data-testid="favorite-remove">
            <CloseIcon size={14} />
          </button>
        )}
      />
      {s.more && <button className="link-button" onClick={() => void vm.loadMore()}>{t('files.more')}</button>}
      <Notice text={s.notice} onDone={() => vm.clearNotice()} />
    </ToolSection>
  );
}

/** A group's files (E10): by type and time, download, save to favourites, remove where allowed. */
export function ConversationFilesBrowser({ vm, t }: { vm: ConversationFilesViewModel; t: Translate }) {
  const s = useViewModel(vm);
  return (
    <div className="files-browser" data-testid="group-files">
      <div className="files-filters">
        <div className="segmented" role="tablist" aria-label={t('files.type')}>
          {KINDS.map((kind) => (
            <button key={kind} role="tab" aria-selected={s.kind === kind} className={s.kind === kind ? 'active' : ''} onClick={() => vm.filter(kind)} data-testid={`files-kind-${kind}`}>
              {t(KIND_KEYS[kind])}
            </button>
          ))}
        </div>
        <select value={s.period} onChange={(e) => vm.filter(s.kind, e.target.value as PeriodFilter)} aria-label={t('files.period')} data-testid="files-period">
          {PERIODS.map((p) => <option key={p} value={p}>{t(PERIOD_KEYS[p])}</option>)}
        </select>
      </div>
      <div className="files-scroll">
        {s.loading && <p className="muted">{t('common.loading')}</p>}
        {!s.loading && s.rows.length === 0 && <p className="muted">{t('files.none')}</p>}
        <FileRows
          rows={s.rows}
          t={t}
          onDownload={(row) => void vm.downloadUrl(row.fileId).then((url) => download(url, row.name))}
          actions={(row) => (
            <>
              {!row.expired && (
                <button className="link-button" onClick={() => void vm.addFavorite(row.fileId)} data-testid="file-favorite">{t('favorites.add')}</button>
              )}
              {row.canDelete && row.seq !== null && (
                <button className="link-button danger-text" onClick={() => row.seq !== null && vm.askDelete(row.seq)} data-testid="file-delete">{t('files.delete')}</button>
              )}
            </>
          )}
        />
        {s.more && <button className="link-button" onClick={() => void vm.loadMore()}>{t('files.more')}</button>}
      </div>
      {s.confirmDelete && (
        <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && vm.cancelDelete()}>
          <div className="modal confirm" role="alertdialog" aria-modal="true" data-testid="confirm">
            <p>{t('files.confirmDelete', { name: s.confirmDelete.name })}</p>
            <div className="modal-actions">
              <button onClick={() => vm.cancelDelete()}>{t('forward.cancel')}</button>
              <button className="primary danger-fill" onClick={() => void vm.confirmDeleteNow()} data-testid="confirm-ok">{t('common.confirm')}</button>
            </div>
          </div>
        </div>
      )}
      <Notice text={s.notice} onDone={() => vm.clearNotice()} />
    </div>
  );
}

function ToolSection({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <div className="detail-section tool-section" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </div>
  );
}
