import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { errorCode, MAX_EXPIRY_DAYS, MIN_EXPIRY_DAYS } from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import { bubbleSize } from '../lib/images';
import type { AttachmentItem, MediaContent, UploadProgress } from '../viewmodels/ChatViewModel';
import type { FileLinks, LinkVariant } from '../viewmodels/FileLinks';
import { RichMedia } from './RichMedia';
import { ChatRecordCard } from './ChatRecord';
import type { ChatRecordBody } from '@tidings/sdk';
import { CloseIcon, DownloadIcon, FileIcon, PauseIcon, PlayIcon } from './Icons';

/** A signed link for a file, asked for when a row shows it: `{ url }`, `{ error }` or null (coming). */
export function useFileLink(links: FileLinks, fileId: string | null, variant: LinkVariant): { url: string } | { error: string } | null {
  const subscribe = useCallback((listener: () => void) => links.onChange(listener), [links]);
  const encoded = useSyncExternalStore(subscribe, () => {
    if (!fileId) return '';
    const link = links.get(fileId, variant);
    return link === null ? '' : 'url' in link ? `u:${link.url}` : `e:${link.error}`;
  });
  if (!encoded) return null;
  return encoded.startsWith('u:') ? { url: encoded.slice(2) } : { error: encoded.slice(2) };
}

/** An object URL for a local file, revoked when no longer shown. */
export function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return url;
}

interface MediaProps {
  media: MediaContent;
  upload: UploadProgress | null;
  links: FileLinks;
  t: Translate;
  clientMsgId: string | null;
  onOpenImage(fileId: string | null, name: string, localUrl: string | null): void;
  onPause(clientMsgId: string): void;
  onResume(clientMsgId: string): void;
  /** A contact card: open the person's profile, or a chat with them. */
  onProfile(userId: number): void;
  onMessage(userId: number): void;
  /** A chat record's card: open its messages. */
  onOpenRecord?(body: ChatRecordBody): void;
}

/** An image, a file card or another kind of media in a bubble, with its upload's progress while it sends. */
export function MessageMedia(props: MediaProps) {
  const { media } = props;
  if (media.kind === 'image') return <ImageMedia {...props} media={media} />;
  if (media.kind === 'file') return <FileMedia {...props} media={media} />;
  if (media.kind === 'record') return <ChatRecordCard media={media} t={props.t} onOpen={(body) => props.onOpenRecord?.(body)} />;
  return <RichMedia media={media} links={props.links} t={props.t} onProfile={props.onProfile} onMessage={props.onMessage} upload={props.upload} />;
}

function uploadText(upload: UploadProgress, t: Translate): string {
  if (upload.state === 'failed') return upload.error ?? t('files.failed');
  if (upload.state === 'paused') return t('files.paused');
  if (upload.state === 'interrupted') return t('files.interrupted');
  return `${upload.percent}%`;
}

function UploadControls({ upload, clientMsgId, t, onPause, onResume }: { upload: UploadProgress; clientMsgId: string | null; t: Translate; onPause(id: string): void; onResume(id: string): void }) {
  if (!clientMsgId) return null;
  return upload.state === 'uploading' ? (
    <button className="upload-control" onClick={(e) => { e.stopPropagation(); onPause(clientMsgId); }} aria-label={t('files.pause')} title={t('files.pause')} data-testid="upload-pause">
      <PauseIcon size={14} />
    </button>
  ) : (
    <button className="upload-control" onClick={(e) => { e.stopPropagation(); onResume(clientMsgId); }} aria-label={t('files.resume')} title={t('files.resume')} data-testid="upload-resume">
      <PlayIcon size={14} />
    </button>
  );
}

