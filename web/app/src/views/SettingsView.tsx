import type { Client, User } from '@tidings/sdk';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { LOCALES, type Locale } from '../i18n/i18n';
import type { NotificationViewModel } from '../viewmodels/NotificationViewModel';
import { FONT_SIZES, TOAST_CORNERS, WALLPAPERS, type FontSize, type PreferencesViewModel, type ToastCorner } from '../viewmodels/PreferencesViewModel';
import { useOptionalViewModel, useViewModel } from '../viewmodels/useViewModel';
import type { SessionViewModel } from '../viewmodels/SessionViewModel';
import { AccountsCard } from './Accounts';
import type { ServerSettingsViewModel } from '../viewmodels/ServerSettingsViewModel';
import { Avatar } from './Avatar';

// Account security is opened rarely: it loads on demand, outside the first download.
const SecurityView = lazy(() => import('./SecurityView'));
// Chat history backup (0051), likewise.
const HistoryBackupView = lazy(() => import('./HistoryBackupView'));
// So are the notification, do-not-disturb and shortcut settings (issue 12).
const NotificationSettings = lazy(() => import('./NotificationSettings'));

const LOCALE_NAMES: Record<Locale, string> = { 'zh-CN': '简体中文', en: 'English' };
const FONT_KEYS = { small: 'settings.fontSmall', medium: 'settings.fontMedium', large: 'settings.fontLarge', xlarge: 'settings.fontXLarge' } as const;
const CORNER_KEYS = {
  'top-right': 'settings.cornerTopRight',
  'bottom-right': 'settings.cornerBottomRight',
  'bottom-left': 'settings.cornerBottomLeft',
  'top-center': 'settings.cornerTopCenter',
} as const;

interface Props {
  preferences: PreferencesViewModel;
  notifications: NotificationViewModel | null;
  user: User | null;
  client: Client;
  session: SessionViewModel;
  onSignOut(): void;
  /** Settings kept on the server (issue 12): notifications, do not disturb, shortcuts. */
  serverSettings?: ServerSettingsViewModel;
  nameOf?(id: number): string;
}

