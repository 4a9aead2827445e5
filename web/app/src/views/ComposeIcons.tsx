/** Line icons of the composer's "+" panel (same drawing rules as Icons.tsx). */
import type { ReactElement } from 'react';

type IconProps = { size?: number };

function icon(paths: ReactElement, { size = 22 }: IconProps): ReactElement {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths}
    </svg>
  );
}

export const PlusIcon = (p: IconProps) => icon(<><circle cx="12" cy="12" r="9" /><path d="M12 8v8M8 12h8" /></>, p);
export const MicIcon = (p: IconProps) =>
  icon(<><rect x="9" y="3" width="6" height="11" rx="3" /><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M9 21h6" /></>, p);
export const MediaIcon = (p: IconProps) =>
  icon(<><rect x="3" y="5" width="13" height="14" rx="2" /><path d="m16 10 5-3v10l-5-3" /><circle cx="8" cy="10" r="1.5" /></>, p);
export const PaperIcon = (p: IconProps) =>
  icon(<><path d="M6 3h8l4 4v14H6z" /><path d="M14 3v4h4M9 12h6M9 16h6" /></>, p);
export const CardIcon = (p: IconProps) =>
  icon(<><rect x="3" y="5" width="18" height="14" rx="2" /><circle cx="9" cy="11" r="2.2" /><path d="M5.8 16.5a3.4 3.4 0 0 1 6.4 0M14 10h4M14 13.5h3" /></>, p);
export const StickerIcon = (p: IconProps) =>
  icon(<><path d="M20 13V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h7z" /><path d="M13 20v-5a2 2 0 0 1 2-2h5" /><path d="M9 10h.01M14 10h.01" /></>, p);
export const PinIcon = (p: IconProps) =>
  icon(<><path d="M12 21s-6.5-5.6-6.5-11a6.5 6.5 0 0 1 13 0c0 5.4-6.5 11-6.5 11z" /><circle cx="12" cy="10" r="2.4" /></>, p);
export const TrashIcon = (p: IconProps) => icon(<><path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" /></>, p);
export const LocateIcon = (p: IconProps) =>
  icon(<><circle cx="12" cy="12" r="6" /><circle cx="12" cy="12" r="1.6" /><path d="M12 2v4M12 18v4M2 12h4M18 12h4" /></>, p);

/** The screenshot tool (the composer's button and the "+" panel's entry). */
export const ScissorsIcon = (p: IconProps) =>
  icon(<><circle cx="6" cy="6" r="2.6" /><circle cx="6" cy="18" r="2.6" /><path d="M8.2 7.5 20 17M8.2 16.5 20 7M13 12h.01" /></>, p);
