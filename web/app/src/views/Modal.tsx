import { useEffect, type ReactNode } from 'react';
import { CloseIcon } from './Icons';

/** A dialog over the app: Escape or a click outside closes it. Its own module: views of the
 * first load (RichMedia, ChatRecord) use it without pulling in the dialogs (decision 0043). */
export function Modal({ title, onClose, children, testId }: { title: string; onClose(): void; children: ReactNode; testId: string }) {
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
