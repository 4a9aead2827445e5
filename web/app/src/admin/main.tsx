/** The admin console at /admin (issue 13): a page of its own, sharing no initial code with the chat app. */
import { StrictMode, useCallback, useEffect, useState } from 'react';
import { fetchSiteSettings } from '@tidings/sdk';
import { createRoot } from 'react-dom/client';
import { applyBrandColour } from '../lib/brand';
import { Console, type Theme } from './Console';
import type { Lang } from './pages';
import { existingSession, signOut, type SignedIn } from './session';
import { SignIn } from './SignIn';
import './admin.css';

const LANG = 'tidings.admin.lang';
const THEME = 'tidings.admin.theme';

function storedLang(): Lang {
  const saved = localStorage.getItem(LANG);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

function storedTheme(): Theme {
  const saved = localStorage.getItem(THEME);
  return saved === 'light' || saved === 'dark' ? saved : 'system';
}

function App() {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const [theme, setThemeState] = useState<Theme>(storedTheme);
  const [state, setState] = useState<{ kind: 'loading' } | { kind: 'signIn'; notice: string | null } | { kind: 'in'; signedIn: SignedIn }>({ kind: 'loading' });
  const t = (en: string, zh: string) => (lang === 'zh' ? zh : en);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    void existingSession().then((found) =>
      setState(
        found?.me.role
          ? { kind: 'in', signedIn: found }
          : { kind: 'signIn', notice: found ? t('This account is not a server administrator.', '该账号不是服务器管理员。') : null },
      ),
    );
    // Once, at start.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const ended = useCallback(() => setState({ kind: 'signIn', notice: lang === 'zh' ? '会话已结束，请重新登录。' : 'Your session ended: sign in again.' }), [lang]);
  const setLang = (value: Lang) => {
    localStorage.setItem(LANG, value);
    setLangState(value);
  };
  const setTheme = (value: Theme) => {
    if (value === 'system') localStorage.removeItem(THEME);
    else localStorage.setItem(THEME, value);
    setThemeState(value);
  };

  if (state.kind === 'loading') return <div className="adm-loading">…</div>;
  if (state.kind === 'signIn') return <SignIn lang={lang} notice={state.notice} onSignedIn={(signedIn) => setState({ kind: 'in', signedIn })} />;
  return (
    <Console
      signedIn={state.signedIn}
      lang={lang}
      setLang={setLang}
      theme={theme}
      setTheme={setTheme}
      onSessionEnded={ended}
      onSignOut={() => {
        void signOut(state.signedIn).then(() => setState({ kind: 'signIn', notice: null }));
      }}
    />
  );
}

// The console wears the company's brand colour too (read once; a change shows on reload).
void fetchSiteSettings(window.location.origin)
  .then((snapshot) => applyBrandColour(snapshot.settings.branding.brand_colour || null, document.documentElement))
  .catch(() => undefined);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
