import { brandingImageUrl } from '@tidings/sdk';
import { lazy, Suspense, useCallback, useContext, useEffect, type ReactElement } from 'react';
import { SiteContext, useButton } from '../viewmodels/SiteSettingsViewModel';
import type { Translate } from '../i18n/i18n';
import type { SendKey } from '../viewmodels/PreferencesViewModel';
import { useOptionalViewModel, useViewModel } from '../viewmodels/useViewModel';
import { MessageToasts, SystemNotificationOffer } from './Toasts';
import { useDocumentTitle } from './useDocumentTitle';
import type { Section, WorkspaceSnapshot, WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { Avatar } from './Avatar';
import { ChatView } from './ChatView';
import { ConversationList } from './ConversationList';
import { forwardDoneText, type ForwardPurpose } from '../viewmodels/forwardDone';
import { AppLockOverlay, CallWindow, ContactsView, GroupCallWindow, FavoritesPage, LockedChat, MessageResults, ServiceDesk, SettingsView, WorkbenchView, WorkspaceDialogs } from './screens';
import { ChatIcon, ContactsIcon, HeadsetIcon, LogoMark, SettingsIcon, WorkbenchIcon } from './Icons';

import { StarIcon } from './ChatRecord';
import { AccountMenu } from './Accounts';
import { useShortcuts } from './useShortcuts';
import { usePushOpen } from './usePushOpen';
// Me, privacy and the password lock (h/me)
import { AvatarContext } from './AvatarContext';
import { useMeModels } from './useMeModels';
import './me-shell.css';
import { MeIcon } from './Icons';
import type { SessionViewModel } from '../viewmodels/SessionViewModel';

// The Me page is opened now and then: it loads on demand, outside the first download (h/me).
const MeView = lazy(() => import('./MeView').then((m) => ({ default: m.MeView })));

interface Props {
  workspace: WorkspaceViewModel;
  t: Translate;
  sendKey: SendKey;
  /** The accounts on this device: the rail's avatar switches between them. */
  session: SessionViewModel;
  onSignOut(): void;
}

export function Workspace({ workspace, t, sendKey, session, onSignOut }: Props) {
  const state = useViewModel(workspace);
  useShortcuts(workspace);
  usePushOpen(workspace);
  const meModels = useMeModels(workspace);
  const lockState = useViewModel(meModels.lock);
  useEffect(() => meModels.lock.chatChosen(state.selectedId), [meModels, state.selectedId]);
  // Leaving the Me page closes its sub-page and forgets the lock settings' proof.
  useEffect(() => {
    if (state.section === 'me') return;
    meModels.lock.stopManaging();
  }, [meModels, state.section]);
  useEffect(() => {
    workspace.notifications?.hideTextOf((id) => meModels.lock.covers(id) || meModels.lock.getSnapshot().appLocked);
    return () => workspace.notifications?.hideTextOf(null);
  }, [workspace, meModels]);
  const sessionState = useViewModel(session);
  const otherUnread = sessionState.screen === 'restoring' ? 0 : sessionState.accounts.reduce((sum, a) => sum + (a.active ? 0 : a.unread), 0);

  useEffect(() => {
    const offline = () => workspace.setNetworkDown(true);
    const online = () => workspace.setNetworkDown(false);
    const visible = () => {
      if (document.visibilityState === 'visible') workspace.client.reconnectNow();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    // Started without a network (from the service worker's cache): no event will say so.
    if (!navigator.onLine) offline();
    document.addEventListener('visibilitychange', visible);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
    };
  }, [workspace]);

  // The tab title carries the unread count, like desktop chat apps' taskbar badge, and
  // flashes while a message waits in the background.
  const alerts = workspace.notifications;
  const flash = useOptionalViewModel(alerts)?.flash ?? null;
  useDocumentTitle(state.totalUnread > 0 ? `(${state.totalUnread}) ${t('app.name')}` : t('app.name'), flash);

  const flashText = state.flash;
  useEffect(() => {
    if (!flashText) return;
    const timer = setTimeout(() => workspace.showFlash(null), 2500);
    return () => clearTimeout(timer);
  }, [workspace, flashText]);

  const onForwardDone = useCallback(
    (count: number, purpose: ForwardPurpose) => {
      workspace.closeDialog();
      workspace.showFlash(forwardDoneText(t, count, purpose));
    },
    [workspace, t],
  );
  const closeDialog = useCallback(() => workspace.closeDialog(), [workspace]);

  const banner = connectionBanner(state, t);
  // A locked chat opens here, behind its prompt, never in a window of its own (h/me).
  const popOut = useCallback((id: number) => (meModels.lock.covers(id) ? workspace.select(id) : workspace.popOut(id)), [workspace, meModels]);

  const favoritesShown = useButton('me_favorites', 'favorites');
  const brand = useContext(SiteContext)?.branding;
  const brandLogo = brand ? brandingImageUrl(brand.logo) : null;
  const rail: { section: Section; label: string; icon: ReactElement }[] = [
    { section: 'chats', label: t('rail.chats'), icon: <ChatIcon /> },
    { section: 'contacts', label: t('rail.contacts'), icon: <ContactsIcon /> },
    { section: 'workbench', label: t('rail.workbench'), icon: <WorkbenchIcon /> },
    ...(favoritesShown ? [{ section: 'favorites' as const, label: t('rail.favorites'), icon: <StarIcon /> }] : []),
    { section: 'settings', label: t('rail.settings'), icon: <SettingsIcon /> },
  ];
  // The phone's "Me" tab (h/me); on a desktop the avatar's menu opens the page.
  rail.splice(3, 0, { section: 'me', label: t('rail.me'), icon: <MeIcon /> });
  // Customer service (decision 0066): only for agents.
  const desk = workspace.serviceDesk();
  const deskState = useViewModel(desk);
  if (deskState.isAgent) rail.splice(1, 0, { section: 'service', label: t('rail.service'), icon: <HeadsetIcon /> });

  const callDock = useOptionalViewModel(workspace.calls);
  const callVm = callDock?.vm ?? null;
  const groupCallVm = callDock?.group ?? null;
  const chatOpen = state.section === 'chats' && (state.chat !== null || state.messageResults !== null);
  const workbench = state.section === 'workbench' ? state.workbench : null;
  const appOpen = useOptionalViewModel(workbench)?.open != null;

  return (
    <AvatarContext.Provider value={meModels.avatars}>
    <div className={`workspace${chatOpen ? ' chat-open' : ''}${appOpen ? ' app-open' : ''}`} data-testid="workspace" data-connection={state.connection}>
      <nav className="rail" aria-label="Tidings">
        <div className="rail-logo">{brandLogo ? <img src={brandLogo} alt="" className="rail-brand-logo" data-testid="rail-brand-logo" /> : <LogoMark size={34} />}</div>
        {state.user && (
          <AccountMenu session={session} t={t} otherUnread={otherUnread} onOpenMe={() => workspace.showSection('me')}>
            <Avatar id={state.user.id} name={state.user.nickname} size={36} user />
          </AccountMenu>
        )}
        {rail.map((item) => (
          <button
            key={item.section}
            className={`rail-button${state.section === item.section ? ' active' : ''}${item.section === 'me' ? ' rail-button-me' : ''}`}
            onClick={() => workspace.showSection(item.section)}
            title={item.label}
            aria-label={item.label}
            aria-current={state.section === item.section}
            data-testid={`rail-${item.section}`}
          >
            {item.icon}
            <span className="rail-label">{item.label}</span>
            {item.section === 'chats' && state.totalUnread > 0 && <span className="badge rail-badge">{state.totalUnread > 99 ? '99+' : state.totalUnread}</span>}
            {item.section === 'service' && deskState.waiting.length > 0 && <span className="badge rail-badge" data-testid="service-badge">{deskState.waiting.length}</span>}
            {item.section === 'contacts' && state.pendingFriends > 0 && <span className="badge rail-badge" data-testid="contacts-badge">{state.pendingFriends}</span>}
          </button>
        ))}
      </nav>
      <div className="workspace-body">
        {banner && <div className="connection-banner" role="status" data-testid="connection-banner">{banner}</div>}
        {alerts && <SystemNotificationOffer vm={alerts} t={t} />}
        <div className="panes">
          {state.section === 'chats' && (
            <>
              <ConversationList
                vm={workspace.list}
                t={t}
                onOpen={(id) => workspace.select(id)}
                onPopOut={popOut}
                onNewChat={() => void workspace.openNewChat()}
                lock={lockState.lock}
                onLockChat={(id, locked) => void meModels.lock.setChatLocked(id, locked)}
                search={{ vm: state.search, onQuery: (q) => void workspace.searchFor(q), onOpen: (target) => void workspace.openSearchTarget(target) }}
                liveCalls={callDock?.live}
              />
              {state.chat && meModels.lock.isLocked(state.chat.conversationId) ? (
                <LockedChat vm={meModels.lock} t={t} conversationId={state.chat.conversationId} title={workspace.client.conversation(state.chat.conversationId)?.name ?? ''} onBack={() => workspace.select(null)} />
              ) : state.chat ? (
                <ChatView
                  key={state.chat.conversationId}
                  vm={state.chat}
                  workspace={workspace}
                  t={t}
                  sendKey={sendKey}
                  onBack={() => workspace.select(null)}
                  onForward={(seq) => state.selectedId !== null && void workspace.openForward(state.selectedId, seq)}
                  onPopOut={popOut}
                />
              ) : state.messageResults ? (
                <MessageResults
                  vm={state.messageResults}
                  t={t}
                  onOpen={(item) => void workspace.openMessage(item.conversationId, item.seq, state.messageResults?.getSnapshot().query ?? '')}
                  onClose={() => workspace.closeMessageResults()}
                />
              ) : (
                <section className="chat-pane empty-chat">
                  <LogoMark size={64} />
                  <p>{t('chat.placeholder')}</p>
                </section>
              )}
            </>
          )}
          {state.section === 'contacts' && (state.contacts ? <ContactsView vm={state.contacts} workspace={workspace} t={t} /> : <section className="screen-loading" aria-busy="true" />)}
          {state.section === 'service' && <ServiceDesk vm={desk} t={t} />}
          {workbench && <WorkbenchView vm={workbench} t={t} />}
          {state.section === 'favorites' && (state.favorites ? <FavoritesPage vm={state.favorites} workspace={workspace} t={t} /> : <section className="screen-loading" aria-busy="true" />)}
          {state.section === 'me' && (
            <Suspense fallback={<section className="settings-pane" />}>
            <MeView
              lock={meModels.lock}
              client={workspace.client}
              t={t}
              locale={workspace.preferences.getSnapshot().locale}
              chats={() => workspace.list.getSnapshot().items.filter((i) => i.type !== 'system').map((i) => ({ id: i.id, title: i.title }))}
              onOpenSettings={() => workspace.showSection('settings')}
            />
            </Suspense>
          )}
          {state.section === 'settings' && <SettingsView preferences={workspace.preferences} notifications={alerts} user={state.user} client={workspace.client} session={session} onSignOut={onSignOut} serverSettings={workspace.serverSettings} nameOf={(id) => workspace.names.name(id)} />}
        </div>
      </div>
      <WorkspaceDialogs workspace={workspace} dialog={state.dialog} t={t} onClose={closeDialog} onForwardDone={onForwardDone} />
      {flashText && <div className="toast global" role="status" data-testid="flash">{flashText}</div>}
      {alerts && <MessageToasts vm={alerts} t={t} />}
      {callVm && <CallWindow vm={callVm} names={workspace.names} t={t} locale={workspace.preferences.getSnapshot().locale} />}
      {groupCallVm && <GroupCallWindow vm={groupCallVm} names={workspace.names} t={t} locale={workspace.preferences.getSnapshot().locale} me={state.user?.id ?? null} roleIn={(id) => workspace.client.conversation(id)?.role ?? null} />}
      {lockState.appLocked && <AppLockOverlay vm={meModels.lock} t={t} />}
    </div>
    </AvatarContext.Provider>
  );
}

/** The line above the panes while the connection is not live. */
export function connectionBanner(state: WorkspaceSnapshot, t: Translate): string | null {
  if (state.networkDown) return t('connection.offline');
  if (state.connection === 'waiting') return t('connection.waiting');
  if (state.connection === 'connecting' || state.connection === 'authenticating') return t('connection.connecting');
  return null;
}
