/** A settings row (a label, an optional note, a control) and a segmented choice (h/me). */
import type { ReactNode } from 'react';

export function Row({ label, note, children }: { label: string; note?: string; children: ReactNode }) {
  return (
    <div className="settings-row">
      <span className="me-row-label">
        <span className="settings-label">{label}</span>
        {note && <span className="settings-note me-row-note">{note}</span>}
      </span>
      {children}
    </div>
  );
}

export function Choice<V extends string>({ value, options, onChange, testId }: { value: V; options: readonly { value: V; label: string }[]; onChange(v: V): void; testId: string }) {
  return (
    <div className="segmented" role="radiogroup" data-testid={testId}>
      {options.map((option) => (
        <button type="button" key={option.value} role="radio" aria-checked={option.value === value} className={option.value === value ? 'active' : ''} onClick={() => onChange(option.value)} data-value={option.value}>
          {option.label}
        </button>
      ))}
    </div>
  );
}
