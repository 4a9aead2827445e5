/**
 * The image editor (PRODUCT.md I6, I7): a screenshot, or a picture from the image viewer,
 * marked up with rectangles, ellipses, arrows, pen strokes, text and mosaic; turned by
 * quarter turns and cropped; every change undoable. Then sent or saved at full resolution.
 *
 * Everything here is in pixels of the picture as it shows (already turned): the view scales
 * pointer positions into them (and tells `setViewScale` how much, so grabbing a handle is as
 * easy at any zoom), and the renderer (lib/markupCanvas.ts) draws the same items on screen
 * and into the exported picture. The document — turn, items, crop — is immutable; undo and
 * redo keep whole documents (the items are small, the picture is never copied).
 */
import {
  boxOf,
  clampRect,
  cornerHandles,
  estimateText,
  handleAt,
  handles,
  hits,
  inside,
  moveMark,
  resizeBox,
  resizeMark,
  turnBox,
  turnMark,
  unitFor,
  type Handle,
  type Mark,
  type MarkSize,
  type Measure,
  type Point,
  type Rect,
} from '../lib/markup';
import { ViewModel } from './ViewModel';

export type QuarterTurns = 0 | 90 | 180 | 270;

export type EditorTool = 'select' | 'rect' | 'ellipse' | 'arrow' | 'pen' | 'text' | 'mosaic' | 'crop';

/** The preset colours: red, yellow, green, blue, white, black. */
export const EDITOR_COLORS = ['#f5222d', '#fadb14', '#52c41a', '#1677ff', '#ffffff', '#000000'] as const;

/** What is undone and redone. */
export interface EditorDocument {
  rotation: QuarterTurns;
  marks: readonly Mark[];
  /** The part kept, in pixels of the turned picture; null: all of it. */
  crop: Rect | null;
}

/** Text being typed (a new item, or an existing one edited again). */
export interface TextDraft {
  id: number | null;
  at: Point;
  value: string;
  color: string;
  size: MarkSize;
}

export interface ImageEditorSnapshot {
  /** The picture's size is known (a picture from the viewer loads first). */
  ready: boolean;
  /** The turned picture's size in pixels. */
  width: number;
  height: number;
  /** Sizes of lines, text and mosaic cells scale with the picture (lib/markup.ts). */
  unit: number;
  rotation: QuarterTurns;
  /** The items in drawing order, the one being drawn or dragged included. */
  marks: readonly Mark[];
  selected: number | null;
  tool: EditorTool;
  color: string;
  size: MarkSize;
  crop: Rect | null;
  /** The crop frame being chosen while the crop tool is on. */
  cropDraft: Rect | null;
  text: TextDraft | null;
  canUndo: boolean;
  canRedo: boolean;
  /** Anything changed since it opened. */
  edited: boolean;
}

/** What the renderer needs to draw the result at full size. */
export interface ExportPlan {
  rotation: QuarterTurns;
  /** The turned picture. */
  width: number;
  height: number;
  /** The kept part in whole pixels. */
  area: Rect;
  marks: readonly Mark[];
  unit: number;
}

type Gesture =
  | { type: 'draw'; mark: Mark; start: Point }
  | { type: 'move'; id: number; start: Point; original: Mark }
  | { type: 'resize'; id: number; handle: Handle; original: Mark }
  | { type: 'crop-new'; start: Point }
  | { type: 'crop-move'; start: Point; original: Rect }
  | { type: 'crop-resize'; handle: Handle; original: Rect };

/** Undo goes this many steps back. */
const HISTORY = 100;
/** Handles and lines are grabbed within this many screen pixels. */
const GRAB_PX = 8;
/** A crop smaller than this many screen pixels is a click. */
const MIN_CROP_PX = 6;

const EMPTY: EditorDocument = { rotation: 0, marks: [], crop: null };

export class ImageEditorViewModel extends ViewModel<ImageEditorSnapshot> {
  private naturalWidth = 0;
  private naturalHeight = 0;
  private doc: EditorDocument = EMPTY;
  private past: EditorDocument[] = [];
  private future: EditorDocument[] = [];
  private gesture: Gesture | null = null;
  /** The document while a gesture changes it (committed on release). */
  private live: EditorDocument | null = null;
  private nextId = 1;
  private scale = 1;
  private grab = GRAB_PX;
  /** The tool to go back to once a crop is applied. */
  private beforeCrop: EditorTool = 'select';

