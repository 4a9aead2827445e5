import { useState, type FormEvent } from 'react';
import { errorMessage, type Translate } from '../i18n/i18n';
import type { SessionSnapshot, SessionViewModel } from '../viewmodels/SessionViewModel';
import { LogoMark } from './Icons';

type SignInState = Extract<SessionSnapshot, { screen: 'signIn' }>;

export function SignInView({ vm, state, t, inviting = false }: { vm: SessionViewModel; state: SignInState; t: Translate; inviting?: boolean }) {
  const [account, setAccount] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [remember, setRemember] = useState(true);
  const registering = state.mode === 'register';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (registering) void vm.register(account.trim(), password, nickname.trim(), remember);
    else void vm.signIn(account.trim(), password, remember);
  };

  const notice =
    state.notice === 'signed_in_elsewhere'
      ? t('notice.signedInElsewhere')
      : state.notice === 'session_ended'
        ? t('notice.sessionEnded')
        : null;

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} data-testid="sign-in">
        <div className="sign-in-brand">
          <LogoMark size={48} />
          <h1>{registering ? t('signIn.register') : t('signIn.title')}</h1>
          <p>{t('signIn.subtitle')}</p>
        </div>
        {notice && (
          <div className="notice-banner" role="alert" data-testid="forced-offline-notice">
            {notice}
          </div>
        )}
        {inviting && !notice && (
          <div className="notice-banner info" data-testid="invite-sign-in-hint">
            {t('invite.signInFirst')}
          </div>
        )}
        <label className="field">
          <span>{t('signIn.account')}</span>
          <input name="account" autoComplete="username" value={account} onChange={(e) => setAccount(e.target.value)} required autoFocus />
        </label>
        {registering && (
          <label className="field">
            <span>{t('signIn.nickname')}</span>
            <input name="nickname" value={nickname} onChange={(e) => setNickname(e.target.value)} required />
          </label>
        )}
        <label className="field">
          <span>{t('signIn.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete={registering ? 'new-password' : 'current-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={registering ? 8 : 1}
          />
        </label>
        <label className="check">
          <input type="checkbox" name="remember" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          <span>{t('signIn.remember')}</span>
        </label>
        {state.error && (
          <div className="form-error" role="alert">
            {errorMessage(t, state.error)}
          </div>
        )}
        <button className="primary wide" type="submit" disabled={state.busy}>
          {state.busy ? t('signIn.busy') : registering ? t('signIn.registerSubmit') : t('signIn.submit')}
        </button>
        <button type="button" className="link-button" onClick={() => vm.setMode(registering ? 'signIn' : 'register')}>
          {registering ? t('signIn.haveAccount') : t('signIn.register')}
        </button>
      </form>
    </main>
  );
}
