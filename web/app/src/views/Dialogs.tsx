import { useEffect, useState, type ReactNode } from 'react';
import { useButton, useModule } from '../viewmodels/SiteSettingsViewModel';
import { errorMessage, type Translate } from '../i18n/i18n';
import type { ForwardPurpose, ForwardViewModel } from '../viewmodels/ForwardViewModel';
import type { InviteAcceptViewModel } from '../viewmodels/InviteAcceptViewModel';
import type { NewChatViewModel } from '../viewmodels/NewChatViewModel';
import type { PeoplePickerViewModel } from '../viewmodels/PeoplePickerViewModel';
import type { ProfileViewModel } from '../viewmodels/ProfileViewModel';
import type { Dialog, WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { EditableText } from './GroupInfoPanel';
import { ImageViewerPane } from './ImageWindow';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { ChatRecordViewer } from './ChatRecord';
import { PersonAlerts } from './AlertChoices';
import { PhoneCallIcon, SearchIcon, VideoCallIcon } from './Icons';
import type { CallMedia } from '@tidings/sdk';
import { Modal } from './Modal';
import { ReportDialog } from './ReportDialog';

export { Modal };

const FORWARD_TABS = ['recent', 'friends', 'groups'] as const;

export function ForwardDialog({ vm, t, onClose, onDone }: { vm: ForwardViewModel; t: Translate; onClose(): void; onDone(count: number, purpose: ForwardPurpose): void }) {
  const state = useViewModel(vm);
  useEffect(() => {
    if (state.done) onDone(state.selectedCount, state.purpose);
  }, [state.done, state.selectedCount, state.purpose, onDone]);
  const searching = state.query.trim() !== '';
  return (
    <Modal title={t(state.purpose === 'share' ? 'share.title' : 'forward.title')} onClose={onClose} testId="forward-dialog">
      <div className="forward-body">
        <div className="forward-targets">
          <label className="search">
            <SearchIcon size={16} />
            <input placeholder={t('forward.search')} value={state.query} onChange={(e) => vm.search(e.target.value)} aria-label={t('forward.search')} data-testid="forward-search" />
          </label>
          {!searching && (
            <div className="segmented forward-tabs" role="tablist">
              {FORWARD_TABS.map((tab) => (
                <button key={tab} role="tab" aria-selected={state.tab === tab} className={state.tab === tab ? 'active' : ''} onClick={() => vm.showTab(tab)} data-testid={`forward-tab-${tab}`}>
                  {t(`forward.tab.${tab}`)}
                </button>
              ))}
            </div>
          )}
          <ul className="pick-list">
            {state.targets.length === 0 && (
              <li className="empty muted">
                {searching ? t('forward.nothingFound') : state.tab === 'friends' && state.loadingFriends ? t('common.loading') : t(`forward.empty.${state.tab}`)}
              </li>
            )}
            {state.targets.map((target) => (
              <li key={target.key}>
                <label className={`pick-row${target.selected ? ' selected' : ''}${state.full && !target.selected ? ' disabled' : ''}`} data-testid="forward-target" data-title={target.title} data-key={target.key}>
                  <input type="checkbox" checked={target.selected} disabled={state.full && !target.selected} onChange={() => vm.toggle(target.key)} />
                  <Avatar id={target.avatarId} name={target.title} size={32} emoji={target.emoji} kind={target.type === 'group' ? 'group' : 'person'} user={target.type === 'direct'} />
                  <span className="pick-text">
                    <span>{target.title}</span>
                    {target.detail && <span className="muted small">{target.detail}</span>}
                  </span>
                  {target.type === 'group' && <span className="tag">{t('forward.group')}</span>}
                </label>
              </li>
            ))}
          </ul>
        </div>
        <div className="forward-side">
          <div className="forward-label">{t('forward.selected')} · {state.selectedCount}{state.full ? ` (${t('forward.max', { count: state.selectedCount })})` : ''}</div>
          <div className="chips" data-testid="forward-selected">
            {state.selected.length === 0 && <span className="muted small">{t('forward.pickSome')}</span>}
            {state.selected.map((target) => (
              <button className="chip chip-button" key={target.key} onClick={() => vm.toggle(target.key)} aria-label={t('people.unpick', { name: target.title })}>
                {target.title} ×
              </button>
            ))}
          </div>
          <div className="forward-label">{t('forward.preview')}</div>
          <div className="forward-preview" data-testid="forward-preview">
            {state.previewSender && <span className="forward-preview-sender">{state.previewSender}: </span>}
            <span className="forward-preview-text" data-testid="forward-preview-text">{state.preview}</span>
          </div>
          <textarea className="forward-note" placeholder={t('forward.note')} value={state.note} onChange={(e) => vm.setNote(e.target.value)} rows={3} maxLength={5000} data-testid="forward-note" />
          {state.error && <div className="form-error">{errorMessage(t, state.error)}</div>}
          <div className="modal-actions">
            <button onClick={onClose}>{t('forward.cancel')}</button>
            <button className="primary" disabled={state.selectedCount === 0 || state.busy} onClick={() => void vm.send()} data-testid="forward-send">
              {t('forward.send', { count: state.selectedCount })}
            </button>
          </div>
        </div>
      </div>
    </Modal>
  );
}

export function NewChatDialog({ vm, t, onClose, onStarted }: { vm: NewChatViewModel; t: Translate; onClose(): void; onStarted(id: number): void }) {
  const state = useViewModel(vm);
  // Turned off for members (site settings): the server still lets administrators create groups.
  const groupsOn = useModule('group_creation_by_members');
  const start = async () => {
    const summary = await vm.start();
    if (summary) onStarted(summary.id);
  };
  return (
    <Modal title={t('newChat.title')} onClose={onClose} testId="new-chat-dialog">
      <div className="new-chat-body">
        <PeoplePicker vm={vm.picker} t={t} />
        {state.selectedCount > 1 && !groupsOn && (
          <div className="form-error" data-testid="groups-off">{t('error.feature_disabled')}</div>
        )}
        {state.selectedCount > 1 && groupsOn && (
          <input className="group-name" placeholder={t('newChat.groupName')} value={state.groupName} onChange={(e) => vm.setGroupName(e.target.value)} data-testid="group-name" />
        )}
        {state.error && <div className="form-error">{errorMessage(t, state.error)}</div>}
        <div className="modal-actions">
          <button onClick={onClose}>{t('forward.cancel')}</button>
          <button className="primary" disabled={state.selectedCount === 0 || state.busy || (state.selectedCount > 1 && !groupsOn)} onClick={() => void start()} data-testid="start-chat">
            {state.selectedCount > 1 ? t('newChat.createGroup', { count: state.selectedCount }) : t('newChat.start')}
          </button>
        </div>
      </div>
    </Modal>
  );
}

/** The dialog the workspace has open, if any. */
export function WorkspaceDialogs({
  workspace,
  dialog,
  t,
  onClose,
  onForwardDone,
}: {
  workspace: WorkspaceViewModel;
  dialog: Dialog;
  t: Translate;
  onClose(): void;
  onForwardDone(count: number, purpose: ForwardPurpose): void;
}) {
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'chatRecord':
      return (
        <ChatRecordViewer
          vm={dialog.vm}
          t={t}
          links={workspace.links}
          onClose={onClose}
          onOpenImage={(fileId, name) => void workspace.openImage(fileId, name)}
          onProfile={(id) => workspace.openProfile(id)}
          onMessage={(id) => void workspace.messagePerson(id)}
        />
      );
    case 'forward':
      return <ForwardDialog vm={dialog.vm} t={t} onClose={onClose} onDone={onForwardDone} />;
    case 'newChat':
      return (
        <NewChatDialog
          vm={dialog.vm}
          t={t}
          onClose={onClose}
          onStarted={(id) => {
            workspace.closeDialog();
            if (workspace.fixedConversation === null) workspace.select(id);
            else workspace.popOut(id);
          }}
        />
      );
    case 'report':
      return <ReportDialog vm={dialog.vm} t={t} onClose={onClose} />;
    case 'profile':
      return (
        <ProfileDialog
          vm={dialog.vm}
          t={t}
          onClose={onClose}
          onReport={(id, name) => void workspace.openReport({ target_type: 'user', user_id: id }, name)}
          onMessage={(id) => void workspace.messagePerson(id)}
          onOpenInWindow={(id) => void workspace.messagePerson(id, undefined, true)}
          onCall={workspace.calls ? (id, media) => void workspace.callPerson(id, media) : undefined}
          extra={<PersonAlerts vm={workspace.serverSettings} client={workspace.client} userId={dialog.vm.userId} t={t} />}
        />
      );
    case 'image':
      return (
        <ImageViewerPane
          vm={dialog.vm}
          t={t}
          onClose={onClose}
          onPopOut={workspace.canPopOutImages && dialog.vm.source.fileId ? () => workspace.popOutImage() : undefined}
        />
      );
    case 'acceptInvite':
      return <AcceptInviteDialog vm={dialog.vm} t={t} onClose={onClose} onOpenChat={() => workspace.openInvitedChat()} />;
    case 'invite':
      return (
        <InviteDialog
          vm={dialog.vm}
          t={t}
          onClose={onClose}
          onInvite={async (ids) => {
            if (await dialog.group.invite(ids)) workspace.closeDialog();
          }}
        />
      );
  }
}

