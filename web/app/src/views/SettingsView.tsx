import type { User } from '@tidings/sdk';
import type { ReactNode } from 'react';
import { LOCALES, type Locale } from '../i18n/i18n';
import { FONT_SIZES, WALLPAPERS, type FontSize, type PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';

const LOCALE_NAMES: Record<Locale, string> = { 'zh-CN': '简体中文', en: 'English' };
const FONT_KEYS = { small: 'settings.fontSmall', medium: 'settings.fontMedium', large: 'settings.fontLarge', xlarge: 'settings.fontXLarge' } as const;

export function SettingsView({ preferences, user, onSignOut }: { preferences: PreferencesViewModel; user: User | null; onSignOut(): void }) {
  const p = useViewModel(preferences);
  const { t } = p;
  return (
    <section className="settings-pane" data-testid="settings">
      <h2>{t('settings.title')}</h2>
      {user && (
        <div className="settings-card account-card">
          <Avatar id={user.id} name={user.nickname} size={52} />
          <div>
            <div className="account-name" data-testid="my-name">{user.nickname}</div>
            <div className="account-id">{user.account} · ID {user.id}</div>
          </div>
          <button className="danger-button" onClick={onSignOut} data-testid="sign-out">{t('settings.signOut')}</button>
        </div>
      )}
      <div className="settings-card">
        <Row label={t('settings.language')}>
          <Segmented testId="language" value={p.locale} options={LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] }))} onChange={(v) => preferences.set('locale', v)} />
        </Row>
        <Row label={t('settings.theme')}>
          <Segmented testId="theme" value={p.theme} options={[{ value: 'light', label: t('settings.themeLight') }, { value: 'dark', label: t('settings.themeDark') }]} onChange={(v) => preferences.set('theme', v)} />
        </Row>
        <Row label={t('settings.fontSize')}>
          <Segmented<FontSize> testId="font-size" value={p.fontSize} options={FONT_SIZES.map((f) => ({ value: f, label: t(FONT_KEYS[f]) }))} onChange={(v) => preferences.set('fontSize', v)} />
        </Row>
        <Row label={t('settings.sendKey')}>
          <Segmented testId="send-key" value={p.sendKey} options={[{ value: 'enter', label: t('settings.sendEnter') }, { value: 'ctrlEnter', label: t('settings.sendCtrlEnter') }]} onChange={(v) => preferences.set('sendKey', v)} />
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

function Segmented<V extends string>({ value, options, onChange, testId }: { value: V; options: { value: V; label: string }[]; onChange(v: V): void; testId: string }) {
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
