import { useEffect, useMemo, type ReactNode } from 'react';
import type { KeyValueStore } from '../lib/storage';
import type { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import type { SessionViewModel } from '../viewmodels/SessionViewModel';
import { useOptionalViewModel, useViewModel } from '../viewmodels/useViewModel';
import { SiteContext, type SiteSettingsViewModel } from '../viewmodels/SiteSettingsViewModel';
import { WorkspaceViewModel, type WorkspaceEnvironment } from '../viewmodels/WorkspaceViewModel';
import type { ImageWindowTarget } from '../lib/windows';
import { ChatWindow } from './ChatWindow';
import { ImageWindow, SignInView } from './screens';
import { LogoMark } from './Icons';
import { Workspace } from './Workspace';
import { UpdatePrompt } from './UpdatePrompt';
import type { AppUpdateViewModel } from '../viewmodels/AppUpdateViewModel';

const FONT_PX = { small: 13, medium: 14, large: 16, xlarge: 18 } as const;

interface AppProps {
  session: SessionViewModel;
  /** The site settings (brand, modules): given to every view through SiteContext. */
  site?: SiteSettingsViewModel | null;
  preferences: PreferencesViewModel;
  store: KeyValueStore;
  /** The conversation of a popped-out window, or null in the main window. */
  popout: number | null;
  /** The image of the image viewer's own window, or null in any other window. */
  imageWindow?: ImageWindowTarget | null;
  environment: WorkspaceEnvironment;
  /** "A new version is ready — Reload" (the main window, where a service worker runs). */
  updates?: AppUpdateViewModel | null;
}

/** Opened at an invite link: the sign-in screen says why (the workspace offers it afterwards). */
const openedAtInvite = (environment: WorkspaceEnvironment) => (environment.invite?.() ?? null) !== null;

export function App(props: AppProps) {
  const { updates = null, preferences, site = null } = props;
  const t = useViewModel(preferences).t;
  return (
    <SiteProvider site={site}>
      <AppScreens {...props} />
      {updates && <UpdatePrompt vm={updates} t={t} />}
    </SiteProvider>
  );
}

function SiteProvider({ site, children }: { site: SiteSettingsViewModel | null; children: ReactNode }) {
  const snapshot = useOptionalViewModel(site);
  return <SiteContext.Provider value={snapshot?.settings ?? null}>{children}</SiteContext.Provider>;
}

function AppScreens({ session, site = null, preferences, store, popout, imageWindow = null, environment }: AppProps) {
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
  // Signed in: the site settings' pushes reach this window too (a change applies without a reload).
  useEffect(() => (client && site ? site.attach(client) : undefined), [client, site]);
  const workspace = useMemo(
    () => (client && !imageWindow ? new WorkspaceViewModel(client, preferences, store, popout, environment) : null),
    [client, preferences, store, popout, environment, imageWindow],
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
  if (client && imageWindow) return <ImageWindow client={client} preferences={preferences} target={imageWindow} images={environment.images ?? null} t={prefs.t} />;
  if (state.screen === 'signIn' || !workspace) {
    return state.screen === 'signIn' ? <SignInView vm={session} state={state} t={prefs.t} inviting={openedAtInvite(environment)} /> : null;
  }
  if (popout !== null) return <ChatWindow workspace={workspace} t={prefs.t} sendKey={prefs.sendKey} />;
  return <Workspace workspace={workspace} t={prefs.t} sendKey={prefs.sendKey} session={session} onSignOut={() => void session.signOut()} />;
}