/** The app was opened at an invite link: what it leads to, and accepting it. */
function AcceptInviteDialog({ vm, t, onClose, onOpenChat }: { vm: InviteAcceptViewModel; t: Translate; onClose(): void; onOpenChat(): void }) {
  const s = useViewModel(vm);
  const canAccept = !s.loading && s.kind !== null && !s.own && !s.already && s.result === null;
  return (
    <Modal title={t('invite.pageTitle')} onClose={onClose} testId="accept-invite-dialog">
      <div className="accept-invite" data-testid="accept-invite" data-state={s.result ?? (s.error ? 'error' : s.loading ? 'loading' : 'open')}>
        {s.loading && <p className="muted">{t('common.loading')}</p>}
        {s.kind !== null && (
          <div className="profile-head">
            <Avatar id={s.avatarId} name={s.name} size={56} emoji={s.emoji} kind={s.kind === 'group' ? 'group' : 'person'} user={s.kind === 'friend'} />
            <div>
              <div className="profile-name" data-testid="invite-name">{s.kind === 'friend' ? t('invite.friendInvite', { name: s.name }) : t('invite.groupInvite', { name: s.name })}</div>
              <div className="muted">{s.kind === 'friend' ? s.account : t('group.memberCount', { count: s.memberCount })}</div>
            </div>
          </div>
        )}
        {s.own && <p className="muted">{t('invite.own')}</p>}
        {s.already && <p className="muted">{t('invite.alreadyMember')}</p>}
        {canAccept && s.kind === 'group' && (
          <input value={s.message} onChange={(e) => vm.setMessage(e.target.value)} placeholder={t('invite.greeting')} maxLength={200} aria-label={t('invite.greeting')} data-testid="invite-greeting" />
        )}
        {s.result && (
          <p className="invite-result" data-testid="invite-result">
            {s.result === 'friends' ? t('invite.nowFriends') : s.result === 'joined' ? t('invite.joined') : t('invite.pending')}
          </p>
        )}
        {s.error && <div className="form-error">{errorMessage(t, s.error)}</div>}
        <div className="modal-actions">
          <button onClick={onClose} data-testid="invite-later">{s.result || s.own || s.already || s.error ? t('invite.hide') : t('invite.later')}</button>
          {canAccept && (
            <button className="primary" disabled={s.busy} onClick={() => void vm.accept()} data-testid="invite-accept-link">
              {s.kind === 'friend' ? t('invite.addFriend') : t('contacts.joinGroup')}
            </button>
          )}
          {(s.result === 'friends' || s.result === 'joined' || s.already) && (
            <button className="primary" disabled={!s.chatReady} onClick={onOpenChat} data-testid="invite-open-chat">{t('invite.openChat')}</button>
          )}
        </div>
      </div>
    </Modal>
  );
}

