/**
 * The Me page (h/me): my card, then Edit profile, Privacy, Password lock, Signed-in devices,
 * Change password / account security. On a phone it is the "Me" tab; on a desktop the rail's
 * avatar menu opens it.
 */
import type { AddMe, Client, FindBy, PrivacyChoices } from '@tidings/sdk';
import { lazy, Suspense, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { errorMessage, type Translate } from '../i18n/i18n';
import { dateTime } from '../lib/when';
import type { LockViewModel } from '../viewmodels/LockViewModel';
import { MeViewModel, type ProfileDraft } from '../viewmodels/MeViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { AvatarCropper } from './AvatarCropper';
import { LockSettings } from './LockViews';
import { Choice, Row } from './SettingsControls';
import './me.css';

const SecurityView = lazy(() => import('./SecurityView'));

interface Props {
  lock: LockViewModel;
  client: Client;
  t: Translate;
  locale: string;
  /** Chats to offer in the lock's list: id and title. */
  chats(): { id: number; title: string }[];
  onOpenSettings(): void;
}

export function MeView({ lock, client, t, locale, chats, onOpenSettings }: Props) {
  // Made with the page (its chunk): leaving the page ends it, so it opens at its main list.
  const vm = useMemo(() => new MeViewModel(client), [client]);
  useEffect(() => () => vm.dispose(), [vm]);
  const s = useViewModel(vm);
  const lockState = useViewModel(lock);
  useEffect(() => {
    void vm.loadPrivacy();
  }, [vm]);
  const back = () => {
    if (s.page === 'lock') lock.stopManaging();
    vm.open('main');
  };

  if (s.page === 'security') {
    return (
      <Suspense fallback={<section className="settings-pane"><p className="settings-note">{t('common.loading')}</p></section>}>
        <SecurityView client={client} t={t} onBack={back} />
      </Suspense>
    );
  }
  if (s.page !== 'main') {
    const titles = { profile: t('me.editProfile'), privacy: t('privacy.title'), lock: t('lock.title'), devices: t('devices.title') } as const;
    return (
      <section className="settings-pane me-pane" data-testid={`me-${s.page}`}>
        <div className="settings-title-row">
          <button type="button" className="link-button" onClick={back} data-testid="me-back">
            ‹ {t('me.title')}
          </button>
          <h2>{titles[s.page]}</h2>
        </div>
        {s.error && <div className="form-error" role="alert">{errorMessage(t, s.error)}</div>}
        {s.page === 'profile' && <ProfileForm vm={vm} draft={s.draft} busy={s.busy} t={t} />}
        {s.page === 'privacy' && s.privacy && <PrivacyCard privacy={s.privacy} t={t} onChange={(c) => void vm.setPrivacy(c)} />}
        {s.page === 'lock' && <LockSettings vm={lock} t={t} chats={chats} />}
        {s.page === 'devices' && (
          <div className="settings-card" data-testid="devices">
            {(s.sessions ?? []).map((session) => (
              <div className="settings-row device-row" key={session.id} data-testid="device-row" data-current={session.current}>
                <div>
                  <div className="settings-label">
                    {session.device_name || t('devices.unnamed')} <span className="tag">{session.platform}</span>{' '}
                    {session.current && <span className="tag ok">{t('devices.current')}</span>}
                  </div>
                  <div className="settings-note">
                    {t('devices.lastSeen', { when: dateTime(session.last_seen_at, locale) })}
                    {session.ip ? ` · ${session.ip}` : ''}
                  </div>
                </div>
                {!session.current && (
                  <button type="button" className="secondary" disabled={s.busy} onClick={() => void vm.signOutSession(session.id)} data-testid="device-sign-out">
                    {t('devices.signOut')}
                  </button>
                )}
              </div>
            ))}
          </div>
        )}
      </section>
    );
  }

  const user = s.user;
  return (
    <section className="settings-pane me-pane" data-testid="me">
      <h2>{t('me.title')}</h2>
      {user && (
        <div className="settings-card me-card">
          <AvatarPicker vm={vm} t={t} userId={user.id} name={user.nickname} hasAvatar={user.avatar !== ''} busy={s.busy} />
          <div className="me-card-text">
            <div className="account-name" data-testid="me-name">{user.nickname}</div>
            <div className="account-id">{user.account}</div>
            <div className="me-signature" data-testid="me-signature">{user.signature || t('me.noSignature')}</div>
          </div>
        </div>
      )}
      {s.notice && <div className="me-notice" role="status" data-testid="me-notice">{t(s.notice === 'saved' ? 'me.saved' : 'me.avatarSaved')}</div>}
      {s.error && <div className="form-error" role="alert">{errorMessage(t, s.error)}</div>}
      <div className="settings-card me-entries">
        <Entry label={t('me.editProfile')} onClick={() => vm.open('profile')} testId="me-open-profile" />
        <Entry label={t('me.privacy')} onClick={() => vm.open('privacy')} testId="me-open-privacy" />
        <Entry label={t('me.lock')} onClick={() => vm.open('lock')} testId="me-open-lock" detail={lockState.lock?.has_code ? t('me.on') : t('me.off')} />
        <Entry label={t('me.devices')} onClick={() => vm.open('devices')} testId="me-open-devices" />
        <Entry label={t('me.changePassword')} onClick={() => vm.open('security')} testId="me-open-security" />
        <Entry label={t('me.settings')} onClick={onOpenSettings} testId="me-open-settings" />
      </div>
      {s.cropping && <AvatarCropper url={s.cropping} t={t} onCancel={() => vm.cancelCrop()} onDone={(blob) => void vm.setAvatar(blob)} />}
    </section>
  );
}

function Entry({ label, onClick, testId, detail }: { label: string; onClick(): void; testId: string; detail?: string }) {
  return (
    <button type="button" className="settings-row me-entry" onClick={onClick} data-testid={testId}>
      <span className="settings-label">{label}</span>
      <span className="me-entry-end">
        {detail && <span className="settings-value">{detail}</span>}
        <span aria-hidden="true">›</span>
      </span>
    </button>
  );
}

function AvatarPicker({ vm, t, userId, name, hasAvatar, busy }: { vm: MeViewModel; t: Translate; userId: number; name: string; hasAvatar: boolean; busy: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [wrong, setWrong] = useState(false);
  return (
    <div className="me-avatar">
      <button type="button" className="avatar-button me-avatar-button" onClick={() => input.current?.click()} disabled={busy} aria-label={t('me.changeAvatar')} title={t('me.changeAvatar')} data-testid="me-avatar">
        <Avatar id={userId} name={name} size={72} user />
      </button>
      <input
        ref={input}
        type="file"
        accept="image/png,image/jpeg,image/webp"
        hidden
        data-testid="me-avatar-file"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (!file) return;
          const ok = ['image/png', 'image/jpeg', 'image/webp'].includes(file.type);
          setWrong(!ok);
          if (ok) vm.choosePicture(URL.createObjectURL(file));
        }}
      />
      <button type="button" className="link-button small" onClick={() => input.current?.click()} disabled={busy} data-testid="me-change-avatar">
        {t('me.changeAvatar')}
      </button>
      {hasAvatar && (
        <button type="button" className="link-button small danger" onClick={() => void vm.removeAvatar()} disabled={busy} data-testid="me-remove-avatar">
          {t('me.removeAvatar')}
        </button>
      )}
      {wrong && <span className="form-error">{t('me.notAPicture')}</span>}
    </div>
  );
}

