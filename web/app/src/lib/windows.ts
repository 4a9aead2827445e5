/** Separate windows of the app (PRODUCT.md I4): a conversation popped out of the main window. */

/** The address of a popped-out conversation; the server serves the app at `/`. */
export function chatWindowUrl(conversationId: number): string {
  return `/?chat=${conversationId}`;
}

/** The conversation this window shows on its own, or null for the main window. */
export function poppedOutConversation(search: string): number | null {
  const value = new URLSearchParams(search).get('chat');
  if (!value || !/^[1-9][0-9]{0,15}$/.test(value)) return null;
  return Number(value);
}

/** Open (or bring forward) the window of one conversation. */
export function openChatWindow(conversationId: number): Window | null {
  // A named window: opening the same conversation again focuses the one already open.
  const opened = window.open(chatWindowUrl(conversationId), `tidings-chat-${conversationId}`, 'popup=yes,width=760,height=800');
  opened?.focus();
  return opened;
}
