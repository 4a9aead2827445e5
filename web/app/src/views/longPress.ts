/**
 * Long-press on touch screens opens what a right-click opens (the message and conversation
 * menus): hold about half a second without moving. Spread the handlers on the element that
 * has the `onContextMenu`:
 *
 *     <div onContextMenu={(e) => onMenu(e, item)} {...longPress((e) => onMenu(e, item))}>
 *
 * `open` gets the pointerdown event (its clientX/clientY place the menu). Mouse pointers are
 * left alone: they right-click. Moving more than a few pixels (a scroll, a swipe) or lifting
 * the finger early cancels it. Once it fires, the click and the browser's own context-menu
 * event that follow the same touch are swallowed, so they do not open the row under the
 * finger or close the menu just opened.
 *
 * A plain function, not a hook (rows rendered by VirtualList's callback may use it): only one
 * touch can be a long-press at a time, so the press in progress is kept here.
 */
import type { PointerEvent } from 'react';

/** About what Android and iOS wait before a long-press. */
export const LONG_PRESS_MS = 500;
/** Further than this from where it started, the finger is scrolling, not pressing. */
const SLOP_PX = 10;
/** After the finger lifts, the click of the same touch follows within a few milliseconds. */
const SETTLE_MS = 150;

let press: { pointerId: number; x: number; y: number; timer: ReturnType<typeof setTimeout> } | null = null;

function cancel(): void {
  if (press) clearTimeout(press.timer);
  press = null;
}

function swallowRestOfTouch(): void {
  const stop = (event: Event) => {
    event.preventDefault();
    event.stopPropagation();
  };
  document.addEventListener('click', stop, true);
  document.addEventListener('contextmenu', stop, true);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    document.removeEventListener('pointerup', lifted, true);
    document.removeEventListener('pointercancel', lifted, true);
    setTimeout(() => {
      document.removeEventListener('click', stop, true);
      document.removeEventListener('contextmenu', stop, true);
    }, SETTLE_MS);
  };
  const lifted = () => release();
  document.addEventListener('pointerup', lifted, true);
  document.addEventListener('pointercancel', lifted, true);
  // Should the lift never be seen (the page hidden meanwhile), stop swallowing anyway.
  setTimeout(release, 10_000);
}

export function longPress<E extends Element>(open: (event: PointerEvent<E>) => void) {
  return {
    onPointerDown(event: PointerEvent<E>) {
      if (event.pointerType === 'mouse' || !event.isPrimary) return;
      cancel();
      const started = event;
      press = {
        pointerId: event.pointerId,
        x: event.clientX,
        y: event.clientY,
        timer: setTimeout(() => {
          press = null;
          swallowRestOfTouch();
          open(started);
        }, LONG_PRESS_MS),
      };
    },
    onPointerMove(event: PointerEvent<E>) {
      if (press && event.pointerId === press.pointerId && Math.hypot(event.clientX - press.x, event.clientY - press.y) > SLOP_PX) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
  };
}
