/** The mark on a message restored from a backup that the server does not show (0051). */
import { useEffect, useMemo } from 'react';
import type { Translate } from '../i18n/i18n';
import type { BubbleItem } from '../viewmodels/ChatViewModel';
import './history-backup.css';

export function RestoredMark({ item, t }: { item: BubbleItem; t: Translate }) {
  const file = item.restoredFile ?? null;
  // Files other than pictures open from the backup's bytes.
  const url = useMemo(() => (file && item.media?.kind !== 'image' ? URL.createObjectURL(file) : null), [file, item.media?.kind]);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  const name = item.media?.kind === 'file' ? item.media.name : 'file';
  return (
    <div className="restored-mark" title={t('chat.restoredTitle')} data-testid="restored-mark">
      <span aria-hidden="true">⟲</span> {t('chat.restored')}
      {url && (
        <a href={url} download={name} data-testid="restored-download">
          {t('chat.restoredDownload')}
        </a>
      )}
    </div>
  );
}
