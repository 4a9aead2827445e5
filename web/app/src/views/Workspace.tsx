import { useCallback, useEffect, type ReactElement } from 'react';
import type { Translate } from '../i18n/i18n';
import type { SendKey } from '../viewmodels/PreferencesViewModel';
import { useOptionalViewModel, useViewModel } from '../viewmodels/useViewModel';
import { MessageToasts, SystemNotificationOffer } from './Toasts';
import { useDocumentTitle } from './useDocumentTitle';
import type { Section, WorkspaceSnapshot, WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { Avatar } from './Avatar';
import { ChatView } from './ChatView';
import { ConversationList } from './ConversationList';
import { ContactsView, SettingsView, WorkspaceDialogs } from './screens';
import { ChatIcon, ContactsIcon, LogoMark, SettingsIcon } from './Icons';
import { AccountMenu } from './Accounts';
import type { SessionViewModel } from '../viewmodels/SessionViewModel';

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
    (count: number) => {
      workspace.closeDialog();
      workspace.showFlash(t('forward.done', { count }));
    },
    [workspace, t],
  );
  const closeDialog = useCallback(() => workspace.closeDialog(), [workspace]);

  const banner = connectionBanner(state, t);
  const popOut = useCallback((id: number) => workspace.popOut(id), [workspace]);

  const rail: { section: Section; label: string; icon: ReactElement }[] = [
    { section: 'chats', label: t('rail.chats'), icon: <ChatIcon /> },
    { section: 'contacts', label: t('rail.contacts'), icon: <ContactsIcon /> },
    { section: 'settings', label: t('rail.settings'), icon: <SettingsIcon /> },
  ];

  const chatOpen = state.section === 'chats' && state.chat !== null;

  return (
    <div className={`workspace${chatOpen ? ' chat-open' : ''}`} data-testid="workspace" data-connection={state.connection}>
      <nav className="rail" aria-label="Tidings">
        <div className="rail-logo"><LogoMark size={34} /></div>
        {state.user && (
          <AccountMenu session={session} t={t} otherUnread={otherUnread}>
            <Avatar id={state.user.id} name={state.user.nickname} size={36} />
          </AccountMenu>
        )}
        {rail.map((item) => (
          <button
            key={item.section}
            className={`rail-button${state.section === item.section ? ' active' : ''}`}
            onClick={() => workspace.showSection(item.section)}
            title={item.label}
            aria-label={item.label}
            aria-current={state.section === item.section}
            data-testid={`rail-${item.section}`}
          >
            {item.icon}
            <span className="rail-label">{item.label}</span>
            {item.section === 'chats' && state.totalUnread > 0 && <span className="badge rail-badge">{state.totalUnread > 99 ? '99+' : state.totalUnread}</span>}
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
              <ConversationList vm={workspace.list} t={t} onOpen={(id) => workspace.select(id)} onPopOut={popOut} onNewChat={() => workspace.openNewChat()} />
              {state.chat ? (
                <ChatView
                  key={state.chat.conversationId}
                  vm={state.chat}
                  workspace={workspace}
                  t={t}
                  sendKey={sendKey}
                  onBack={() => workspace.select(null)}
                  onForward={(seq) => state.selectedId !== null && workspace.openForward(state.selectedId, seq)}
                  onPopOut={popOut}
                />
              ) : (
                <section className="chat-pane empty-chat">
                  <LogoMark size={64} />
                  <p>{t('chat.placeholder')}</p>
                </section>
              )}
            </>
          )}
          {state.section === 'contacts' && <ContactsView workspace={workspace} t={t} />}
          {state.section === 'settings' && <SettingsView preferences={workspace.preferences} notifications={alerts} user={state.user} client={workspace.client} session={session} onSignOut={onSignOut} />}
        </div>
      </div>
      <WorkspaceDialogs workspace={workspace} dialog={state.dialog} t={t} onClose={closeDialog} onForwardDone={onForwardDone} />
      {flashText && <div className="toast global" role="status" data-testid="flash">{flashText}</div>}
      {alerts && <MessageToasts vm={alerts} t={t} />}
    </div>
  );
}

/** The line above the panes while the connection is not live. */
export function connectionBanner(state: WorkspaceSnapshot, t: Translate): string | null {
  if (state.networkDown) return t('connection.offline');
  if (state.connection === 'waiting') return t('connection.waiting');
  if (state.connection === 'connecting' || state.connection === 'authenticating') return t('connection.connecting');
  return null;
}
