/**
 * Multi-select's parts in a chat: the checkbox beside each message and the bar that takes
 * the composer's place (forward one by one or merged, favourite, delete for me, cancel).
 */
import { useEffect } from 'react';
import type { Seq } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import type { MessageSelectionViewModel } from '../viewmodels/MessageSelectionViewModel';
import { useViewModel } from '../viewmodels/useViewModel';

export function SelectCheckbox({ vm, seq, t }: { vm: MessageSelectionViewModel; seq: Seq; t: Translate }) {
  const state = useViewModel(vm);
  const picked = state.seqs.includes(seq);
  return (
    <label className="select-check" data-testid="select-check">
      <input type="checkbox" checked={picked} onChange={() => vm.toggle(seq)} aria-label={t('select.checkbox')} />
    </label>
  );
}

interface BarProps {
  vm: MessageSelectionViewModel;
  t: Translate;
  onForward(seqs: Seq[], merged: boolean): void;
}

export function SelectionBar({ vm, t, onForward }: BarProps) {
  const state = useViewModel(vm);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // A dialog over the chat (forward, confirm) takes its own Escape.
      if (event.key !== 'Escape' || vm.getSnapshot().confirmingDelete || document.querySelector('[aria-modal="true"]')) return;
      vm.cancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [vm]);
  const none = state.count === 0 || state.busy;
  const seqs = [...state.seqs];
  return (
    <div className="selection-bar" role="toolbar" aria-label={t('select.pick')} data-testid="selection-bar">
      <span className="selection-count" data-testid="selection-count">{state.count > 0 ? t('select.count', { count: state.count }) : t('select.pick')}</span>
      <div className="selection-actions">
        <button disabled={none} onClick={() => onForward(seqs, false)} data-testid="select-forward-each">{t('select.forwardOneByOne')}</button>
        <button disabled={none} onClick={() => onForward(seqs, true)} data-testid="select-forward-merged">{t('select.forwardMerged')}</button>
        <button disabled={none} onClick={() => void vm.favoritePicked()} data-testid="select-favorite">{t('select.favorite')}</button>
        <button disabled={none} className="danger" onClick={() => vm.askDelete()} data-testid="select-delete">{t('select.delete')}</button>
        <button onClick={() => vm.cancel()} data-testid="select-cancel">{t('select.cancel')}</button>
      </div>
      {state.confirmingDelete && (
        <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && vm.keepThem()}>
          <div className="modal confirm" role="alertdialog" aria-modal="true" data-testid="confirm">
            <p>{t('select.deleteConfirm', { count: state.count })}</p>
            <div className="modal-actions">
              <button onClick={() => vm.keepThem()}>{t('common.cancel')}</button>
              <button className="primary danger-fill" onClick={() => void vm.deletePicked()} data-testid="confirm-ok">{t('select.delete')}</button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
