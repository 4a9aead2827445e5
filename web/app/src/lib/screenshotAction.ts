/**
 * What the chat screen needs of screenshots before their code is loaded (the button and the
 * capture live in views/Screenshot.tsx, a chunk of its own): whether the browser can capture,
 * and the event that starts one.
 */

/** The `tidings:shortcut` action (web/app/src/lib/shortcuts.ts binds the key). */
export const SCREENSHOT_ACTION = 'screenshot';

/**
 * Start a screenshot from anywhere in the app (a menu, the "+" panel): the same event the
 * shortcut sends; the open chat's composer takes it. Call it from a click or key handler —
 * browsers show the picker only in answer to the user.
 */
export function startScreenshot(): void {
  window.dispatchEvent(new CustomEvent('tidings:shortcut', { detail: { action: SCREENSHOT_ACTION } }));
}

/** Whether this browser can capture a screen (phones cannot). */
export function screenshotsSupported(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}
