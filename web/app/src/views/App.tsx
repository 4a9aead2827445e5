import { useEffect, useMemo } from 'react';
import type { KeyValueStore } from '../lib/storage';
import type { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import type { SessionViewModel } from '../viewmodels/SessionViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { WorkspaceViewModel, type WorkspaceEnvironment } from '../viewmodels/WorkspaceViewModel';
import { ChatWindow } from './ChatWindow';
import { LogoMark } from './Icons';
import { SignInView } from './SignInView';
import { Workspace } from './Workspace';

const FONT_PX = { small: 13, medium: 14, large: 16, xlarge: 18 } as const;

interface AppProps {
  session: SessionViewModel;
  preferences: PreferencesViewModel;
  store: KeyValueStore;
  /** The conversation of a popped-out window, or null in the main window. */
  popout: number | null;
  environment: WorkspaceEnvironment;
}

export function App({ session, preferences, store, popout, environment }: AppProps) {
  const state = useViewModel(session);
  const prefs = useViewModel(preferences);

  // Preferences apply to the whole document at once: no reload.
  useEffect(() => {
    const root = document.documentElement;
    root.lang = prefs.locale;
    root.dataset.theme = prefs.theme;
    root.dataset.wallpaper = prefs.wallpaper;
    root.style.setProperty('--font-size', `${FONT_PX[prefs.fontSize]}px`);
    document.querySelector('meta[name="theme-color"]')?.setAttribute('content', prefs.theme === 'dark' ? '#111827' : '#2563eb');
  }, [prefs.locale, prefs.theme, prefs.wallpaper, prefs.fontSize]);

  const client = state.screen === 'main' ? state.client : null;
  const workspace = useMemo(
    () => (client ? new WorkspaceViewModel(client, preferences, store, popout, environment) : null),
    [client, preferences, store, popout, environment],
  );
  useEffect(() => () => workspace?.dispose(), [workspace]);

  if (state.screen === 'restoring') {
    return (
      <main className="splash" data-testid="splash">
        <LogoMark size={56} />
        <p>{prefs.t('signIn.restoring')}</p>
      </main>
    );
  }
  if (state.screen === 'signIn' || !workspace) {
    return state.screen === 'signIn' ? <SignInView vm={session} state={state} t={prefs.t} /> : null;
  }
  if (popout !== null) return <ChatWindow workspace={workspace} t={prefs.t} sendKey={prefs.sendKey} />;
  return <Workspace workspace={workspace} t={prefs.t} sendKey={prefs.sendKey} onSignOut={() => void session.signOut()} />;
}
