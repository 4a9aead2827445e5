/**
 * Taking a screenshot in a browser (PRODUCT.md I6): the browser's own picker
 * (`getDisplayMedia`) for a screen, a window or a tab, one frame at the surface's full
 * resolution, and the capture stopped at once. A web page cannot hide or minimise its own
 * window, so "hide Tidings while capturing" does what browsers allow: this tab is left out of
 * the picker, and for a whole screen the app waits a few seconds (ScreenshotViewModel) so the
 * user can move it aside before the frame is taken.
 */
import { screenshotsSupported } from './screenshotAction';

export type CaptureSurface = 'any' | 'this-tab';

export interface CaptureRequest {
  /** 'this-tab': Chromium offers just this tab (the page as it is, no window chrome). */
  surface: CaptureSurface;
  hideApp: boolean;
}

export interface CapturedFrame {
  source: CanvasImageSource;
  width: number;
  height: number;
}

/** A capture the user has allowed: what they chose, one frame of it, and stop. */
export interface CaptureSession {
  /** 'monitor' (a whole screen), 'window', 'browser' (a tab), or unknown. */
  surface: string;
  grab(): Promise<CapturedFrame>;
  stop(): void;
}

export interface ScreenCapturer {
  supported(): boolean;
  /** Show the browser's picker; rejects (NotAllowedError) when the user cancels. */
  start(request: CaptureRequest): Promise<CaptureSession>;
}


interface FrameGrabber {
  grabFrame(): Promise<ImageBitmap>;
}
type ImageCaptureConstructor = new (track: MediaStreamTrack) => FrameGrabber;
interface FocusController {
  setFocusBehavior?(behavior: 'focus-captured-surface' | 'no-focus-change'): void;
}


export function browserScreenCapturer(): ScreenCapturer {
  return {
    supported: screenshotsSupported,
    async start({ surface, hideApp }) {
      const Controller = (globalThis as { CaptureController?: new () => FocusController }).CaptureController;
      const controller = Controller ? new Controller() : undefined;
      const options = {
        // 'none': the surface's own pixels, not a copy scaled to some default size.
        video: { resizeMode: 'none' },
        audio: false,
        ...(controller ? { controller } : {}),
        preferCurrentTab: surface === 'this-tab',
        selfBrowserSurface: surface === 'this-tab' || !hideApp ? 'include' : 'exclude',
        surfaceSwitching: 'exclude',
        systemAudio: 'exclude',
        monitorTypeSurfaces: 'include',
      };
      const stream = await navigator.mediaDevices.getDisplayMedia(options as DisplayMediaStreamOptions);
      // At once, in this task: stay here (the editor opens here); a window or tab is captured
      // whole even when it is behind this one. Screens have no focus to keep.
      try {
        controller?.setFocusBehavior?.('no-focus-change');
      } catch {
        // A whole screen: nothing to focus.
      }
      const track = stream.getVideoTracks()[0];
      const stop = () => stream.getTracks().forEach((t) => t.stop());
      if (!track) {
        stop();
        throw new Error('no video');
      }
      const settings = track.getSettings() as MediaTrackSettings & { displaySurface?: string };
      return { surface: settings.displaySurface ?? 'unknown', grab: () => grabFrame(track, stream), stop };
    },
  };
}

/** The next frame of the capture, at full size: ImageCapture where there is one, else a <video>. */
async function grabFrame(track: MediaStreamTrack, stream: MediaStream): Promise<CapturedFrame> {
  const ImageCapture = (globalThis as unknown as { ImageCapture?: ImageCaptureConstructor }).ImageCapture;
  if (ImageCapture) {
    try {
      const bitmap = await new ImageCapture(track).grabFrame();
      return { source: bitmap, width: bitmap.width, height: bitmap.height };
    } catch {
      // Fall back to the video element.
    }
  }
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  await new Promise<void>((resolve) => {
    if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => resolve());
    else setTimeout(resolve, 120);
  });
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')?.drawImage(video, 0, 0);
  video.srcObject = null;
  return { source: canvas, width: canvas.width, height: canvas.height };
}
