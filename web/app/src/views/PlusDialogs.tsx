/**
 * What the "+" panel's entries open (issue 12), loaded when first used: the voice recorder,
 * the location picker, the contact-card dialog and the sticker panel.
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState, useSyncExternalStore, type PointerEvent as ReactPointerEvent } from 'react';
import type { Sticker } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import { formatDuration } from '../lib/media';
import { MAX_VOICE_MS, VoiceRecorder } from '../lib/voiceRecorder';
import { blurCoordinate, validPlace, type ComposeViewModel } from '../viewmodels/ComposeViewModel';
import type { FileLinks } from '../viewmodels/FileLinks';
import { useViewModel } from '../viewmodels/useViewModel';
import { LocateIcon, MicIcon, TrashIcon } from './ComposeIcons';
import { PeoplePicker } from './Dialogs';
import { PeoplePickerViewModel } from '../viewmodels/PeoplePickerViewModel';
import { Modal } from './Modal';
import { CloseIcon } from './Icons';
import { useFileLink } from './Media';

const MapView = lazy(() => import('./MapView'));

function isTouch(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;
}

/**
 * Recording a voice message, in place of the text input. Desktop: recording starts at once;
 * Send, Cancel or Esc end it. Touch: hold the button to talk, release to send, slide away
 * to cancel.
 */
