/**
 * The composer's screenshot button (PRODUCT.md I6) with its options (a screen, window or tab;
 * this tab; hide Tidings while capturing), the `tidings:shortcut` screenshot action (the key
 * is bound in lib/shortcuts.ts), the countdown for a whole screen, and the image editor
 * (loaded on demand) that sends into this chat or saves.
 */
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import type { Translate } from '../i18n/i18n';
import { browserScreenCapturer } from '../lib/screenCapture';
import { SCREENSHOT_ACTION } from '../lib/screenshotAction';
import { webStore } from '../lib/storage';
import { HIDE_SECONDS, ScreenshotViewModel, type PictureTarget } from '../viewmodels/ScreenshotViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { ScissorsIcon } from './ComposeIcons';
import './screenshot.css';

const ImageEditorDialog = lazy(() => import('./ImageEditorDialog'));
const loadEditor = () => void import('./ImageEditorDialog');


const CaretIcon = () => (
  <svg width={12} height={12} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
    <path d="m6 9 6 6 6-6" />
  </svg>
);

export function ScreenshotButton({ target, t }: { target: PictureTarget; t: Translate }) {
  const translate = useRef(t);
  translate.current = t;
  const vm = useMemo(() => new ScreenshotViewModel(browserScreenCapturer(), webStore(() => window.localStorage), target, () => translate.current), [target]);
  useEffect(() => () => vm.dispose(), [vm]);
  const state = useViewModel(vm);
  const [menuOpen, setMenuOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);

  const start = (surface: 'any' | 'this-tab') => {
    setMenuOpen(false);
    // The editor's code comes while the user picks what to capture.
    loadEditor();
    void vm.capture(surface);
  };

  useEffect(() => {
    const onShortcut = (event: Event) => {
      const detail = (event as CustomEvent<{ action?: string }>).detail;
      if (detail?.action !== SCREENSHOT_ACTION) return;
      loadEditor();
      void vm.capture('any');
    };
    window.addEventListener('tidings:shortcut', onShortcut);
    return () => window.removeEventListener('tidings:shortcut', onShortcut);
  }, [vm]);

  useEffect(() => {
    if (!menuOpen) return;
    const onDown = (event: MouseEvent) => {
      if (menu.current && !menu.current.contains(event.target as Node)) setMenuOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setMenuOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [menuOpen]);

  useEffect(() => {
    if (!state.notice) return;
    const timer = setTimeout(() => vm.dismissNotice(), 4000);
    return () => clearTimeout(timer);
  }, [vm, state.notice]);

  const busy = state.phase !== 'idle';
  return (
    <>
      {state.supported && (
        <span className="screenshot-tool" ref={menu}>
          <button className="icon-button" onClick={() => start('any')} disabled={busy} aria-label={t('screenshot.take')} title={t('screenshot.take')} data-testid="screenshot-button">
            <ScissorsIcon />
          </button>
          <button
            className={`icon-button screenshot-caret${menuOpen ? ' active' : ''}`}
            onClick={() => setMenuOpen((open) => !open)}
            aria-label={t('screenshot.options')}
            title={t('screenshot.options')}
            aria-expanded={menuOpen}
            data-testid="screenshot-options"
          >
            <CaretIcon />
          </button>
          {menuOpen && (
            <div className="screenshot-menu" role="menu" data-testid="screenshot-menu">
              <button role="menuitem" onClick={() => start('any')} data-testid="screenshot-pick">{t('screenshot.pick')}</button>
              <button role="menuitem" onClick={() => start('this-tab')} data-testid="screenshot-this-tab">{t('screenshot.thisTab')}</button>
              <label className="screenshot-hide">
                <input type="checkbox" checked={state.hideApp} onChange={(e) => vm.setHideApp(e.target.checked)} data-testid="screenshot-hide-app" />
                <span>
                  {t('screenshot.hideApp')}
                  <small>{t('screenshot.hideAppHint', { seconds: HIDE_SECONDS })}</small>
                </span>
              </label>
            </div>
          )}
        </span>
      )}
      {state.notice && (
        <div className="screenshot-notice" role="status" data-testid="screenshot-notice">
          {state.notice}
        </div>
      )}
      {state.phase === 'countdown' && (
        <div className="screenshot-countdown" role="status" data-testid="screenshot-countdown">
          <strong>{t('screenshot.countdown', { seconds: state.seconds })}</strong>
          <span>{t('screenshot.countdownHint')}</span>
          <button onClick={() => vm.cancel()}>{t('common.cancel')}</button>
        </div>
      )}
      {state.phase === 'editing' && state.frame && (
        <Suspense fallback={null}>
          <ImageEditorDialog
            t={t}
            picture={state.frame}
            title={t('screenshot.title')}
            saveName={vm.fileName()}
            canSend={vm.canSend}
            onSend={(picture) => vm.send(picture)}
            onClose={() => vm.cancel()}
          />
        </Suspense>
      )}
    </>
  );
}
