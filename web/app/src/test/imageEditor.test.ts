import { describe, expect, it } from 'vitest';
import { bounds, hits, lineWidth, resizeMark, turnMark, unitFor, type Mark } from '../lib/markup';
import { EDITOR_COLORS, ImageEditorViewModel } from '../viewmodels/ImageEditorViewModel';

/** Draw from one point to another with the current tool. */
function stroke(editor: ImageEditorViewModel, from: { x: number; y: number }, to: { x: number; y: number }, steps = 3) {
  editor.press(from);
  for (let i = 1; i <= steps; i += 1) editor.drag({ x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps });
  editor.release(to);
}

describe('ImageEditorViewModel', () => {
  it('draws each kind of item in the chosen colour and width, and a click draws nothing', () => {
    const editor = new ImageEditorViewModel({ width: 1280, height: 720 });
    expect(editor.getSnapshot()).toMatchObject({ ready: true, width: 1280, height: 720, unit: 1, tool: 'rect', color: EDITOR_COLORS[0], size: 1, edited: false, canUndo: false });
    stroke(editor, { x: 100, y: 100 }, { x: 40, y: 300 });
    editor.setTool('ellipse');
    editor.setColor(EDITOR_COLORS[3]);
    editor.setSize(2);
    stroke(editor, { x: 500, y: 100 }, { x: 700, y: 200 });
    editor.setTool('arrow');
    stroke(editor, { x: 10, y: 10 }, { x: 200, y: 50 });
    editor.setTool('pen');
    stroke(editor, { x: 300, y: 300 }, { x: 400, y: 350 }, 5);
    editor.setTool('mosaic');
    stroke(editor, { x: 800, y: 400 }, { x: 900, y: 500 });
    // The last item drawn is selected, ready to move or resize.
    expect(editor.getSnapshot()).toMatchObject({ selected: editor.getSnapshot().marks[4]?.id, edited: true, canUndo: true, canRedo: false });
    editor.setTool('rect');
    editor.press({ x: 600, y: 600 });
    editor.release({ x: 600, y: 600 });
    const marks = editor.getSnapshot().marks;
    expect(marks.map((m) => m.kind)).toEqual(['rect', 'ellipse', 'arrow', 'pen', 'mosaic']);
    expect(marks[0]).toMatchObject({ box: { x: 40, y: 100, width: 60, height: 200 }, color: EDITOR_COLORS[0], size: 1 });
    expect(marks[1]).toMatchObject({ box: { x: 500, y: 100, width: 200, height: 100 }, color: EDITOR_COLORS[3], size: 2 });
    expect(marks[2]).toMatchObject({ from: { x: 10, y: 10 }, to: { x: 200, y: 50 } });
    expect(marks[3]?.kind === 'pen' && marks[3].points.length).toBe(6);
    expect(editor.getSnapshot().selected).toBeNull();
  });

  it('selects, moves, resizes, restyles and deletes items', () => {
    const editor = new ImageEditorViewModel({ width: 1000, height: 1000 });
    stroke(editor, { x: 100, y: 100 }, { x: 300, y: 200 });
    const id = editor.getSnapshot().marks[0]!.id;
    editor.setTool('select');
    editor.press({ x: 900, y: 900 });
    editor.release();
    expect(editor.getSnapshot().selected).toBeNull();
    // Inside a rectangle picks it with the select tool; dragging moves it.
    stroke(editor, { x: 200, y: 150 }, { x: 250, y: 170 });
    expect(editor.getSnapshot()).toMatchObject({ selected: id, marks: [{ box: { x: 150, y: 120, width: 200, height: 100 } }] });
    // The bottom-right handle resizes it; the top-left corner stays.
    stroke(editor, { x: 350, y: 220 }, { x: 450, y: 420 });
    expect(editor.getSnapshot().marks[0]).toMatchObject({ box: { x: 150, y: 120, width: 300, height: 300 } });
    editor.setColor(EDITOR_COLORS[2]);
    editor.setSize(0);
    expect(editor.getSnapshot().marks[0]).toMatchObject({ color: EDITOR_COLORS[2], size: 0 });
    editor.deleteSelected();
    expect(editor.getSnapshot()).toMatchObject({ marks: [], selected: null });
    // Every step undoes in turn: delete, size, colour, resize, move, draw.
    for (let i = 0; i < 6; i += 1) editor.undo();
    expect(editor.getSnapshot()).toMatchObject({ marks: [], canUndo: false, canRedo: true, edited: false });
    editor.redo();
    editor.redo();
    expect(editor.getSnapshot().marks[0]).toMatchObject({ box: { x: 150, y: 120, width: 200, height: 100 }, color: EDITOR_COLORS[0] });
  });

  it('moves the selected item with a drawing tool by its line, and draws a new one elsewhere inside it', () => {
    const editor = new ImageEditorViewModel({ width: 1000, height: 1000 });
    stroke(editor, { x: 100, y: 100 }, { x: 500, y: 500 });
    // On the outline: a move.
    stroke(editor, { x: 100, y: 300 }, { x: 110, y: 300 });
    expect(editor.getSnapshot().marks).toHaveLength(1);
    expect(editor.getSnapshot().marks[0]).toMatchObject({ box: { x: 110, y: 100 } });
    // Inside, away from the line: a new rectangle.
    stroke(editor, { x: 200, y: 200 }, { x: 300, y: 300 });
    expect(editor.getSnapshot().marks).toHaveLength(2);
  });

  it('grabs handles within a few screen pixels at any zoom', () => {
    const editor = new ImageEditorViewModel({ width: 4000, height: 3000 });
    stroke(editor, { x: 1000, y: 1000 }, { x: 2000, y: 2000 });
    editor.setViewScale(0.25);
    // 20 picture pixels off is 5 screen pixels at a quarter: still the handle.
    stroke(editor, { x: 2020, y: 2020 }, { x: 2500, y: 2500 });
    expect(editor.getSnapshot().marks).toHaveLength(1);
    expect(editor.getSnapshot().marks[0]).toMatchObject({ box: { x: 1000, y: 1000, width: 1500, height: 1500 } });
    editor.setViewScale(1);
    // A finger gets twice the room: 12 pixels off still grabs the corner.
    editor.setPointer('touch');
    stroke(editor, { x: 2512, y: 2512 }, { x: 2600, y: 2600 });
    expect(editor.getSnapshot().marks).toHaveLength(1);
    expect(editor.getSnapshot().marks[0]).toMatchObject({ box: { x: 1000, y: 1000, width: 1600, height: 1600 } });
    editor.setPointer('mouse');
    stroke(editor, { x: 2620, y: 2620 }, { x: 2700, y: 2700 });
    expect(editor.getSnapshot().marks).toHaveLength(2);
  });

  it('types text, edits it again, and removes it when emptied', () => {
    const editor = new ImageEditorViewModel({ width: 800, height: 600 });
    editor.setTool('text');
    editor.press({ x: 50, y: 60 });
    editor.release();
    expect(editor.getSnapshot().text).toMatchObject({ id: null, at: { x: 50, y: 60 }, value: '' });
    editor.typeText('Look here  ');
    editor.commitText();
    const [text] = editor.getSnapshot().marks;
    expect(text).toMatchObject({ kind: 'text', text: 'Look here', at: { x: 50, y: 60 } });
    // A press on it with the text tool edits it.
    editor.press({ x: 60, y: 70 });
    expect(editor.getSnapshot().text).toMatchObject({ id: text?.id, value: 'Look here' });
    editor.typeText('Here');
    // A press elsewhere keeps the text and starts another.
    editor.press({ x: 400, y: 400 });
    expect(editor.getSnapshot().marks).toMatchObject([{ text: 'Here' }]);
    editor.cancelText();
    editor.editText(text!.id);
    editor.typeText('  ');
    editor.commitText();
    expect(editor.getSnapshot().marks).toEqual([]);
    editor.undo();
    expect(editor.getSnapshot().marks).toMatchObject([{ text: 'Here' }]);
  });

  it('crops with its own tool, applies, undoes and clears', () => {
    const editor = new ImageEditorViewModel({ width: 1280, height: 720 });
    editor.setTool('arrow');
    editor.setTool('crop');
    stroke(editor, { x: 1400, y: 100 }, { x: 640, y: -50 });
    expect(editor.getSnapshot().cropDraft).toEqual({ x: 640, y: 0, width: 640, height: 100 });
    // Move the frame by its inside, then stretch a corner.
    stroke(editor, { x: 700, y: 50 }, { x: 600, y: 150 });
    expect(editor.getSnapshot().cropDraft).toEqual({ x: 540, y: 100, width: 640, height: 100 });
    stroke(editor, { x: 1180, y: 200 }, { x: 1180.4, y: 400.4 });
    editor.applyCrop();
    expect(editor.getSnapshot()).toMatchObject({ tool: 'arrow', crop: { x: 540, y: 100, width: 640, height: 300 }, cropDraft: null, edited: true });
    expect(editor.plan().area).toEqual({ x: 540, y: 100, width: 640, height: 300 });
    // A tiny frame is a click; cancel leaves the crop as it was.
    editor.setTool('crop');
    expect(editor.getSnapshot().cropDraft).toEqual({ x: 540, y: 100, width: 640, height: 300 });
    stroke(editor, { x: 10, y: 10 }, { x: 12, y: 12 });
    expect(editor.getSnapshot().cropDraft).toBeNull();
    editor.cancelCrop();
    expect(editor.getSnapshot().crop).toEqual({ x: 540, y: 100, width: 640, height: 300 });
    editor.undo();
    expect(editor.getSnapshot().crop).toBeNull();
    editor.redo();
    editor.clearCrop();
    expect(editor.plan().area).toEqual({ x: 0, y: 0, width: 1280, height: 720 });
  });

  it('turns the picture with its items and crop, and plans the full-size result', () => {
    const editor = new ImageEditorViewModel({ width: 800, height: 400 });
    stroke(editor, { x: 0, y: 0 }, { x: 100, y: 50 });
    editor.setTool('crop');
    stroke(editor, { x: 400, y: 0 }, { x: 800, y: 400 });
    editor.applyCrop();
    editor.rotate(1);
    expect(editor.getSnapshot()).toMatchObject({ rotation: 90, width: 400, height: 800, crop: { x: 0, y: 400, width: 400, height: 400 } });
    expect(editor.getSnapshot().marks[0]).toMatchObject({ box: { x: 350, y: 0, width: 50, height: 100 } });
    expect(editor.plan()).toMatchObject({ rotation: 90, width: 400, height: 800, area: { x: 0, y: 400, width: 400, height: 400 } });
    editor.rotate(-1);
    expect(editor.getSnapshot()).toMatchObject({ rotation: 0, crop: { x: 400, y: 0, width: 400, height: 400 }, marks: [{ box: { x: 0, y: 0, width: 100, height: 50 } }] });
    editor.rotate(-1);
    expect(editor.getSnapshot().rotation).toBe(270);
    editor.undo();
    editor.undo();
    expect(editor.getSnapshot().rotation).toBe(90);
  });

  it('waits for the picture before anything is drawn', () => {
    const editor = new ImageEditorViewModel();
    editor.press({ x: 1, y: 1 });
    editor.release({ x: 50, y: 50 });
    expect(editor.getSnapshot()).toMatchObject({ ready: false, marks: [] });
    editor.load(640, 480);
    stroke(editor, { x: 1, y: 1 }, { x: 50, y: 50 });
    expect(editor.getSnapshot()).toMatchObject({ ready: true, width: 640, marks: [{ kind: 'rect' }] });
  });

  it('keeps a hundred steps of undo, and a new change drops the redo', () => {
    const editor = new ImageEditorViewModel({ width: 500, height: 500 });
    for (let i = 0; i < 105; i += 1) stroke(editor, { x: (i % 20) * 24, y: Math.floor(i / 20) * 60 }, { x: (i % 20) * 24 + 4, y: Math.floor(i / 20) * 60 + 30 });
    for (let i = 0; i < 200; i += 1) editor.undo();
    expect(editor.getSnapshot().marks).toHaveLength(5);
    editor.redo();
    stroke(editor, { x: 450, y: 450 }, { x: 480, y: 480 });
    expect(editor.getSnapshot()).toMatchObject({ canRedo: false });
    expect(editor.getSnapshot().marks).toHaveLength(7);
  });
});

