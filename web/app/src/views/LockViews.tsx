/**
 * The password lock's screens (h/me): the cover over the whole app, the prompt in place of a
 * locked chat, and the settings (code, idle minutes, locked chats) on the Me page.
 */
import { useState, type FormEvent } from 'react';
import { errorMessage, type Translate } from '../i18n/i18n';
import { IDLE_CHOICES, type LockViewModel } from '../viewmodels/LockViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { LockIcon, LogoMark } from './Icons';
import { Choice, Row } from './SettingsControls';

type Secret = { code: string } | { password: string };

/** A code field, or (after "Forgot the code?") the account password. */
function UnlockForm({ t, busy, error, submit, onSubmit, testId }: { t: Translate; busy: boolean; error: string | null; submit: string; onSubmit(secret: Secret): void; testId: string }) {
  const [value, setValue] = useState('');
  const [usePassword, setUsePassword] = useState(false);
  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!value) return;
    onSubmit(usePassword ? { password: value } : { code: value });
    setValue('');
  };
  return (
    <form className="unlock-form" onSubmit={send} data-testid={testId}>
      <input
        type="password"
        autoFocus
        autoComplete={usePassword ? 'current-password' : 'off'}
        inputMode={usePassword ? undefined : 'text'}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder={usePassword ? t('lock.usePassword') : t('lock.enterCode')}
        aria-label={usePassword ? t('lock.usePassword') : t('lock.enterCode')}
        data-testid="unlock-input"
      />
      <button type="submit" disabled={busy || !value} data-testid="unlock-submit">{submit}</button>
      {error && <div className="form-error" role="alert" data-testid="unlock-error">{errorMessage(t, error)}</div>}
      <button type="button" className="link-button small" onClick={() => { setUsePassword(!usePassword); setValue(''); }} data-testid="unlock-forgot">
        {usePassword ? t('lock.useCode') : t('lock.forgot')}
      </button>
      {usePassword && <p className="settings-note unlock-note">{t('lock.passwordHint')}</p>}
    </form>
  );
}

/** Covers everything (list, chat, dialogs) while the app is locked. */
export function AppLockOverlay({ vm, t }: { vm: LockViewModel; t: Translate }) {
  const s = useViewModel(vm);
  if (!s.appLocked) return null;
  return (
    <div className="app-lock" role="dialog" aria-modal="true" aria-label={t('lock.appLocked')} data-testid="app-lock">
      <div className="app-lock-box">
        <LogoMark size={56} />
        <h2>{t('lock.appLocked')}</h2>
        <p className="muted">{t('lock.appHint')}</p>
        <UnlockForm t={t} busy={s.busy} error={s.error} submit={t('lock.unlock')} onSubmit={(secret) => void vm.unlockApp(secret)} testId="app-unlock" />
      </div>
    </div>
  );
}

/** In place of a locked chat's messages. */
export function LockedChat({ vm, t, conversationId, title, onBack }: { vm: LockViewModel; t: Translate; conversationId: number; title: string; onBack(): void }) {
  const s = useViewModel(vm);
  return (
    <section className="chat-pane locked-chat" data-testid="locked-chat" data-conversation-id={conversationId}>
      <header className="chat-header">
        <button type="button" className="link-button back-button locked-back" onClick={onBack} aria-label="‹">‹</button>
        <h2 className="chat-title">{title}</h2>
      </header>
      <div className="locked-chat-body">
        <span className="lock-badge" aria-hidden="true"><LockIcon size={44} /></span>
        <h3>{t('lock.chatLocked')}</h3>
        <p className="muted">{t('lock.chatHint')}</p>
        <UnlockForm t={t} busy={s.busy} error={s.error} submit={t('lock.unlock')} onSubmit={(secret) => void vm.unlockChat(conversationId, secret)} testId="chat-unlock" />
      </div>
    </section>
  );
}