/** A searchable list of people with checkboxes. */
export function PeoplePicker({ vm, t }: { vm: PeoplePickerViewModel; t: Translate }) {
  const state = useViewModel(vm);
  return (
    <div className="people-picker">
      <label className="search">
        <SearchIcon size={16} />
        <input
          placeholder={t('people.search')}
          value={state.query}
          onChange={(e) => vm.search(e.target.value)}
          aria-label={t('people.search')}
          autoFocus
          data-testid="people-search"
        />
      </label>
      {state.selected.length > 0 && (
        <div className="chips" data-testid="picked">
          {state.selected.map((person) => (
            <button key={person.id} className="chip chip-button" onClick={() => vm.toggle(person.id)} aria-label={t('people.unpick', { name: person.name })}>
              {person.name} ×
            </button>
          ))}
        </div>
      )}
      <ul className="pick-list">
        {state.people.length === 0 && <li className="empty">{state.searching ? t('common.loading') : state.query ? t('people.nobodyFound') : t('newChat.nobody')}</li>}
        {state.people.map((person) => (
          <li key={person.id}>
            <label className={`pick-row${person.selected ? ' selected' : ''}${person.disabled ? ' disabled' : ''}`} data-testid="person" data-name={person.name}>
              <input type="checkbox" checked={person.selected || person.disabled} disabled={person.disabled} onChange={() => vm.toggle(person.id)} />
              <Avatar id={person.id} name={person.name} size={32} user />
              <span className="pick-text">
                <span>{person.name}</span>
                {(person.detail || person.disabled) && <span className="muted small">{person.disabled ? t('people.alreadyMember') : person.detail}</span>}
              </span>
            </label>
          </li>
        ))}
      </ul>
      {state.error && <div className="form-error">{errorMessage(t, state.error)}</div>}
    </div>
  );
}

