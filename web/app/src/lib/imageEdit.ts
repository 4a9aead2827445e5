/**
 * Drawing the image editor's result in the browser: the picture turned by quarter turns on a
 * canvas, then the kept part copied out at full resolution (ImageEditorViewModel.plan).
 */
import type { EditPlan, QuarterTurns } from '../viewmodels/ImageEditorViewModel';

/** Draw `image` turned clockwise by `rotation` so that it fills a `width`×`height` canvas. */
export function drawRotated(context: CanvasRenderingContext2D, image: CanvasImageSource, rotation: QuarterTurns, width: number, height: number): void {
  const sideways = rotation === 90 || rotation === 270;
  context.save();
  context.clearRect(0, 0, width, height);
  context.translate(width / 2, height / 2);
  context.rotate((rotation * Math.PI) / 180);
  const drawWidth = sideways ? height : width;
  const drawHeight = sideways ? width : height;
  context.drawImage(image, -drawWidth / 2, -drawHeight / 2, drawWidth, drawHeight);
  context.restore();
}

/** The edited picture as a PNG (lossless; the image-send path compresses it if it is big). */
export async function renderEdit(image: CanvasImageSource, plan: EditPlan): Promise<Blob> {
  const rotated = document.createElement('canvas');
  rotated.width = plan.rotatedWidth;
  rotated.height = plan.rotatedHeight;
  const turn = rotated.getContext('2d');
  if (!turn) throw new Error('no canvas');
  drawRotated(turn, image, plan.rotation, plan.rotatedWidth, plan.rotatedHeight);
  const out = document.createElement('canvas');
  out.width = plan.width;
  out.height = plan.height;
  const crop = out.getContext('2d');
  if (!crop) throw new Error('no canvas');
  crop.drawImage(rotated, plan.sx, plan.sy, plan.width, plan.height, 0, 0, plan.width, plan.height);
  return new Promise((resolve, reject) => out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no picture'))), 'image/png'));
}
