import { brandingImageUrl } from '@tidings/sdk';
import { useContext, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage, type Translate } from '../i18n/i18n';
import type { SessionSnapshot, SessionViewModel } from '../viewmodels/SessionViewModel';
import type { SignInMethod, SignInSnapshot, SignInViewModel } from '../viewmodels/SignInViewModel';
import { SiteContext } from '../viewmodels/SiteSettingsViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { LogoMark } from './Icons';
import { PasswordReasons } from './PasswordReasons';
import { useDocumentTitle } from './useDocumentTitle';

type SignInState = Extract<SessionSnapshot, { screen: 'signIn' }>;

export function SignInView({ vm, state, t, inviting = false }: { vm: SessionViewModel; state: SignInState; t: Translate; inviting?: boolean }) {
  const form = vm.signInForm;
  const s = useViewModel(form);
  useEffect(() => void form.loadOptions(), [form]);

  const notice =
    state.notice === 'signed_in_elsewhere'
      ? t('notice.signedInElsewhere')
      : state.notice === 'password_changed'
        ? t('notice.passwordChanged')
        : state.notice === 'account_frozen'
        ? t('notice.accountFrozen')
        : state.notice === 'session_ended'
        ? t('notice.sessionEnded')
        : state.notice === 'sso_ticket_refused'
        ? t('notice.ssoTicketRefused')
        : null;
  const step = s.step;
  const title =
    step.kind === 'secondStep'
      ? step.challenge.reason === 'second_factor_required'
        ? t('signIn.secondFactorTitle')
        : t('signIn.confirmDeviceTitle')
      : step.kind === 'forgot'
        ? t('signIn.forgotTitle')
        : step.kind === 'changePassword'
          ? t('signIn.changeRequiredTitle')
          : s.mode === 'register'
            ? t('signIn.register')
            : state.canCancel
              ? t('accounts.addTitle')
              : t('signIn.title', { name: t('app.name') });
  const brand = useContext(SiteContext)?.branding;
  useDocumentTitle(t('app.name'), null);
  const logo = brand ? brandingImageUrl(brand.logo) : null;
  const background = brand ? brandingImageUrl(brand.sign_in_background) : null;

  return (
    <main className="sign-in" style={background ? { backgroundImage: `url("${background}")` } : undefined} data-background={background ? 'image' : undefined}>
      <div className="sign-in-card" data-testid="sign-in" data-step={step.kind}>
        <div className="sign-in-brand">
          {logo ? <img className="sign-in-logo" src={logo} alt="" data-testid="sign-in-logo" /> : <LogoMark size={48} />}
          <h1 data-testid="sign-in-title">{title}</h1>
          {step.kind === 'credentials' && <p data-testid="sign-in-text">{brand?.sign_in_text || t('signIn.subtitle')}</p>}
        </div>
        {notice && (
          <div className="notice-banner" role="alert" data-testid="forced-offline-notice">
            {state.noticeFor && state.canCancel ? <strong>{t('accounts.noticeFor', { name: state.noticeFor.nickname })} </strong> : null}
            {notice}
          </div>
        )}
        {inviting && !notice && (
          <div className="notice-banner info" data-testid="invite-sign-in-hint">
            {t('invite.signInFirst')}
          </div>
        )}
        {s.info === 'passwordReset' && (
          <div className="notice-banner info" role="status" data-testid="password-reset-done">
            {t('signIn.passwordResetDone')}
          </div>
        )}
        {step.kind === 'credentials' && <Credentials key={s.prefill} form={form} s={s} t={t} />}
        {step.kind === 'secondStep' && <SecondStep form={form} s={s} t={t} />}
        {step.kind === 'forgot' && <Forgot form={form} s={s} t={t} />}
        {step.kind === 'changePassword' && <ForcedChange form={form} s={s} t={t} />}
        {state.canCancel && (
          <div className="sign-in-links">
            <button type="button" className="link-button" onClick={() => vm.cancelSignIn()} data-testid="cancel-sign-in">
              {t('accounts.backToAccounts')}
            </button>
            {state.noticeFor && (
              <button type="button" className="link-button" onClick={() => vm.forget(state.noticeFor?.id ?? 0)} data-testid="forget-account">
                {t('accounts.remove')}
              </button>
            )}
          </div>
        )}
      </div>
    </main>
  );
}

interface StepProps {
  form: SignInViewModel;
  s: SignInSnapshot;
  t: Translate;
}

