/**
 * The image editor (PRODUCT.md I6, I7) as a full-screen dialog: a screenshot just taken, or
 * an image from the viewer, marked up (rectangle, ellipse, arrow, pen, text, mosaic; colours
 * and three widths), items selected, moved, resized and deleted, undo and redo, turned and
 * cropped; then sent or saved at full resolution. The state is ImageEditorViewModel's; this
 * view scales it to the screen and pointer positions back into picture pixels.
 *
 * Loaded on demand (React.lazy): the chat's first download does not carry it.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent, type ReactElement } from 'react';
import { editorTranslator, type EditorWord } from '../i18n/editorWords';
import type { Translate } from '../i18n/i18n';
import { bounds, cornerHandles, fontSize, handles, LINE_HEIGHT, type MarkSize, type Rect } from '../lib/markup';
import { canvasMeasure, drawMarks, fontFor, renderPicture, turnedPicture } from '../lib/markupCanvas';
import { EDITOR_COLORS, ImageEditorViewModel, type EditorTool, type ImageEditorSnapshot } from '../viewmodels/ImageEditorViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { ArrowIcon, CheckIcon, EllipseIcon, MosaicIcon, PenIcon, PointerIcon, RectIcon, RedoIcon, SaveIcon, TextIcon, TrashIcon, UndoIcon } from './EditorIcons';
import { CloseIcon, RotateIcon } from './Icons';
import { CropIcon, RotateLeftIcon, SendIcon } from './MediaIcons';
import './image-editor.css';

/** A decoded picture (a screenshot's frame), or the address of one (an image in a chat). */
export type EditorPicture = { source: CanvasImageSource; width: number; height: number } | { url: string };

export interface ImageEditorDialogProps {
  t: Translate;
  picture: EditorPicture;
  title: string;
  /** The file name a saved copy gets. */
  saveName: string;
  /** There is somewhere to send it; false: save only. */
  canSend: boolean;
  /** Nothing to send until something changed (a copy of an image already in the chat). */
  sendNeedsEdit?: boolean;
  sending?: boolean;
  onSend(picture: Blob): void | Promise<void>;
  onClose(): void;
}

const TOOLS: { tool: EditorTool; label: EditorWord; icon: (p: { size?: number }) => ReactElement }[] = [
  { tool: 'select', label: 'editor.select', icon: PointerIcon },
  { tool: 'rect', label: 'editor.rect', icon: RectIcon },
  { tool: 'ellipse', label: 'editor.ellipse', icon: EllipseIcon },
  { tool: 'arrow', label: 'editor.arrow', icon: ArrowIcon },
  { tool: 'pen', label: 'editor.pen', icon: PenIcon },
  { tool: 'text', label: 'editor.text', icon: TextIcon },
  { tool: 'mosaic', label: 'editor.mosaic', icon: MosaicIcon },
  { tool: 'crop', label: 'editor.crop', icon: CropIcon },
];
const SIZES: { size: MarkSize; label: EditorWord; dot: number }[] = [
  { size: 0, label: 'editor.sizeSmall', dot: 4 },
  { size: 1, label: 'editor.sizeMedium', dot: 7 },
  { size: 2, label: 'editor.sizeLarge', dot: 11 },
];
const COLOR_NAMES: EditorWord[] = ['editor.red', 'editor.yellow', 'editor.green', 'editor.blue', 'editor.white', 'editor.black'];
/** Room left around the picture in the stage, in CSS pixels. */
const STAGE_MARGIN = 16;

/** The part of the picture on screen: all of it while cropping, else the kept part. */
function regionOf(state: ImageEditorSnapshot): Rect {
  const whole = { x: 0, y: 0, width: state.width, height: state.height };
  return state.tool === 'crop' ? whole : (state.crop ?? whole);
}

