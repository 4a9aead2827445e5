/**
 * The avatar cropper's arithmetic (h/me): a picture shown in a square frame, zoomed (1 = its
 * short side fills the frame) and moved; what the frame shows is cut out at its own pixels.
 */
export interface CropView {
  /** The picture's size in its own pixels. */
  width: number;
  height: number;
  /** ≥ 1: how much bigger than "the short side fills the frame". */
  zoom: number;
  /** Where the frame's centre is on the picture, as fractions of its width and height. */
  centerX: number;
  centerY: number;
}

export interface CropRect {
  sx: number;
  sy: number;
  side: number;
}

export const MAX_ZOOM = 4;

/** The square of the picture the frame shows (kept inside the picture). */
export function cropRect(view: CropView): CropRect {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, view.zoom));
  const side = Math.min(view.width, view.height) / zoom;
  const sx = clamp(view.centerX * view.width - side / 2, 0, view.width - side);
  const sy = clamp(view.centerY * view.height - side / 2, 0, view.height - side);
  return { sx, sy, side };
}

/** Move the frame by a drag of (dx, dy) frame pixels on a frame `frame` pixels wide. */
export function panned(view: CropView, dx: number, dy: number, frame: number): CropView {
  const rect = cropRect(view);
  const scale = rect.side / frame;
  const centerX = (rect.sx + rect.side / 2 - dx * scale) / view.width;
  const centerY = (rect.sy + rect.side / 2 - dy * scale) / view.height;
  const moved = cropRect({ ...view, centerX, centerY });
  return { ...view, centerX: (moved.sx + moved.side / 2) / view.width, centerY: (moved.sy + moved.side / 2) / view.height };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Cut the square out and scale it to `pixels` a side, as a PNG. */
export async function renderCrop(image: CanvasImageSource, rect: CropRect, pixels: number): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = pixels;
  canvas.height = pixels;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no canvas');
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, rect.sx, rect.sy, rect.side, rect.side, 0, 0, pixels, pixels);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no picture'))), 'image/png'));
}
