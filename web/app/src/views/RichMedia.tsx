/**
 * Bubbles of voice, video, location, contact card, host-system card and sticker messages
 * (PRODUCT.md D2). Files come by signed link (FileLinks); everything from the message body is
 * rendered as React text or checked http(s) links, never as HTML.
 */
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import type { Translate } from '../i18n/i18n';
import { bubbleSize } from '../lib/images';
import { formatDuration } from '../lib/media';
import type { MediaContent } from '../viewmodels/ChatViewModel';
import type { FileLinks } from '../viewmodels/FileLinks';
import { Avatar } from './Avatar';
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
}

export function RichMedia({ media, links, t, onProfile, onMessage }: RichMediaProps) {
  switch (media.kind) {
    case 'voice':
      return <VoiceMedia media={media} links={links} t={t} />;
    case 'video':
      return <VideoMedia media={media} links={links} t={t} />;
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

/** Play, pause and seek; nothing downloads until the first play. */
function VoiceMedia({ media, links, t }: { media: Of<'voice'>; links: FileLinks; t: Translate }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [wanted, setWanted] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [duration, setDuration] = useState(media.durationMs / 1000);
  const link = useFileLink(links, wanted && !media.expired ? media.fileId : null, 'original');
  const url = link && 'url' in link ? link.url : null;
  const failed = media.expired || (link !== null && 'error' in link);

  // The link arrives after the first click: start playing then.
  useEffect(() => {
    if (url && audio.current?.paused) void audio.current.play().catch(() => setPlaying(false));
  }, [url]);

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
  const seek = (event: ChangeEvent<HTMLInputElement>) => {
    const to = Number(event.target.value);
    setPosition(to);
    if (audio.current && url) audio.current.currentTime = to;
  };
  // Longer messages get a longer bubble, as in every messenger.
  const width = Math.round(190 + Math.min(110, (media.durationMs / 60_000) * 110));
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
      <input
        className="voice-seek"
        type="range"
        min={0}
        max={Math.max(duration, 0.1)}
        step={0.1}
        value={Math.min(position, duration)}
        onChange={seek}
        disabled={failed || !url}
        aria-label={t('media.seek')}
        style={{ ['--played' as string]: `${duration > 0 ? Math.min(100, (position / duration) * 100) : 0}%` }}
        data-testid="voice-seek"
      />
      <span className="voice-time" data-testid="voice-time">
        {failed ? t(media.expired ? 'files.expired' : 'files.unavailable') : position > 0 || playing ? `${formatDuration(position * 1000)} / ${formatDuration(duration * 1000)}` : media.durationText}
      </span>
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
          onLoadedMetadata={(e) => Number.isFinite(e.currentTarget.duration) && setDuration(e.currentTarget.duration)}
          onError={() => setPlaying(false)}
          data-testid="voice-audio"
        />
      )}
    </div>
  );
}

/** The poster (a still sent with the video) until it plays; the browser's own player after. */
function VideoMedia({ media, links, t }: { media: Of<'video'>; links: FileLinks; t: Translate }) {
  const [started, setStarted] = useState(false);
  const poster = useFileLink(links, media.expired ? null : media.posterFileId, 'thumbnail');
  const video = useFileLink(links, started && !media.expired ? media.fileId : null, 'original');
  const posterUrl = poster && 'url' in poster ? poster.url : undefined;
  const url = video && 'url' in video ? video.url : null;
  const failed = media.expired || (video !== null && 'error' in video);
  const size = bubbleSize(media.width, media.height);
  return (
    <div className="video-media" style={{ width: size.width, height: size.height }} data-testid="video-media" data-poster={posterUrl ? 'yes' : 'no'}>
      {url ? (
        <video src={url} poster={posterUrl} controls autoPlay playsInline preload="metadata" data-testid="video-player" />
      ) : (
        <button className="video-cover" onClick={() => setStarted(true)} disabled={failed} aria-label={t('media.playVideo')} title={t('media.playVideo')} data-testid="video-play">
          {posterUrl && <img src={posterUrl} alt="" draggable={false} />}
          <span className="video-play-badge">{failed ? t(media.expired ? 'files.expired' : 'files.unavailable') : <PlayIcon size={26} />}</span>
          <span className="video-duration">{media.durationText}</span>
        </button>
      )}
      {media.expiry && !url && <span className="media-expiry" data-testid="media-expiry">{media.expiry}</span>}
    </div>
  );
}

function LocationCard({ media, t }: { media: Of<'location'>; t: Translate }) {
  const title = media.name || (media.precise ? t('media.location') : t('media.area'));
  return (
    <div className={`location-card ${media.precise ? 'precise' : 'blurred'}`} data-testid="location-card" data-precision={media.precise ? 'precise' : 'blurred'}>
      <div className="location-text">
        <span className="location-name">{title}</span>
        {media.address && <span className="location-address">{media.address}</span>}
      </div>
      <div className="location-map" aria-hidden="true">
        <span className="location-mark">{media.precise ? <MapPinIcon size={30} /> : <AreaIcon size={44} />}</span>
      </div>
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
    </div>
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
