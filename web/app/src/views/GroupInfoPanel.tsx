import { POWERS, type JoinMode, type PowerName, type UserId, type ViewMode } from '@tidings/sdk';
import { useEffect, useState, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n/i18n';
import { AVATAR_EMOJI, avatarEmoji, type AnnouncementRow, type GroupInfoViewModel, type MemberAction, type MemberRow } from '../viewmodels/GroupInfoViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { ConversationAlertRows } from './AlertChoices';
import type { ServerSettingsViewModel } from '../viewmodels/ServerSettingsViewModel';
import { ConversationFilesBrowser, InviteLinksPanel } from './ContactTools';
import { Modal } from './Modal';
import { CloseIcon, FolderIcon, PlusIcon, SearchIcon } from './Icons';

const JOIN_MODES: readonly JoinMode[] = ['invite_code', 'open', 'approval', 'back_office'];
const VIEW_MODES: readonly ViewMode[] = ['all', 'do_not_disturb', 'admins_only'];
const MUTES: readonly { seconds: number | null; key: MessageKey }[] = [
  { seconds: 600, key: 'group.mute10m' },
  { seconds: 3_600, key: 'group.mute1h' },
  { seconds: 86_400, key: 'group.mute1d' },
  { seconds: 7 * 86_400, key: 'group.mute7d' },
  { seconds: null, key: 'group.muteForever' },
];
const ROLE_KEYS = { owner: 'group.roleOwner', admin: 'group.roleAdmin', member: 'group.roleMember' } as const;
const JOIN_KEYS = {
  invite_code: 'group.joinInviteCode',
  open: 'group.joinOpen',
  approval: 'group.joinApproval',
  back_office: 'group.joinBackOffice',
} as const;
const VIEW_KEYS = { all: 'group.viewAll', do_not_disturb: 'group.viewDnd', admins_only: 'group.viewAdmins' } as const;
const POWER_KEYS: Record<PowerName, MessageKey> = {
  approve_joins: 'group.powerApproveJoins',
  remove_members: 'group.powerRemoveMembers',
  mute: 'group.powerMute',
  recall: 'group.powerRecall',
  edit_info: 'group.powerEditInfo',
  announcements: 'group.powerAnnouncements',
  moderate: 'group.powerModerate',
};
const CONFIRM_KEYS = {
  leave: 'group.confirmLeave',
  disband: 'group.confirmDisband',
  remove: 'group.confirmRemove',
  removeAndBlacklist: 'group.confirmRemoveBlacklist',
  transfer: 'group.confirmTransfer',
} as const;

interface Props {
  vm: GroupInfoViewModel;
  t: Translate;
  onClose(): void;
  onInvite(): void;
  onMessage(userId: UserId): void;
  onProfile(userId: UserId): void;
  /** Settings kept on the server: this chat's sound and pop-ups (issue 12). */
  alerts?: ServerSettingsViewModel;
  /** Report the group to the server's reviewers (K7). */
  onReport?(): void;
}

/** The group info side panel: members and roles, announcements, settings, governance acts. */
export function GroupInfoPanel({ vm, t, onClose, onInvite, onMessage, onProfile, alerts, onReport }: Props) {
  const s = useViewModel(vm);
  const [menu, setMenu] = useState<{ member: MemberRow; x: number; y: number } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [pinned, setPinned] = useState(true);

  useEffect(() => {
    if (!s.toast) return;
    const timer = setTimeout(() => vm.clearToast(), 3000);
    return () => clearTimeout(timer);
  }, [vm, s.toast]);

  const settingsVisible = s.can.joinMode || s.can.muteAll || s.can.moderation || s.can.forbidPrivateChat || s.can.sizeLimit;
  const [avatarPicker, setAvatarPicker] = useState(false);

  return (
    <aside className="side-panel" aria-label={t('group.title')} data-testid="group-info">
      <header className="side-panel-header">
        <h3>{t('group.title')}</h3>
        <button className="icon-button small" onClick={onClose} aria-label={t('common.close')} data-testid="close-group-info">
          <CloseIcon size={16} />
        </button>
      </header>
      <div className="side-panel-body">
        {s.loading && <p className="muted">{t('common.loading')}</p>}
        {s.error && !s.loading && <p className="form-error">{t('group.loadFailed')}</p>}
        {!s.loading && !s.error && (
          <>
            <section className="group-card">
              <div className="group-avatar">
                <Avatar id={vm.conversationId} name={s.name} size={56} emoji={avatarEmoji(s.avatar)} kind="group" />
                {s.can.editInfo && (
                  <button className="link-button small" onClick={() => setAvatarPicker(!avatarPicker)} aria-expanded={avatarPicker} data-testid="group-avatar-edit">{t('group.changeAvatar')}</button>
                )}
              </div>
              <div className="group-card-text">
                <EditableText value={s.name} editable={s.can.editInfo} label={t('group.name')} onSave={(v) => void vm.rename(v)} testId="group-name" />
                <span className="muted" data-testid="group-number">{t('group.number', { number: s.number ?? '' })}</span>
                <span className="muted">{t('group.memberCount', { count: s.memberCount })}</span>
                {s.disbanded && <span className="tag danger">{t('group.disbanded')}</span>}
                {s.myMute && <span className="tag">{t('group.youAreMuted', { until: s.myMute })}</span>}
              </div>
            </section>

            {avatarPicker && s.can.editInfo && (
              <div className="emoji-avatars" role="group" aria-label={t('group.changeAvatar')} data-testid="group-avatar-picker">
                <button className={`emoji-avatar${s.avatar === '' ? ' active' : ''}`} onClick={() => { void vm.setAvatar(''); setAvatarPicker(false); }} title={t('group.avatarInitials')}>
                  <Avatar id={vm.conversationId} name={s.name} size={28} kind="group" />
                </button>
                {AVATAR_EMOJI.map((emoji) => (
                  <button key={emoji} className={`emoji-avatar${avatarEmoji(s.avatar) === emoji ? ' active' : ''}`} onClick={() => { void vm.setAvatar(emoji); setAvatarPicker(false); }} data-testid="group-avatar-option">
                    {emoji}
                  </button>
                ))}
              </div>
            )}

            <PanelSection title={t('group.intro')}>
              <EditableText value={s.intro} editable={s.can.editInfo} multiline placeholder={t('group.noIntro')} label={t('group.intro')} onSave={(v) => void vm.setIntro(v)} testId="group-intro" />
            </PanelSection>

            <PanelSection title={t('group.announcements')} testId="announcements">
              {s.announcements.length === 0 && <p className="muted">{t('group.noAnnouncements')}</p>}
              {s.announcements.map((a) => (
                <AnnouncementCard key={a.id} a={a} vm={vm} t={t} manage={s.can.announce} reads={s.reads?.announcementId === a.id ? s.reads : null} />
              ))}
              {s.can.announce && (
                <form
                  className="announcement-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void vm.postAnnouncement(announcement, pinned).then((ok) => ok && setAnnouncement(''));
                  }}
                >
                  <textarea value={announcement} onChange={(e) => setAnnouncement(e.target.value)} placeholder={t('group.newAnnouncement')} rows={2} maxLength={5000} data-testid="announcement-input" />
                  <div className="row-actions">
                    <label className="check">
                      <input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.target.checked)} />
                      {t('group.pin')}
                    </label>
                    <button type="submit" className="primary small-button" disabled={!announcement.trim() || s.busy}>{t('group.post')}</button>
                  </div>
                </form>
              )}
            </PanelSection>

            {s.can.inviteLinks && (
              <PanelSection title={t('group.inviteLinks')} testId="group-invites">
                {s.invites ? (
                  <>
                    <InviteLinksPanel vm={s.invites} t={t} compact />
                    <button className="link-button" onClick={() => vm.closeInvites()}>{t('invite.hide')}</button>
                  </>
                ) : (
                  <button className="small-button" onClick={() => vm.openInvites()} data-testid="open-group-invites">{t('group.showInviteLinks')}</button>
                )}
              </PanelSection>
            )}

            <PanelSection title={t('group.files')} testId="group-files-section">
              <button className="small-button with-icon" onClick={() => vm.openFiles()} data-testid="open-group-files">
                <FolderIcon size={16} /> {t('group.browseFiles')}
              </button>
            </PanelSection>

            {s.board.length > 0 && (
              <PanelSection title={t('group.board')} testId="board">
                {s.board.map((item) => (
                  <div key={item.seq} className="board-item" data-testid="board-item">
                    <span className="tag">{item.mentionAll ? '@all' : t('group.important')}</span>
                    <span className="queue-text"><strong>{item.sender}</strong> {item.text}</span>
                  </div>
                ))}
              </PanelSection>
            )}

            <PanelSection title={t('group.members', { count: s.memberCount })} testId="members">
              <div className="member-tools">
                <label className="search">
                  <SearchIcon size={14} />
                  <input value={s.memberQuery} onChange={(e) => vm.searchMembers(e.target.value)} placeholder={t('group.searchMembers')} aria-label={t('group.searchMembers')} />
                </label>
                {s.can.invite && (
                  <button className="icon-button" onClick={onInvite} title={t('group.invite')} aria-label={t('group.invite')} data-testid="invite-members">
                    <PlusIcon size={18} />
                  </button>
                )}
              </div>
              <ul className="member-list">
                {s.members.map((member) => (
                  <li key={member.userId}>
                    <button
                      className="member-row"
                      data-testid="member"
                      data-name={member.name}
                      data-role={member.role}
                      onClick={(e) => {
                        if (member.me) return;
                        const box = e.currentTarget.getBoundingClientRect();
                        setMenu({ member, x: Math.min(box.left, window.innerWidth - 230), y: Math.min(box.bottom, window.innerHeight - 320) });
                      }}
                      onContextMenu={(e) => {
                        e.preventDefault();
                        if (!member.me) setMenu({ member, x: Math.min(e.clientX, window.innerWidth - 230), y: Math.min(e.clientY, window.innerHeight - 320) });
                      }}
                    >
                      <Avatar id={member.userId} name={member.name} size={30} user />
                      <span className="member-name">
                        {member.name}
                        {member.me && <span className="muted"> ({t('common.you')})</span>}
                      </span>
                      {member.mutedUntil && <span className="tag" title={member.mutedUntil}>{t('group.muted')}</span>}
                      {member.role !== 'member' && <span className={`tag role-${member.role}`}>{t(ROLE_KEYS[member.role])}</span>}
                    </button>
                  </li>
                ))}
              </ul>
              {s.moreMembers && <button className="link-button" onClick={() => void vm.loadMoreMembers()}>{t('group.moreMembers')}</button>}
            </PanelSection>

            {s.can.approve && s.joinRequests.length > 0 && (
              <PanelSection title={t('group.joinRequests')} testId="join-requests">
                {s.joinRequests.map((r) => (
                  <div key={r.id} className="queue-row" data-testid="join-request">
                    <Avatar id={r.userId} name={r.name} size={28} user />
                    <span className="queue-text">
                      <strong>{r.name}</strong>
                      {r.invitedBy && <span className="muted small" data-testid="invited-by"> {t('group.invitedBy', { name: r.invitedBy })}</span>}
                      {r.text && <span className="muted"> {r.text}</span>}
                    </span>
                    <button className="small-button primary" onClick={() => void vm.decideJoin(r.id, true)}>{t('group.approve')}</button>
                    <button className="small-button" onClick={() => void vm.decideJoin(r.id, false)}>{t('group.reject')}</button>
                  </div>
                ))}
              </PanelSection>
            )}

            {s.can.moderate && s.moderationQueue.length > 0 && (
              <PanelSection title={t('group.moderationQueue')} testId="moderation-queue">
                {s.moderationQueue.map((q) => (
                  <div key={q.id} className="queue-row" data-testid="queued-message">
                    <Avatar id={q.userId} name={q.name} size={28} user />
                    <span className="queue-text"><strong>{q.name}</strong> <span>{q.text}</span></span>
                    <button className="small-button primary" onClick={() => void vm.moderate(q.id, true)}>{t('group.approve')}</button>
                    <button className="small-button" onClick={() => void vm.moderate(q.id, false)}>{t('group.reject')}</button>
                  </div>
                ))}
              </PanelSection>
            )}

            {settingsVisible && (
              <PanelSection title={t('group.settings')} testId="group-settings">
                {s.can.joinMode && (
                  <SettingRow label={t('group.joinMode')}>
                    <select value={s.joinMode} onChange={(e) => void vm.setJoinMode(e.target.value as JoinMode)} data-testid="join-mode">
                      {JOIN_MODES.map((mode) => <option key={mode} value={mode}>{t(JOIN_KEYS[mode])}</option>)}
                    </select>
                  </SettingRow>
                )}
                {s.can.muteAll && (
                  <SettingRow label={t('group.muteAll')}>
                    <Switch on={s.muteAll} onChange={(on) => void vm.setMuteAll(on)} testId="mute-all" label={t('group.muteAll')} />
                  </SettingRow>
                )}
                {s.can.moderation && (
                  <SettingRow label={t('group.moderation')}>
                    <Switch on={s.moderation} onChange={(on) => void vm.setModeration(on)} testId="moderation" label={t('group.moderation')} />
                  </SettingRow>
                )}
                {s.can.forbidPrivateChat && (
                  <SettingRow label={t('group.forbidPrivateChat')}>
                    <Switch on={s.forbidPrivateChat} onChange={(on) => void vm.setForbidPrivateChat(on)} testId="forbid-private-chat" label={t('group.forbidPrivateChat')} />
                  </SettingRow>
                )}
                {s.can.sizeLimit && (
                  <SettingRow label={t('group.sizeLimit')}>
                    <NumberSetting value={s.sizeLimit} min={2} max={1_000_000} onSave={(n) => void vm.setSizeLimit(n)} label={t('group.sizeLimit')} testId="size-limit" t={t} />
                  </SettingRow>
                )}
                {s.can.moderation && (
                  <div className="setting-block" data-testid="rate-rule">
                    <span>{t('group.rateRule')}</span>
                    <RateRule count={s.rateCount} seconds={s.rateSeconds} t={t} onSave={(c, sec) => void vm.setRateRule(c, sec)} />
                  </div>
                )}
                {s.can.moderation && (
                  <div className="setting-block">
                    <span>{t('group.keywords')}</span>
                    <EditableText value={s.keywords} editable multiline placeholder={t('group.noKeywords')} label={t('group.keywords')} onSave={(v) => void vm.setKeywords(v)} testId="keywords" />
                  </div>
                )}
              </PanelSection>
            )}

            {s.can.blacklist && s.blacklist.length > 0 && (
              <PanelSection title={t('group.blacklist')} testId="blacklist">
                {s.blacklist.map((b) => (
                  <div key={b.userId} className="queue-row">
                    <Avatar id={b.userId} name={b.name} size={28} user />
                    <span className="queue-text">{b.name}</span>
                    <button className="small-button" onClick={() => void vm.unblacklist(b.userId)}>{t('group.unblacklist')}</button>
                  </div>
                ))}
              </PanelSection>
            )}

            <PanelSection title={t('group.mySettings')}>
              <SettingRow label={t('group.viewMode')}>
                <select value={s.viewMode} onChange={(e) => void vm.setViewMode(e.target.value as ViewMode)} data-testid="view-mode">
                  {VIEW_MODES.map((mode) => <option key={mode} value={mode}>{t(VIEW_KEYS[mode])}</option>)}
                </select>
              </SettingRow>
              <SettingRow label={t('list.mute')}>
                <Switch on={s.notificationsMuted} onChange={(on) => void vm.setNotificationsMuted(on)} testId="mute-notifications" label={t('list.mute')} />
              </SettingRow>
              {alerts && <ConversationAlertRows vm={alerts} conversationId={vm.conversationId} t={t} />}
            </PanelSection>

            <div className="panel-footer">
              {s.can.leave && <button className="danger-button wide-button" onClick={() => vm.askConfirm('leave')} data-testid="leave-group">{t('group.leave')}</button>}
              {s.can.disband && <button className="danger-button wide-button" onClick={() => vm.askConfirm('disband')} data-testid="disband-group">{t('group.disband')}</button>}
              {!s.can.leave && <p className="muted small">{t('group.ownerLeaveHint')}</p>}
              {onReport && <button className="link-button danger-link" onClick={onReport} data-testid="report-group">{t('report.group')}</button>}
            </div>
          </>
        )}
      </div>
      {menu && (
        <MemberMenu
          menu={menu}
          t={t}
          onClose={() => setMenu(null)}
          onAction={(action, arg) => {
            const id = menu.member.userId;
            setMenu(null);
            switch (action) {
              case 'message':
                onMessage(id);
                break;
              case 'makeAdmin':
                void vm.setAdmin(id, arg === undefined ? [...POWERS] : (arg as PowerName[]));
                break;
              case 'removeAdmin':
                void vm.setAdmin(id, null);
                break;
              case 'mute':
                void vm.mute(id, arg as number | null);
                break;
              case 'unmute':
                void vm.unmute(id);
                break;
              case 'remove':
              case 'removeAndBlacklist':
              case 'transfer':
                vm.askConfirm(action, id);
                break;
            }
          }}
          onProfile={() => {
            const id = menu.member.userId;
            setMenu(null);
            onProfile(id);
          }}
        />
      )}
      {s.confirm && (
        <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && vm.cancelConfirm()}>
          <div className="modal confirm" role="alertdialog" aria-modal="true" data-testid="confirm">
            <p>{t(CONFIRM_KEYS[s.confirm.kind], { name: s.confirm.name })}</p>
            <div className="modal-actions">
              <button onClick={() => vm.cancelConfirm()}>{t('forward.cancel')}</button>
              <button className="primary danger-fill" onClick={() => void vm.confirm()} data-testid="confirm-ok">{t('common.confirm')}</button>
            </div>
          </div>
        </div>
      )}
      {s.files && (
        <Modal title={t('group.files')} onClose={() => vm.closeFiles()} testId="group-files-dialog">
          <ConversationFilesBrowser vm={s.files} t={t} />
        </Modal>
      )}
      {s.toast && <div className="toast" role="status" data-testid="group-toast">{s.toast}</div>}
    </aside>
  );
}

