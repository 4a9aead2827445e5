/**
 * Keyboard shortcuts (PRODUCT.md I13), rebindable in Settings and kept on the server.
 *
 * A bound key dispatches `window.dispatchEvent(new CustomEvent('tidings:shortcut', {detail:
 * {action}}))` for `screenshot`, `search` and `next_unread` (the contract between the issue-12
 * branches: the screenshot tool listens for its action and binds no key of its own). `send` is
 * the composer's send key (Enter or Ctrl+Enter), which the composer handles itself.
 */
import type { ShortcutAction } from '@tidings/sdk';

export type DispatchedAction = Exclude<ShortcutAction, 'send'>;
export const SHORTCUT_ACTIONS: readonly ShortcutAction[] = ['send', 'screenshot', 'search', 'next_unread'];
export const DISPATCHED: readonly DispatchedAction[] = ['screenshot', 'search', 'next_unread'];
export const DEFAULT_SHORTCUTS: Record<ShortcutAction, string> = {
  send: 'Enter',
  screenshot: 'Alt+A',
  search: 'Ctrl+K',
  next_unread: 'Alt+ArrowDown',
};
export const SHORTCUT_EVENT = 'tidings:shortcut';

export interface ShortcutDetail {
  action: DispatchedAction;
}

const MODIFIER_KEYS = new Set(['Control', 'Alt', 'Shift', 'Meta', 'AltGraph', 'CapsLock', 'Dead', 'Unidentified', 'Process']);

/** "Ctrl+Alt+Shift+Meta+Key" for a key press, or null for a lone modifier. Letters and digits
 * come from the physical key (Alt+A gives "å" on a Mac), others from `key`. */
export function comboOf(event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>): string | null {
  if (MODIFIER_KEYS.has(event.key)) return null;
  let key = event.key;
  if (/^Key[A-Z]$/.test(event.code)) key = event.code.slice(3);
  else if (/^Digit[0-9]$/.test(event.code)) key = event.code.slice(5);
  else if (key.length === 1) key = key.toUpperCase();
  if (key === ' ') key = 'Space';
  const parts: string[] = [];
  if (event.ctrlKey) parts.push('Ctrl');
  if (event.altKey) parts.push('Alt');
  if (event.shiftKey) parts.push('Shift');
  if (event.metaKey) parts.push('Meta');
  parts.push(key);
  return parts.join('+');
}

/** A combination one may bind: with Ctrl, Alt or Meta, or a function key (F1-F12). */
export function bindable(combo: string): boolean {
  return /(^|\+)(Ctrl|Alt|Meta)\+/.test(combo) || /(^|\+)F([1-9]|1[0-2])$/.test(combo);
}

/** The action another binding already has for this combination (a conflict), if any. */
export function conflictOf(bindings: Record<ShortcutAction, string>, action: ShortcutAction, combo: string): ShortcutAction | null {
  return SHORTCUT_ACTIONS.find((a) => a !== action && bindings[a] === combo) ?? null;
}

/** How a combination reads on screen ("Ctrl + K"). */
export function comboLabel(combo: string): string {
  return combo
    .split('+')
    .map((part) => ({ ArrowDown: '↓', ArrowUp: '↑', ArrowLeft: '←', ArrowRight: '→' })[part] ?? part)
    .join(' + ');
}

/**
 * Listen for the bound keys on `target` and dispatch their actions there. `bindings` is read
 * at each key press (a change in Settings applies at once). Returns the stop function.
 */
export function installShortcuts(target: Window, bindings: () => Record<ShortcutAction, string>, paused: () => boolean = () => false): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.repeat || paused()) return;
    const combo = comboOf(event);
    if (combo === null) return;
    const current = bindings();
    const action = DISPATCHED.find((a) => current[a] === combo);
    if (!action) return;
    event.preventDefault();
    target.dispatchEvent(new CustomEvent<ShortcutDetail>(SHORTCUT_EVENT, { detail: { action } }));
  };
  target.addEventListener('keydown', onKey);
  return () => target.removeEventListener('keydown', onKey);
}
