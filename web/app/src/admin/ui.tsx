/**
 * The console's small UI kit, shared by its pages: a table, a toolbar with a search box, a
 * pager, dialogs, a confirm button, form fields, toasts and an empty state. Styles: admin.css.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

export interface Column<Row> {
  key: string;
  title: string;
  render: (row: Row) => ReactNode;
  /** A narrow column (numbers, dates, actions). */
  narrow?: boolean;
}

export function Table<Row>({
  columns,
  rows,
  rowKey,
  onRowClick,
  selectedKey,
  empty,
}: {
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string | number;
  onRowClick?: (row: Row) => void;
  selectedKey?: string | number | null;
  empty?: ReactNode;
}) {
  if (rows.length === 0) return <>{empty ?? null}</>;
  return (
    <div className="adm-table-wrap">
      <table className="adm-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} className={c.narrow ? 'narrow' : undefined} scope="col">
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const key = rowKey(row);
            return (
              <tr
                key={key}
                className={[onRowClick ? 'clickable' : '', selectedKey === key ? 'selected' : ''].join(' ').trim() || undefined}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
                onKeyDown={onRowClick ? (e) => (e.key === 'Enter' ? onRowClick(row) : undefined) : undefined}
                tabIndex={onRowClick ? 0 : undefined}
              >
                {columns.map((c) => (
                  <td key={c.key} className={c.narrow ? 'narrow' : undefined} data-label={c.title}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function Toolbar({ children }: { children: ReactNode }) {
  return <div className="adm-toolbar">{children}</div>;
}

/** A search box that reports its text after the user pauses typing. */
export function SearchBox({ value, onSearch, placeholder, delay = 250 }: { value: string; onSearch: (text: string) => void; placeholder: string; delay?: number }) {
  const [text, setText] = useState(value);
  const report = useRef(onSearch);
  report.current = onSearch;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => report.current(text), delay);
    return () => clearTimeout(timer);
  }, [text, value, delay]);
  return <input className="adm-search" type="search" value={text} placeholder={placeholder} aria-label={placeholder} onChange={(e) => setText(e.target.value)} />;
}

/** "Load more" paging over a cursor. */
export function Pager({ hasMore, loading, onMore, label }: { hasMore: boolean; loading: boolean; onMore: () => void; label: string }) {
  if (!hasMore) return null;
  return (
    <div className="adm-pager">
      <button type="button" className="adm-button" disabled={loading} onClick={onMore}>
        {loading ? '…' : label}
      </button>
    </div>
  );
}

export function Dialog({ title, onClose, children, footer, wide = false }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, [onClose]);
  return (
    <div className="adm-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`adm-dialog${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} ref={box}>
        <header>
          <h2>{title}</h2>
          <button type="button" className="adm-icon-button" aria-label="×" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="adm-dialog-body">{children}</div>
        {footer && <footer>{footer}</footer>}
      </div>
    </div>
  );
}

/** A button that asks "are you sure?" in place before it acts. */
export function ConfirmButton({ label, confirm, onConfirm, danger = false, disabled = false, cancel }: { label: string; confirm: string; cancel: string; onConfirm: () => void | Promise<void>; danger?: boolean; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className={`adm-button${danger ? ' danger' : ''}`} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="adm-confirm">
      <button
        type="button"
        className={`adm-button${danger ? ' danger' : ' primary'}`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirm}
      </button>
      <button type="button" className="adm-button" onClick={() => setAsking(false)}>
        {cancel}
      </button>
    </span>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="adm-field">
      <span className="adm-field-label">{label}</span>
      {children}
      {hint && <span className="adm-field-hint">{hint}</span>}
    </label>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="adm-empty">{children}</div>;
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'good' | 'bad' | 'warn'; children: ReactNode }) {
  return <span className={`adm-badge ${tone}`}>{children}</span>;
}

// Toasts

interface ToastItem {
  id: number;
  text: string;
  tone: 'good' | 'bad';
}

const ToastContext = createContext<(text: string, tone?: 'good' | 'bad') => void>(() => {});

export function ToastHost({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const show = useCallback((text: string, tone: 'good' | 'bad' = 'good') => {
    const id = next.current++;
    setItems((list) => [...list, { id, text, tone }]);
    setTimeout(() => setItems((list) => list.filter((t) => t.id !== id)), tone === 'bad' ? 6000 : 3000);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="adm-toasts" role="status" aria-live="polite">
        {items.map((t) => (
          <div key={t.id} className={`adm-toast ${t.tone}`}>
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

/** `toast('Saved')`, `toast(error.message, 'bad')`. */
export function useToast(): (text: string, tone?: 'good' | 'bad') => void {
  return useContext(ToastContext);
}

/** A date and time in the console's language. */
export function formatTime(ms: number | null | undefined, lang: 'en' | 'zh'): string {
  if (!ms) return '—';
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