export function VoiceBar({ vm, t, onDone }: { vm: ComposeViewModel; t: Translate; onDone(): void }) {
  const touch = useRef(isTouch()).current;
  const [recorder] = useState(() => new VoiceRecorder());
  const state = useSyncExternalStore(recorder.subscribe, recorder.getSnapshot);
  const [away, setAway] = useState(false);
  const [failed, setFailed] = useState(false);
  const origin = useRef<{ x: number; y: number } | null>(null);

  const start = useCallback(() => {
    setFailed(false);
    recorder.start().catch(() => setFailed(true));
  }, [recorder]);
  const finish = useCallback(async () => {
    const recording = await recorder.stop();
    if (recording) vm.sendVoice(recording);
    onDone();
  }, [recorder, vm, onDone]);
  const cancel = useCallback(() => {
    recorder.cancel();
    onDone();
  }, [recorder, onDone]);

  useEffect(() => {
    if (!touch) start();
    return () => recorder.cancel();
  }, [recorder, start, touch]);
  // Ten minutes is the limit: what was said so far is sent.
  useEffect(() => {
    if (state.state === 'recording' && state.elapsedMs >= MAX_VOICE_MS) void finish();
  }, [state, finish]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') cancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [cancel]);

  const onPointerDown = (event: ReactPointerEvent<HTMLButtonElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    origin.current = { x: event.clientX, y: event.clientY };
    setAway(false);
    start();
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLButtonElement>) => {
    if (!origin.current) return;
    const distance = Math.hypot(event.clientX - origin.current.x, event.clientY - origin.current.y);
    setAway(distance > 70);
  };
  const onPointerUp = () => {
    origin.current = null;
    if (away) {
      recorder.cancel();
      setAway(false);
      return;
    }
    void recorder.stop().then((recording) => {
      if (recording) vm.sendVoice(recording);
    });
  };

  const recording = state.state === 'recording';
  const bars = state.levels;
  return (
    <div className={`voice-bar${recording ? ' recording' : ''}${away ? ' away' : ''}`} data-testid="voice-bar" data-state={state.state}>
      <div className="voice-bar-live">
        <span className="voice-dot" aria-hidden="true" />
        <span className="voice-elapsed" data-testid="voice-elapsed">{formatDuration(state.elapsedMs)}</span>
        <span className="voice-live-wave" aria-hidden="true" data-testid="voice-live-wave" data-bars={bars.length}>
          {Array.from({ length: 40 }, (_, i) => {
            const level = bars[bars.length - 40 + i] ?? 0;
            return <span key={i} style={{ height: `${Math.max(8, Math.round(level * 100))}%` }} />;
          })}
        </span>
        <span className="voice-hint">
          {failed ? t('compose.micDenied') : away ? t('compose.voiceRelease') : recording ? (touch ? t('compose.voiceRecording') : t('compose.voiceRecordingDesktop')) : touch ? t('compose.voiceHold') : '…'}
        </span>
      </div>
      {touch ? (
        <div className="voice-bar-actions">
          <button className="voice-cancel" onClick={cancel} data-testid="voice-cancel">{t('compose.voiceCancel')}</button>
          <button
            className={`voice-hold${recording ? ' active' : ''}`}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={() => { origin.current = null; recorder.cancel(); }}
            onContextMenu={(e) => e.preventDefault()}
            data-testid="voice-hold"
          >
            <MicIcon size={20} /> {t('compose.voiceHold')}
          </button>
        </div>
      ) : (
        <div className="voice-bar-actions">
          <button className="voice-cancel" onClick={cancel} data-testid="voice-cancel">{t('compose.voiceCancel')}</button>
          <button className="primary" onClick={() => void finish()} disabled={!recording} data-testid="voice-send">{t('compose.voiceSend')}</button>
        </div>
      )}
    </div>
  );
}

/** Pick a place: on the server's map when it has one, else by coordinates and an address. */
export function LocationDialog({ vm, t, onClose }: { vm: ComposeViewModel; t: Translate; onClose(): void }) {
  const state = useViewModel(vm);
  const [latitude, setLatitude] = useState('');
  const [longitude, setLongitude] = useState('');
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [precise, setPrecise] = useState(true);
  const [locating, setLocating] = useState(false);
  const [locateFailed, setLocateFailed] = useState(false);
  useEffect(() => {
    void vm.loadMap();
  }, [vm]);
  const lat = Number(latitude);
  const lon = Number(longitude);
  const valid = latitude.trim() !== '' && longitude.trim() !== '' && validPlace(lat, lon);
  const tiles = state.map?.tile_url ?? null;
  const setPoint = (a: number, b: number) => {
    setLatitude(a.toFixed(6));
    setLongitude(b.toFixed(6));
  };
  const locate = () => {
    if (!navigator.geolocation) {
      setLocateFailed(true);
      return;
    }
    setLocating(true);
    setLocateFailed(false);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        setPoint(position.coords.latitude, position.coords.longitude);
      },
      () => {
        setLocating(false);
        setLocateFailed(true);
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };
  const send = () => {
    if (valid && vm.sendLocation({ latitude: lat, longitude: lon, precise, name, address })) onClose();
  };
  const shownLat = valid ? (precise ? lat : blurCoordinate(lat)) : 0;
  const shownLon = valid ? (precise ? lon : blurCoordinate(lon)) : 0;
  return (
    <Modal title={t('compose.locationTitle')} onClose={onClose} testId="location-dialog">
      <div className="location-picker">
        {state.map === null ? null : tiles ? (
          <div className="location-picker-map" data-testid="location-picker-map">
            <Suspense fallback={<div className="map-loading">…</div>}>
              <MapView
                tileUrl={tiles}
                attribution={state.map.attribution}
                maxZoom={state.map.max_zoom}
                latitude={valid ? shownLat : 31.2304}
                longitude={valid ? shownLon : 121.4737}
                zoom={valid ? undefined : 3}
                precise={precise}
                interactive
                onPick={setPoint}
              />
            </Suspense>
            <span className="location-picker-hint">{t('compose.mapHint')}</span>
          </div>
        ) : (
          <p className="muted small" data-testid="location-no-tiles">{t('compose.noTiles')}</p>
        )}
        <div className="location-fields">
          <label>
            <span>{t('compose.latitude')}</span>
            <input inputMode="decimal" value={latitude} onChange={(e) => setLatitude(e.target.value)} placeholder="31.2304" data-testid="location-latitude" />
          </label>
          <label>
            <span>{t('compose.longitude')}</span>
            <input inputMode="decimal" value={longitude} onChange={(e) => setLongitude(e.target.value)} placeholder="121.4737" data-testid="location-longitude" />
          </label>
          <button type="button" className="location-locate" onClick={locate} disabled={locating} data-testid="location-locate">
            <LocateIcon size={16} /> {locating ? t('compose.locating') : t('compose.useMyLocation')}
          </button>
        </div>
        {(latitude || longitude) && !valid && <div className="form-error">{t('compose.badCoordinates')}</div>}
        {locateFailed && <div className="form-error">{t('compose.locateFailed')}</div>}
        <label className="location-text-field">
          <span>{t('compose.placeName')}</span>
          <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="location-name" />
        </label>
        <label className="location-text-field">
          <span>{t('compose.address')}</span>
          <input value={address} maxLength={500} onChange={(e) => setAddress(e.target.value)} data-testid="location-address" />
        </label>
        <div className="location-precision" role="radiogroup">
          <label className="check">
            <input type="radio" name="precision" checked={precise} onChange={() => setPrecise(true)} data-testid="location-precise" /> {t('compose.precise')}
          </label>
          <label className="check">
            <input type="radio" name="precision" checked={!precise} onChange={() => setPrecise(false)} data-testid="location-blurred" /> {t('compose.blurred')}
          </label>
        </div>
        {!precise && <p className="muted small">{t('compose.blurredNote')}</p>}
        <div className="modal-actions">
          <button onClick={onClose}>{t('compose.cancel')}</button>
          <button className="primary" disabled={!valid} onClick={send} data-testid="location-send">{t('compose.send')}</button>
        </div>
      </div>
    </Modal>
  );
}

/** Send one or more people's cards, picked as for a new chat. */
export function ContactCardDialog({ vm, t, onClose }: { vm: ComposeViewModel; t: Translate; onClose(): void }) {
  const [picker] = useState(() => vm.contactPicker(PeoplePickerViewModel));
  const state = useViewModel(picker);
  return (
    <Modal title={t('compose.contactTitle')} onClose={onClose} testId="contact-card-dialog">
      <div className="new-chat-body">
        <PeoplePicker vm={picker} t={t} />
        <div className="modal-actions">
          <button onClick={onClose}>{t('compose.cancel')}</button>
          <button
            className="primary"
            disabled={state.selected.length === 0}
            onClick={() => {
              vm.sendContacts(picker.selectedIds);
              onClose();
            }}
            data-testid="contact-card-send"
          >
            {t('compose.send')}
          </button>
        </div>
      </div>
    </Modal>
  );
}

/** My stickers: click sends, the × removes. */
export function StickerPanel({ vm, links, t, onClose }: { vm: ComposeViewModel; links: FileLinks; t: Translate; onClose(): void }) {
  const state = useViewModel(vm);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    void vm.loadStickers();
  }, [vm]);
  useEffect(() => {
    const onDown = (event: MouseEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) onClose();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    const timer = setTimeout(() => window.addEventListener('mousedown', onDown));
    window.addEventListener('keydown', onKey);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  const stickers = state.stickers;
  return (
    <div className="sticker-panel" ref={ref} data-testid="sticker-panel">
      <div className="sticker-panel-head">
        <span>{t('compose.sticker')}</span>
        {stickers && <span className="muted small">{t('compose.stickerCount', { count: stickers.length, max: state.stickerMax })}</span>}
        <button className="icon-button small" onClick={onClose} aria-label={t('common.close')}>
          <CloseIcon size={14} />
        </button>
      </div>
      {stickers === null ? (
        <div className="muted small sticker-empty">…</div>
      ) : stickers.length === 0 ? (
        <div className="muted small sticker-empty" data-testid="sticker-empty">{t('compose.stickersEmpty')}</div>
      ) : (
        <div className="sticker-grid">
          {stickers.map((sticker) => (
            <StickerCell
              key={sticker.file_id}
              sticker={sticker}
              links={links}
              t={t}
              onSend={() => {
                vm.sendSticker(sticker);
                onClose();
              }}
              onRemove={() => void vm.removeSticker(sticker.file_id)}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function StickerCell({ sticker, links, t, onSend, onRemove }: { sticker: Sticker; links: FileLinks; t: Translate; onSend(): void; onRemove(): void }) {
  const link = useFileLink(links, sticker.expired ? null : sticker.file_id, sticker.animated ? 'original' : 'thumbnail');
  return (
    <div className="sticker-cell">
      <button className="sticker-send" onClick={onSend} disabled={sticker.expired} title={sticker.emoji ?? t('compose.sticker')} data-testid="sticker-item" data-file-id={sticker.file_id}>
        {link && 'url' in link ? <img src={link.url} alt={sticker.emoji ?? ''} draggable={false} /> : <span className="sticker-placeholder">{sticker.emoji}</span>}
      </button>
      <button className="sticker-remove" onClick={onRemove} aria-label={t('compose.stickerRemove')} title={t('compose.stickerRemove')} data-testid="sticker-remove">
        <TrashIcon size={12} />
      </button>
    </div>
  );
}

