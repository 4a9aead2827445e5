import type { Translate } from '../i18n/i18n';
import type { NotificationViewModel } from '../viewmodels/NotificationViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { CloseIcon } from './Icons';

/** In-app message pop-ups in the corner the user chose. */
export function MessageToasts({ vm, t }: { vm: NotificationViewModel; t: Translate }) {
  const { toasts, corner } = useViewModel(vm);
  if (toasts.length === 0) return null;
  return (
    <div className={`message-toasts corner-${corner}`} data-testid="message-toasts" data-corner={corner}>
      {toasts.map((toast) => (
        <div key={toast.id} className="message-toast" role="status" data-testid="message-toast" data-conversation-id={toast.conversationId}>
          <button className="message-toast-body" onClick={() => vm.openToast(toast.id)}>
            <Avatar id={toast.avatarId} name={toast.title} size={36} user={toast.avatarIsUser} />
            <span className="message-toast-text">
              <span className="message-toast-title">{toast.title}</span>
              <span className="message-toast-preview">{toast.text}</span>
            </span>
          </button>
          <button className="icon-button small" onClick={() => vm.dismiss(toast.id)} aria-label={t('notify.close')}>
            <CloseIcon size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}

/** The polite offer to turn on system notifications (never asked for on page load). */
export function SystemNotificationOffer({ vm, t }: { vm: NotificationViewModel; t: Translate }) {
  const { offerSystem } = useViewModel(vm);
  if (!offerSystem) return null;
  return (
    <div className="offer-banner" role="note" data-testid="notification-offer">
      <span>{t('notify.offer')}</span>
      <button className="primary small-button" onClick={() => void vm.enableSystem()}>{t('notify.offerEnable')}</button>
      <button className="link-button" onClick={() => vm.dismissOffer()}>{t('notify.offerLater')}</button>
    </div>
  );
}
