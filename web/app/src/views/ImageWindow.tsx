/**
 * The image viewer (I7): over the chat in the main window, or in a window of its own. Zoom
 * (buttons, wheel), rotate, drag to move, reset, download; forward the message; edit (the
 * image editor: mark up, turn, crop) and send the result as a new image.
 */
import { lazy, Suspense, useEffect, useMemo, useRef, type PointerEvent, type WheelEvent } from 'react';
import type { Client } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import type { ImagePreparer } from '../lib/images';
import type { ImageWindowTarget } from '../lib/windows';
import { FileLinks } from '../viewmodels/FileLinks';
import { editedName, ImageWindowViewModel } from '../viewmodels/ImageWindowViewModel';
import type { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { ForwardDialog } from './Dialogs';
import { CloseIcon, DownloadIcon, PopOutIcon, ResetIcon, RotateIcon, ZoomInIcon, ZoomOutIcon } from './Icons';
import { EditIcon, ForwardIcon } from './MediaIcons';
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
      {state.mode === 'edit' ? (
        <ViewerEditor vm={vm} t={t} />
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

/** The editor, loaded when first opened: most visits to the viewer never edit. */
const ImageEditorDialog = lazy(() => import('./ImageEditorDialog'));

/** Edit (mark up, turn, crop) and send the result as a new image next to the original. */
function ViewerEditor({ vm, t }: { vm: ImageWindowViewModel; t: Translate }) {
  const { sending } = useViewModel(vm);
  const url = useViewModel(vm.viewer).url;
  const picture = useMemo(() => (url ? { url } : null), [url]);
  const send = async (picture: Blob) => {
    try {
      await vm.sendEdited(picture);
    } catch {
      vm.showNotice(t('files.failed'));
    }
  };
  if (!picture) return <span className="viewer-message">{t('common.loading')}</span>;
  return (
    <Suspense fallback={<span className="viewer-message">{t('common.loading')}</span>}>
      <ImageEditorDialog
        t={t}
        picture={picture}
        title={t('viewer.editTitle')}
        saveName={editedName(vm.source.name, 'image/png')}
        canSend
        sendNeedsEdit
        sending={sending}
        onSend={send}
        onClose={() => vm.cancelEdit()}
      />
    </Suspense>
  );
}

/**
 * The viewer alone in a window of its own (opened from the viewer over a chat): it needs none
 * of the workspace, just the image and its actions.
 */
export function ImageWindow({ client, preferences, target, images, t }: { client: Client; preferences: PreferencesViewModel; target: ImageWindowTarget; images: ImagePreparer | null; t: Translate }) {
  const vm = useMemo(() => new ImageWindowViewModel(client, preferences, { ...target, localUrl: null }, new FileLinks(client), images), [client, preferences, target, images]);
  useEffect(() => () => vm.dispose(), [vm]);
  useDocumentTitle(`${vm.source.name || t('files.viewer')} — ${t('app.name')}`, null);
  return (
    <div className="image-window" data-testid="image-window">
      <ImageViewerPane vm={vm} t={t} onClose={() => window.close()} />
    </div>
  );
}
