/**
 * A Web Push notification was clicked (issue 12): the service worker either focuses this
 * window and posts `{type: 'open', url}`, or opens the app at `url` (`/#/c/<conversation id>`).
 * Either way the conversation opens.
 */
import { useEffect } from 'react';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';

/** The conversation of a push's url (`/#/c/12`, or only its hash), or null. */
export function conversationOfUrl(url: string): number | null {
  const match = /#\/c\/([1-9]\d{0,15})$/.exec(url);
  return match ? Number(match[1]) : null;
}

export function usePushOpen(workspace: WorkspaceViewModel): void {
  useEffect(() => {
    if (workspace.fixedConversation !== null) return;
    const open = (url: string) => {
      const id = conversationOfUrl(url);
      if (id === null) return;
      workspace.select(id);
      // Leave the address as it was: a reload should not open it again.
      if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    };
    open(location.hash);
    const worker = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
    const onMessage = (event: MessageEvent) => {
      const data: unknown = event.data;
      if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'open') {
        const url = (data as { url?: unknown }).url;
        if (typeof url === 'string') open(url);
      }
    };
    worker?.addEventListener('message', onMessage);
    return () => worker?.removeEventListener('message', onMessage);
  }, [workspace]);
}