function InviteDialog({ vm, t, onClose, onInvite }: { vm: PeoplePickerViewModel; t: Translate; onClose(): void; onInvite(ids: number[]): Promise<void> }) {
  const state = useViewModel(vm);
  return (
    <Modal title={t('group.invite')} onClose={onClose} testId="invite-dialog">
      <div className="new-chat-body">
        <PeoplePicker vm={vm} t={t} />
        <div className="modal-actions">
          <button onClick={onClose}>{t('forward.cancel')}</button>
          <button className="primary" disabled={state.selected.length === 0} onClick={() => void onInvite(vm.selectedIds)} data-testid="invite-send">
            {t('group.inviteCount', { count: state.selected.length })}
          </button>
        </div>
      </div>
    </Modal>
  );
}

export function ProfileDialog({
  vm,
  t,
  onClose,
  onMessage,
  onOpenInWindow,
  onReport,
  onCall,
  extra,
}: {
  vm: ProfileViewModel;
  t: Translate;
  onClose(): void;
  /** Call the person (decision 0074). */
  onCall?(userId: number, media: CallMedia): void;
  /** Report this person to the server's reviewers (K7). */
  onReport?(userId: number, name: string): void;
  onMessage(userId: number): void;
  onOpenInWindow(userId: number): void;
  /** More rows under the card (the person's alert choices, issue 12). */
  extra?: ReactNode;
}) {
  return (
    <Modal title={t('profile.title')} onClose={onClose} testId="profile-dialog">
      <ProfileCard vm={vm} t={t} onMessage={onMessage} onOpenInWindow={onOpenInWindow} onReport={onReport} onCall={onCall} />
      {extra}
    </Modal>
  );
}

