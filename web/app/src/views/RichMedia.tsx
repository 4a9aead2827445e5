/**
 * Bubbles of voice, video, location, contact card, host-system card and sticker messages
 * (PRODUCT.md D2). Files come by signed link (FileLinks); everything from the message body is
 * rendered as React text or checked http(s) links, never as HTML.
 */
import { lazy, Suspense, useEffect, useRef, useState, useSyncExternalStore, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { Translate } from '../i18n/i18n';
import { bubbleSize } from '../lib/images';
import { formatDuration } from '../lib/media';
import { mapSettings } from '../lib/mapSettings';
import type { MediaContent, UploadProgress } from '../viewmodels/ChatViewModel';
import type { FileLinks } from '../viewmodels/FileLinks';
import { Avatar } from './Avatar';
import { Modal } from './Modal';
import { PauseIcon, PlayIcon } from './Icons';
import { useFileLink } from './Media';
import { AreaIcon, ExternalIcon, MapPinIcon, ShopIcon } from './MediaIcons';
import './rich-media.css';

type Of<K extends MediaContent['kind']> = Extract<MediaContent, { kind: K }>;

export interface RichMediaProps {
  media: Exclude<MediaContent, { kind: 'image' | 'file' }>;
  links: FileLinks;
  t: Translate;
  onProfile(userId: number): void;
  onMessage(userId: number): void;
  /** A voice message or video still uploading (issue 12): its progress shows in the bubble. */
  upload?: UploadProgress | null;
}

export function RichMedia({ media, links, t, onProfile, onMessage, upload = null }: RichMediaProps) {
  switch (media.kind) {
    case 'voice':
      return <VoiceMedia media={media} links={links} t={t} upload={upload} />;
    case 'video':
      return <VideoMedia media={media} links={links} t={t} upload={upload} />;
    case 'location':
      return <LocationCard media={media} t={t} />;
    case 'contact':
      return <ContactCard media={media} t={t} onProfile={onProfile} onMessage={onMessage} />;
    case 'card':
      return <CustomCard media={media} t={t} />;
    case 'sticker':
      return <StickerMedia media={media} links={links} t={t} />;
  }
}

/** Playback speeds offered on voice messages (issue 12), in the order a tap cycles them. */
export const VOICE_SPEEDS = [1, 1.5, 2] as const;
const VOICE_BARS = 30;

/** The bars a voice bubble draws: the sent waveform stretched or squeezed to `count`, or a low flat line. */
export function voiceBars(waveform: readonly number[] | null, count = VOICE_BARS): number[] {
  if (!waveform || waveform.length === 0) return Array.from({ length: count }, () => 18);
  return Array.from({ length: count }, (_, i) => {
    const value = waveform[Math.min(waveform.length - 1, Math.floor((i * waveform.length) / count))] ?? 0;
    return Math.max(12, Math.min(100, value));
  });
}

/**
 * Play, pause, seek by clicking or dragging on the waveform, and 1× / 1.5× / 2× speed; nothing
 * downloads until the first play. Only one voice message plays at a time.
 */
function VoiceMedia({ media, links, t, upload }: { media: Of<'voice'>; links: FileLinks; t: Translate; upload: UploadProgress | null }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [wanted, setWanted] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [speed, setSpeed] = useState<number>(1);
  const [duration, setDuration] = useState(media.durationMs / 1000);
  const link = useFileLink(links, wanted && !media.expired ? media.fileId : null, 'original');
  const url = link && 'url' in link ? link.url : null;
  // Still uploading (or failed to): nothing to play yet.
  const failed = media.expired || (link !== null && 'error' in link) || upload !== null || media.fileId === null;
  const pendingSeek = useRef<number | null>(null);
  const bars = voiceBars(media.waveform);

  // The link arrives after the first click: start playing then.
  useEffect(() => {
    const element = audio.current;
    if (!url || !element) return;
    element.playbackRate = speed;
    if (element.paused) void element.play().catch(() => setPlaying(false));
  }, [url]);
  useEffect(() => {
    if (audio.current) audio.current.playbackRate = speed;
  }, [speed]);

  const toggle = () => {
    const element = audio.current;
    if (!wanted) {
      setWanted(true);
      setPlaying(true);
      return;
    }
    if (!element || !url) return;
    if (element.paused) void element.play().catch(() => setPlaying(false));
    else element.pause();
  };
  const seekTo = (seconds: number) => {
    const to = Math.max(0, Math.min(duration, seconds));
    setPosition(to);
    if (audio.current && url) audio.current.currentTime = to;
    else {
      // Not loaded yet: load, then start there.
      pendingSeek.current = to;
      if (!wanted) {
        setWanted(true);
        setPlaying(true);
      }
    }
  };
  const seekAt = (event: ReactPointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    seekTo(((event.clientX - box.left) / Math.max(1, box.width)) * duration);
  };
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'ArrowRight') seekTo(position + 2);
    else if (event.key === 'ArrowLeft') seekTo(position - 2);
    else return;
    event.preventDefault();
  };
  const nextSpeed = () => setSpeed((current) => VOICE_SPEEDS[(VOICE_SPEEDS.indexOf(current as 1) + 1) % VOICE_SPEEDS.length] ?? 1);
  const played = duration > 0 ? Math.min(1, position / duration) : 0;
  // Longer messages get a longer bubble, as in every messenger.
  const width = Math.round(270 + Math.min(80, (media.durationMs / 60_000) * 80));
  return (
    <div className={`voice-media${playing ? ' playing' : ''}`} style={{ width }} data-testid="voice-media" data-duration={media.durationText} data-playing={playing}>
      <button
        className="voice-play"
        onClick={toggle}
        disabled={failed}
        aria-label={playing ? t('media.pause') : t('media.play')}
        title={playing ? t('media.pause') : t('media.play')}
        data-testid="voice-play"
      >
        {playing ? <PauseIcon size={16} /> : <PlayIcon size={16} />}
      </button>
      <div
        className={`voice-wave${failed ? ' disabled' : ''}`}
        role="slider"
        tabIndex={failed ? -1 : 0}
        aria-label={t('media.seek')}
        aria-valuemin={0}
        aria-valuemax={Math.round(duration)}
        aria-valuenow={Math.round(position)}
        onPointerDown={(e) => {
          if (failed) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          seekAt(e);
        }}
        onPointerMove={(e) => {
          if (!failed && e.currentTarget.hasPointerCapture(e.pointerId)) seekAt(e);
        }}
        onKeyDown={onKey}
        data-testid="voice-seek"
        data-position={position.toFixed(2)}
      >
        {bars.map((height, i) => (
          <span key={i} className={(i + 0.5) / bars.length <= played ? 'played' : ''} style={{ height: `${height}%` }} />
        ))}
      </div>
      <span className="voice-time" data-testid="voice-time">
        {upload ? uploadLabel(upload, t) : failed ? t(media.expired ? 'files.expired' : 'files.unavailable') : position > 0 || playing ? formatDuration(position * 1000) : media.durationText}
      </span>
      <button className="voice-speed" onClick={nextSpeed} disabled={failed} title={t('media.speed')} aria-label={`${t('media.speed')}: ${speed}×`} data-testid="voice-speed" data-speed={speed}>
        {speed}×
      </button>
      {media.expiry && <span className="media-expiry voice-expiry" data-testid="media-expiry">{media.expiry}</span>}
      {url && (
        <audio
          ref={audio}
          src={url}
          preload="none"
          onPlay={(e) => {
            setPlaying(true);
            // One voice message at a time, as in every messenger.
            for (const other of document.querySelectorAll('audio')) if (other !== e.currentTarget) other.pause();
          }}
          onPause={() => setPlaying(false)}
          onEnded={() => {
            setPlaying(false);
            setPosition(0);
          }}
          onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime)}
          onLoadedMetadata={(e) => {
            const element = e.currentTarget;
            // WebM from MediaRecorder has no duration in its header: keep the sender's.
            if (Number.isFinite(element.duration) && element.duration > 0) setDuration(element.duration);
            element.playbackRate = speed;
            if (pendingSeek.current !== null) {
              element.currentTime = pendingSeek.current;
              pendingSeek.current = null;
            }
          }}
          onRateChange={(e) => {
            // A browser resets the rate when it reloads the source: keep the chosen one.
            if (e.currentTarget.playbackRate !== speed) e.currentTarget.playbackRate = speed;
          }}
          onError={() => setPlaying(false)}
          data-testid="voice-audio"
        />
      )}
    </div>
  );
}

