/**
 * A group's call going on: "call in progress — join" under the group's header (decision
 * 0078); or why one could not start (no SFU on the server, the call full). A chunk of its own,
 * fetched when a group has a call (screens.tsx).
 */
import type { Locale, Translate } from '../i18n/i18n';
import { errorMessage } from '../i18n/i18n';
import { callTranslator } from '../i18n/callWords';
import type { CallDockSnapshot } from '../viewmodels/CallDock';
import { CloseIcon, PhoneCallIcon } from './Icons';

interface Props {
  dock: CallDockSnapshot;
  conversationId: number;
  me: number | null;
  t: Translate;
  locale: Locale;
  onJoin: () => void;
  onDismiss: () => void;
}

export function GroupCallBanner({ dock, conversationId, me, t, locale, onJoin, onDismiss }: Props) {
  const w = callTranslator(locale);
  const error = dock.groupError?.conversationId === conversationId ? dock.groupError.code : null;
  if (error) {
    return (
      <div className="group-call-banner error" role="alert" data-testid="group-call-error-banner">
        <span>{errorMessage(t, error)}</span>
        <button className="icon-button" onClick={onDismiss} aria-label={t('common.close')}>
          <CloseIcon />
        </button>
      </div>
    );
  }
  const call = dock.live.get(conversationId);
  if (!call || call.state === 'ended') return null;
  const inIt = call.participants.some((p) => p.live && p.user_id === me);
  return (
    <div className="group-call-banner" data-testid="group-call-banner" data-call-id={call.id}>
      <PhoneCallIcon size={16} />
      <span>{w('inProgress', { count: call.live_count })}</span>
      {!inIt && (
        <button className="primary-button" onClick={onJoin} data-testid="group-call-join">
          {w('join')}
        </button>
      )}
    </div>
  );
}
