/**
 * What a video message needs before it is sent (issue 12): its size, its length and a still
 * to show until it plays, read in the browser from a <video> and a <canvas> (nothing is
 * decoded on the server).
 */

export interface VideoFacts {
  width: number;
  height: number;
  durationMs: number;
  /** A JPEG of a frame near the start; null if the browser could not draw one. */
  poster: Blob | null;
}

/** The still is at most this wide or high: it shows in a bubble, not full screen. */
const POSTER_MAX = 640;

export function posterSize(width: number, height: number, max = POSTER_MAX): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Null when the browser cannot play the file (it is then sent as a plain file). */
export async function readVideo(file: Blob, timeoutMs = 10_000): Promise<VideoFacts | null> {
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  try {
    const loaded = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      video.onloadeddata = () => {
        clearTimeout(timer);
        resolve(true);
      };
      video.onerror = () => {
        clearTimeout(timer);
        resolve(false);
      };
      video.src = url;
    });
    if (!loaded || !video.videoWidth || !video.videoHeight) return null;
    const durationMs = Number.isFinite(video.duration) ? Math.max(1, Math.round(video.duration * 1000)) : 1;
    // A frame a little in: the very first is often black.
    const at = Math.min(0.5, (durationMs / 1000) * 0.1);
    if (at > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        video.onseeked = () => {
          clearTimeout(timer);
          resolve();
        };
        video.currentTime = at;
      });
    }
    const size = posterSize(video.videoWidth, video.videoHeight);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const context = canvas.getContext('2d');
    let poster: Blob | null = null;
    if (context) {
      context.drawImage(video, 0, 0, size.width, size.height);
      poster = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.82));
    }
    return { width: video.videoWidth, height: video.videoHeight, durationMs, poster };
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}