function ImageMedia({ media, upload, links, t, clientMsgId, onOpenImage, onPause, onResume }: MediaProps & { media: Extract<MediaContent, { kind: 'image' }> }) {
  const thumb = useFileLink(links, media.expired ? null : media.fileId, 'thumbnail');
  const local = useObjectUrl(media.local);
  const [loaded, setLoaded] = useState(false);
  const size = bubbleSize(media.width, media.height);
  const server = thumb && 'url' in thumb ? thumb.url : null;
  const failed = thumb !== null && 'error' in thumb;
  return (
    <button
      className={`image-media${upload ? ' uploading' : ''}`}
      style={{ width: size.width, height: size.height }}
      onClick={() => onOpenImage(media.fileId, media.name, local)}
      disabled={media.expired && !local}
      aria-label={t('files.openImage')}
      data-testid="image-media"
      data-state={media.expired ? 'expired' : server && loaded ? 'server' : local ? 'local' : 'loading'}
    >
      {/* The local copy stays under the server's until the latter has loaded: no flicker. */}
      {local && !(server && loaded) && <img src={local} alt="" draggable={false} />}
      {server && <img src={server} alt={media.name} draggable={false} onLoad={() => setLoaded(true)} className={loaded ? '' : 'hidden'} data-testid="server-image" />}
      {(failed || media.expired) && !local && <span className="media-unavailable">{t(media.expired ? 'files.expired' : 'files.unavailable')}</span>}
      {media.expiry && <span className="media-expiry" data-testid="media-expiry">{media.expiry}</span>}
      {upload && (
        <span className="upload-overlay" data-testid="upload-progress" data-state={upload.state}>
          <span>{upload.state === 'failed' ? t('files.failed') : upload.state === 'interrupted' ? t('files.interrupted') : `${upload.percent}%`}</span>
          <UploadControls upload={upload} clientMsgId={clientMsgId} t={t} onPause={onPause} onResume={onResume} />
        </span>
      )}
    </button>
  );
}

function extension(name: string): string {
  const match = /\.([A-Za-z0-9]{1,5})$/.exec(name);
  return match?.[1]?.toUpperCase() ?? '';
}

/** Hand a signed link to the browser's own download (which resumes a broken one where it can). */
function saveAs(url: string, name: string): void {
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
}