  constructor(
    size: { width: number; height: number } | null = null,
    private readonly measure: Measure = estimateText,
  ) {
    super({
      ready: false, width: 0, height: 0, unit: 1, rotation: 0, marks: [], selected: null, tool: 'rect', color: EDITOR_COLORS[0], size: 1,
      crop: null, cropDraft: null, text: null, canUndo: false, canRedo: false, edited: false,
    });
    if (size) this.load(size.width, size.height);
  }

  /** The picture's natural size (once it has loaded); starts a fresh document. */
  load(width: number, height: number): void {
    this.naturalWidth = Math.max(1, Math.round(width));
    this.naturalHeight = Math.max(1, Math.round(height));
    this.doc = EMPTY;
    this.past = [];
    this.future = [];
    this.gesture = null;
    this.live = null;
    this.update({ ready: true, selected: null, cropDraft: null, text: null });
    this.refresh();
  }

  /** Screen pixels per picture pixel in the view. */
  setViewScale(scale: number): void {
    if (scale > 0 && Number.isFinite(scale)) this.scale = scale;
  }

  /** A finger needs more room than a mouse to grab a handle. */
  setPointer(kind: 'mouse' | 'touch'): void {
    this.grab = kind === 'touch' ? GRAB_PX * 2 : GRAB_PX;
  }

  private get tolerance(): number {
    return this.grab / this.scale;
  }

  private get unit(): number {
    return unitFor(this.naturalWidth, this.naturalHeight);
  }

  private get turnedSize(): { width: number; height: number } {
    const sideways = this.doc.rotation === 90 || this.doc.rotation === 270;
    return sideways ? { width: this.naturalHeight, height: this.naturalWidth } : { width: this.naturalWidth, height: this.naturalHeight };
  }

  // --- Tools and style -------------------------------------------------------------------

  setTool(tool: EditorTool): void {
    const current = this.getSnapshot();
    if (current.text) this.commitText();
    if (current.tool === 'crop' && tool !== 'crop') {
      this.applyCrop(tool);
      return;
    }
    if (tool === 'crop') {
      this.beforeCrop = current.tool;
      this.update({ tool, selected: null, cropDraft: this.doc.crop });
      return;
    }
    this.update({ tool, selected: tool === 'select' ? current.selected : null });
  }

  /** The colour of what is drawn next, and of the selected item. */
  setColor(color: string): void {
    this.update({ color });
    this.restyle({ color });
  }

  setSize(size: MarkSize): void {
    this.update({ size });
    this.restyle({ size });
  }

  private restyle(style: { color?: string; size?: MarkSize }): void {
    const { selected, text } = this.getSnapshot();
    if (text) {
      this.update({ text: { ...text, ...style } });
      return;
    }
    const mark = this.doc.marks.find((m) => m.id === selected);
    if (!mark || (mark.color === (style.color ?? mark.color) && mark.size === (style.size ?? mark.size))) return;
    this.commit({ ...this.doc, marks: this.doc.marks.map((m) => (m.id === mark.id ? { ...m, ...style } : m)) });
  }

  // --- Pointer gestures (picture pixels) ---------------------------------------------------