function AnnouncementCard({
  a,
  vm,
  t,
  manage,
  reads,
}: {
  a: AnnouncementRow;
  vm: GroupInfoViewModel;
  t: Translate;
  manage: boolean;
  reads: { readBy: string[]; unreadBy: string[] } | null;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <div className={`announcement${a.read ? '' : ' unread'}`} data-testid="announcement">
      {a.pinned && <span className="tag">{t('group.pinned')}</span>}
      {editing === null ? (
        <p data-testid="announcement-text">{a.text}</p>
      ) : (
        <form
          className="editable-form"
          onSubmit={(e) => {
            e.preventDefault();
            void vm.editAnnouncement(a.id, { text: editing });
            setEditing(null);
          }}
        >
          <textarea value={editing} onChange={(e) => setEditing(e.target.value)} rows={3} maxLength={5000} autoFocus aria-label={t('group.editAnnouncement')} data-testid="announcement-edit-input" />
          <div className="row-actions">
            <button type="button" className="small-button" onClick={() => setEditing(null)}>{t('forward.cancel')}</button>
            <button type="submit" className="small-button primary" disabled={!editing.trim()} data-testid="announcement-edit-save">{t('common.save')}</button>
          </div>
        </form>
      )}
      <div className="announcement-meta">
        <span>
          {a.author} · {a.time}
          {a.edited && <span> · {t('group.edited')}</span>}
        </span>
        {!a.read && (
          <button className="link-button" onClick={() => void vm.readAnnouncement(a.id)}>{t('group.markRead')}</button>
        )}
      </div>
      {manage && (
        <div className="announcement-meta">
          {a.readCount !== null && (
            <button className="link-button" onClick={() => (reads ? vm.hideReads() : void vm.showReads(a.id))} aria-expanded={reads !== null} data-testid="announcement-reads">
              {t('group.readCount', { read: a.readCount, unread: a.unreadCount ?? 0 })}
            </button>
          )}
          <span className="row-actions">
            <button className="link-button" onClick={() => setEditing(a.text)} data-testid="announcement-edit">{t('group.editAnnouncement')}</button>
            <button className="link-button" onClick={() => void vm.editAnnouncement(a.id, { pinned: !a.pinned })} data-testid="announcement-pin">
              {a.pinned ? t('group.unpin') : t('group.pin')}
            </button>
          </span>
        </div>
      )}
      {reads && (
        <div className="announcement-reads" data-testid="announcement-read-list">
          <div><strong>{t('group.readBy', { count: reads.readBy.length })}</strong> {reads.readBy.join('、') || '—'}</div>
          <div><strong>{t('group.unreadBy', { count: reads.unreadBy.length })}</strong> {reads.unreadBy.join('、') || '—'}</div>
        </div>
      )}
    </div>
  );
}