/** Me → Password lock. */
export function LockSettings({ vm, t, chats }: { vm: LockViewModel; t: Translate; chats(): { id: number; title: string }[] }) {
  const s = useViewModel(vm);
  const [code, setCode] = useState('');
  const [again, setAgain] = useState('');
  const [changing, setChanging] = useState(false);
  const [problem, setProblem] = useState<'lock.mismatch' | 'lock.tooShort' | null>(null);
  const lock = s.lock;
  if (!lock) return <p className="settings-note">{t('common.loading')}</p>;

  const newCode = (
    <form
      className="settings-card me-form"
      data-testid="lock-new-code"
      onSubmit={(event) => {
        event.preventDefault();
        if ([...code].length < 4) return setProblem('lock.tooShort');
        if (code !== again) return setProblem('lock.mismatch');
        setProblem(null);
        void vm.setCode(code).then((ok) => {
          if (ok) {
            setCode('');
            setAgain('');
            setChanging(false);
          }
        });
      }}
    >
      <label className="settings-row me-field">
        <span className="settings-label">{t('lock.newCode')}</span>
        <input type="password" autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} data-testid="lock-code" />
      </label>
      <label className="settings-row me-field">
        <span className="settings-label">{t('lock.confirmCode')}</span>
        <input type="password" autoComplete="off" value={again} onChange={(e) => setAgain(e.target.value)} data-testid="lock-code-again" />
      </label>
      <p className="settings-note me-note">{t('lock.codeHint')}</p>
      {problem && <div className="form-error" role="alert">{t(problem)}</div>}
      {s.error && <div className="form-error" role="alert">{errorMessage(t, s.error)}</div>}
      <div className="modal-actions">
        {changing && <button type="button" className="secondary" onClick={() => setChanging(false)}>{t('me.cancel')}</button>}
        <button type="submit" disabled={s.busy} data-testid="lock-code-save">{t('lock.setCode')}</button>
      </div>
    </form>
  );

  return (
    <div className="lock-settings" data-testid="lock-settings" data-has-code={lock.has_code}>
      <p className="settings-note me-note">{t('lock.intro')}</p>
      {!lock.has_code ? (
        newCode
      ) : !s.managing ? (
        <div className="settings-card lock-manage">
          <p>{t('lock.manage')}</p>
          <UnlockForm t={t} busy={s.busy} error={s.error} submit={t('lock.continue')} onSubmit={(secret) => void vm.manage(secret)} testId="lock-manage" />
        </div>
      ) : changing ? (
        newCode
      ) : (
        <>
          <div className="settings-card">
            <Row label={t('lock.idle')}>
              <Choice
                testId="lock-idle"
                value={String(lock.idle_minutes)}
                options={IDLE_CHOICES.map((m) => ({ value: String(m), label: m === 0 ? t('lock.never') : t('lock.minutes', { count: m }) }))}
                onChange={(v) => void vm.setIdleMinutes(Number(v))}
              />
            </Row>
            <Row label={t('lock.enterCode')}>
              <button type="button" className="secondary" onClick={() => setChanging(true)} data-testid="lock-change-code">{t('lock.changeCode')}</button>
            </Row>
            <div className="settings-row lock-actions">
              <button type="button" className="secondary" onClick={() => vm.lockNow()} data-testid="lock-now">{t('lock.lockNow')}</button>
              <button type="button" className="danger-button" disabled={s.busy} onClick={() => void vm.removeLock()} data-testid="lock-remove">{t('lock.remove')}</button>
            </div>
          </div>
          {s.error && <div className="form-error" role="alert">{errorMessage(t, s.error)}</div>}
          <h3 className="settings-heading">{t('lock.chats')}</h3>
          <div className="settings-card lock-chats" data-testid="lock-chats">
            {chats().length === 0 && <p className="settings-note">{t('lock.noChats')}</p>}
            {chats().map((chat) => (
              <label className="settings-row lock-chat-row" key={chat.id} data-testid="lock-chat" data-title={chat.title}>
                <span className="settings-label">{chat.title}</span>
                <input type="checkbox" checked={lock.conversation_ids.includes(chat.id)} disabled={s.busy} onChange={(e) => void vm.setChatLocked(chat.id, e.target.checked)} />
              </label>
            ))}
          </div>
        </>
      )}
      <p className="settings-note me-note">{t('lock.screenNote')}</p>
    </div>
  );
}
