/**
 * The image viewer (I7): over the chat in the main window, or in a window of its own. Zoom
 * (buttons, wheel), rotate, drag to move, reset, download; forward the message; edit (turn,
 * crop) and send the result as a new image.
 */
import { useEffect, useRef, useState, type PointerEvent, type WheelEvent } from 'react';
import type { Translate } from '../i18n/i18n';
import { drawRotated, renderEdit } from '../lib/imageEdit';
import type { ImageEditorViewModel } from '../viewmodels/ImageEditorViewModel';
import type { ImageWindowViewModel } from '../viewmodels/ImageWindowViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { ForwardDialog } from './Dialogs';
import { CloseIcon, DownloadIcon, PopOutIcon, ResetIcon, RotateIcon, ZoomInIcon, ZoomOutIcon } from './Icons';
import { CropIcon, EditIcon, ForwardIcon, RotateLeftIcon } from './MediaIcons';
import { useDocumentTitle } from './useDocumentTitle';
import './image-viewer.css';

interface PaneProps {
  vm: ImageWindowViewModel;
  t: Translate;
  onClose(): void;
  /** The main window only: show the image in a window of its own. */
  onPopOut?: () => void;
}

export function ImageViewerPane({ vm, t, onClose, onPopOut }: PaneProps) {
  const state = useViewModel(vm);
  useEffect(() => {
    if (!state.notice || state.sending) return;
    const timer = setTimeout(() => vm.showNotice(null), 2500);
    return () => clearTimeout(timer);
  }, [vm, state.notice, state.sending]);
  return (
    <div className="image-viewer" role="dialog" aria-modal="true" aria-label={t('files.viewer')} data-testid="image-viewer" data-mode={state.mode}>
      {state.mode === 'edit' && state.editor ? (
        <ImageEditor vm={vm} editor={state.editor} t={t} />
      ) : (
        <ViewerStage vm={vm} t={t} onClose={onClose} onPopOut={onPopOut} />
      )}
      {state.forward && <ForwardDialog vm={state.forward} t={t} onClose={() => vm.closeForward()} onDone={(count) => vm.forwarded(count)} />}
      {state.notice && (
        <div className="viewer-notice" role="status" data-testid="viewer-notice">
          {state.notice}
        </div>
      )}
    </div>
  );
}

function ViewerStage({ vm, t, onClose, onPopOut }: PaneProps) {
  const actions = useViewModel(vm);
  const s = useViewModel(vm.viewer);
  const viewer = vm.viewer;
  const drag = useRef<{ x: number; y: number } | null>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // The forward dialog over the viewer takes the keys while it is open.
      if (vm.getSnapshot().forward) return;
      if (event.key === 'Escape') onClose();
      else if (event.key === '+' || event.key === '=') viewer.zoomBy(1.25);
      else if (event.key === '-') viewer.zoomBy(0.8);
      else if (event.key === 'r' || event.key === 'R') viewer.rotate();
      else if (event.key === '0') viewer.reset();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [vm, viewer, onClose]);
  const onWheel = (event: WheelEvent) => viewer.zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1);
  const onPointerDown = (event: PointerEvent) => {
    drag.current = { x: event.clientX, y: event.clientY };
    (event.target as Element).setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent) => {
    if (!drag.current) return;
    viewer.move(event.clientX - drag.current.x, event.clientY - drag.current.y);
    drag.current = { x: event.clientX, y: event.clientY };
  };
  const stop = () => {
    drag.current = null;
  };
  return (
    <>
      <div className="image-stage" onWheel={onWheel} onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={stop} onPointerCancel={stop} onDoubleClick={() => viewer.reset()}>
        {s.url ? (
          <img
            src={s.url}
            alt={s.name}
            draggable={false}
            data-testid="viewer-image"
            data-zoom={s.zoom}
            data-rotation={s.rotation}
            style={{ transform: `translate(${s.offsetX}px, ${s.offsetY}px) rotate(${s.rotation}deg) scale(${s.zoom})` }}
          />
        ) : (
          <span className="viewer-message">{s.error ? t('files.unavailable') : t('common.loading')}</span>
        )}
      </div>
      <div className="viewer-toolbar" role="toolbar">
        <button onClick={() => viewer.zoomBy(0.8)} aria-label={t('files.zoomOut')} title={t('files.zoomOut')} data-testid="zoom-out"><ZoomOutIcon size={20} /></button>
        <span className="viewer-zoom" data-testid="zoom-level">{Math.round(s.zoom * 100)}%</span>
        <button onClick={() => viewer.zoomBy(1.25)} aria-label={t('files.zoomIn')} title={t('files.zoomIn')} data-testid="zoom-in"><ZoomInIcon size={20} /></button>
        <button onClick={() => viewer.rotate()} aria-label={t('files.rotate')} title={t('files.rotate')} data-testid="rotate"><RotateIcon size={20} /></button>
        <button onClick={() => viewer.reset()} aria-label={t('files.reset')} title={t('files.reset')} data-testid="reset"><ResetIcon size={20} /></button>
        <span className="viewer-separator" />
        {s.url && (
          <a href={s.url} download={s.name || 'image'} aria-label={t('files.download')} title={t('files.download')} data-testid="viewer-download"><DownloadIcon size={20} /></a>
        )}
        {actions.canForward && (
          <button onClick={() => vm.openForward()} aria-label={t('viewer.forward')} title={t('viewer.forward')} data-testid="viewer-forward"><ForwardIcon size={20} /></button>
        )}
        {actions.canEdit && (
          <button onClick={() => vm.startEdit()} disabled={actions.sending} aria-label={t('viewer.edit')} title={t('viewer.edit')} data-testid="viewer-edit"><EditIcon size={20} /></button>
        )}
        {onPopOut && (
          <button className="viewer-popout" onClick={onPopOut} aria-label={t('viewer.openWindow')} title={t('viewer.openWindow')} data-testid="viewer-window"><PopOutIcon size={20} /></button>
        )}
        <button onClick={onClose} aria-label={t('common.close')} title={t('common.close')} data-testid="viewer-close"><CloseIcon size={20} /></button>
      </div>
    </>
  );
}