export function SettingsView({ preferences, notifications, user, client, session, onSignOut, serverSettings, nameOf }: Props) {
  const p = useViewModel(preferences);
  // The call ringtone's switch is a setting kept on the server (issue 12): shown as it changes.
  useOptionalViewModel(serverSettings ?? null);
  const { t } = p;
  const [page, setPage] = useState<'main' | 'security' | 'backup'>('main');
  if (page === 'security') {
    return (
      <Suspense fallback={<section className="settings-pane"><p className="settings-note">{t('common.loading')}</p></section>}>
        <SecurityView client={client} t={t} onBack={() => setPage('main')} />
      </Suspense>
    );
  }
  if (page === 'backup') {
    return (
      <Suspense fallback={<section className="settings-pane"><p className="settings-note">{t('common.loading')}</p></section>}>
        <HistoryBackupView client={client} t={t} locale={p.locale} onBack={() => setPage('main')} />
      </Suspense>
    );
  }
  const permission = notifications?.systemPermission() ?? 'unsupported';
  const onOff = [{ value: 'on', label: t('settings.on') }, { value: 'off', label: t('settings.off') }] as const;
  return (
    <section className="settings-pane" data-testid="settings">
      <h2>{t('settings.title')}</h2>
      {user && (
        <div className="settings-card account-card">
          <Avatar id={user.id} name={user.nickname} size={52} user />
          <div>
            <div className="account-name" data-testid="my-name">{user.nickname}</div>
            <div className="account-id">{user.account} · ID {user.id}</div>
          </div>
          <button className="danger-button" onClick={onSignOut} data-testid="sign-out">{t('settings.signOut')}</button>
        </div>
      )}
      <div className="settings-card">
        <Row label={t('security.title')}>
          <button className="secondary" onClick={() => setPage('security')} data-testid="open-security">{t('security.open')}</button>
        </Row>
        <Row label={t('settings.historyBackup')}>
          <button className="secondary" onClick={() => setPage('backup')} data-testid="open-history-backup">{t('settings.historyBackupOpen')}</button>
        </Row>
      </div>
      <h3 className="settings-heading">{t('accounts.title')}</h3>
      <AccountsCard session={session} t={t} />
      <h3 className="settings-heading">{t('settings.general')}</h3>
      <div className="settings-card">
        <Row label={t('settings.language')}>
          <Segmented testId="language" value={p.locale} options={LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] }))} onChange={(v) => preferences.set('locale', v)} />
        </Row>
        <Row label={t('settings.sendKey')}>
          <Segmented testId="send-key" value={p.sendKey} options={[{ value: 'enter', label: t('settings.sendEnter') }, { value: 'ctrlEnter', label: t('settings.sendCtrlEnter') }]} onChange={(v) => preferences.set('sendKey', v)} />
        </Row>
      </div>
      <h3 className="settings-heading">{t('settings.notifications')}</h3>
      <div className="settings-card" data-testid="notification-settings">
        <Row label={t('settings.sound')}>
          <Segmented testId="sound" value={p.sound ? 'on' : 'off'} options={[...onOff]} onChange={(v) => preferences.set('sound', v === 'on')} />
        </Row>
        {serverSettings && (
          <Row label={t('settings.callSound')}>
            <Segmented
              testId="call-sound"
              value={serverSettings.notifications().calls_sound !== false ? 'on' : 'off'}
              options={[...onOff]}
              onChange={(v) => void serverSettings.change({ notifications: { calls_sound: v === 'on' } })}
            />
          </Row>
        )}
        <Row label={t('settings.systemNotifications')}>
          <div className="settings-stack">
            <Segmented
              testId="system-notifications"
              value={p.systemNotifications && permission === 'granted' ? 'on' : 'off'}
              options={[...onOff]}
              onChange={(v) => void notifications?.setSystem(v === 'on')}
            />
            {permission === 'denied' && <span className="settings-note">{t('settings.systemBlocked')}</span>}
            {permission === 'unsupported' && <span className="settings-note">{t('settings.systemUnsupported')}</span>}
          </div>
        </Row>
        <Row label={t('settings.toastCorner')}>
          <Segmented<ToastCorner> testId="toast-corner" value={p.toastCorner} options={TOAST_CORNERS.map((c) => ({ value: c, label: t(CORNER_KEYS[c]) }))} onChange={(v) => preferences.set('toastCorner', v)} />
        </Row>
        <Row label={t('settings.flashTitle')}>
          <Segmented testId="flash-title" value={p.flashTitle ? 'on' : 'off'} options={[...onOff]} onChange={(v) => preferences.set('flashTitle', v === 'on')} />
        </Row>
      </div>
      {serverSettings && (
        <Suspense fallback={<p className="settings-note">{t('common.loading')}</p>}>
          <NotificationSettings vm={serverSettings} preferences={preferences} t={t} nameOf={nameOf ?? ((id) => `#${id}`)} />
        </Suspense>
      )}
      <h3 className="settings-heading">{t('settings.appearance')}</h3>
      <div className="settings-card">
        <Row label={t('settings.theme')}>
          <Segmented testId="theme" value={p.theme} options={[{ value: 'light', label: t('settings.themeLight') }, { value: 'dark', label: t('settings.themeDark') }]} onChange={(v) => preferences.set('theme', v)} />
        </Row>
        <Row label={t('settings.fontSize')}>
          <Segmented<FontSize> testId="font-size" value={p.fontSize} options={FONT_SIZES.map((f) => ({ value: f, label: t(FONT_KEYS[f]) }))} onChange={(v) => preferences.set('fontSize', v)} />
        </Row>
        <Row label={t('settings.wallpaper')}>
          <div className="wallpapers" data-testid="wallpapers">
            {WALLPAPERS.map((w) => (
              <button key={w} className={`wallpaper-swatch wallpaper-${w}${p.wallpaper === w ? ' active' : ''}`} onClick={() => preferences.set('wallpaper', w)} aria-label={w === 'none' ? t('settings.wallpaperNone') : w} aria-pressed={p.wallpaper === w} />
            ))}
          </div>
        </Row>
      </div>
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="settings-row">
      <span className="settings-label">{label}</span>
      {children}
    </div>
  );
}

function Segmented<V extends string>({ value, options, onChange, testId }: { value: V; options: readonly { value: V; label: string }[]; onChange(v: V): void; testId: string }) {
  return (
    <div className="segmented" role="radiogroup" data-testid={testId}>
      {options.map((option) => (
        <button key={option.value} role="radio" aria-checked={option.value === value} className={option.value === value ? 'active' : ''} onClick={() => onChange(option.value)} data-value={option.value}>
          {option.label}
        </button>
      ))}
    </div>
  );
}
