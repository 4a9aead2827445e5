/**
 * Settings → Account security. Loaded on demand (React.lazy): most visits never open it, so
 * it stays out of the first download.
 */
import { AccountSecurityApi, type Client, type CodeChannel, type KnownDevice } from '@tidings/sdk';
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage, type Translate } from '../i18n/i18n';
import { dateTime } from '../lib/when';
import { SecurityViewModel, type SecuritySnapshot } from '../viewmodels/SecurityViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { PasswordReasons } from './PasswordReasons';

interface Props {
  client: Client;
  t: Translate;
  onBack(): void;
}

export default function SecurityView({ client, t, onBack }: Props) {
  const vm = useMemo(() => new SecurityViewModel(new AccountSecurityApi(window.location.origin, () => client.sessionToken)), [client]);
  useEffect(() => {
    void vm.load();
    return () => vm.dispose();
  }, [vm]);
  const s = useViewModel(vm);
  const o = s.overview;

  return (
    <section className="settings-pane" data-testid="security-settings">
      <div className="settings-title-row">
        <button type="button" className="link-button" onClick={onBack} data-testid="security-back">
          ‹ {t('settings.title')}
        </button>
        <h2>{t('security.title')}</h2>
      </div>
      {s.loadError && <div className="form-error" role="alert">{errorMessage(t, s.loadError)}</div>}

      <h3 className="settings-heading">{t('security.password')}</h3>
      <div className="settings-card">
        <Row label={t('security.password')}>
          <button type="button" className="secondary" onClick={() => vm.open('password')} data-testid="change-password">
            {t('security.changePassword')}
          </button>
        </Row>
        {s.panel?.kind === 'password' && <PasswordPanel vm={vm} s={s} t={t} />}
      </div>

      <h3 className="settings-heading">{t('security.contact')}</h3>
      <div className="settings-card">
        {(['email', 'sms'] as const).map((channel) => {
          const value = channel === 'email' ? o?.email : o?.phone;
          const verified = channel === 'email' ? o?.email_verified : o?.phone_verified;
          const panel = s.panel;
          return (
            <div key={channel} data-testid={`binding-${channel}`}>
              <Row label={channel === 'email' ? t('signIn.email') : t('signIn.phone')}>
                <div className="settings-inline">
                  <span className="settings-value" data-testid="binding-value">
                    {value ? (
                      <>
                        {value} {verified ? <span className="tag ok">{t('security.verified')}</span> : <span className="tag">{t('security.unverified')}</span>}
                      </>
                    ) : (
                      t('security.notBound')
                    )}
                  </span>
                  <button type="button" className="secondary" onClick={() => vm.openBind(channel)} data-testid="bind">
                    {value ? t('security.change') : t('security.bind')}
                  </button>
                  {value && (
                    <button type="button" className="link-button danger" onClick={() => vm.openUnbind(channel)} data-testid="unbind">
                      {t('security.unbind')}
                    </button>
                  )}
                </div>
              </Row>
              {panel?.kind === 'bind' && panel.channel === channel && <BindPanel vm={vm} s={s} t={t} channel={channel} sentTo={panel.sentTo} />}
              {panel?.kind === 'unbind' && panel.channel === channel && (
                <PasswordConfirm vm={vm} s={s} t={t} hint={t('security.unbindHint')} submit={t('security.unbind')} onSubmit={(p) => void vm.unbind(p)} />
              )}
            </div>
          );
        })}
      </div>

      <h3 className="settings-heading">{t('security.twoStep')}</h3>
      <div className="settings-card" data-testid="totp-card">
        <Row label={t('security.authenticator')}>
          <div className="settings-inline">
            <span className="settings-value" data-testid="totp-state">
              {o?.totp_enabled ? <span className="tag ok">{t('security.on')}</span> : <span className="tag">{t('security.off')}</span>}
            </span>
            {o && !o.totp_enabled && s.panel?.kind !== 'totpSetup' && (
              <button type="button" className="secondary" disabled={s.busy} onClick={() => void vm.startTotp()} data-testid="totp-start">
                {t('security.totpEnable')}
              </button>
            )}
            {o?.totp_enabled && (
              <button type="button" className="link-button danger" onClick={() => vm.open('totpDisable')} data-testid="totp-disable">
                {t('security.totpDisable')}
              </button>
            )}
          </div>
        </Row>
        {o?.totp_enabled && (
          <Row label={t('security.recoveryCodes')}>
            <div className="settings-inline">
              <span className="settings-value" data-testid="recovery-left">{t('security.recoveryLeft', { count: o.recovery_codes_left })}</span>
              <button type="button" className="secondary" onClick={() => vm.open('regenerate')} data-testid="recovery-regenerate">
                {t('security.regenerate')}
              </button>
            </div>
          </Row>
        )}
        {s.panel?.kind === 'totpSetup' && <TotpSetup vm={vm} s={s} t={t} />}
        {s.panel?.kind === 'recoveryCodes' && <RecoveryCodes vm={vm} codes={s.panel.codes} t={t} />}
        {s.panel?.kind === 'regenerate' && (
          <CodeConfirm vm={vm} s={s} t={t} hint={t('security.regenerateHint')} submit={t('security.regenerate')} onSubmit={(c) => void vm.regenerateRecoveryCodes(c)} />
        )}
        {s.panel?.kind === 'totpDisable' && (
          <PasswordConfirm vm={vm} s={s} t={t} hint={t('security.totpDisableHint')} submit={t('security.totpDisable')} onSubmit={(p) => void vm.disableTotp(p)} />
        )}
        {!s.panel && s.error && <Error s={s} t={t} />}
      </div>

      <h3 className="settings-heading">{t('security.devices')}</h3>
      <div className="settings-card" data-testid="known-devices">
        {o && o.known_devices.length === 0 && <p className="settings-note">{t('security.noDevices')}</p>}
        {o?.known_devices.map((device, index) => <DeviceRow key={index} device={device} t={t} />)}
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

function Error({ s, t }: { s: SecuritySnapshot; t: Translate }) {
  if (!s.error) return null;
  return (
    <div className="form-error" role="alert" data-testid="security-error">
      {errorMessage(t, s.error)}
      <PasswordReasons reasons={s.reasons} t={t} />
    </div>
  );
}

interface PanelProps {
  vm: SecurityViewModel;
  s: SecuritySnapshot;
  t: Translate;
}

function Panel({ children, onSubmit, testId }: { children: ReactNode; onSubmit(): void; testId: string }) {
  return (
    <form
      className="security-panel"
      data-testid={testId}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

function Actions({ vm, s, t, submit }: PanelProps & { submit: string }) {
  return (
    <div className="modal-actions">
      <button type="button" className="secondary" onClick={() => vm.close()}>
        {t('common.cancel')}
      </button>
      <button type="submit" className="primary" disabled={s.busy}>
        {submit}
      </button>
    </div>
  );
}

function PasswordPanel({ vm, s, t }: PanelProps) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [others, setOthers] = useState(true);
  const [mismatch, setMismatch] = useState(false);
  const done = s.panel?.kind === 'password' ? s.panel.signedOut : null;
  if (done !== null) {
    return (
      <div className="security-panel" data-testid="password-changed">
        <div className="notice-banner info" role="status">
          {t('security.passwordChanged')} {done > 0 && t('security.signedOutOthers', { count: done })}
        </div>
        <div className="modal-actions">
          <button type="button" className="primary" onClick={() => vm.close()}>
            {t('common.done')}
          </button>
        </div>
      </div>
    );
  }
  return (
    <Panel
      testId="password-panel"
      onSubmit={() => {
        setMismatch(next !== confirm);
        if (next === confirm) void vm.changePassword(current, next, others);
      }}
    >
      <label className="field">
        <span>{t('security.currentPassword')}</span>
        <input name="current_password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required autoFocus />
      </label>
      <label className="field">
        <span>{t('security.newPassword')}</span>
        <input name="new_password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
      </label>
      <label className="field">
        <span>{t('security.confirmPassword')}</span>
        <input name="confirm_password" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
      </label>
      <label className="check">
        <input type="checkbox" name="sign_out_others" checked={others} onChange={(e) => setOthers(e.target.checked)} />
        <span>{t('security.signOutOthers')}</span>
      </label>
      {mismatch && <div className="form-error" role="alert">{t('security.mismatch')}</div>}
      <Error s={s} t={t} />
      <Actions vm={vm} s={s} t={t} submit={t('security.changePassword')} />
    </Panel>
  );
}

function BindPanel({ vm, s, t, channel, sentTo }: PanelProps & { channel: CodeChannel; sentTo: string | null }) {
  const [destination, setDestination] = useState('');
  const [code, setCode] = useState('');
  return (
    <Panel testId="bind-panel" onSubmit={() => void (sentTo ? vm.verifyBinding(code) : vm.bind(destination))}>
      <label className="field">
        <span>{channel === 'email' ? t('security.newEmail') : t('security.newPhone')}</span>
        <input name="destination" type={channel === 'email' ? 'email' : 'tel'} value={destination} onChange={(e) => setDestination(e.target.value)} required disabled={sentTo !== null} autoFocus />
      </label>
      {sentTo && (
        <>
          <p className="field-hint" data-testid="code-sent">{t('signIn.codeSentTo', { destination: sentTo })}</p>
          <label className="field">
            <span>{t('signIn.code')}</span>
            <input name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required maxLength={12} autoFocus />
          </label>
        </>
      )}
      <Error s={s} t={t} />
      <Actions vm={vm} s={s} t={t} submit={sentTo ? t('signIn.verify') : t('signIn.sendCode')} />
    </Panel>
  );
}

function PasswordConfirm({ vm, s, t, hint, submit, onSubmit }: PanelProps & { hint: string; submit: string; onSubmit(password: string): void }) {
  const [password, setPassword] = useState('');
  return (
    <Panel testId="password-confirm" onSubmit={() => onSubmit(password)}>
      <p className="step-hint">{hint}</p>
      <label className="field">
        <span>{t('security.currentPassword')}</span>
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus />
      </label>
      <Error s={s} t={t} />
      <Actions vm={vm} s={s} t={t} submit={submit} />
    </Panel>
  );
}

function CodeConfirm({ vm, s, t, hint, submit, onSubmit }: PanelProps & { hint: string; submit: string; onSubmit(code: string): void }) {
  const [code, setCode] = useState('');
  return (
    <Panel testId="code-confirm" onSubmit={() => onSubmit(code)}>
      <p className="step-hint">{hint}</p>
      <label className="field">
        <span>{t('signIn.code')}</span>
        <input name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required maxLength={12} autoFocus />
      </label>
      <Error s={s} t={t} />
      <Actions vm={vm} s={s} t={t} submit={submit} />
    </Panel>
  );
}

function TotpSetup({ vm, s, t }: PanelProps) {
  const [code, setCode] = useState('');
  if (s.panel?.kind !== 'totpSetup') return null;
  const { enrolment, qrImage } = s.panel;
  return (
    <Panel testId="totp-setup" onSubmit={() => void vm.confirmTotp(code)}>
      <p className="step-hint">{t('security.totpScan')}</p>
      <div className="totp-setup">
        <img className="totp-qr" src={qrImage} alt={t('security.totpQrAlt')} width={180} height={180} data-testid="totp-qr" />
        <div className="totp-secret">
          <span className="settings-note">{t('security.totpManual')}</span>
          <code data-testid="totp-secret">{enrolment.secret}</code>
        </div>
      </div>
      <label className="field">
        <span>{t('security.totpCode')}</span>
        <input name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required maxLength={6} />
      </label>
      <Error s={s} t={t} />
      <Actions vm={vm} s={s} t={t} submit={t('security.totpConfirm')} />
    </Panel>
  );
}

function RecoveryCodes({ vm, codes, t }: { vm: SecurityViewModel; codes: string[]; t: Translate }) {
  const [copied, setCopied] = useState(false);
  const text = vm.recoveryCodesText();
  const download = useMemo(() => URL.createObjectURL(new Blob([text], { type: 'text/plain' })), [text]);
  useEffect(() => () => URL.revokeObjectURL(download), [download]);
  return (
    <div className="security-panel" data-testid="recovery-codes">
      <div className="notice-banner" role="status">{t('security.recoveryOnce')}</div>
      <ol className="recovery-codes">
        {codes.map((code) => (
          <li key={code} data-testid="recovery-code">
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="modal-actions">
        <button
          type="button"
          className="secondary"
          onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))}
          data-testid="recovery-copy"
        >
          {copied ? t('security.copied') : t('security.copy')}
        </button>
        <a className="button secondary" href={download} download="tidings-recovery-codes.txt" data-testid="recovery-download">
          {t('security.download')}
        </a>
        <button type="button" className="primary" onClick={() => vm.close()} data-testid="recovery-done">
          {t('security.savedThem')}
        </button>
      </div>
    </div>
  );
}

function DeviceRow({ device, t }: { device: KnownDevice; t: Translate }) {
  return (
    <div className="settings-row device-row" data-testid="known-device">
      <span className="settings-label">
        {device.device_name || device.platform}
        {device.device_name && <span className="settings-note"> · {device.platform}</span>}
      </span>
      <span className="settings-value">
        {t('security.lastUsed', { when: dateTime(device.last_used_at < 1e12 ? device.last_used_at * 1000 : device.last_used_at, document.documentElement.lang || 'en') })}
        {device.last_ip ? ` · ${device.last_ip}` : ''}
      </span>
    </div>
  );
}
