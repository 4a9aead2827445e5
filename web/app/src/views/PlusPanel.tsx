/**
 * The composer's "+" panel (issue 12): photo or video, file, voice, location, contact card
 * and stickers, with the voice recorder, the location picker, the contact-card dialog and
 * the sticker panel. The panel renders a list of items, so others can add theirs.
 */
import type { SiteSettings } from '@tidings/sdk';
import { lazy, Suspense, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n/i18n';
import type { ComposeViewModel, PlusItem } from '../viewmodels/ComposeViewModel';
import type { FileLinks } from '../viewmodels/FileLinks';
import { SiteContext } from '../viewmodels/SiteSettingsViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { CardIcon, MediaIcon, MicIcon, PaperIcon, PinIcon, PlusIcon, StickerIcon } from './ComposeIcons';
import './compose.css';

// What the entries open loads when first opened: the chat's first JavaScript stays as it was.
const VoiceBar = lazy(() => import('./PlusDialogs').then((m) => ({ default: m.VoiceBar })));
const LocationDialog = lazy(() => import('./PlusDialogs').then((m) => ({ default: m.LocationDialog })));
const ContactCardDialog = lazy(() => import('./PlusDialogs').then((m) => ({ default: m.ContactCardDialog })));
const StickerPanel = lazy(() => import('./PlusDialogs').then((m) => ({ default: m.StickerPanel })));

export interface PlusPanelEntry {
  id: PlusItem | string;
  label: string;
  icon: ReactNode;
  onSelect(): void;
}

/** The grid of what can be sent besides text. */
export function PlusPanel({ entries, t, onClose }: { entries: readonly PlusPanelEntry[]; t: Translate; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
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
  return (
    <div className="plus-panel" ref={ref} role="menu" aria-label={t('compose.panel')} data-testid="plus-panel">
      {entries.map((entry) => (
        <button key={entry.id} role="menuitem" className="plus-item" onClick={() => { onClose(); entry.onSelect(); }} data-testid={`plus-${entry.id}`}>
          <span className="plus-icon">{entry.icon}</span>
          <span className="plus-label">{entry.label}</span>
        </button>
      ))}
    </div>
  );
}

/** The panel's own entries, in the seeds' order; `extra` (e.g. a screenshot) goes after file. */
export function plusEntries(t: Translate, on: Record<PlusItem, () => void>, extra: readonly PlusPanelEntry[] = []): PlusPanelEntry[] {
  const own: PlusPanelEntry[] = [
    { id: 'media', label: t('compose.media'), icon: <MediaIcon size={24} />, onSelect: on.media },
    { id: 'file', label: t('compose.file'), icon: <PaperIcon size={24} />, onSelect: on.file },
    { id: 'voice', label: t('compose.voice'), icon: <MicIcon size={24} />, onSelect: on.voice },
    { id: 'location', label: t('compose.location'), icon: <PinIcon size={24} />, onSelect: on.location },
    { id: 'contact', label: t('compose.contact'), icon: <CardIcon size={24} />, onSelect: on.contact },
    { id: 'sticker', label: t('compose.sticker'), icon: <StickerIcon size={24} />, onSelect: on.sticker },
  ];
  return [...own.slice(0, 2), ...extra, ...own.slice(2)];
}

/** Whether the site settings show an entry of the panel: its button on, its module on. */
export function plusEntryShown(site: SiteSettings | null, id: string): boolean {
  if (!site) return true;
  const { buttons: b, modules: m } = site;
  switch (id) {
    case 'media': return b.plus_media && (m.image_sending || m.video_messages);
    case 'file': return b.plus_file && m.file_sending;
    case 'screenshot': return b.plus_screenshot && m.image_sending;
    case 'voice': return b.plus_voice && m.voice_messages;
    case 'location': return b.plus_location && m.location;
    case 'contact': return b.plus_contact && m.contact_cards;
    case 'sticker': return b.plus_sticker && m.stickers;
    default: return true;
  }
}

type Open = 'panel' | 'voice' | 'location' | 'contact' | 'sticker' | null;

/**
 * The "+" button of the composer and whatever it opened. Photos go to the chat's attachment
 * strip (`onImages`), files to `onFile` (the chat's own file picker), the rest is sent here.
 */
export function ComposerPlus({
  vm,
  links,
  t,
  onImages,
  onFile,
  extra = [],
}: {
  vm: ComposeViewModel;
  links: FileLinks;
  t: Translate;
  onImages(files: { file: Blob; name: string }[]): void;
  onFile(): void;
  /** More entries for the panel (e.g. a screenshot), after "File". */
  extra?: readonly PlusPanelEntry[];
}) {
  const [open, setOpen] = useState<Open>(null);
  const media = useRef<HTMLInputElement>(null);
  const state = useViewModel(vm);
  const close = useCallback(() => setOpen(null), []);
  const site = useContext(SiteContext);
  const entries = plusEntries(
    t,
    {
      media: () => media.current?.click(),
      file: onFile,
      voice: () => setOpen('voice'),
      location: () => setOpen('location'),
      contact: () => setOpen('contact'),
      sticker: () => setOpen('sticker'),
    },
    extra,
  ).filter((entry) => plusEntryShown(site, entry.id));
  return (
    <>
      <button
        className={`icon-button${open === 'panel' ? ' active' : ''}`}
        onClick={() => setOpen((current) => (current === 'panel' ? null : 'panel'))}
        aria-label={t('compose.plus')}
        title={t('compose.plus')}
        aria-expanded={open === 'panel'}
        data-testid="plus-button"
      >
        <PlusIconSmall />
      </button>
      {plusEntryShown(site, 'voice') && (
        <button className="icon-button" onClick={() => setOpen('voice')} aria-label={t('compose.voiceStart')} title={t('compose.voiceStart')} data-testid="voice-button">
          <MicIcon />
        </button>
      )}
      {state.preparingVideo && <span className="muted small composer-busy">{t('compose.preparingVideo')}</span>}
      <input
        ref={media}
        type="file"
        accept="image/jpeg,image/png,image/gif,image/webp,image/bmp,video/*"
        multiple
        hidden
        data-testid="media-input"
        onChange={(e) => {
          const picked = [...(e.target.files ?? [])];
          e.target.value = '';
          const images = picked.filter((file) => !file.type.startsWith('video/'));
          if (images.length > 0) onImages(images.map((file) => ({ file, name: file.name })));
          for (const video of picked.filter((file) => file.type.startsWith('video/'))) void vm.sendVideo(video, video.name);
        }}
      />
      {open === 'panel' && <PlusPanel entries={entries} t={t} onClose={close} />}
      <Suspense fallback={null}>
        {open === 'voice' && <VoiceBar vm={vm} t={t} onDone={close} />}
        {open === 'location' && <LocationDialog vm={vm} t={t} onClose={close} />}
        {open === 'contact' && <ContactCardDialog vm={vm} t={t} onClose={close} />}
        {open === 'sticker' && <StickerPanel vm={vm} links={links} t={t} onClose={close} />}
      </Suspense>
    </>
  );
}

function PlusIconSmall() {
  return <PlusIcon />;
}