/** A whole number with a save button (empty: the server's default). */
function NumberSetting({ value, min, max, onSave, label, testId, t }: { value: number; min: number; max: number; onSave(n: number | null): void; label: string; testId: string; t: Translate }) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const n = Number(draft);
  const valid = draft.trim() === '' || (Number.isInteger(n) && n >= min && n <= max);
  return (
    <form
      className="number-setting"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onSave(draft.trim() === '' ? null : n);
      }}
    >
      <input type="number" min={min} max={max} value={draft} onChange={(e) => setDraft(e.target.value)} aria-label={label} data-testid={testId} />
      <button type="submit" className="small-button" disabled={!valid || draft === String(value)} data-testid={`${testId}-save`}>{t('common.save')}</button>
    </form>
  );
}

function RateRule({ count, seconds, t, onSave }: { count: number; seconds: number; t: Translate; onSave(count: number, seconds: number): void }) {
  const [c, setC] = useState(String(count));
  const [sec, setSec] = useState(String(seconds));
  useEffect(() => {
    setC(String(count));
    setSec(String(seconds));
  }, [count, seconds]);
  return (
    <form
      className="rate-rule"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(Number(c), Number(sec));
      }}
    >
      <span className="small">{t('group.rateAtMost')}</span>
      <input type="number" min={0} max={1000} value={c} onChange={(e) => setC(e.target.value)} aria-label={t('group.rateCount')} data-testid="rate-count" />
      <span className="small">{t('group.rateMessagesIn')}</span>
      <input type="number" min={0} max={86400} value={sec} onChange={(e) => setSec(e.target.value)} aria-label={t('group.rateSeconds')} data-testid="rate-seconds" />
      <span className="small">{t('group.rateSecondsUnit')}</span>
      <button type="submit" className="small-button" data-testid="rate-save">{t('common.save')}</button>
      <p className="muted small">{count > 0 && seconds > 0 ? t('group.rateOn', { count, seconds }) : t('group.rateOff')}</p>
    </form>
  );
}