const PROFILE_FIELDS: { field: keyof ProfileDraft; label: 'me.nickname' | 'me.signature' | 'me.workEmail' | 'me.officePhone' | 'me.desk'; max: number; type?: string }[] = [
  { field: 'nickname', label: 'me.nickname', max: 64 },
  { field: 'signature', label: 'me.signature', max: 200 },
  { field: 'work_email', label: 'me.workEmail', max: 254, type: 'email' },
  { field: 'office_phone', label: 'me.officePhone', max: 40, type: 'tel' },
  { field: 'desk', label: 'me.desk', max: 100 },
];

function ProfileForm({ vm, draft, busy, t }: { vm: MeViewModel; draft: ProfileDraft; busy: boolean; t: Translate }) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void vm.saveProfile();
  };
  return (
    <form className="settings-card me-form" onSubmit={submit} data-testid="profile-form">
      {PROFILE_FIELDS.map(({ field, label, max, type }) => (
        <label className="settings-row me-field" key={field}>
          <span className="settings-label">{t(label)}</span>
          <input
            type={type ?? 'text'}
            value={draft[field]}
            maxLength={max}
            placeholder={field === 'signature' ? t('me.signaturePlaceholder') : undefined}
            onChange={(e) => vm.edit(field, e.target.value)}
            data-testid={`profile-${field}`}
          />
        </label>
      ))}
      <div className="modal-actions">
        <button type="button" className="secondary" onClick={() => vm.open('main')}>{t('me.cancel')}</button>
        <button type="submit" disabled={busy} data-testid="profile-save">{t('me.save')}</button>
      </div>
    </form>
  );
}

function PrivacyCard({ privacy, t, onChange }: { privacy: PrivacyChoices; t: Translate; onChange(change: Partial<PrivacyChoices>): void }) {
  const find: { value: FindBy; label: string }[] = [
    { value: 'everyone', label: t('privacy.everyone') },
    { value: 'friends', label: t('privacy.friends') },
    { value: 'nobody', label: t('privacy.nobody') },
  ];
  const add: { value: AddMe; label: string }[] = [
    { value: 'everyone', label: t('privacy.addEveryone') },
    { value: 'verify', label: t('privacy.addVerify') },
    { value: 'nobody', label: t('privacy.addNobody') },
  ];
  const onOff = [
    { value: 'on', label: t('me.on') },
    { value: 'off', label: t('me.off') },
  ] as const;
  return (
    <>
      <div className="settings-card" data-testid="privacy-settings">
        <Row label={t('privacy.findByPhone')}>
          <Choice testId="privacy-find-phone" value={privacy.find_by_phone} options={find} onChange={(v) => onChange({ find_by_phone: v })} />
        </Row>
        <Row label={t('privacy.findByAccount')}>
          <Choice testId="privacy-find-account" value={privacy.find_by_account} options={find} onChange={(v) => onChange({ find_by_account: v })} />
        </Row>
        <Row label={t('privacy.addMe')}>
          <Choice testId="privacy-add-me" value={privacy.add_me} options={add} onChange={(v) => onChange({ add_me: v })} />
        </Row>
        <Row label={t('privacy.showOnline')} note={t('privacy.onlineNote')}>
          <Choice testId="privacy-show-online" value={privacy.show_online ? 'on' : 'off'} options={onOff} onChange={(v) => onChange({ show_online: v === 'on' })} />
        </Row>
        <Row label={t('privacy.readReceipts')} note={t('privacy.receiptsNote')}>
          <Choice testId="privacy-read-receipts" value={privacy.send_read_receipts ? 'on' : 'off'} options={onOff} onChange={(v) => onChange({ send_read_receipts: v === 'on' })} />
        </Row>
      </div>
      <p className="settings-note me-note">{t('privacy.note')}</p>
    </>
  );
}
