/**
 * Cropping a new avatar square in the browser (h/me): the picture in a square frame, dragged
 * to move and zoomed with a slider; "Use" cuts what the frame shows at AVATAR_PIXELS a side.
 */
import { useEffect, useRef, useState, type PointerEvent } from 'react';
import type { Translate } from '../i18n/i18n';
import { cropRect, MAX_ZOOM, panned, renderCrop, type CropView } from '../lib/avatarCrop';
import { AVATAR_PIXELS } from '../viewmodels/MeViewModel';
import { Modal } from './Modal';

const FRAME = 260;

export function AvatarCropper({ url, t, onCancel, onDone }: { url: string; t: Translate; onCancel(): void; onDone(picture: Blob): void }) {
  const image = useRef<HTMLImageElement>(null);
  const [view, setView] = useState<CropView | null>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);

  const rect = view ? cropRect(view) : null;
  // The picture is drawn so that the crop square fills the frame.
  const scale = rect ? FRAME / rect.side : 1;
  const move = (event: PointerEvent) => {
    if (!drag.current || !view) return;
    const dx = event.clientX - drag.current.x;
    const dy = event.clientY - drag.current.y;
    drag.current = { x: event.clientX, y: event.clientY };
    setView(panned(view, dx, dy, FRAME));
  };
  return (
    <Modal title={t('me.cropTitle')} onClose={onCancel} testId="avatar-cropper">
      <div className="cropper">
        <div
          className="cropper-frame"
          style={{ width: FRAME, height: FRAME }}
          onPointerDown={(e) => {
            drag.current = { x: e.clientX, y: e.clientY };
            e.currentTarget.setPointerCapture(e.pointerId);
          }}
          onPointerMove={move}
          onPointerUp={() => (drag.current = null)}
          data-testid="cropper-frame"
        >
          <img
            ref={image}
            src={url}
            alt=""
            draggable={false}
            onLoad={(e) => setView({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight, zoom: 1, centerX: 0.5, centerY: 0.5 })}
            style={
              rect && view
                ? { width: view.width * scale, height: view.height * scale, transform: `translate(${-rect.sx * scale}px, ${-rect.sy * scale}px)` }
                : { visibility: 'hidden' }
            }
          />
        </div>
        <p className="settings-note cropper-hint">{t('me.cropHint')}</p>
        <label className="cropper-zoom">
          <span>{t('me.cropZoom')}</span>
          <input
            type="range"
            min={1}
            max={MAX_ZOOM}
            step={0.01}
            value={view?.zoom ?? 1}
            onChange={(e) => view && setView({ ...view, zoom: Number(e.target.value) })}
            data-testid="cropper-zoom"
          />
        </label>
        <div className="modal-actions">
          <button type="button" className="secondary" onClick={onCancel}>{t('me.cancel')}</button>
          <button
            type="button"
            disabled={!rect}
            onClick={() => {
              if (rect && image.current) void renderCrop(image.current, rect, AVATAR_PIXELS).then(onDone);
            }}
            data-testid="cropper-use"
          >
            {t('me.cropUse')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
