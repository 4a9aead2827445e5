/**
 * The geometry of the image editor's drawn items (PRODUCT.md I6, I7): what they are, where
 * they are, how they are hit, moved, resized and turned. Plain data and pure functions in
 * image pixels (the picture as it shows, already turned), no DOM: the view model and the
 * canvas renderer both use them, and the tests drive them directly.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The three line widths (and text sizes, and mosaic cells): small, medium, large. */
export type MarkSize = 0 | 1 | 2;

interface MarkStyle {
  id: number;
  /** CSS colour; a mosaic has none. */
  color: string;
  size: MarkSize;
}

/** A drawn item. Boxes are kept normalised (width and height ≥ 0). */
export type Mark =
  | (MarkStyle & { kind: 'rect' | 'ellipse' | 'mosaic'; box: Rect })
  | (MarkStyle & { kind: 'arrow'; from: Point; to: Point })
  | (MarkStyle & { kind: 'pen'; points: readonly Point[] })
  | (MarkStyle & { kind: 'text'; at: Point; text: string });

export type MarkKind = Mark['kind'];

/** Where an item (or the crop frame) is grabbed to resize it. */
export type Handle = 'nw' | 'ne' | 'sw' | 'se' | 'from' | 'to';

/** The widest line of `text` at `fontSize` pixels (the browser measures; tests estimate). */
export type Measure = (text: string, fontSize: number) => number;

export const estimateText: Measure = (text, fontSize) => Math.max(...text.split('\n').map((line) => line.length), 1) * fontSize * 0.6;

/**
 * Sizes grow with the picture so a mark looks the same on a 4K screenshot as on a small one:
 * one unit per 1280 pixels of the longer side, never less than 1.
 */
export function unitFor(width: number, height: number): number {
  return Math.max(1, Math.max(width, height) / 1280);
}

export const lineWidth = (size: MarkSize, unit: number): number => [3, 6, 10][size]! * unit;
export const fontSize = (size: MarkSize, unit: number): number => [18, 28, 40][size]! * unit;
export const mosaicCell = (size: MarkSize, unit: number): number => Math.round([8, 14, 22][size]! * unit);
export const LINE_HEIGHT = 1.25;

