/**
 * The Workbench tab (工作台, J6, decision 0069): the organization's apps as icons; one opens
 * in a sandboxed frame, and its bridge calls are answered only when they come from that
 * frame's window at the app's origin.
 */
import { useEffect, useRef } from 'react';
import type { Translate } from '../i18n/i18n';
import { frameOrigin, parseBridgeCall, sandboxFor } from '../lib/workbenchBridge';
import type { WorkbenchApp, WorkbenchViewModel } from '../viewmodels/WorkbenchViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { BackIcon } from './Icons';
import './workbench.css';

export function WorkbenchView({ vm, t }: { vm: WorkbenchViewModel; t: Translate }) {
  const state = useViewModel(vm);
  if (state.open) return <WorkbenchFrame key={state.open.id} app={state.open} vm={vm} t={t} />;
  return (
    <section className="workbench" data-testid="workbench" aria-label={t('workbench.title')}>
      <header className="workbench-header">
        <h2>{t('workbench.title')}</h2>
      </header>
      {state.error && <p className="workbench-empty error" role="alert">{t('workbench.loadFailed')}</p>}
      {!state.loading && !state.error && state.apps.length === 0 && <p className="workbench-empty muted" data-testid="workbench-empty">{t('workbench.empty')}</p>}
      <ul className="workbench-apps">
        {state.apps.map((app) => (
          <li key={app.id}>
            <button className="workbench-app" onClick={() => vm.openApp(app.id)} title={app.description || app.name} data-testid="workbench-app" data-app-id={app.id}>
              <AppIcon app={app} />
              <span className="workbench-app-name">{app.name}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function AppIcon({ app }: { app: WorkbenchApp }) {
  // The icon's origin is the app's, which the CSP allows (the server checks it is).
  if (app.icon_url) return <img className="workbench-icon" src={app.icon_url} alt="" referrerPolicy="no-referrer" draggable={false} />;
  const hue = (app.id * 67) % 360;
  return (
    <span className="workbench-icon workbench-icon-letter" style={{ background: `hsl(${hue} 55% 48%)` }} aria-hidden="true">
      {[...app.name][0]?.toUpperCase()}
    </span>
  );
}

function WorkbenchFrame({ app, vm, t }: { app: WorkbenchApp; vm: WorkbenchViewModel; t: Translate }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const own = window.location.origin;
  const expected = frameOrigin(app.origin, own);
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const target = frame.current?.contentWindow;
      if (!target || event.source !== target || event.origin !== expected) return;
      const call = parseBridgeCall(event.data);
      if (!call) return;
      void vm.answer(call).then((reply) => {
        // An opaque origin cannot be named: "*" then, but only to this frame's window.
        target.postMessage(reply, expected === 'null' ? '*' : expected);
      });
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [vm, expected]);
  return (
    <section className="workbench workbench-open" data-testid="workbench-open" aria-label={app.name}>
      <header className="workbench-header">
        <button className="icon-button" onClick={() => vm.closeApp()} aria-label={t('workbench.back')} title={t('workbench.back')} data-testid="workbench-back">
          <BackIcon />
        </button>
        <h2>{app.name}</h2>
      </header>
      <iframe
        ref={frame}
        className="workbench-frame"
        src={app.url}
        title={app.name}
        sandbox={sandboxFor(app.origin, own)}
        referrerPolicy="no-referrer"
        allow=""
        data-testid="workbench-frame"
      />
    </section>
  );
}
