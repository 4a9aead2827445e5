import { useCallback, useEffect } from 'react';
import type { Translate } from '../i18n/i18n';
import type { SendKey } from '../viewmodels/PreferencesViewModel';
import { useOptionalViewModel, useViewModel } from '../viewmodels/useViewModel';
import { useDocumentTitle } from './useDocumentTitle';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { ChatView } from './ChatView';
import { WorkspaceDialogs } from './screens';
import { forwardDoneText, type ForwardPurpose } from '../viewmodels/forwardDone';
import { LogoMark } from './Icons';
import { MessageToasts } from './Toasts';
import { connectionBanner } from './Workspace';

interface Props {
  workspace: WorkspaceViewModel;
  t: Translate;
  sendKey: SendKey;
}

/** A conversation popped out into its own window: the chat alone, on the shared connection. */
export function ChatWindow({ workspace, t, sendKey }: Props) {
  const state = useViewModel(workspace);
  const flash = state.flash;
  // A window of its own is named after its conversation, and flashes like the main one.
  const title = useOptionalViewModel(state.chat)?.title ?? '';
  const alert = useOptionalViewModel(workspace.notifications)?.flash ?? null;
  useDocumentTitle(title ? `${title} — ${t('app.name')}` : t('app.name'), alert);

  useEffect(() => {
    if (!flash) return;
    const timer = setTimeout(() => workspace.showFlash(null), 2500);
    return () => clearTimeout(timer);
  }, [workspace, flash]);

  const onForwardDone = useCallback(
    (count: number, purpose: ForwardPurpose) => {
      workspace.closeDialog();
      workspace.showFlash(forwardDoneText(t, count, purpose));
    },
    [workspace, t],
  );
  const closeDialog = useCallback(() => workspace.closeDialog(), [workspace]);
  const banner = connectionBanner(state, t);

  return (
    <div className="chat-window" data-testid="chat-window" data-connection={state.connection}>
      {banner && <div className="connection-banner" role="status" data-testid="connection-banner">{banner}</div>}
      {state.chat ? (
        <ChatView
          key={state.chat.conversationId}
          vm={state.chat}
          workspace={workspace}
          t={t}
          sendKey={sendKey}
          onBack={() => window.close()}
          onForward={(seq) => state.selectedId !== null && void workspace.openForward(state.selectedId, seq)}
          standalone
        />
      ) : (
        <section className="chat-pane empty-chat">
          <LogoMark size={64} />
        </section>
      )}
      <WorkspaceDialogs workspace={workspace} dialog={state.dialog} t={t} onClose={closeDialog} onForwardDone={onForwardDone} />
      {flash && <div className="toast global" role="status" data-testid="flash">{flash}</div>}
      {workspace.notifications && <MessageToasts vm={workspace.notifications} t={t} />}
    </div>
  );
}
