/**
 * The image viewer's simple editor (I7): rotate by quarter turns and crop. The result is a new
 * picture, sent as a new image message; the original message is not touched.
 *
 * The crop is kept in fractions (0..1) of the image as it shows, already rotated, so it does
 * not depend on the size the view draws it at; `plan` turns it into pixels of the original.
 */
import { ViewModel } from './ViewModel';

export type QuarterTurns = 0 | 90 | 180 | 270;

/** A rectangle in fractions of the rotated image. */
export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ImageEditorSnapshot {
  /** Degrees clockwise. */
  rotation: QuarterTurns;
  crop: CropRect | null;
  /** Anything to send: turned or cropped. */
  edited: boolean;
}

/** How to draw the edited picture: the rotated canvas, then the part of it kept. */
export interface EditPlan {
  rotation: QuarterTurns;
  /** The rotated image's size in pixels. */
  rotatedWidth: number;
  rotatedHeight: number;
  /** The kept part, in pixels of the rotated image. */
  sx: number;
  sy: number;
  width: number;
  height: number;
}

/** A selection smaller than this (of either side) is a click, not a crop. */
const MIN_CROP = 0.02;

const clamp = (value: number) => Math.min(1, Math.max(0, value));

export class ImageEditorViewModel extends ViewModel<ImageEditorSnapshot> {
  constructor() {
    super({ rotation: 0, crop: null, edited: false });
  }

  /** A quarter turn clockwise (1) or anticlockwise (-1); a selection turns with the picture. */
  rotate(direction: 1 | -1): void {
    const { rotation, crop } = this.getSnapshot();
    const next = (((rotation + direction * 90) % 360) + 360) % 360 as QuarterTurns;
    let turned: CropRect | null = null;
    if (crop) {
      turned =
        direction === 1
          ? { x: 1 - crop.y - crop.height, y: crop.x, width: crop.height, height: crop.width }
          : { x: crop.y, y: 1 - crop.x - crop.width, width: crop.height, height: crop.width };
      turned = roundRect(turned);
    }
    this.set(next, turned);
  }

  /** Select from one corner to the other (fractions of the shown, rotated picture). */
  select(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const x1 = clamp(Math.min(from.x, to.x));
    const x2 = clamp(Math.max(from.x, to.x));
    const y1 = clamp(Math.min(from.y, to.y));
    const y2 = clamp(Math.max(from.y, to.y));
    const crop = x2 - x1 < MIN_CROP || y2 - y1 < MIN_CROP ? null : roundRect({ x: x1, y: y1, width: x2 - x1, height: y2 - y1 });
    this.set(this.getSnapshot().rotation, crop);
  }

  clearCrop(): void {
    this.set(this.getSnapshot().rotation, null);
  }

  reset(): void {
    this.set(0, null);
  }

  /** The drawing plan for an original of this many pixels. */
  plan(naturalWidth: number, naturalHeight: number): EditPlan {
    const { rotation, crop } = this.getSnapshot();
    const sideways = rotation === 90 || rotation === 270;
    const rotatedWidth = sideways ? naturalHeight : naturalWidth;
    const rotatedHeight = sideways ? naturalWidth : naturalHeight;
    const area = crop ?? { x: 0, y: 0, width: 1, height: 1 };
    const sx = Math.round(area.x * rotatedWidth);
    const sy = Math.round(area.y * rotatedHeight);
    const width = Math.max(1, Math.min(rotatedWidth - sx, Math.round(area.width * rotatedWidth)));
    const height = Math.max(1, Math.min(rotatedHeight - sy, Math.round(area.height * rotatedHeight)));
    return { rotation, rotatedWidth, rotatedHeight, sx, sy, width, height };
  }

  private set(rotation: QuarterTurns, crop: CropRect | null): void {
    this.update({ rotation, crop, edited: rotation !== 0 || crop !== null });
  }
}

function roundRect(rect: CropRect): CropRect {
  const r = (v: number) => Math.round(v * 10_000) / 10_000;
  return { x: r(rect.x), y: r(rect.y), width: r(rect.width), height: r(rect.height) };
}