export default function ImageEditorDialog({ t: appWords, picture, title, saveName, canSend, sendNeedsEdit = false, sending = false, onSend, onClose }: ImageEditorDialogProps) {
  // The document's language is the app's (App sets it); `appWords` changes with it.
  const t = useMemo(() => editorTranslator(appWords, document.documentElement.lang === 'zh-CN' ? 'zh-CN' : 'en'), [appWords]);
  const measure = useMemo(() => canvasMeasure(), []);
  const editor = useMemo(() => new ImageEditorViewModel(null, measure), [measure]);
  useEffect(() => () => editor.dispose(), [editor]);
  const state = useViewModel(editor);
  const [loaded, setLoaded] = useState<{ source: CanvasImageSource; width: number; height: number } | null>('url' in picture ? null : picture);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const stage = useRef<HTMLDivElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [stageSize, setStageSize] = useState({ width: 0, height: 0 });
  const pressed = useRef(false);

  useEffect(() => {
    if (!('url' in picture)) {
      setLoaded(picture);
      return;
    }
    const image = new Image();
    image.onload = () => setLoaded({ source: image, width: image.naturalWidth, height: image.naturalHeight });
    image.onerror = () => setFailed(true);
    image.src = picture.url;
  }, [picture]);
  useEffect(() => {
    if (loaded) editor.load(loaded.width, loaded.height);
  }, [editor, loaded]);

  useEffect(() => {
    const element = stage.current;
    if (!element) return;
    const measureStage = () => setStageSize({ width: element.clientWidth, height: element.clientHeight });
    measureStage();
    const observer = new ResizeObserver(measureStage);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const turned = useMemo(() => (loaded ? turnedPicture(loaded.source, loaded.width, loaded.height, state.rotation) : null), [loaded, state.rotation]);
  const region = regionOf(state);
  const scale =
    state.ready && region.width > 0 && stageSize.width > 0
      ? Math.min(1, (stageSize.width - STAGE_MARGIN * 2) / region.width, (stageSize.height - STAGE_MARGIN * 2) / region.height)
      : 1;
  const frame = { width: Math.max(1, Math.round(region.width * scale)), height: Math.max(1, Math.round(region.height * scale)) };
  useEffect(() => editor.setViewScale(scale), [editor, scale]);

  // Draw: the picture, the items, then what only the screen shows (selection, crop frame).
  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context || !turned || !state.ready) return;
    const ratio = window.devicePixelRatio || 1;
    element.width = Math.round(frame.width * ratio);
    element.height = Math.round(frame.height * ratio);
    const k = scale * ratio;
    context.setTransform(k, 0, 0, k, -region.x * k, -region.y * k);
    context.imageSmoothingEnabled = true;
    context.drawImage(turned, 0, 0, state.width, state.height);
    drawMarks(context, turned, state.width, state.height, state.marks, state.unit, { skip: state.text?.id ?? null });
    const px = 1 / scale;
    const selected = state.tool === 'crop' ? undefined : state.marks.find((m) => m.id === state.selected);
    if (selected && !state.text) {
      const box = bounds(selected, state.unit, measure);
      context.save();
      context.lineWidth = px;
      context.setLineDash([4 * px, 3 * px]);
      context.strokeStyle = '#1677ff';
      if (selected.kind !== 'arrow') context.strokeRect(box.x - 3 * px, box.y - 3 * px, box.width + 6 * px, box.height + 6 * px);
      context.setLineDash([]);
      for (const { at } of handles(selected, state.unit, measure)) {
        context.fillStyle = '#ffffff';
        context.fillRect(at.x - 4 * px, at.y - 4 * px, 8 * px, 8 * px);
        context.strokeRect(at.x - 4 * px, at.y - 4 * px, 8 * px, 8 * px);
      }
      context.restore();
    }
    if (state.tool === 'crop') {
      context.save();
      context.fillStyle = 'rgba(0, 0, 0, 0.55)';
      context.beginPath();
      context.rect(0, 0, state.width, state.height);
      const draft = state.cropDraft;
      if (draft) context.rect(draft.x + draft.width, draft.y, -draft.width, draft.height);
      context.fill('evenodd');
      if (draft) {
        context.strokeStyle = '#ffffff';
        context.lineWidth = 1.5 * px;
        context.strokeRect(draft.x, draft.y, draft.width, draft.height);
        context.fillStyle = '#ffffff';
        for (const { at } of cornerHandles(draft)) context.fillRect(at.x - 5 * px, at.y - 5 * px, 10 * px, 10 * px);
      }
      context.restore();
    }
  }, [turned, state, scale, region.x, region.y, frame.width, frame.height, measure]);

  // The keys are the editor's now, not the composer's or the viewer's behind it.
  useEffect(() => dialog.current?.focus(), []);
  // Keys: undo, redo, delete, and Escape/Enter for crop; typing in the text box is its own.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = target && (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT');
      if (typing && dialog.current?.contains(target)) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === 'z') {
        event.preventDefault();
        if (event.shiftKey) editor.redo();
        else editor.undo();
      } else if (mod && key === 'y') {
        event.preventDefault();
        editor.redo();
      } else if (event.key === 'Delete' || event.key === 'Backspace') {
        event.preventDefault();
        editor.deleteSelected();
      } else if (event.key === 'Enter' && editor.getSnapshot().tool === 'crop') {
        editor.applyCrop();
      } else if (event.key === 'Escape') {
        if (editor.getSnapshot().tool === 'crop') editor.cancelCrop();
        else onClose();
      } else return;
      event.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [editor, onClose]);

  const at = (event: ReactPointerEvent) => {
    const box = canvas.current?.getBoundingClientRect();
    if (!box || box.width === 0) return { x: 0, y: 0 };
    return { x: region.x + ((event.clientX - box.left) / box.width) * region.width, y: region.y + ((event.clientY - box.top) / box.height) * region.height };
  };
  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    pressed.current = true;
    event.currentTarget.setPointerCapture?.(event.pointerId);
    editor.setPointer(event.pointerType === 'touch' ? 'touch' : 'mouse');
    editor.press(at(event));
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (pressed.current) editor.drag(at(event));
  };
  const onPointerUp = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!pressed.current) return;
    pressed.current = false;
    editor.release(at(event));
  };

  const render = async () => {
    if (!loaded) throw new Error('not loaded');
    return renderPicture(loaded.source, loaded.width, loaded.height, editor.plan());
  };
  const send = async () => {
    if (busy) return;
    editor.commitText();
    if (editor.getSnapshot().tool === 'crop') editor.applyCrop();
    setBusy(true);
    try {
      await onSend(await render());
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    editor.commitText();
    if (editor.getSnapshot().tool === 'crop') editor.applyCrop();
    const blob = await render();
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = saveName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  const text = state.text;
  const cropping = state.tool === 'crop';
  const hint = cropping ? t('editor.cropHint') : state.tool === 'select' ? t('editor.selectHint') : state.tool === 'text' ? t('editor.textHint') : t('editor.drawHint');
  return (
    <div className="image-editor" role="dialog" aria-modal="true" aria-label={title} data-testid="image-editor" ref={dialog} tabIndex={-1}>
      <div className="editor-top">
        <span className="editor-title">{title}</span>
        <span className="editor-hint" data-testid="editor-hint">{hint}</span>
        <button className="icon-button" onClick={onClose} aria-label={t('common.close')} title={t('common.close')} data-testid="editor-cancel">
          <CloseIcon size={20} />
        </button>
      </div>
      <div className="editor-stage" ref={stage}>
        {state.ready && turned ? (
          <div className="editor-frame" style={{ width: frame.width, height: frame.height }}>
            <canvas
              ref={canvas}
              className={`editor-canvas tool-${state.tool}`}
              style={{ width: frame.width, height: frame.height }}
              data-testid="editor-canvas"
              data-width={state.width}
              data-height={state.height}
              data-rotation={state.rotation}
              data-tool={state.tool}
              data-marks={state.marks.length}
              data-region={`${region.x},${region.y},${region.width},${region.height}`}
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={onPointerUp}
              onPointerCancel={() => {
                pressed.current = false;
                editor.cancelGesture();
              }}
              onDoubleClick={() => {
                const mark = state.marks.find((m) => m.id === state.selected);
                if (mark?.kind === 'text') editor.editText(mark.id);
              }}
            />
            {text && (
              <TextBox
                key={`${text.id ?? 'new'}-${text.at.x}-${text.at.y}`}
                value={text.value}
                color={text.color}
                size={fontSize(text.size, state.unit) * scale}
                left={(text.at.x - region.x) * scale}
                top={(text.at.y - region.y) * scale}
                label={t('editor.text')}
                onChange={(value) => editor.typeText(value)}
                onCommit={() => editor.commitText()}
                onCancel={() => editor.cancelText()}
              />
            )}
          </div>
        ) : (
          <span className="viewer-message">{failed ? t('files.unavailable') : t('common.loading')}</span>
        )}
      </div>
      <div className="editor-toolbar" role="toolbar" aria-label={title}>
        <div className="editor-group">
          {TOOLS.map(({ tool, label, icon: Icon }) => (
            <button
              key={tool}
              className={`editor-tool${state.tool === tool ? ' active' : ''}`}
              aria-pressed={state.tool === tool}
              aria-label={t(label)}
              title={t(label)}
              data-testid={`editor-tool-${tool}`}
              onClick={() => editor.setTool(tool)}
            >
              <Icon />
            </button>
          ))}
        </div>
        {cropping ? (
          <div className="editor-group">
            <button className="text-button" onClick={() => editor.cancelCrop()} data-testid="editor-crop-cancel">{t('editor.cropCancel')}</button>
            <button className="text-button" onClick={() => editor.clearCrop()} disabled={!state.crop && !state.cropDraft} data-testid="editor-clear-crop">{t('editor.cropClear')}</button>
            <button className="text-button primary" onClick={() => editor.applyCrop()} data-testid="editor-crop-apply"><CheckIcon size={16} /> {t('editor.cropApply')}</button>
          </div>
        ) : (
          <div className="editor-group">
            {EDITOR_COLORS.map((color, i) => (
              <button
                key={color}
                className={`editor-color${state.color === color ? ' active' : ''}`}
                style={{ background: color }}
                aria-pressed={state.color === color}
                aria-label={t(COLOR_NAMES[i]!)}
                title={t(COLOR_NAMES[i]!)}
                data-testid={`editor-color-${i}`}
                onClick={() => editor.setColor(color)}
              />
            ))}
            <span className="editor-separator" />
            {SIZES.map(({ size, label, dot }) => (
              <button
                key={size}
                className={`editor-size${state.size === size ? ' active' : ''}`}
                aria-pressed={state.size === size}
                aria-label={t(label)}
                title={t(label)}
                data-testid={`editor-size-${size}`}
                onClick={() => editor.setSize(size)}
              >
                <span style={{ width: dot, height: dot }} />
              </button>
            ))}
          </div>
        )}
        <div className="editor-group">
          <button onClick={() => editor.undo()} disabled={!state.canUndo && !text} aria-label={t('editor.undo')} title={`${t('editor.undo')} (Ctrl+Z)`} data-testid="editor-undo"><UndoIcon /></button>
          <button onClick={() => editor.redo()} disabled={!state.canRedo} aria-label={t('editor.redo')} title={`${t('editor.redo')} (Ctrl+Shift+Z)`} data-testid="editor-redo"><RedoIcon /></button>
          <button onClick={() => editor.deleteSelected()} disabled={state.selected === null} aria-label={t('editor.delete')} title={t('editor.delete')} data-testid="editor-delete"><TrashIcon /></button>
          <button onClick={() => editor.rotate(-1)} aria-label={t('viewer.rotateLeft')} title={t('viewer.rotateLeft')} data-testid="editor-rotate-left"><RotateLeftIcon size={20} /></button>
          <button onClick={() => editor.rotate(1)} aria-label={t('viewer.rotateRight')} title={t('viewer.rotateRight')} data-testid="editor-rotate-right"><RotateIcon size={20} /></button>
        </div>
        <div className="editor-group editor-actions">
          <button className="text-button" onClick={() => void save()} disabled={!state.ready} data-testid="editor-save"><SaveIcon size={16} /> {t('editor.save')}</button>
          {canSend && (
            <button
              className="text-button primary"
              onClick={() => void send()}
              disabled={!state.ready || busy || sending || (sendNeedsEdit && !state.edited)}
              data-testid="editor-send"
            >
              <SendIcon size={16} /> {t('editor.send')}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

function TextBox(props: { value: string; color: string; size: number; left: number; top: number; label: string; onChange(v: string): void; onCommit(): void; onCancel(): void }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  // After the press that opened it has finished moving the focus (to the page).
  useEffect(() => {
    const timer = setTimeout(() => ref.current?.focus());
    return () => clearTimeout(timer);
  }, []);
  const lines = Math.max(1, props.value.split('\n').length);
  const onKeyDown = (event: ReactKeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      props.onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      props.onCommit();
    }
  };
  return (
    <textarea
      ref={ref}
      className="editor-text-input"
      data-testid="editor-text-input"
      aria-label={props.label}
      value={props.value}
      rows={lines}
      spellCheck={false}
      style={{ left: props.left, top: props.top, color: props.color, font: fontFor(props.size), lineHeight: LINE_HEIGHT, height: lines * props.size * LINE_HEIGHT + 8 }}
      onChange={(e) => props.onChange(e.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => props.onCommit()}
    />
  );
}
