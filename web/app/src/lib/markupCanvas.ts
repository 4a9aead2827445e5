/**
 * Drawing the image editor's items on a 2D canvas: the same code draws the view (scaled) and
 * the exported picture (full size), so what is seen is what is sent.
 */
import type { ExportPlan, QuarterTurns } from '../viewmodels/ImageEditorViewModel';
import { fontSize, LINE_HEIGHT, lineWidth, mosaicCell, type Mark, type Measure, type Rect } from './markup';

const FONT_FAMILY = 'system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif';

export const fontFor = (size: number): string => `600 ${size}px ${FONT_FAMILY}`;

/** The browser's text measure, with the font the renderer draws in. */
export function canvasMeasure(): Measure {
  const context = document.createElement('canvas').getContext('2d');
  return (text, size) => {
    if (!context) return text.length * size * 0.6;
    context.font = fontFor(size);
    return Math.max(1, ...text.split('\n').map((line) => context.measureText(line).width));
  };
}

/** The picture turned clockwise by `rotation`, at full size (the picture itself when not turned). */
export function turnedPicture(picture: CanvasImageSource, width: number, height: number, rotation: QuarterTurns): CanvasImageSource {
  if (rotation === 0) return picture;
  const sideways = rotation === 90 || rotation === 270;
  const canvas = document.createElement('canvas');
  canvas.width = sideways ? height : width;
  canvas.height = sideways ? width : height;
  const context = canvas.getContext('2d');
  if (!context) return picture;
  context.translate(canvas.width / 2, canvas.height / 2);
  context.rotate((rotation * Math.PI) / 180);
  context.drawImage(picture, -width / 2, -height / 2, width, height);
  return canvas;
}

/**
 * Pixelate `box` of the (turned) picture: each cell of the grid, which starts at the box's
 * corner, one colour. The picture itself is sampled, so the cells are the same on screen and
 * in the export, whatever is drawn on top.
 */
function drawMosaic(context: CanvasRenderingContext2D, picture: CanvasImageSource, pictureWidth: number, pictureHeight: number, box: Rect, cell: number): void {
  const x1 = Math.max(0, box.x);
  const y1 = Math.max(0, box.y);
  const x2 = Math.min(pictureWidth, box.x + box.width);
  const y2 = Math.min(pictureHeight, box.y + box.height);
  if (x2 - x1 < 1 || y2 - y1 < 1) return;
  // Whole cells from the box's corner, cut to the picture.
  const left = box.x + Math.floor((x1 - box.x) / cell) * cell;
  const top = box.y + Math.floor((y1 - box.y) / cell) * cell;
  const columns = Math.max(1, Math.ceil((x2 - left) / cell));
  const rows = Math.max(1, Math.ceil((y2 - top) / cell));
  const small = document.createElement('canvas');
  small.width = columns;
  small.height = rows;
  const shrink = small.getContext('2d');
  if (!shrink) return;
  shrink.imageSmoothingEnabled = true;
  shrink.imageSmoothingQuality = 'medium';
  const sw = Math.min(columns * cell, pictureWidth - left);
  const sh = Math.min(rows * cell, pictureHeight - top);
  shrink.drawImage(picture, left, top, sw, sh, 0, 0, sw / cell, sh / cell);
  context.save();
  context.beginPath();
  context.rect(x1, y1, x2 - x1, y2 - y1);
  context.clip();
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, columns, rows, left, top, columns * cell, rows * cell);
  context.restore();
}

function drawArrow(context: CanvasRenderingContext2D, mark: Extract<Mark, { kind: 'arrow' }>, width: number): void {
  const { from, to } = mark;
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  if (length === 0) return;
  const head = Math.min(length, Math.max(width * 3.2, 14));
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  const base = { x: to.x - Math.cos(angle) * head * 0.8, y: to.y - Math.sin(angle) * head * 0.8 };
  context.beginPath();
  context.moveTo(from.x, from.y);
  context.lineTo(base.x, base.y);
  context.stroke();
  const spread = Math.PI / 7;
  context.beginPath();
  context.moveTo(to.x, to.y);
  context.lineTo(to.x - Math.cos(angle - spread) * head, to.y - Math.sin(angle - spread) * head);
  context.lineTo(to.x - Math.cos(angle + spread) * head, to.y - Math.sin(angle + spread) * head);
  context.closePath();
  context.fill();
}

export interface DrawOptions {
  /** Leave this item out (its text is being typed over it). */
  skip?: number | null;
}

/** Draw the items in order over the (turned) picture already on `context`. */
export function drawMarks(
  context: CanvasRenderingContext2D,
  picture: CanvasImageSource,
  pictureWidth: number,
  pictureHeight: number,
  marks: readonly Mark[],
  unit: number,
  options: DrawOptions = {},
): void {
  for (const mark of marks) {
    if (mark.id === options.skip) continue;
    const width = lineWidth(mark.size, unit);
    context.save();
    context.strokeStyle = mark.color;
    context.fillStyle = mark.color;
    context.lineWidth = width;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    switch (mark.kind) {
      case 'rect':
        context.strokeRect(mark.box.x, mark.box.y, mark.box.width, mark.box.height);
        break;
      case 'ellipse':
        context.beginPath();
        context.ellipse(mark.box.x + mark.box.width / 2, mark.box.y + mark.box.height / 2, mark.box.width / 2, mark.box.height / 2, 0, 0, Math.PI * 2);
        context.stroke();
        break;
      case 'arrow':
        drawArrow(context, mark, width);
        break;
      case 'pen': {
        context.beginPath();
        const [first, ...rest] = mark.points;
        if (!first) break;
        context.moveTo(first.x, first.y);
        for (const p of rest) context.lineTo(p.x, p.y);
        if (rest.length === 0) context.lineTo(first.x + 0.01, first.y);
        context.stroke();
        break;
      }
      case 'text': {
        const size = fontSize(mark.size, unit);
        context.font = fontFor(size);
        context.textBaseline = 'top';
        mark.text.split('\n').forEach((line, i) => context.fillText(line, mark.at.x, mark.at.y + i * size * LINE_HEIGHT + size * 0.1));
        break;
      }
      case 'mosaic':
        drawMosaic(context, picture, pictureWidth, pictureHeight, mark.box, mosaicCell(mark.size, unit));
        break;
    }
    context.restore();
  }
}

/** The edited picture at full resolution as a PNG (lossless: screenshots keep sharp text). */
export async function renderPicture(picture: CanvasImageSource, naturalWidth: number, naturalHeight: number, plan: ExportPlan): Promise<Blob> {
  const turned = turnedPicture(picture, naturalWidth, naturalHeight, plan.rotation);
  const out = document.createElement('canvas');
  out.width = plan.area.width;
  out.height = plan.area.height;
  const context = out.getContext('2d');
  if (!context) throw new Error('no canvas');
  context.translate(-plan.area.x, -plan.area.y);
  context.drawImage(turned, 0, 0, plan.width, plan.height);
  drawMarks(context, turned, plan.width, plan.height, plan.marks, plan.unit);
  return new Promise((resolve, reject) => out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no picture'))), 'image/png'));
}