function MemberMenu({
  menu,
  t,
  onClose,
  onAction,
  onProfile,
}: {
  menu: { member: MemberRow; x: number; y: number };
  t: Translate;
  onClose(): void;
  onAction(action: MemberAction, arg?: unknown): void;
  onProfile(): void;
}) {
  const { member } = menu;
  const [sub, setSub] = useState<'mute' | 'powers' | null>(null);
  const [powers, setPowers] = useState<PowerName[]>(member.role === 'admin' ? member.powers : [...POWERS]);
  const has = (action: MemberAction) => member.actions.includes(action);
  return (
    <div className="menu-backdrop" onClick={onClose} onContextMenu={(e) => { e.preventDefault(); onClose(); }}>
      <div className="context-menu member-menu" style={{ left: menu.x, top: menu.y }} role="menu" data-testid="member-menu" onClick={(e) => e.stopPropagation()}>
        <div className="menu-title">{member.name}</div>
        {sub === null && (
          <>
            <button role="menuitem" onClick={onProfile}>{t('contacts.viewProfile')}</button>
            {has('message') && <button role="menuitem" onClick={() => onAction('message')}>{t('contacts.sendMessage')}</button>}
            {has('makeAdmin') && <button role="menuitem" onClick={() => onAction('makeAdmin')}>{t('group.makeAdmin')}</button>}
            {has('removeAdmin') && <button role="menuitem" onClick={() => setSub('powers')}>{t('group.editPowers')}</button>}
            {has('removeAdmin') && <button role="menuitem" onClick={() => onAction('removeAdmin')}>{t('group.removeAdmin')}</button>}
            {has('mute') && <button role="menuitem" onClick={() => setSub('mute')}>{t('group.muteMember')}</button>}
            {has('unmute') && <button role="menuitem" onClick={() => onAction('unmute')}>{t('group.unmuteMember')}</button>}
            {has('transfer') && <button role="menuitem" onClick={() => onAction('transfer')}>{t('group.transfer')}</button>}
            {has('remove') && <button role="menuitem" className="danger" onClick={() => onAction('remove')}>{t('group.remove')}</button>}
            {has('removeAndBlacklist') && <button role="menuitem" className="danger" onClick={() => onAction('removeAndBlacklist')}>{t('group.removeAndBlacklist')}</button>}
          </>
        )}
        {sub === 'mute' &&
          MUTES.map((m) => (
            <button role="menuitem" key={m.key} onClick={() => onAction('mute', m.seconds)}>{t(m.key)}</button>
          ))}
        {sub === 'powers' && (
          <div className="powers" data-testid="powers">
            {POWERS.map((power) => (
              <label key={power} className="check">
                <input type="checkbox" checked={powers.includes(power)} onChange={(e) => setPowers(e.target.checked ? [...powers, power] : powers.filter((p) => p !== power))} />
                {t(POWER_KEYS[power])}
              </label>
            ))}
            <button className="primary small-button" onClick={() => onAction('makeAdmin', powers)}>{t('common.save')}</button>
          </div>
        )}
      </div>
    </div>
  );
}