/** The poster (a still sent with the video) until it plays; the browser's own player after. */
function uploadLabel(upload: UploadProgress, t: Translate): string {
  if (upload.state === 'failed') return upload.error ?? t('files.failed');
  if (upload.state === 'paused') return t('files.paused');
  if (upload.state === 'interrupted') return t('files.interrupted');
  return `${upload.percent}%`;
}

function VideoMedia({ media, links, t, upload }: { media: Of<'video'>; links: FileLinks; t: Translate; upload: UploadProgress | null }) {
  const [started, setStarted] = useState(false);
  const poster = useFileLink(links, media.expired ? null : media.posterFileId, 'thumbnail');
  const video = useFileLink(links, started && !media.expired ? media.fileId : null, 'original');
  const posterUrl = poster && 'url' in poster ? poster.url : undefined;
  const url = video && 'url' in video ? video.url : null;
  const failed = media.expired || (video !== null && 'error' in video) || upload !== null || media.fileId === null;
  const size = bubbleSize(media.width, media.height);
  return (
    <div className="video-media" style={{ width: size.width, height: size.height }} data-testid="video-media" data-poster={posterUrl ? 'yes' : 'no'}>
      {url ? (
        <video src={url} poster={posterUrl} controls autoPlay playsInline preload="metadata" data-testid="video-player" />
      ) : (
        <button className="video-cover" onClick={() => setStarted(true)} disabled={failed} aria-label={t('media.playVideo')} title={t('media.playVideo')} data-testid="video-play">
          {posterUrl && <img src={posterUrl} alt="" draggable={false} />}
          <span className="video-play-badge" data-testid={upload ? 'upload-progress' : undefined}>
            {upload ? uploadLabel(upload, t) : failed ? t(media.expired ? 'files.expired' : 'files.unavailable') : <PlayIcon size={26} />}
          </span>
          <span className="video-duration">{media.durationText}</span>
        </button>
      )}
      {media.expiry && !url && <span className="media-expiry" data-testid="media-expiry">{media.expiry}</span>}
    </div>
  );
}

