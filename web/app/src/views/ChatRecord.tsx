/**
 * A chat record (合并转发): the card in a bubble (title, the first lines) and the viewer of
 * its messages, each rendered with the chat's own media components. Everything comes from
 * the message body and is shown as React text, never as HTML.
 */
import type { ChatRecordBody } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import type { ChatRecordViewModel, RecordRow } from '../viewmodels/ChatRecordViewModel';
import type { MediaContent } from '../viewmodels/ChatViewModel';
import type { FileLinks } from '../viewmodels/FileLinks';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { Modal } from './Modal';
import { BackIcon } from './Icons';
import { MessageMedia } from './Media';
import './chat-record.css';

type RecordMedia = Extract<MediaContent, { kind: 'record' }>;

/** The favourites' mark (the rail, menus). */
export function StarIcon({ size = 22 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" aria-hidden="true">
      <path d="m12 3.5 2.6 5.3 5.9.9-4.3 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z" />
    </svg>
  );
}

export function ChatRecordCard({ media, t, onOpen }: { media: RecordMedia; t: Translate; onOpen(body: ChatRecordBody): void }) {
  return (
    <button className="record-card" onClick={() => onOpen(media.body)} title={t('record.open')} data-testid="record-card" data-count={media.count}>
      <span className="record-title" data-testid="record-title">{media.title}</span>
      <span className="record-lines">
        {media.lines.map((line, i) => (
          <span className="record-line" key={i} data-testid="record-line">{line}</span>
        ))}
        {media.more > 0 && <span className="record-line muted">{t('record.more', { count: media.more })}</span>}
      </span>
      <span className="record-footer">{t('record.label')}</span>
    </button>
  );
}

interface ViewerProps {
  vm: ChatRecordViewModel;
  t: Translate;
  links: FileLinks;
  onClose(): void;
  onOpenImage(fileId: string | null, name: string): void;
  onProfile(userId: number): void;
  onMessage(userId: number): void;
}

export function ChatRecordViewer({ vm, t, links, onClose, onOpenImage, onProfile, onMessage }: ViewerProps) {
  const state = useViewModel(vm);
  return (
    <Modal title={state.title} onClose={onClose} testId="record-viewer">
      {state.depth > 0 && (
        <button className="link-button record-back" onClick={() => vm.back()} data-testid="record-back">
          <BackIcon size={14} /> {t('chat.back')}
        </button>
      )}
      <ol className="record-messages" data-testid="record-messages">
        {state.rows.map((row) => (
          <RecordMessage key={row.key} row={row} t={t} links={links} onOpenRecord={(body) => vm.open(body)} onOpenImage={onOpenImage} onProfile={onProfile} onMessage={onMessage} />
        ))}
      </ol>
    </Modal>
  );
}

function RecordMessage({
  row,
  t,
  links,
  onOpenRecord,
  onOpenImage,
  onProfile,
  onMessage,
}: {
  row: RecordRow;
  t: Translate;
  links: FileLinks;
  onOpenRecord(body: ChatRecordBody): void;
  onOpenImage(fileId: string | null, name: string): void;
  onProfile(userId: number): void;
  onMessage(userId: number): void;
}) {
  return (
    <li className="record-message" data-testid="record-message" data-sender={row.sender}>
      <Avatar id={row.senderId} name={row.sender} size={32} emoji={row.avatar} />
      <div className="record-message-body">
        <div className="record-message-head">
          <span className="record-sender">{row.sender}</span>
          <span className="record-time muted small">{row.time}</span>
        </div>
        {row.text && <div className="record-text" data-testid="record-text">{row.text}</div>}
        {row.media && (
          <div className="record-media">
            {row.media.kind === 'record' ? (
              <ChatRecordCard media={row.media} t={t} onOpen={onOpenRecord} />
            ) : (
              <MessageMedia
                media={row.media}
                upload={null}
                links={links}
                t={t}
                clientMsgId={null}
                onOpenImage={(fileId, name) => onOpenImage(fileId, name)}
                onPause={() => undefined}
                onResume={() => undefined}
                onProfile={onProfile}
                onMessage={onMessage}
              />
            )}
          </div>
        )}
      </div>
    </li>
  );
}
