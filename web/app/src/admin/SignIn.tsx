/** The console's sign-in: the same accounts as the chat app; only server admins go on. */
import { useState } from 'react';
import type { Lang } from './pages';
import { signIn, type SignedIn } from './session';

export function SignIn({ lang, notice, onSignedIn }: { lang: Lang; notice: string | null; onSignedIn: (s: SignedIn) => void }) {
  const t = (en: string, zh: string) => (lang === 'zh' ? zh : en);
  const [account, setAccount] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(notice);

  const messages: Record<string, string> = {
    invalid_credentials: t('Wrong account or password.', '账号或密码错误。'),
    account_disabled: t('This account is frozen.', '该账号已被冻结。'),
    rate_limited: t('Too many attempts: try again later.', '尝试次数过多，请稍后再试。'),
    second_step: t('This sign-in needs a second step: sign in in the chat app, then come back.', '此次登录需要第二步验证：请先在聊天应用中登录，再回到这里。'),
    password_change_required: t('Change your one-time password in the chat app first.', '请先在聊天应用中修改一次性密码。'),
  };

  return (
    <div className="adm-signin">
      <form
        className="adm-signin-card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          const result = await signIn(account.trim(), password).catch(() => ({ kind: 'error' as const, code: 'network_error', message: '' }));
          setBusy(false);
          if (result.kind === 'error') {
            setError(messages[result.code] ?? (result.message || result.code));
          } else if (!result.signedIn.me.role) {
            setError(t('This account is not a server administrator.', '该账号不是服务器管理员。'));
          } else {
            onSignedIn(result.signedIn);
          }
        }}
      >
        <h1>{t('Tidings Admin', 'Tidings 管理后台')}</h1>
        <label className="adm-field">
          <span className="adm-field-label">{t('Account', '账号')}</span>
          <input name="account" autoComplete="username" value={account} onChange={(e) => setAccount(e.target.value)} required />
        </label>
        <label className="adm-field">
          <span className="adm-field-label">{t('Password', '密码')}</span>
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && (
          <p className="adm-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="adm-button primary" disabled={busy}>
          {busy ? '…' : t('Sign in', '登录')}
        </button>
        <a href="/">{t('Back to chat', '返回聊天')}</a>
      </form>
    </div>
  );
}