/** Longest side of the on-screen preview; the result is drawn again at full size. */
const PREVIEW_SIDE = 1600;

/** Turn and crop: drag across the picture to keep a part of it; send makes a new image. */
function ImageEditor({ vm, editor, t }: { vm: ImageWindowViewModel; editor: ImageEditorViewModel; t: Translate }) {
  const state = useViewModel(editor);
  const { sending } = useViewModel(vm);
  const url = useViewModel(vm.viewer).url;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [failed, setFailed] = useState(false);
  const [dragging, setDragging] = useState<{ from: { x: number; y: number }; to: { x: number; y: number } } | null>(null);

  useEffect(() => {
    if (!url) return;
    const element = new Image();
    element.onload = () => setImage(element);
    element.onerror = () => setFailed(true);
    element.src = url;
  }, [url]);

  useEffect(() => {
    const target = canvas.current;
    const context = target?.getContext('2d');
    if (!target || !context || !image) return;
    const plan = editor.plan(image.naturalWidth, image.naturalHeight);
    const scale = Math.min(1, PREVIEW_SIDE / Math.max(plan.rotatedWidth, plan.rotatedHeight));
    target.width = Math.max(1, Math.round(plan.rotatedWidth * scale));
    target.height = Math.max(1, Math.round(plan.rotatedHeight * scale));
    drawRotated(context, image, state.rotation, target.width, target.height);
  }, [image, state.rotation, editor]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') vm.cancelEdit();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [vm]);

  const point = (event: PointerEvent) => {
    const box = canvas.current?.getBoundingClientRect();
    if (!box || box.width === 0 || box.height === 0) return { x: 0, y: 0 };
    return { x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height };
  };
  const onPointerDown = (event: PointerEvent) => {
    const at = point(event);
    setDragging({ from: at, to: at });
    (event.target as Element).setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent) => {
    if (dragging) setDragging({ ...dragging, to: point(event) });
  };
  const onPointerUp = (event: PointerEvent) => {
    if (!dragging) return;
    editor.select(dragging.from, point(event));
    setDragging(null);
  };
  const send = async () => {
    if (!image) return;
    try {
      const picture = await renderEdit(image, editor.plan(image.naturalWidth, image.naturalHeight));
      await vm.sendEdited(picture);
    } catch {
      vm.showNotice(t('files.failed'));
    }
  };

  const shown = dragging
    ? {
        x: Math.max(0, Math.min(dragging.from.x, dragging.to.x)),
        y: Math.max(0, Math.min(dragging.from.y, dragging.to.y)),
        width: Math.min(1, Math.abs(dragging.to.x - dragging.from.x)),
        height: Math.min(1, Math.abs(dragging.to.y - dragging.from.y)),
      }
    : state.crop;
  return (
    <>
      <div className="editor-head">
        <span className="editor-title">{t('viewer.editTitle')}</span>
        <span className="editor-hint"><CropIcon size={14} /> {t('viewer.cropHint')}</span>
      </div>
      <div className="image-stage editing">
        {image ? (
          <div className="editor-frame">
            <canvas
              ref={canvas}
              className="editor-canvas"
              data-testid="editor-canvas"
              data-rotation={state.rotation}
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={onPointerUp}
              onPointerCancel={() => setDragging(null)}
            />
            {shown && (
              <div
                className="editor-crop"
                data-testid="editor-crop"
                style={{ left: `${shown.x * 100}%`, top: `${shown.y * 100}%`, width: `${shown.width * 100}%`, height: `${shown.height * 100}%` }}
              />
            )}
          </div>
        ) : (
          <span className="viewer-message">{failed ? t('files.unavailable') : t('common.loading')}</span>
        )}
      </div>
      <div className="viewer-toolbar editor-toolbar" role="toolbar">
        <button onClick={() => editor.rotate(-1)} aria-label={t('viewer.rotateLeft')} title={t('viewer.rotateLeft')} data-testid="editor-rotate-left"><RotateLeftIcon size={20} /></button>
        <button onClick={() => editor.rotate(1)} aria-label={t('viewer.rotateRight')} title={t('viewer.rotateRight')} data-testid="editor-rotate-right"><RotateIcon size={20} /></button>
        <button onClick={() => editor.clearCrop()} disabled={!state.crop} aria-label={t('viewer.clearCrop')} title={t('viewer.clearCrop')} data-testid="editor-clear-crop"><ResetIcon size={20} /></button>
        <span className="viewer-separator" />
        <button className="text-button" onClick={() => vm.cancelEdit()} data-testid="editor-cancel">{t('viewer.cancelEdit')}</button>
        <button className="text-button primary" onClick={() => void send()} disabled={!state.edited || !image || sending} data-testid="editor-send">
          {t('viewer.sendEdited')}
        </button>
      </div>
    </>
  );
}

/** The viewer alone in a window of its own (opened from the viewer over a chat). */
export function ImageWindow({ vm, t }: { vm: ImageWindowViewModel; t: Translate }) {
  useDocumentTitle(`${vm.source.name || t('files.viewer')} — ${t('app.name')}`, null);
  return (
    <div className="image-window" data-testid="image-window">
      <ImageViewerPane vm={vm} t={t} onClose={() => window.close()} />
    </div>
  );
}