describe('drawn item geometry', () => {
  const measure = (text: string, size: number) => text.length * size * 0.5;

  it('scales line widths with the picture', () => {
    expect(unitFor(1280, 720)).toBe(1);
    expect(unitFor(640, 480)).toBe(1);
    expect(unitFor(720, 3840)).toBe(3);
    expect(lineWidth(2, 3)).toBe(30);
  });

  it('hits lines near their stroke and filled items inside', () => {
    const rect: Mark = { id: 1, kind: 'rect', box: { x: 0, y: 0, width: 100, height: 100 }, color: 'red', size: 0 };
    expect(hits(rect, { x: 50, y: 2 }, 4, 1, measure, false)).toBe(true);
    expect(hits(rect, { x: 50, y: 50 }, 4, 1, measure, false)).toBe(false);
    expect(hits(rect, { x: 50, y: 50 }, 4, 1, measure, true)).toBe(true);
    const ellipse: Mark = { ...rect, kind: 'ellipse' };
    expect(hits(ellipse, { x: 100, y: 50 }, 4, 1, measure, false)).toBe(true);
    expect(hits(ellipse, { x: 2, y: 2 }, 4, 1, measure, false)).toBe(false);
    const arrow: Mark = { id: 2, kind: 'arrow', from: { x: 0, y: 0 }, to: { x: 100, y: 100 }, color: 'red', size: 0 };
    expect(hits(arrow, { x: 50, y: 53 }, 4, 1, measure, true)).toBe(true);
    expect(hits(arrow, { x: 50, y: 70 }, 4, 1, measure, true)).toBe(false);
  });

  it('stretches pen strokes and snaps text to the three sizes when resized', () => {
    const pen: Mark = { id: 1, kind: 'pen', points: [{ x: 0, y: 0 }, { x: 10, y: 20 }], color: 'red', size: 0 };
    expect(resizeMark(pen, 'se', { x: 20, y: 40 }, 1, measure)).toMatchObject({ points: [{ x: 0, y: 0 }, { x: 20, y: 40 }] });
    const text: Mark = { id: 2, kind: 'text', at: { x: 10, y: 10 }, text: 'ab', color: 'red', size: 0 };
    const grown = resizeMark(text, 'se', { x: 200, y: 70 }, 1, measure);
    expect(grown).toMatchObject({ size: 2, at: { x: 10, y: 10 } });
    const fromTop = resizeMark(text, 'nw', { x: 0, y: -100 }, 1, measure);
    const box = bounds(text, 1, measure);
    const after = bounds(fromTop, 1, measure);
    expect(after.x + after.width).toBeCloseTo(box.x + box.width);
    expect(after.y + after.height).toBeCloseTo(box.y + box.height);
  });

  it('turns text upright around its middle', () => {
    const text: Mark = { id: 2, kind: 'text', at: { x: 0, y: 0 }, text: 'abcd', color: 'red', size: 0 };
    const box = bounds(text, 1, measure);
    const turned = turnMark(text, 1, 800, 400, 1, measure);
    const after = bounds(turned, 1, measure);
    expect(after.width).toBe(box.width);
    expect(after.x + after.width / 2).toBeCloseTo(400 - box.height / 2);
    expect(after.y + after.height / 2).toBeCloseTo(box.width / 2);
  });
});
