/**
 * The console's frame: the menu of the pages the admin's powers allow, a header (language,
 * theme, who is signed in, back to the chat), and the page chosen by the URL's hash
 * (`/admin#/users`), loaded when first opened.
 */
import { lazy, Suspense, useEffect, useMemo, useState, type ComponentType, type LazyExoticComponent } from 'react';
import { AdminApi } from './AdminApi';
import { PAGES, type Lang, type PageDef, type PageProps } from './pages';
import { roleName } from './roles';
import type { SignedIn } from './session';
import { ToastHost } from './ui';

export type Theme = 'light' | 'dark' | 'system';

const loaded = new Map<string, LazyExoticComponent<ComponentType<PageProps>>>();
function pageComponent(page: PageDef): LazyExoticComponent<ComponentType<PageProps>> {
  let found = loaded.get(page.id);
  if (!found) loaded.set(page.id, (found = lazy(page.load)));
  return found;
}

function currentHash(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

export function Console({
  signedIn,
  lang,
  setLang,
  theme,
  setTheme,
  onSignOut,
  onSessionEnded,
}: {
  signedIn: SignedIn;
  lang: Lang;
  setLang: (lang: Lang) => void;
  theme: Theme;
  setTheme: (theme: Theme) => void;
  onSignOut: () => void;
  onSessionEnded: () => void;
}) {
  const t = (en: string, zh: string) => (lang === 'zh' ? zh : en);
  const powers = useMemo(() => new Set(signedIn.me.powers), [signedIn]);
  const api = useMemo(() => new AdminApi(signedIn.account.token, onSessionEnded), [signedIn, onSessionEnded]);
  const pages = PAGES.filter((p) => p.power === null || powers.has(p.power));
  const [hash, setHash] = useState(currentHash);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    const onHash = () => {
      setHash(currentHash());
      setMenuOpen(false);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const page = pages.find((p) => p.id === hash) ?? pages.find((p) => p.id === 'dashboard') ?? pages[0];
  useEffect(() => {
    document.title = `${page ? page.title[lang] + ' · ' : ''}${t('Tidings Admin', 'Tidings 管理后台')}`;
  });
  const Page = page ? pageComponent(page) : null;
  const role = signedIn.me.role ?? '';

  return (
    <ToastHost>
      <div className={`adm-shell${menuOpen ? ' menu-open' : ''}`}>
        <nav className="adm-nav" aria-label={t('Console', '管理后台')}>
          <div className="adm-brand">
            <span className="adm-brand-mark" aria-hidden="true">
              T
            </span>
            <span>{t('Tidings Admin', 'Tidings 管理后台')}</span>
          </div>
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} className={p === page ? 'active' : undefined} aria-current={p === page ? 'page' : undefined}>
                  <span className="adm-nav-icon" aria-hidden="true">
                    {p.icon}
                  </span>
                  {p.title[lang]}
                </a>
              </li>
            ))}
          </ul>
          <a className="adm-nav-back" href="/">
            ← {t('Back to chat', '返回聊天')}
          </a>
        </nav>
        <div className="adm-main">
          <header className="adm-header">
            <button type="button" className="adm-icon-button adm-menu-button" aria-label={t('Menu', '菜单')} onClick={() => setMenuOpen(!menuOpen)}>
              ☰
            </button>
            <h1>{page?.title[lang]}</h1>
            <div className="adm-header-tools">
              <select aria-label={t('Language', '语言')} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
                <option value="zh">中文</option>
                <option value="en">English</option>
              </select>
              <select aria-label={t('Theme', '主题')} value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
                <option value="system">{t('System theme', '跟随系统')}</option>
                <option value="light">{t('Light', '浅色')}</option>
                <option value="dark">{t('Dark', '深色')}</option>
              </select>
              <span className="adm-who" title={signedIn.account.user.account}>
                {signedIn.account.user.nickname}
                <small>{roleName(role, lang)}</small>
              </span>
              <button type="button" className="adm-button" onClick={onSignOut}>
                {t('Sign out', '退出')}
              </button>
            </div>
          </header>
          <main className="adm-page">
            {Page ? (
              <Suspense fallback={<div className="adm-loading">{t('Loading…', '加载中…')}</div>}>
                <Page key={page!.id} api={api} lang={lang} t={t} powers={powers} role={role} />
              </Suspense>
            ) : (
              <p>{t('Nothing here for your role.', '你的角色在此没有可用的页面。')}</p>
            )}
          </main>
        </div>
      </div>
    </ToastHost>
  );
}
