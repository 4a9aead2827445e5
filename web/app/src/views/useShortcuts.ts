/**
 * The bound keyboard shortcuts, live in the workspace (PRODUCT.md I13): `search` focuses the
 * conversation list's search box, `next_unread` opens the next chat with unread messages;
 * `screenshot` is for the screenshot tool, which listens for it itself.
 */
import { useEffect } from 'react';
import { installShortcuts, SHORTCUT_EVENT, type ShortcutDetail } from '../lib/shortcuts';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';

export function useShortcuts(workspace: WorkspaceViewModel): void {
  useEffect(() => {
    // A popped-out window shows one chat: it has no list to search or move through.
    if (workspace.fixedConversation !== null) return;
    const stop = installShortcuts(window, () => workspace.serverSettings.shortcuts());
    const onShortcut = (event: Event) => {
      const { action } = (event as CustomEvent<ShortcutDetail>).detail;
      if (action === 'search') {
        workspace.showSection('chats');
        // After the list has rendered (it may have been another section).
        requestAnimationFrame(() => document.querySelector<HTMLInputElement>('[data-testid="list-search"]')?.focus());
      } else if (action === 'next_unread') {
        workspace.openNextUnread();
      }
    };
    window.addEventListener(SHORTCUT_EVENT, onShortcut);
    return () => {
      stop();
      window.removeEventListener(SHORTCUT_EVENT, onShortcut);
    };
  }, [workspace]);
}
