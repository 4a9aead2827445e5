/**
 * A conversation's own alert choices (sound, pop-ups) in its details, and the "starred
 * contact" switch in a person's profile: settings kept on the server (issue 12).
 */
import type { Client, ConversationId, UserId } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import type { ServerSettingsViewModel } from '../viewmodels/ServerSettingsViewModel';
import { useViewModel } from '../viewmodels/useViewModel';

export function ConversationAlertRows({ vm, conversationId, t }: { vm: ServerSettingsViewModel; conversationId: ConversationId; t: Translate }) {
  useViewModel(vm);
  const choice = vm.choice(conversationId);
  return (
    <div className="conversation-alerts" data-testid="conversation-alerts">
      <div className="setting-row">
        <span>{t('chat.alertSound')}</span>
        <Toggle on={choice.sound} label={t('chat.alertSound')} testId="conversation-sound" onChange={(sound) => void vm.setConversationChoice(conversationId, { sound })} />
      </div>
      <div className="setting-row">
        <span>{t('chat.alertPopup')}</span>
        <Toggle on={choice.popup} label={t('chat.alertPopup')} testId="conversation-popup" onChange={(popup) => void vm.setConversationChoice(conversationId, { popup })} />
      </div>
    </div>
  );
}

/** In a person's profile: star them, and the alerts of my direct chat with them. */
export function PersonAlerts({ vm, client, userId, t }: { vm: ServerSettingsViewModel; client: Client; userId: UserId; t: Translate }) {
  useViewModel(vm);
  if (userId === client.me?.id) return null;
  const starred = vm.starred().includes(userId);
  const direct = client.conversations().find((c) => c.type === 'direct' && c.peer?.user_id === userId);
  return (
    <div className="person-alerts" data-testid="person-alerts">
      <div className="setting-row">
        <span>
          {t('profile.star')}
          <span className="muted small block">{t('profile.starHint')}</span>
        </span>
        <Toggle on={starred} label={t('profile.star')} testId="star-contact" onChange={(on) => void vm.setStarred(userId, on)} />
      </div>
      {direct && <ConversationAlertRows vm={vm} conversationId={direct.id} t={t} />}
    </div>
  );
}

export function Toggle({ on, onChange, testId, label }: { on: boolean; onChange(on: boolean): void; testId: string; label: string }) {
  return (
    <button role="switch" aria-checked={on} aria-label={label} className={`switch${on ? ' on' : ''}`} onClick={() => onChange(!on)} data-testid={testId}>
      <span />
    </button>
  );
}