  press(p: Point): void {
    const state = this.getSnapshot();
    if (!state.ready) return;
    if (state.text) this.commitText();
    this.gesture = null;
    const tool = this.getSnapshot().tool;
    if (tool === 'crop') {
      this.pressCrop(p);
      return;
    }
    const selected = this.doc.marks.find((m) => m.id === this.getSnapshot().selected);
    if (selected) {
      const handle = handleAt(handles(selected, this.unit, this.measure), p, this.tolerance);
      if (handle) {
        this.gesture = { type: 'resize', id: selected.id, handle, original: selected };
        return;
      }
      if (hits(selected, p, this.tolerance, this.unit, this.measure, tool === 'select')) {
        if (tool === 'text' && selected.kind === 'text') {
          this.editText(selected.id);
          return;
        }
        this.gesture = { type: 'move', id: selected.id, start: p, original: selected };
        return;
      }
    }
    if (tool === 'select' || tool === 'text') {
      const hit = this.markAt(p, tool === 'select');
      if (hit && (tool === 'select' || hit.kind === 'text')) {
        if (tool === 'text') {
          this.editText(hit.id);
          return;
        }
        this.update({ selected: hit.id });
        this.gesture = { type: 'move', id: hit.id, start: p, original: hit };
        return;
      }
      if (tool === 'text') {
        const { color, size } = this.getSnapshot();
        this.update({ selected: null, text: { id: null, at: p, value: '', color, size } });
        return;
      }
      this.update({ selected: null });
      return;
    }
    const { color, size } = this.getSnapshot();
    const style = { id: this.nextId++, color, size };
    const mark: Mark =
      tool === 'arrow'
        ? { ...style, kind: 'arrow', from: p, to: p }
        : tool === 'pen'
          ? { ...style, kind: 'pen', points: [p] }
          : { ...style, kind: tool, box: { x: p.x, y: p.y, width: 0, height: 0 } };
    this.gesture = { type: 'draw', mark, start: p };
    this.live = { ...this.doc, marks: [...this.doc.marks, mark] };
    this.update({ selected: null });
    this.refresh();
  }

  drag(p: Point): void {
    const gesture = this.gesture;
    if (!gesture) return;
    if (gesture.type === 'crop-new' || gesture.type === 'crop-move' || gesture.type === 'crop-resize') {
      this.dragCrop(gesture, p);
      return;
    }
    let changed: Mark;
    if (gesture.type === 'draw') {
      const m = gesture.mark;
      changed =
        m.kind === 'arrow'
          ? { ...m, to: p }
          : m.kind === 'pen'
            ? { ...m, points: this.extendStroke(this.liveMark(m.id), p) }
            : m.kind === 'text'
              ? m
              : { ...m, box: boxOf(gesture.start, p) };
    } else if (gesture.type === 'move') {
      changed = moveMark(gesture.original, p.x - gesture.start.x, p.y - gesture.start.y);
    } else {
      changed = resizeMark(gesture.original, gesture.handle, p, this.unit, this.measure);
    }
    const base = this.live ?? this.doc;
    this.live = { ...base, marks: base.marks.map((m) => (m.id === changed.id ? changed : m)) };
    this.refresh();
  }

  /** A pen stroke gets a new point once the pointer has moved a screen pixel or so. */
  private extendStroke(current: Mark | undefined, p: Point): readonly Point[] {
    const points = current?.kind === 'pen' ? current.points : [];
    const last = points[points.length - 1];
    if (last && Math.hypot(last.x - p.x, last.y - p.y) < 1 / this.scale) return points;
    return [...points, p];
  }

  private liveMark(id: number): Mark | undefined {
    return (this.live ?? this.doc).marks.find((m) => m.id === id);
  }

  release(p?: Point): void {
    if (p) this.drag(p);
    const gesture = this.gesture;
    this.gesture = null;
    if (!gesture) return;
    if (gesture.type === 'crop-new' || gesture.type === 'crop-move' || gesture.type === 'crop-resize') {
      const draft = this.getSnapshot().cropDraft;
      if (draft && (draft.width * this.scale < MIN_CROP_PX || draft.height * this.scale < MIN_CROP_PX)) this.update({ cropDraft: null });
      return;
    }
    const live = this.live;
    this.live = null;
    if (!live) {
      this.refresh();
      return;
    }
    const id = gesture.type === 'draw' ? gesture.mark.id : gesture.id;
    const mark = live.marks.find((m) => m.id === id);
    // A click with a drawing tool draws nothing.
    if (gesture.type === 'draw' && (!mark || this.tooSmall(mark))) {
      this.refresh();
      return;
    }
    const original = gesture.type === 'draw' ? null : gesture.original;
    if (original && mark && JSON.stringify(original) === JSON.stringify(mark)) {
      this.refresh();
      return;
    }
    this.commit(live);
    this.update({ selected: id });
  }