const MapView = lazy(() => import('./MapView'));

/**
 * A place: its name and address, a small map (the server's tiles, else a drawn stand-in), and
 * a larger map on click. A blurred place shows an area, never a pin.
 */
function LocationCard({ media, t }: { media: Of<'location'>; t: Translate }) {
  const map = useSyncExternalStore(mapSettings.subscribe, mapSettings.get);
  const [large, setLarge] = useState(false);
  const title = media.name || (media.precise ? t('media.location') : t('media.area'));
  const tiles = map?.tile_url ?? null;
  return (
    <div className={`location-card ${media.precise ? 'precise' : 'blurred'}`} data-testid="location-card" data-precision={media.precise ? 'precise' : 'blurred'}>
      <div className="location-text">
        <span className="location-name" data-testid="location-name">{title}</span>
        {media.address && <span className="location-address" data-testid="location-address">{media.address}</span>}
      </div>
      <button className="location-map" onClick={() => setLarge(true)} title={t('media.openLargeMap')} aria-label={t('media.openLargeMap')} data-testid="location-open" data-tiles={tiles ? 'yes' : 'no'}>
        {tiles && map ? (
          <Suspense fallback={null}>
            <MapView tileUrl={tiles} attribution={map.attribution} maxZoom={map.max_zoom} latitude={media.latitude} longitude={media.longitude} precise={media.precise} zoom={media.precise ? 15 : 12} interactive={false} />
          </Suspense>
        ) : (
          <span className="location-mark">{media.precise ? <MapPinIcon size={30} /> : <AreaIcon size={44} />}</span>
        )}
      </button>
      <div className="location-footer">
        <span className="location-coords" data-testid="location-coords">{media.coordinates}</span>
        <span className={`location-badge ${media.precise ? 'precise' : 'blurred'}`} title={media.precise ? t('media.preciseHint') : t('media.blurredHint')}>
          {media.precise ? t('media.precise') : t('media.blurred')}
        </span>
      </div>
      {media.mapUrl && (
        <a className="location-link" href={media.mapUrl} target="_blank" rel="noopener noreferrer nofollow" data-testid="location-link">
          {t('media.openMap')} <ExternalIcon size={13} />
        </a>
      )}
      {large && <LocationViewer media={media} title={title} t={t} onClose={() => setLarge(false)} />}
    </div>
  );
}