/** A person's profile: details, my remark (friends), add friend (others), send a message. */
export function ProfileCard({
  vm,
  t,
  onMessage,
  onOpenInWindow,
  onReport,
  onCall,
}: {
  vm: ProfileViewModel;
  t: Translate;
  onMessage(userId: number): void;
  onOpenInWindow(userId: number): void;
  onReport?(userId: number, name: string): void;
  onCall?(userId: number, media: CallMedia): void;
}) {
  const state = useViewModel(vm);
  const [greeting, setGreeting] = useState('');
  const addFriendShown = useButton('contacts_add_friend', 'friend_requests');
  const profile = state.profile;
  const name = profile ? state.remark || profile.nickname : '';
  return (
      <div className="profile-body" data-testid="profile">
        {state.loading && <p className="muted">{t('common.loading')}</p>}
        {state.error && <p className="form-error">{state.error === 'not_found' ? t('profile.notFound') : errorMessage(t, state.error)}</p>}
        {profile && (
          <>
            <div className="profile-head">
              <Avatar id={profile.id} name={name} size={64} user />
              <div>
                <div className="profile-name" data-testid="profile-name">{name}</div>
                {state.remark && <div className="muted">{t('profile.nickname')}: {profile.nickname}</div>}
                <div className="muted">{t('profile.account')}: {profile.account}</div>
              </div>
            </div>
            <dl className="profile-fields">
              {profile.signature && <Field label={t('profile.signature')} value={profile.signature} />}
              {(profile.departments ?? []).map((d) => (
                <Field key={d.id} label={t('profile.department')} value={d.position ? `${d.name} · ${d.position}` : d.name} />
              ))}
              {profile.work_email && <Field label={t('profile.workEmail')} value={profile.work_email} />}
              {profile.office_phone && <Field label={t('profile.officePhone')} value={profile.office_phone} />}
              {profile.desk && <Field label={t('profile.desk')} value={profile.desk} />}
            </dl>
            {state.isFriend && (
              <div className="profile-remark">
                <span className="muted">{t('profile.remark')}</span>
                <EditableText value={state.remark} editable label={t('profile.remark')} placeholder={t('profile.noRemark')} onSave={(v) => void vm.saveRemark(v)} testId="remark" />
              </div>
            )}
            {!state.isMe && !state.isFriend && addFriendShown && (
              <form
                className="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void vm.requestFriend(greeting);
                }}
              >
                {state.requested ? (
                  <span className="muted" data-testid="friend-requested">{t('profile.requestSent')}</span>
                ) : (
                  <>
                    <input value={greeting} onChange={(e) => setGreeting(e.target.value)} placeholder={t('profile.greeting')} maxLength={200} data-testid="friend-greeting" />
                    <button type="submit" disabled={state.busy} data-testid="add-friend">{t('profile.addFriend')}</button>
                  </>
                )}
              </form>
            )}
            {state.actionError && <div className="form-error">{errorMessage(t, state.actionError)}</div>}
            {!state.isMe && (
              <div className="profile-more">
                {state.isFriend && (
                  <button className="link-button" onClick={() => void vm.removeFriend()} disabled={state.busy} data-testid="remove-friend">{t('profile.removeFriend')}</button>
                )}
                <button className="link-button danger-link" onClick={() => void vm.setBlocked(!state.blocked)} disabled={state.busy} data-testid="block">
                  {state.blocked ? t('profile.unblock') : t('profile.block')}
                </button>
                {onReport && (
                  <button className="link-button danger-link" onClick={() => onReport(profile.id, profile.nickname)} data-testid="report-person">
                    {t('report.action')}
                  </button>
                )}
              </div>
            )}
            {!state.isMe && (
              <div className="modal-actions">
                <button onClick={() => onOpenInWindow(profile.id)}>{t('menu.openInWindow')}</button>
                {onCall && (
                  <>
                    <button onClick={() => onCall(profile.id, 'audio')} title={t('call.startVoice')} data-testid="profile-call-voice">
                      <PhoneCallIcon size={16} /> {t('call.startVoice')}
                    </button>
                    <button onClick={() => onCall(profile.id, 'video')} title={t('call.startVideo')} data-testid="profile-call-video">
                      <VideoCallIcon size={16} /> {t('call.startVideo')}
                    </button>
                  </>
                )}
                <button className="primary" onClick={() => onMessage(profile.id)} data-testid="profile-message">{t('contacts.sendMessage')}</button>
              </div>
            )}
          </>
        )}
      </div>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}