  /** Let go without keeping what the gesture did (the pointer left, a second finger came). */
  cancelGesture(): void {
    this.gesture = null;
    this.live = null;
    this.refresh();
  }

  private tooSmall(mark: Mark): boolean {
    const least = 2 / this.scale;
    switch (mark.kind) {
      case 'arrow':
        return Math.hypot(mark.to.x - mark.from.x, mark.to.y - mark.from.y) < least * 2;
      case 'pen':
        return mark.points.length < 2;
      case 'text':
        return false;
      default:
        return mark.box.width < least || mark.box.height < least;
    }
  }

  /** The topmost item under `p`. */
  private markAt(p: Point, filled: boolean): Mark | undefined {
    const marks = this.doc.marks;
    for (let i = marks.length - 1; i >= 0; i -= 1) {
      const mark = marks[i]!;
      if (hits(mark, p, this.tolerance, this.unit, this.measure, filled)) return mark;
    }
    return undefined;
  }

  select(id: number | null): void {
    this.update({ selected: id !== null && this.doc.marks.some((m) => m.id === id) ? id : null });
  }

  deleteSelected(): void {
    const { selected } = this.getSnapshot();
    if (selected === null || !this.doc.marks.some((m) => m.id === selected)) return;
    this.commit({ ...this.doc, marks: this.doc.marks.filter((m) => m.id !== selected) });
    this.update({ selected: null });
  }

  // --- Text --------------------------------------------------------------------------------

  editText(id: number): void {
    const mark = this.doc.marks.find((m) => m.id === id);
    if (mark?.kind !== 'text') return;
    this.update({ selected: id, text: { id, at: mark.at, value: mark.text, color: mark.color, size: mark.size } });
  }

  typeText(value: string): void {
    const text = this.getSnapshot().text;
    if (text) this.update({ text: { ...text, value } });
  }

  /** Keep the typed text (empty text removes the item). */
  commitText(): void {
    const text = this.getSnapshot().text;
    if (!text) return;
    this.update({ text: null });
    const value = text.value.replace(/\s+$/u, '');
    const existing = text.id === null ? undefined : this.doc.marks.find((m) => m.id === text.id);
    if (!value.trim()) {
      if (existing) this.commit({ ...this.doc, marks: this.doc.marks.filter((m) => m.id !== existing.id) });
      this.update({ selected: null });
      return;
    }
    const mark: Mark = { id: existing?.id ?? this.nextId++, kind: 'text', at: text.at, text: value, color: text.color, size: text.size };
    if (existing?.kind === 'text' && existing.text === mark.text && existing.color === mark.color && existing.size === mark.size) return;
    this.commit({ ...this.doc, marks: existing ? this.doc.marks.map((m) => (m.id === mark.id ? mark : m)) : [...this.doc.marks, mark] });
    this.update({ selected: mark.id });
  }

  cancelText(): void {
    this.update({ text: null });
  }

  // --- Crop --------------------------------------------------------------------------------

  private pressCrop(p: Point): void {
    const draft = this.getSnapshot().cropDraft;
    if (draft) {
      const handle = handleAt(cornerHandles(draft), p, this.tolerance);
      if (handle) {
        this.gesture = { type: 'crop-resize', handle, original: draft };
        return;
      }
      if (inside(draft, p)) {
        this.gesture = { type: 'crop-move', start: p, original: draft };
        return;
      }
    }
    this.gesture = { type: 'crop-new', start: p };
    this.update({ cropDraft: null });
  }

  private dragCrop(gesture: Extract<Gesture, { type: 'crop-new' | 'crop-move' | 'crop-resize' }>, p: Point): void {
    const { width, height } = this.turnedSize;
    const clampPoint = (q: Point) => ({ x: Math.min(width, Math.max(0, q.x)), y: Math.min(height, Math.max(0, q.y)) });
    let draft: Rect;
    if (gesture.type === 'crop-new') draft = boxOf(clampPoint(gesture.start), clampPoint(p));
    else if (gesture.type === 'crop-resize') draft = resizeBox(gesture.original, gesture.handle, clampPoint(p));
    else {
      const o = gesture.original;
      draft = {
        ...o,
        x: Math.min(width - o.width, Math.max(0, o.x + p.x - gesture.start.x)),
        y: Math.min(height - o.height, Math.max(0, o.y + p.y - gesture.start.y)),
      };
    }
    this.update({ cropDraft: draft });
  }