function PanelSection({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="panel-section" data-testid={testId}>
      <h4>{title}</h4>
      {children}
    </section>
  );
}

function SettingRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="setting-row">
      <span>{label}</span>
      {children}
    </div>
  );
}

export function Switch({ on, onChange, testId, label }: { on: boolean; onChange(on: boolean): void; testId: string; label: string }) {
  return (
    <button role="switch" aria-checked={on} aria-label={label} className={`switch${on ? ' on' : ''}`} onClick={() => onChange(!on)} data-testid={testId}>
      <span />
    </button>
  );
}

/** Text shown as text, with an edit button when the user may change it. */
export function EditableText({
  value,
  editable,
  onSave,
  label,
  multiline = false,
  placeholder = '',
  testId,
}: {
  value: string;
  editable: boolean;
  onSave(value: string): void;
  label: string;
  multiline?: boolean;
  placeholder?: string;
  testId: string;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  if (!editing) {
    return (
      <span className={`editable${multiline ? ' multiline' : ''}`} data-testid={testId}>
        <span className={value ? '' : 'muted'}>{value || placeholder}</span>
        {editable && (
          <button className="link-button" onClick={() => setEditing(true)} aria-label={label} data-testid={`${testId}-edit`}>
            ✎
          </button>
        )}
      </span>
    );
  }
  const save = () => {
    setEditing(false);
    onSave(draft);
  };
  return (
    <form
      className="editable-form"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      {multiline ? (
        <textarea value={draft} onChange={(e) => setDraft(e.target.value)} rows={3} aria-label={label} autoFocus data-testid={`${testId}-input`} />
      ) : (
        <input value={draft} onChange={(e) => setDraft(e.target.value)} aria-label={label} autoFocus data-testid={`${testId}-input`} />
      )}
      <div className="row-actions">
        <button type="button" className="small-button" onClick={() => setEditing(false)}>{'✕'}</button>
        <button type="submit" className="small-button primary" data-testid={`${testId}-save`}>{'✓'}</button>
      </div>
    </form>
  );
}
