/**
 * Burn after reading in a direct chat (docs/decisions/0038): the sealed bubble the recipient
 * taps to open, the countdown, the composer's toggle and notice, the header's mode switch,
 * and the bubble menu of a burn message (no copy, forward, reply or favourite).
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n/i18n';
import type { BurnBubble, BurnControls } from '../viewmodels/BurnAfterReading';
import type { BubbleItem } from '../viewmodels/ChatViewModel';
import { useModule } from '../viewmodels/SiteSettingsViewModel';

export function FlameIcon({ size = 22 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M12 3c.5 3.2 4.5 5.3 4.5 10a4.5 4.5 0 0 1-9 0c0-2 1-3.4 2-4.3.2 1.4.9 2.4 2 2.8C11 9 10.5 6 12 3z" />
    </svg>
  );
}

/** The recipient's unopened burn message: blurred, nothing readable, tap (or press) to open. */
export function BurnSealed({ item, media, t, onOpen }: { item: BubbleItem; media: ReactNode; t: Translate; onOpen(seq: number): void }) {
  const seq = item.seq;
  return (
    <button
      type="button"
      className="burn-sealed"
      onClick={() => seq !== null && onOpen(seq)}
      title={t('burn.holdHint')}
      aria-label={t('burn.tapToOpen')}
      data-testid="burn-sealed"
    >
      {item.media ? (
        <span className="burn-blur" aria-hidden="true">
          {media}
        </span>
      ) : (
        <span className="burn-mask" aria-hidden="true">
          {item.burn?.mask}
        </span>
      )}
      <span className="burn-open-label">
        <FlameIcon size={15} />
        {t('burn.tapToOpen')}
      </span>
    </button>
  );
}

/** Seconds left until `burnAt`, counting down on its own (the chat re-renders only at the end). */
function useSecondsLeft(burnAt: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (burnAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [burnAt]);
  return burnAt === null ? null : Math.max(0, Math.ceil((burnAt - now) / 1000));
}

/** Under a burn message: not opened yet, or the countdown once it is. */
export function BurnBadge({ burn, t }: { burn: BurnBubble; t: Translate }) {
  const seconds = useSecondsLeft(burn.burnAt);
  if (burn.state === 'sealed') return null;
  let text: string;
  if (burn.state === 'unread') text = t('burn.unread');
  else if (seconds === 0) text = t('burn.burning');
  else if (burn.state === 'opened') text = t('burn.opened', { seconds: seconds ?? 0 });
  else text = t('burn.countdown', { seconds: seconds ?? 0 });
  return (
    <div className={`burn-badge ${burn.state}`} data-testid="burn-badge" data-state={burn.state}>
      <FlameIcon size={13} />
      <span data-testid={burn.burnAt !== null ? 'burn-countdown' : undefined}>{text}</span>
    </div>
  );
}

/** The composer's "burn the next message" toggle (locked on while my mode is on). */
export function BurnToggle({ controls, t, onToggle }: { controls: BurnControls; t: Translate; onToggle(): void }) {
  if (!controls.available) return null;
  const on = controls.next || controls.mode;
  return (
    <button
      className={`icon-button burn-toggle${on ? ' active burning' : ''}`}
      onClick={onToggle}
      disabled={controls.mode}
      aria-pressed={on}
      aria-label={t('burn.toggle')}
      title={on ? t('burn.toggleOn') : t('burn.toggle')}
      data-testid="burn-toggle"
    >
      <FlameIcon />
    </button>
  );
}

/** Above the input while what I send burns: what happens, and that screenshots are not prevented. */
export function BurnBanner({ controls, t }: { controls: BurnControls; t: Translate }) {
  if (!controls.available || !(controls.next || controls.mode)) return null;
  return (
    <div className="burn-banner" role="status" data-testid="burn-banner">
      <FlameIcon size={15} />
      <span>{controls.mode ? t('burn.bannerMode') : t('burn.banner')}</span>
    </div>
  );
}

/** The header's switch for the chat's burn mode (both sides see a notice when it changes). */
export function BurnModeButton({ controls, t, onSet }: { controls: BurnControls; t: Translate; onSet(enabled: boolean): void }) {
  if (!controls.available) return null;
  return (
    <button
      className={`icon-button burn-mode-button${controls.mode ? ' active burning' : ''}`}
      onClick={() => onSet(!controls.mode)}
      aria-pressed={controls.mode}
      aria-label={t('burn.modeButton')}
      title={t('burn.modeButton')}
      data-testid="burn-mode-button"
    >
      <FlameIcon />
    </button>
  );
}

/** The bubble menu of a burn message: recall (mine) and delete only. */
export function BurnMenu({
  x,
  y,
  item,
  t,
  onClose,
  onRecall,
  onDelete,
}: {
  x: number;
  y: number;
  item: BubbleItem;
  t: Translate;
  onClose(): void;
  onRecall(seq: number): void;
  onDelete(seq: number): void;
}) {
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const recallOn = useModule('recall');
  const seq = item.seq;
  if (seq === null) return null;
  const act = (action: () => void) => () => {
    onClose();
    action();
  };
  return (
    <div className="menu-backdrop" onClick={onClose} onContextMenu={(e) => { e.preventDefault(); onClose(); }}>
      <div className="context-menu" style={{ left: x, top: y }} role="menu" data-testid="bubble-menu" onClick={(e) => e.stopPropagation()}>
        {recallOn && item.mine && <button role="menuitem" onClick={act(() => onRecall(seq))}>{t('menu.recall')}</button>}
        <button role="menuitem" className="danger" onClick={act(() => onDelete(seq))}>{t('menu.delete')}</button>
      </div>
    </div>
  );
}
