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

/** What the image viewer's own window shows: the file, and the message it came in. */
export interface ImageWindowTarget {
  fileId: string;
  name: string;
  conversationId: number | null;
  seq: number | null;
}

const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const NUMBER = /^[1-9][0-9]{0,15}$/;

/** The address of the image viewer's window. */
export function imageWindowUrl(target: ImageWindowTarget): string {
  const query = new URLSearchParams({ image: target.fileId });
  if (target.name) query.set('name', target.name.slice(0, 200));
  if (target.conversationId !== null) query.set('in', String(target.conversationId));
  if (target.seq !== null) query.set('seq', String(target.seq));
  return `/?${query.toString()}`;
}

/** The image this window shows on its own, or null for any other window. */
export function imageWindowTarget(search: string): ImageWindowTarget | null {
  const query = new URLSearchParams(search);
  const fileId = query.get('image');
  if (!fileId || !FILE_ID.test(fileId)) return null;
  const number = (name: string) => {
    const value = query.get(name);
    return value && NUMBER.test(value) ? Number(value) : null;
  };
  return { fileId, name: (query.get('name') ?? '').slice(0, 200), conversationId: number('in'), seq: number('seq') };
}

/** Open (or bring forward) the image viewer's window for one image. */
export function openImageWindow(target: ImageWindowTarget): Window | null {
  const opened = window.open(imageWindowUrl(target), `tidings-image-${target.fileId}`, 'popup=yes,width=960,height=720');
  opened?.focus();
  return opened;
}