function FileMedia({ media, upload, links, t, clientMsgId, onPause, onResume }: MediaProps & { media: Extract<MediaContent, { kind: 'file' }> }) {
  const [asked, setAsked] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const link = useFileLink(links, asked ? media.fileId : null, 'original');
  const url = link && 'url' in link ? link.url : null;
  const fileId = !upload && !media.expired ? media.fileId : null;
  // One click on the card (or its button) downloads: the signed link is asked for, then saved.
  const download = () => {
    if (fileId === null) return;
    setAsked(true);
    setFailed(null);
    links.fetch(fileId, 'original').then(
      (href) => saveAs(href, media.name),
      (error: unknown) => setFailed(errorMessage(t, errorCode(error))),
    );
  };
  return (
    <div
      className={`file-card${fileId !== null ? ' downloadable' : ''}`}
      data-testid="file-card"
      data-name={media.name}
      role={fileId !== null ? 'button' : undefined}
      tabIndex={fileId !== null ? 0 : undefined}
      title={fileId !== null ? `${t('files.download')}: ${media.name}` : undefined}
      onClick={download}
      onKeyDown={(e) => {
        if (fileId !== null && (e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) {
          e.preventDefault();
          download();
        }
      }}
    >
      <span className="file-icon">
        <FileIcon size={30} />
        <span className="file-ext">{extension(media.name)}</span>
      </span>
      <span className="file-text">
        <span className="file-name" title={media.name}>{media.name}</span>
        <span className="muted small">
          {media.sizeText}
          {media.expired && ` · ${t('files.expired')}`}
          {media.expiry && <span className="file-expiry" data-testid="file-expiry">{` · ${media.expiry}`}</span>}
          {upload && ` · ${uploadText(upload, t)}`}
          {failed && <span className="file-error" data-testid="file-error">{` · ${failed}`}</span>}
        </span>
        {upload && (
          <span className="progress" data-testid="upload-progress" data-state={upload.state}>
            <span style={{ width: `${upload.percent}%` }} />
          </span>
        )}
      </span>
      {upload ? (
        <UploadControls upload={upload} clientMsgId={clientMsgId} t={t} onPause={onPause} onResume={onResume} />
      ) : fileId !== null ? (
        url ? (
          <a className="icon-button download" href={url} download={media.name} onClick={(e) => e.stopPropagation()} title={t('files.download')} aria-label={t('files.download')} data-testid="file-download">
            <DownloadIcon size={18} />
          </a>
        ) : (
          <button className="icon-button download" onClick={(e) => { e.stopPropagation(); download(); }} title={t('files.download')} aria-label={t('files.download')} data-testid="file-download-prepare">
            <DownloadIcon size={18} />
          </button>
        )
      ) : null}
    </div>
  );
}

/** How long a sent file may be kept (F3: 1 to 7 days). */
const EXPIRY_DAYS: readonly number[] = Array.from({ length: MAX_EXPIRY_DAYS - MIN_EXPIRY_DAYS + 1 }, (_, i) => MIN_EXPIRY_DAYS + i);

/** The strip above the input: the images and files picked, sent together with the text. */
export function AttachmentStrip({
  items,
  original,
  t,
  onRemove,
  onOriginal,
  onExpiry,
}: {
  items: AttachmentItem[];
  original: boolean;
  t: Translate;
  onRemove(id: string): void;
  onOriginal(original: boolean): void;
  onExpiry(id: string, days: number | null): void;
}) {
  if (items.length === 0) return null;
  const images = items.some((item) => item.kind === 'image');
  return (
    <div className="attachment-strip" data-testid="attachment-strip">
      <div className="attachments">
        {items.map((item) => {
          const expiry = (
            <select
              className="attachment-expiry"
              value={item.expiryDays === null ? '' : String(item.expiryDays)}
              onChange={(e) => onExpiry(item.id, e.target.value ? Number(e.target.value) : null)}
              aria-label={t('files.expiry')}
              title={t('files.expiry')}
              data-testid="attachment-expiry"
            >
              <option value="">{t('files.expiryForever')}</option>
              {EXPIRY_DAYS.map((days) => (
                <option key={days} value={String(days)}>{days === 1 ? t('files.expiryOneDay') : t('files.expiryDays', { count: days })}</option>
              ))}
            </select>
          );
          const remove = (
            <button className="attachment-remove" onClick={() => onRemove(item.id)} aria-label={t('files.remove', { name: item.name })}>
              <CloseIcon size={12} />
            </button>
          );
          // An image's choice goes under its thumbnail; a file's sits in its card.
          return item.kind === 'image' ? (
            <div key={item.id} className="attachment-slot" data-testid="attachment-slot">
              <div className="attachment image" data-testid="attachment" data-kind={item.kind} data-ready={item.ready}>
                <AttachmentThumb file={item.file} />
                <span className="attachment-size">{item.ready ? item.sizeText : '…'}</span>
                {remove}
              </div>
              {expiry}
            </div>
          ) : (
            <div key={item.id} className={`attachment ${item.kind}`} data-testid="attachment" data-kind={item.kind} data-ready={item.ready}>
              <FileIcon size={24} />
              <span className="attachment-name" title={item.name}>{item.name}</span>
              <span className="attachment-size">{item.ready ? item.sizeText : '…'}</span>
              {expiry}
              {remove}
            </div>
          );
        })}
      </div>
      {images && (
        <label className="check original">
          <input type="checkbox" checked={original} onChange={(e) => onOriginal(e.target.checked)} data-testid="send-original" />
          {t('files.original')}
        </label>
      )}
    </div>
  );
}

function AttachmentThumb({ file }: { file: Blob }) {
  const url = useObjectUrl(file);
  return url ? <img src={url} alt="" /> : <span className="thumb-placeholder" />;
}
