import { useEffect, type ReactNode } from 'react';
import { errorMessage, type Translate } from '../i18n/i18n';
import type { ForwardViewModel } from '../viewmodels/ForwardViewModel';
import type { NewChatViewModel } from '../viewmodels/NewChatViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { CloseIcon, SearchIcon } from './Icons';

function Modal({ title, onClose, children, testId }: { title: string; onClose(): void; children: ReactNode; testId: string }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <header className="modal-header">
          <h2>{title}</h2>
          <button className="icon-button small" onClick={onClose} aria-label="×">
            <CloseIcon size={16} />
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

export function ForwardDialog({ vm, t, onClose, onDone }: { vm: ForwardViewModel; t: Translate; onClose(): void; onDone(count: number): void }) {
  const state = useViewModel(vm);
  useEffect(() => {
    if (state.done) onDone(state.selectedCount);
  }, [state.done, state.selectedCount, onDone]);
  const selected = state.targets.filter((target) => target.selected);
  return (
    <Modal title={t('forward.title')} onClose={onClose} testId="forward-dialog">
      <div className="forward-body">
        <div className="forward-targets">
          <label className="search">
            <SearchIcon size={16} />
            <input placeholder={t('forward.search')} value={state.query} onChange={(e) => vm.search(e.target.value)} />
          </label>
          <ul className="pick-list">
            {state.targets.map((target) => (
              <li key={target.id}>
                <label className={`pick-row${target.selected ? ' selected' : ''}`} data-testid="forward-target" data-title={target.title}>
                  <input type="checkbox" checked={target.selected} onChange={() => vm.toggle(target.id)} />
                  <Avatar id={target.avatarId} name={target.title} size={32} />
                  <span>{target.title}</span>
                </label>
              </li>
            ))}
          </ul>
        </div>
        <div className="forward-side">
          <div className="forward-label">{t('forward.selected')} · {state.selectedCount}</div>
          <div className="chips">
            {selected.map((target) => (
              <span className="chip" key={target.id}>{target.title}</span>
            ))}
          </div>
          <div className="forward-label">{t('forward.preview')}</div>
          <div className="forward-preview" data-testid="forward-preview">{state.preview}</div>
          <textarea className="forward-note" placeholder={t('forward.note')} value={state.note} onChange={(e) => vm.setNote(e.target.value)} rows={3} data-testid="forward-note" />
          {state.error && <div className="form-error">{errorMessage(t, state.error)}</div>}
          <div className="modal-actions">
            <button onClick={onClose}>{t('forward.cancel')}</button>
            <button className="primary" disabled={state.selectedCount === 0 || state.busy} onClick={() => void vm.send()} data-testid="forward-send">
              {t('forward.send', { count: state.selectedCount })}
            </button>
          </div>
        </div>
      </div>
    </Modal>
  );
}

export function NewChatDialog({ vm, t, onClose, onStarted }: { vm: NewChatViewModel; t: Translate; onClose(): void; onStarted(id: number): void }) {
  const state = useViewModel(vm);
  const start = async () => {
    const summary = await vm.start();
    if (summary) onStarted(summary.id);
  };
  return (
    <Modal title={t('newChat.title')} onClose={onClose} testId="new-chat-dialog">
      <div className="new-chat-body">
        <div className="forward-label">{t('newChat.people')}</div>
        <ul className="pick-list">
          {state.people.length === 0 && <li className="empty">{t('newChat.nobody')}</li>}
          {state.people.map((person) => (
            <li key={person.id}>
              <label className={`pick-row${person.selected ? ' selected' : ''}`} data-testid="person" data-name={person.name}>
                <input type="checkbox" checked={person.selected} onChange={() => vm.toggle(person.id)} />
                <Avatar id={person.id} name={person.name} size={32} />
                <span>{person.name}</span>
              </label>
            </li>
          ))}
        </ul>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void vm.addById();
          }}
        >
          <input placeholder={t('newChat.byId')} value={state.idInput} onChange={(e) => vm.setIdInput(e.target.value)} inputMode="numeric" data-testid="user-id-input" />
          <button type="submit" disabled={!state.idInput}>{t('newChat.add')}</button>
        </form>
        {state.selectedCount > 1 && (
          <input className="group-name" placeholder={t('newChat.groupName')} value={state.groupName} onChange={(e) => vm.setGroupName(e.target.value)} data-testid="group-name" />
        )}
        {state.error && <div className="form-error">{state.error === 'not_found' ? t('newChat.notFound') : errorMessage(t, state.error)}</div>}
        <div className="modal-actions">
          <button onClick={onClose}>{t('forward.cancel')}</button>
          <button className="primary" disabled={state.selectedCount === 0 || state.busy} onClick={() => void start()} data-testid="start-chat">
            {state.selectedCount > 1 ? t('newChat.createGroup', { count: state.selectedCount }) : t('newChat.start')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
