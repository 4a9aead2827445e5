/**
 * Images before they are sent (F4): their size, and a smaller copy to upload. Photos from
 * phones are several megabytes; a copy of at most 1920 pixels a side is a fraction of that and
 * looks the same in a chat. Animated GIFs and small images go as they are; "original" skips it.
 */

export interface ImageFacts {
  width: number;
  height: number;
  size: number;
  type: string;
}

export interface CompressionPlan {
  width: number;
  height: number;
  type: 'image/jpeg' | 'image/webp';
  quality: number;
}

export const MAX_SIDE = 1920;
/** Below this size (and within MAX_SIDE) an image is sent as it is. */
export const SMALL_BYTES = 400 * 1024;

/** How to shrink an image, or null to send it as it is. */
export function compressionPlan(image: ImageFacts, original = false): CompressionPlan | null {
  if (original || image.type === 'image/gif' || image.width <= 0 || image.height <= 0) return null;
  const longest = Math.max(image.width, image.height);
  if (longest <= MAX_SIDE && image.size <= SMALL_BYTES) return null;
  const scale = Math.min(1, MAX_SIDE / longest);
  // PNGs may be transparent: WebP keeps that; photos become JPEG.
  const png = image.type === 'image/png';
  return {
    width: Math.max(1, Math.round(image.width * scale)),
    height: Math.max(1, Math.round(image.height * scale)),
    type: png ? 'image/webp' : 'image/jpeg',
    quality: png ? 0.9 : 0.82,
  };
}

/** The file name for a converted image: same name, the new format's extension. */
export function renamed(name: string, type: string): string {
  const extension = type === 'image/webp' ? 'webp' : type === 'image/png' ? 'png' : 'jpg';
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'image';
  return `${base}.${extension}`;
}

/** What the browser's display box for an image bubble is (fit in a square, keep the ratio). */
export function bubbleSize(width: number, height: number, box = 240, least = 60): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: box, height: box };
  const scale = Math.min(1, box / Math.max(width, height));
  return { width: Math.max(least, Math.round(width * scale)), height: Math.max(least, Math.round(height * scale)) };
}

export interface PreparedImage {
  blob: Blob;
  width: number;
  height: number;
  name: string;
  /** The image was re-encoded smaller. */
  compressed: boolean;
}

export interface ImagePreparer {
  /** Measure an image and make its upload copy (the original when `original`). */
  prepare(file: Blob, name: string, original: boolean): Promise<PreparedImage>;
}

/** The browser's preparer: decode with createImageBitmap (EXIF orientation applied), draw smaller. */
export function browserImagePreparer(): ImagePreparer {
  return {
    async prepare(file, name, original) {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      try {
        const facts = { width: bitmap.width, height: bitmap.height, size: file.size, type: file.type };
        const plan = compressionPlan(facts, original);
        if (!plan) return { blob: file, width: bitmap.width, height: bitmap.height, name, compressed: false };
        const canvas = new OffscreenCanvas(plan.width, plan.height);
        const context = canvas.getContext('2d');
        if (!context) return { blob: file, width: bitmap.width, height: bitmap.height, name, compressed: false };
        context.imageSmoothingQuality = 'high';
        context.drawImage(bitmap, 0, 0, plan.width, plan.height);
        const blob = await canvas.convertToBlob({ type: plan.type, quality: plan.quality });
        // A browser that cannot write the format, or a copy no smaller: send the original.
        if (blob.type !== plan.type || blob.size >= file.size) {
          return { blob: file, width: bitmap.width, height: bitmap.height, name, compressed: false };
        }
        return { blob, width: plan.width, height: plan.height, name: renamed(name, plan.type), compressed: true };
      } finally {
        bitmap.close();
      }
    },
  };
}

/** "1.5 MB", "820 KB": a file's size for people. */
export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