function LocationViewer({ media, title, t, onClose }: { media: Of<'location'>; title: string; t: Translate; onClose(): void }) {
  const map = useSyncExternalStore(mapSettings.subscribe, mapSettings.get);
  const tiles = map?.tile_url ?? null;
  return (
    <Modal title={title} onClose={onClose} testId="location-viewer">
      <div className="location-viewer">
        <div className={`location-viewer-map${tiles ? '' : ' location-map'}`}>
          {tiles && map ? (
            <Suspense fallback={null}>
              <MapView tileUrl={tiles} attribution={map.attribution} maxZoom={map.max_zoom} latitude={media.latitude} longitude={media.longitude} precise={media.precise} interactive />
            </Suspense>
          ) : (
            <span className="location-mark">{media.precise ? <MapPinIcon size={40} /> : <AreaIcon size={60} />}</span>
          )}
        </div>
        {media.address && <p className="location-viewer-address">{media.address}</p>}
        <p className="muted small">
          {media.coordinates} · {media.precise ? t('media.preciseHint') : t('media.blurredHint')}
        </p>
        {media.mapUrl && (
          <a className="location-link" href={media.mapUrl} target="_blank" rel="noopener noreferrer nofollow">
            {t('media.openMap')} <ExternalIcon size={13} />
          </a>
        )}
      </div>
    </Modal>
  );
}

function ContactCard({ media, t, onProfile, onMessage }: { media: Of<'contact'>; t: Translate; onProfile(id: number): void; onMessage(id: number): void }) {
  return (
    <div className="contact-card" data-testid="contact-card" data-user-id={media.userId}>
      <button className="contact-card-main" onClick={() => onProfile(media.userId)} title={t('contacts.viewProfile')} data-testid="contact-card-open">
        <Avatar id={media.userId} name={media.name} size={44} user />
        <span className="contact-card-name">{media.name}</span>
      </button>
      <div className="contact-card-footer">
        <span>{t('media.contactCard')}</span>
        <button className="link-button" onClick={() => onMessage(media.userId)} data-testid="contact-card-message">
          {t('media.sendMessage')}
        </button>
      </div>
    </div>
  );
}

/** A host system's card (an order, a product): opens its link in a new tab, with no opener. */
function CustomCard({ media, t }: { media: Of<'card'>; t: Translate }) {
  const body = (
    <>
      <span className="custom-card-image">{media.imageUrl ? <img src={media.imageUrl} alt="" referrerPolicy="no-referrer" draggable={false} /> : <ShopIcon size={30} />}</span>
      <span className="custom-card-text">
        <span className="custom-card-title">{media.title}</span>
        {media.description && <span className="custom-card-description">{media.description}</span>}
        {media.price && <span className="custom-card-price" data-testid="custom-card-price">{media.price}</span>}
        {media.fields.length > 0 && (
          <span className="custom-card-fields" role="list" aria-label={t('media.cardFields')} data-testid="custom-card-fields">
            {media.fields.map((field, i) => (
              <span key={i} className="custom-card-field" role="listitem" data-testid="custom-card-field">
                <span className="custom-card-label">{field.label}</span>
                <span className="custom-card-value">{field.value}</span>
              </span>
            ))}
          </span>
        )}
      </span>
      <span className="custom-card-footer">
        <span>{[media.source, media.host].filter(Boolean).join(' · ') || t('media.card')}</span>
        {media.url && <ExternalIcon size={13} />}
      </span>
    </>
  );
  return media.url ? (
    <a className="custom-card" href={media.url} target="_blank" rel="noopener noreferrer nofollow" data-testid="custom-card" title={media.url}>
      {body}
    </a>
  ) : (
    <div className="custom-card" data-testid="custom-card">
      {body}
    </div>
  );
}

function StickerMedia({ media, links, t }: { media: Of<'sticker'>; links: FileLinks; t: Translate }) {
  // Animated stickers play from the original; the thumbnail would be a still.
  const link = useFileLink(links, media.fileId, 'original');
  const scale = Math.min(1, 140 / Math.max(media.width, media.height, 1));
  const width = Math.max(48, Math.round(media.width * scale));
  const height = Math.max(48, Math.round(media.height * scale));
  return (
    <span className="sticker-media" style={{ width, height }} data-testid="sticker-media" title={media.emoji || t('preview.sticker')}>
      {link && 'url' in link ? <img src={link.url} alt={media.emoji || t('preview.sticker')} draggable={false} /> : <span className="sticker-placeholder">{media.emoji}</span>}
    </span>
  );
}