function FormError({ s, t }: { s: SignInSnapshot; t: Translate }) {
  if (!s.error) return null;
  return (
    <div className="form-error" role="alert" data-testid="sign-in-error">
      {errorMessage(t, s.error)}
      <PasswordReasons reasons={s.reasons} t={t} />
    </div>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

const METHOD_KEYS = { password: 'signIn.methodPassword', email: 'signIn.methodEmail', sms: 'signIn.methodSms' } as const;

function Credentials({ form, s, t }: StepProps) {
  const [account, setAccount] = useState(s.prefill);
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [invite, setInvite] = useState('');
  const [destination, setDestination] = useState('');
  const [code, setCode] = useState('');
  const [remember, setRemember] = useState(true);
  const registering = s.mode === 'register';
  const options = s.options;
  const methods: SignInMethod[] = ['password', ...(options?.email_enabled ? (['email'] as const) : []), ...(options?.sms_enabled ? (['sms'] as const) : [])];
  const byCode = !registering && s.method !== 'password';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (registering) void form.register(account.trim(), password, nickname.trim(), invite, remember);
    else if (byCode) void form.signInWithCode(destination.trim(), code, remember);
    else void form.signInWithPassword(account.trim(), password, remember);
  };

  return (
    <form className="sign-in-form" onSubmit={submit}>
      {!registering && methods.length > 1 && (
        <div className="segmented sign-in-methods" role="tablist" data-testid="sign-in-methods">
          {methods.map((method) => (
            <button
              key={method}
              type="button"
              role="tab"
              aria-selected={s.method === method}
              className={s.method === method ? 'active' : ''}
              onClick={() => form.setMethod(method)}
              data-value={method}
            >
              {t(METHOD_KEYS[method])}
            </button>
          ))}
        </div>
      )}
      {byCode ? (
        <>
          <Field label={s.method === 'email' ? t('signIn.email') : t('signIn.phone')}>
            <div className="field-with-button">
              <input
                name="destination"
                type={s.method === 'email' ? 'email' : 'tel'}
                autoComplete={s.method === 'email' ? 'email' : 'tel'}
                value={destination}
                onChange={(e) => setDestination(e.target.value)}
                required
                autoFocus
              />
              <button type="button" className="secondary" disabled={s.busy || !destination.trim()} onClick={() => void form.sendSignInCode(destination.trim())} data-testid="send-code">
                {s.codeSentTo ? t('signIn.resendCode') : t('signIn.sendCode')}
              </button>
            </div>
          </Field>
          {s.info === 'codeSent' && <p className="field-hint" data-testid="code-sent">{t('signIn.codeSentTo', { destination: s.codeSentTo ?? '' })}</p>}
          <Field label={t('signIn.code')}>
            <input name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required maxLength={12} />
          </Field>
        </>
      ) : (
        <>
          <Field label={t('signIn.account')}>
            <input name="account" autoComplete="username" value={account} onChange={(e) => setAccount(e.target.value)} required autoFocus />
          </Field>
          {registering && (
            <Field label={t('signIn.nickname')}>
              <input name="nickname" value={nickname} onChange={(e) => setNickname(e.target.value)} required />
            </Field>
          )}
          <Field label={t('signIn.password')}>
            <input
              name="password"
              type="password"
              autoComplete={registering ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={registering ? 8 : 1}
            />
          </Field>
          {registering && options?.registration === 'invite_only' && (
            <Field label={t('signIn.inviteCode')}>
              <input name="invite_code" value={invite} onChange={(e) => setInvite(e.target.value)} required autoComplete="off" />
            </Field>
          )}
        </>
      )}
      <div className="sign-in-row">
        <label className="check">
          <input type="checkbox" name="remember" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          <span>{t('signIn.remember')}</span>
        </label>
        {!registering && (options?.email_enabled || options?.sms_enabled) && (
          <button type="button" className="link-button" onClick={() => form.startForgot()} data-testid="forgot-password">
            {t('signIn.forgot')}
          </button>
        )}
      </div>
      <FormError s={s} t={t} />
      <button className="primary wide" type="submit" disabled={s.busy || (byCode && !s.codeSentTo)}>
        {s.busy ? t('signIn.busy') : registering ? t('signIn.registerSubmit') : t('signIn.submit')}
      </button>
      {!registering && options?.oidc && (
        <>
          <div className="sign-in-or" aria-hidden="true">
            <span>{t('signIn.or')}</span>
          </div>
          <button type="button" className="secondary wide" disabled={s.busy} onClick={() => form.startSingleSignOn(remember)} data-testid="single-sign-on">
            {t('signIn.withProvider', { label: options.oidc.label })}
          </button>
        </>
      )}
      {options?.registration !== 'closed' && (
        <button type="button" className="link-button" onClick={() => form.setMode(registering ? 'signIn' : 'register')} data-testid="toggle-register">
          {registering ? t('signIn.haveAccount') : t('signIn.register')}
        </button>
      )}
    </form>
  );
}

function SecondStep({ form, s, t }: StepProps) {
  const [code, setCode] = useState('');
  if (s.step.kind !== 'secondStep') return null;
  const { challenge, method, resent } = s.step;
  const sent = method === 'email' || method === 'sms';
  const hint =
    method === 'totp'
      ? t('signIn.totpHint')
      : method === 'recovery_code'
        ? t('signIn.recoveryHint')
        : t('signIn.deviceCodeHint', { destination: challenge.destination ?? '' });
  const other = method === 'totp' ? 'recovery_code' : method === 'recovery_code' ? 'totp' : null;
  return (
    <form
      className="sign-in-form"
      onSubmit={(event) => {
        event.preventDefault();
        void form.verify(code);
      }}
      data-testid="second-step"
      data-method={method}
    >
      <p className="step-hint">{hint}</p>
      {resent && <p className="field-hint" data-testid="code-resent">{t('signIn.codeResent')}</p>}
      <Field label={method === 'recovery_code' ? t('signIn.recoveryCode') : t('signIn.code')}>
        <input
          name="code"
          inputMode={method === 'recovery_code' ? 'text' : 'numeric'}
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          required
          autoFocus
          maxLength={32}
        />
      </Field>
      <FormError s={s} t={t} />
      <button className="primary wide" type="submit" disabled={s.busy}>
        {s.busy ? t('signIn.busy') : t('signIn.verify')}
      </button>
      <div className="sign-in-links">
        {other && challenge.methods.includes(other) && (
          <button type="button" className="link-button" onClick={() => { setCode(''); form.setSecondStepMethod(other); }} data-testid="switch-second-step">
            {other === 'recovery_code' ? t('signIn.useRecoveryCode') : t('signIn.useAuthenticator')}
          </button>
        )}
        {sent && (
          <button type="button" className="link-button" disabled={s.busy} onClick={() => void form.resend()} data-testid="resend-code">
            {t('signIn.resendCode')}
          </button>
        )}
        <button type="button" className="link-button" onClick={() => form.back()}>
          {t('signIn.back')}
        </button>
      </div>
    </form>
  );
}

function Forgot({ form, s, t }: StepProps) {
  const [destination, setDestination] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  if (s.step.kind !== 'forgot') return null;
  const { channel, codeSentTo } = s.step;
  const channels = [...(s.options?.email_enabled ? (['email'] as const) : []), ...(s.options?.sms_enabled ? (['sms'] as const) : [])];
  return (
    <form
      className="sign-in-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!codeSentTo) return void form.sendResetCode(destination.trim());
        setMismatch(password !== confirm);
        if (password === confirm) void form.resetPassword(code, password);
      }}
      data-testid="forgot"
    >
      <p className="step-hint">{t('signIn.forgotHint')}</p>
      {channels.length > 1 && (
        <div className="segmented sign-in-methods" role="tablist">
          {channels.map((c) => (
            <button key={c} type="button" role="tab" aria-selected={channel === c} className={channel === c ? 'active' : ''} onClick={() => form.setForgotChannel(c)} data-value={c}>
              {c === 'email' ? t('signIn.email') : t('signIn.phone')}
            </button>
          ))}
        </div>
      )}
      <Field label={channel === 'email' ? t('signIn.email') : t('signIn.phone')}>
        <input name="destination" type={channel === 'email' ? 'email' : 'tel'} value={destination} onChange={(e) => setDestination(e.target.value)} required disabled={codeSentTo !== null} autoFocus />
      </Field>
      {codeSentTo && (
        <>
          <p className="field-hint" data-testid="code-sent">{t('signIn.codeSentTo', { destination: codeSentTo })}</p>
          <Field label={t('signIn.code')}>
            <input name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required maxLength={12} />
          </Field>
          <Field label={t('security.newPassword')}>
            <input name="new_password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} />
          </Field>
          <Field label={t('security.confirmPassword')}>
            <input name="confirm_password" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
          </Field>
        </>
      )}
      {mismatch && <div className="form-error" role="alert">{t('security.mismatch')}</div>}
      <FormError s={s} t={t} />
      <button className="primary wide" type="submit" disabled={s.busy}>
        {codeSentTo ? t('signIn.setNewPassword') : t('signIn.sendCode')}
      </button>
      <button type="button" className="link-button" onClick={() => form.back()}>
        {t('signIn.back')}
      </button>
    </form>
  );
}

function ForcedChange({ form, s, t }: StepProps) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const askCurrent = !form.knowsCurrentPassword;
  return (
    <form
      className="sign-in-form"
      onSubmit={(event) => {
        event.preventDefault();
        setMismatch(password !== confirm);
        if (password === confirm) void form.changePassword(password, askCurrent ? current : undefined);
      }}
      data-testid="forced-password-change"
    >
      <div className="notice-banner" role="status">{t('signIn.changeRequiredHint')}</div>
      {askCurrent && (
        <Field label={t('security.currentPassword')}>
          <input name="current_password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </Field>
      )}
      <Field label={t('security.newPassword')}>
        <input name="new_password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} autoFocus />
      </Field>
      <Field label={t('security.confirmPassword')}>
        <input name="confirm_password" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
      </Field>
      {mismatch && <div className="form-error" role="alert">{t('security.mismatch')}</div>}
      <FormError s={s} t={t} />
      <button className="primary wide" type="submit" disabled={s.busy}>
        {t('security.changePassword')}
      </button>
      <button type="button" className="link-button" onClick={() => form.back()}>
        {t('signIn.back')}
      </button>
    </form>
  );
}