/** The box through two corners. */
export function boxOf(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

function boxOfPoints(points: readonly Point[]): Rect {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return boxOf({ x: Math.min(...xs), y: Math.min(...ys) }, { x: Math.max(...xs), y: Math.max(...ys) });
}

/** The box a text mark covers. */
export function textBox(mark: Extract<Mark, { kind: 'text' }>, unit: number, measure: Measure): Rect {
  const size = fontSize(mark.size, unit);
  const lines = mark.text.split('\n').length;
  return { x: mark.at.x, y: mark.at.y, width: measure(mark.text, size), height: lines * size * LINE_HEIGHT };
}

export function bounds(mark: Mark, unit: number, measure: Measure): Rect {
  switch (mark.kind) {
    case 'rect':
    case 'ellipse':
    case 'mosaic':
      return mark.box;
    case 'arrow':
      return boxOf(mark.from, mark.to);
    case 'pen':
      return boxOfPoints(mark.points);
    case 'text':
      return textBox(mark, unit, measure);
  }
}

/** The points a selected item shows for resizing. */
export function handles(mark: Mark, unit: number, measure: Measure): { handle: Handle; at: Point }[] {
  if (mark.kind === 'arrow') return [{ handle: 'from', at: mark.from }, { handle: 'to', at: mark.to }];
  return cornerHandles(bounds(mark, unit, measure));
}

export function cornerHandles(box: Rect): { handle: Handle; at: Point }[] {
  return [
    { handle: 'nw', at: { x: box.x, y: box.y } },
    { handle: 'ne', at: { x: box.x + box.width, y: box.y } },
    { handle: 'sw', at: { x: box.x, y: box.y + box.height } },
    { handle: 'se', at: { x: box.x + box.width, y: box.y + box.height } },
  ];
}

/** The handle within `tolerance` of `p`, if any. */
export function handleAt(list: { handle: Handle; at: Point }[], p: Point, tolerance: number): Handle | null {
  for (const { handle, at } of list) if (Math.abs(at.x - p.x) <= tolerance && Math.abs(at.y - p.y) <= tolerance) return handle;
  return null;
}

function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = dx * dx + dy * dy;
  const t = length === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

export function inside(box: Rect, p: Point, margin = 0): boolean {
  return p.x >= box.x - margin && p.x <= box.x + box.width + margin && p.y >= box.y - margin && p.y <= box.y + box.height + margin;
}

/**
 * Whether `p` touches the item: on a line (rectangle and ellipse outlines, arrows, pen
 * strokes) within `tolerance`, or anywhere inside what is filled (mosaic, text) — or inside a
 * rectangle or ellipse too when `filled` (the select tool picks them by their inside).
 */
export function hits(mark: Mark, p: Point, tolerance: number, unit: number, measure: Measure, filled: boolean): boolean {
  const reach = tolerance + lineWidth(mark.size, unit) / 2;
  switch (mark.kind) {
    case 'mosaic':
      return inside(mark.box, p, tolerance);
    case 'text':
      return inside(textBox(mark, unit, measure), p, tolerance);
    case 'rect': {
      const { box } = mark;
      if (filled) return inside(box, p, reach);
      const corners = [
        { x: box.x, y: box.y },
        { x: box.x + box.width, y: box.y },
        { x: box.x + box.width, y: box.y + box.height },
        { x: box.x, y: box.y + box.height },
      ];
      return corners.some((a, i) => segmentDistance(p, a, corners[(i + 1) % 4]!) <= reach);
    }
    case 'ellipse': {
      const rx = mark.box.width / 2;
      const ry = mark.box.height / 2;
      if (rx === 0 || ry === 0) return segmentDistance(p, { x: mark.box.x, y: mark.box.y }, { x: mark.box.x + mark.box.width, y: mark.box.y + mark.box.height }) <= reach;
      const r = Math.hypot((p.x - mark.box.x - rx) / rx, (p.y - mark.box.y - ry) / ry);
      return filled ? r <= 1 + reach / Math.min(rx, ry) : Math.abs(r - 1) * Math.min(rx, ry) <= reach;
    }
    case 'arrow':
      return segmentDistance(p, mark.from, mark.to) <= reach;
    case 'pen':
      if (mark.points.length === 1) return Math.hypot(p.x - mark.points[0]!.x, p.y - mark.points[0]!.y) <= reach;
      return mark.points.some((a, i) => i > 0 && segmentDistance(p, mark.points[i - 1]!, a) <= reach);
  }
}

const shift = (p: Point, dx: number, dy: number): Point => ({ x: p.x + dx, y: p.y + dy });

export function moveMark(mark: Mark, dx: number, dy: number): Mark {
  switch (mark.kind) {
    case 'rect':
    case 'ellipse':
    case 'mosaic':
      return { ...mark, box: { ...mark.box, x: mark.box.x + dx, y: mark.box.y + dy } };
    case 'arrow':
      return { ...mark, from: shift(mark.from, dx, dy), to: shift(mark.to, dx, dy) };
    case 'pen':
      return { ...mark, points: mark.points.map((p) => shift(p, dx, dy)) };
    case 'text':
      return { ...mark, at: shift(mark.at, dx, dy) };
  }
}

/** The box after dragging one of its corners to `p` (the opposite corner stays). */
export function resizeBox(box: Rect, handle: Handle, p: Point): Rect {
  const west = handle === 'nw' || handle === 'sw';
  const north = handle === 'nw' || handle === 'ne';
  const fixed = { x: west ? box.x + box.width : box.x, y: north ? box.y + box.height : box.y };
  return boxOf(fixed, p);
}

/** Scale `p` from one box to another. */
function mapPoint(p: Point, from: Rect, to: Rect): Point {
  const sx = from.width === 0 ? 1 : to.width / from.width;
  const sy = from.height === 0 ? 1 : to.height / from.height;
  return { x: to.x + (p.x - from.x) * sx, y: to.y + (p.y - from.y) * sy };
}

/**
 * The item after dragging `handle` to `p`: boxes take the new corner, arrows the new end, pen
 * strokes stretch with their box, and text grows to the nearest of the three sizes.
 */
export function resizeMark(mark: Mark, handle: Handle, p: Point, unit: number, measure: Measure): Mark {
  switch (mark.kind) {
    case 'rect':
    case 'ellipse':
    case 'mosaic':
      return { ...mark, box: resizeBox(mark.box, handle, p) };
    case 'arrow':
      return handle === 'from' ? { ...mark, from: p } : handle === 'to' ? { ...mark, to: p } : mark;
    case 'pen': {
      const from = boxOfPoints(mark.points);
      const to = resizeBox(from, handle, p);
      return { ...mark, points: mark.points.map((point) => mapPoint(point, from, to)) };
    }
    case 'text': {
      const box = textBox(mark, unit, measure);
      const wanted = resizeBox(box, handle, p).height / (mark.text.split('\n').length * LINE_HEIGHT);
      const sizes: MarkSize[] = [0, 1, 2];
      const size = sizes.reduce((best, s) => (Math.abs(fontSize(s, unit) - wanted) < Math.abs(fontSize(best, unit) - wanted) ? s : best), mark.size);
      const resized = { ...mark, size };
      // The corner opposite the dragged one stays where it was.
      const next = textBox(resized, unit, measure);
      const west = handle === 'nw' || handle === 'sw';
      const north = handle === 'nw' || handle === 'ne';
      return { ...resized, at: { x: west ? box.x + box.width - next.width : box.x, y: north ? box.y + box.height - next.height : box.y } };
    }
  }
}

/**
 * A point of a `width`×`height` picture after a quarter turn: clockwise (1) or
 * anticlockwise (-1). The turned picture is `height`×`width`.
 */
export function turnPoint(p: Point, direction: 1 | -1, width: number, height: number): Point {
  return direction === 1 ? { x: height - p.y, y: p.x } : { x: p.y, y: width - p.x };
}

export function turnBox(box: Rect, direction: 1 | -1, width: number, height: number): Rect {
  return boxOf(turnPoint({ x: box.x, y: box.y }, direction, width, height), turnPoint({ x: box.x + box.width, y: box.y + box.height }, direction, width, height));
}

/** The item on the turned picture; text stays upright, its middle where it was. */
export function turnMark(mark: Mark, direction: 1 | -1, width: number, height: number, unit: number, measure: Measure): Mark {
  const turn = (p: Point) => turnPoint(p, direction, width, height);
  switch (mark.kind) {
    case 'rect':
    case 'ellipse':
    case 'mosaic':
      return { ...mark, box: turnBox(mark.box, direction, width, height) };
    case 'arrow':
      return { ...mark, from: turn(mark.from), to: turn(mark.to) };
    case 'pen':
      return { ...mark, points: mark.points.map(turn) };
    case 'text': {
      const box = textBox(mark, unit, measure);
      const middle = turn({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
      return { ...mark, at: { x: middle.x - box.width / 2, y: middle.y - box.height / 2 } };
    }
  }
}

/** A rectangle kept inside a `width`×`height` picture, in whole pixels (null when empty). */
export function clampRect(rect: Rect, width: number, height: number): Rect | null {
  const x1 = Math.max(0, Math.round(rect.x));
  const y1 = Math.max(0, Math.round(rect.y));
  const x2 = Math.min(width, Math.round(rect.x + rect.width));
  const y2 = Math.min(height, Math.round(rect.y + rect.height));
  if (x2 <= x1 || y2 <= y1) return null;
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}
