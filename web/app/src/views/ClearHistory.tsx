/**
 * The chat header's "More" menu: pick messages (multi-select) and clear the chat's history
 * for me (D5), after a confirmation that says it goes on all my devices and not for others.
 */
import { useEffect, useState } from 'react';
import type { Translate } from '../i18n/i18n';
import type { ChatViewModel } from '../viewmodels/ChatViewModel';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { MoreIcon } from './Icons';

export function ChatMoreMenu({ vm, workspace, t, title }: { vm: ChatViewModel; workspace: WorkspaceViewModel; t: Translate; title: string }) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    if (!open && !confirming) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      setConfirming(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, confirming]);
  return (
    <>
      <button className={`icon-button${open ? ' active' : ''}`} onClick={() => setOpen((o) => !o)} title={t('chat.more')} aria-label={t('chat.more')} aria-haspopup="menu" data-testid="chat-more">
        <MoreIcon />
      </button>
      {open && (
        <div className="menu-backdrop" onClick={() => setOpen(false)}>
          <div className="context-menu chat-more-menu" role="menu" data-testid="chat-more-menu" onClick={(e) => e.stopPropagation()}>
            <button
              role="menuitem"
              onClick={() => {
                setOpen(false);
                vm.selection.start();
              }}
              data-testid="chat-more-select"
            >
              {t('select.pick')}
            </button>
            <button
              role="menuitem"
              className="danger"
              onClick={() => {
                setOpen(false);
                setConfirming(true);
              }}
              data-testid="clear-history"
            >
              {t('clear.button')}
            </button>
          </div>
        </div>
      )}
      {confirming && (
        <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && setConfirming(false)}>
          <div className="modal confirm" role="alertdialog" aria-modal="true" aria-label={t('clear.title')} data-testid="clear-confirm">
            <h3>{t('clear.title')}</h3>
            <p>{t('clear.confirm', { name: title })}</p>
            <div className="modal-actions">
              <button onClick={() => setConfirming(false)} data-testid="clear-cancel">{t('common.cancel')}</button>
              <button
                className="primary danger-fill"
                onClick={() => {
                  setConfirming(false);
                  void workspace.clearHistory(vm.conversationId);
                }}
                data-testid="clear-ok"
              >
                {t('clear.confirmButton')}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
