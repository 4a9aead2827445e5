/** What the forward dialog says when it is done (the workspace and chat windows say it). */
import type { Translate } from '../i18n/i18n';

export type ForwardPurpose = 'forward' | 'share';

/** What to say once the dialog sent: "Forwarded to 2 chats", "Shared to 2 chats". */
export function forwardDoneText(t: Translate, count: number, purpose: ForwardPurpose): string {
  return t(purpose === 'share' ? 'share.done' : 'forward.done', { count });
}
