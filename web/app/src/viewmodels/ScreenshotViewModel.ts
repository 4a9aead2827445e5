/**
 * A screenshot from the chat (PRODUCT.md I6): the browser's picker, optionally a short wait
 * so the user can move this window off a whole screen ("hide Tidings while capturing"), one
 * frame, then the image editor; what it makes is sent into this chat at full resolution, or
 * saved. The capture itself is lib/screenCapture.ts; this is the order of things.
 */
import type { Translate } from '../i18n/i18n';
import type { CapturedFrame, CaptureSession, CaptureSurface, ScreenCapturer } from '../lib/screenCapture';
import type { KeyValueStore } from '../lib/storage';
import { ViewModel } from './ViewModel';

export interface ScreenshotSnapshot {
  /**
   * idle; choosing (the browser's picker is open); countdown (a whole screen, the app to be
   * moved aside); grabbing (the frame is being taken: nothing of ours on screen); editing.
   */
  phase: 'idle' | 'choosing' | 'countdown' | 'grabbing' | 'editing';
  /** Seconds left in the countdown. */
  seconds: number;
  hideApp: boolean;
  supported: boolean;
  frame: CapturedFrame | null;
  /** A translated line about what went wrong (cleared by the next try). */
  notice: string | null;
}

/** Where the picture goes: the open chat (ChatViewModel.sendPicture). */
export interface PictureTarget {
  sendPicture(picture: Blob, name: string): Promise<boolean>;
}

/** How long "hide Tidings" waits before taking a whole screen. */
export const HIDE_SECONDS = 3;
/** After our own countdown leaves the screen, before the frame is taken. */
const CLEAR_MS = 250;
const HIDE_KEY = 'tidings.screenshot.hideApp';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ScreenshotViewModel extends ViewModel<ScreenshotSnapshot> {
  private session: CaptureSession | null = null;
  /** Bumped by cancel: a capture under way then drops what it gets. */
  private attempt = 0;

  constructor(
    private readonly capturer: ScreenCapturer,
    private readonly store: KeyValueStore,
    private readonly target: PictureTarget | null,
    private readonly t: () => Translate,
    private readonly wait: (ms: number) => Promise<void> = pause,
    private readonly now: () => Date = () => new Date(),
  ) {
    super({ phase: 'idle', seconds: 0, hideApp: store.get(HIDE_KEY) === '1', supported: capturer.supported(), frame: null, notice: null });
    this.track(() => this.stopCapture());
  }

  setHideApp(hideApp: boolean): void {
    this.store.set(HIDE_KEY, hideApp ? '1' : '0');
    this.update({ hideApp });
  }

  /** Ask for a screen, window or tab (or this tab), take one frame and open the editor. */
  async capture(surface: CaptureSurface = 'any'): Promise<void> {
    const { phase, supported, hideApp } = this.getSnapshot();
    if (phase !== 'idle') return;
    if (!supported) {
      this.update({ notice: this.t()('screenshot.unsupported') });
      return;
    }
    const attempt = ++this.attempt;
    this.update({ phase: 'choosing', notice: null });
    try {
      const session = await this.capturer.start({ surface, hideApp });
      this.session = session;
      if (attempt !== this.attempt) return;
      if (hideApp && surface === 'any' && session.surface === 'monitor') {
        for (let seconds = HIDE_SECONDS; seconds > 0; seconds -= 1) {
          this.update({ phase: 'countdown', seconds });
          await this.wait(1000);
          if (attempt !== this.attempt) return;
        }
      }
      this.update({ phase: 'grabbing', seconds: 0 });
      await this.wait(CLEAR_MS);
      if (attempt !== this.attempt) return;
      const frame = await session.grab();
      this.stopCapture();
      if (attempt !== this.attempt) return;
      if (frame.width < 1 || frame.height < 1) throw new Error('empty frame');
      this.update({ phase: 'editing', frame });
    } catch (error) {
      this.stopCapture();
      if (attempt !== this.attempt) return;
      // The user closed the picker: nothing to say.
      const cancelled = error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
      this.update({ phase: 'idle', frame: null, notice: cancelled ? null : this.t()('screenshot.failed') });
    } finally {
      if (this.getSnapshot().phase !== 'editing') this.stopCapture();
    }
  }

  /** Stop waiting (the countdown) or close the editor. */
  cancel(): void {
    this.attempt += 1;
    this.stopCapture();
    this.close();
  }

  /** Send the editor's picture into the chat; the editor closes when it is on its way. */
  async send(picture: Blob): Promise<void> {
    if (!this.target) return;
    if (await this.target.sendPicture(picture, this.fileName())) this.close();
    else this.update({ notice: this.t()('screenshot.cannotSend') });
  }

  get canSend(): boolean {
    return this.target !== null;
  }

  /** "Screenshot 2026-12-05 14.03.27.png" in the user's language. */
  fileName(): string {
    const d = this.now();
    const two = (n: number) => String(n).padStart(2, '0');
    const when = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}.${two(d.getMinutes())}.${two(d.getSeconds())}`;
    return `${this.t()('screenshot.fileName', { when })}.png`;
  }

  dismissNotice(): void {
    this.update({ notice: null });
  }

  private close(): void {
    const frame = this.getSnapshot().frame;
    if (frame && typeof ImageBitmap !== 'undefined' && frame.source instanceof ImageBitmap) frame.source.close();
    this.update({ phase: 'idle', seconds: 0, frame: null });
  }

  private stopCapture(): void {
    this.session?.stop();
    this.session = null;
  }
}