  /** Keep the chosen frame and go back to the tool used before (or to `next`). */
  applyCrop(next?: EditorTool): void {
    const { tool, cropDraft } = this.getSnapshot();
    if (tool !== 'crop') return;
    const { width, height } = this.turnedSize;
    const crop = cropDraft ? clampRect(cropDraft, width, height) : null;
    const whole = crop !== null && crop.width === width && crop.height === height;
    const kept = whole ? null : crop;
    this.update({ tool: next ?? this.beforeCrop, cropDraft: null });
    if (JSON.stringify(kept) !== JSON.stringify(this.doc.crop)) this.commit({ ...this.doc, crop: kept });
  }

  /** Leave the crop tool without changing the crop. */
  cancelCrop(): void {
    if (this.getSnapshot().tool !== 'crop') return;
    this.gesture = null;
    this.update({ tool: this.beforeCrop, cropDraft: null });
  }

  /** The whole picture again (undoable). */
  clearCrop(): void {
    if (this.getSnapshot().tool === 'crop') this.update({ cropDraft: null });
    if (this.doc.crop) this.commit({ ...this.doc, crop: null });
  }

  // --- Turn --------------------------------------------------------------------------------

  /** A quarter turn clockwise (1) or anticlockwise (-1); items and crop turn with the picture. */
  rotate(direction: 1 | -1): void {
    if (!this.getSnapshot().ready) return;
    if (this.getSnapshot().text) this.commitText();
    if (this.getSnapshot().tool === 'crop') this.applyCrop();
    const { width, height } = this.turnedSize;
    const rotation = ((((this.doc.rotation + direction * 90) % 360) + 360) % 360) as QuarterTurns;
    this.commit({
      rotation,
      marks: this.doc.marks.map((m) => turnMark(m, direction, width, height, this.unit, this.measure)),
      crop: this.doc.crop ? turnBox(this.doc.crop, direction, width, height) : null,
    });
  }

  // --- Undo --------------------------------------------------------------------------------

  undo(): void {
    if (this.getSnapshot().text) {
      this.cancelText();
      return;
    }
    const previous = this.past.pop();
    if (!previous) return;
    this.cancelGesture();
    this.future.push(this.doc);
    this.doc = previous;
    this.afterHistory();
  }

  redo(): void {
    const next = this.future.pop();
    if (!next) return;
    this.cancelGesture();
    this.past.push(this.doc);
    this.doc = next;
    this.afterHistory();
  }

  private afterHistory(): void {
    const { selected, tool } = this.getSnapshot();
    this.update({
      selected: this.doc.marks.some((m) => m.id === selected) ? selected : null,
      cropDraft: tool === 'crop' ? this.doc.crop : null,
    });
    this.refresh();
  }

  private commit(next: EditorDocument): void {
    this.past.push(this.doc);
    if (this.past.length > HISTORY) this.past.shift();
    this.future = [];
    this.doc = next;
    this.refresh();
  }

  // --- Result ------------------------------------------------------------------------------

  /** How to draw the result at full size. */
  plan(): ExportPlan {
    const { width, height } = this.turnedSize;
    const area = (this.doc.crop && clampRect(this.doc.crop, width, height)) ?? { x: 0, y: 0, width, height };
    return { rotation: this.doc.rotation, width, height, area, marks: this.doc.marks, unit: this.unit };
  }

  private refresh(): void {
    const doc = this.live ?? this.doc;
    const { width, height } = this.turnedSize;
    this.update({
      width,
      height,
      unit: this.unit,
      rotation: doc.rotation,
      marks: doc.marks,
      crop: doc.crop,
      canUndo: this.past.length > 0,
      canRedo: this.future.length > 0,
      edited: doc.rotation !== 0 || doc.crop !== null || doc.marks.length > 0,
    });
  }
}
