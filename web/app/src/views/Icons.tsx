/** Line icons drawn inline (no icon font, no CDN: the CSP allows only 'self'). */
import type { ReactElement } from 'react';

type IconProps = { size?: number };

function icon(paths: ReactElement, { size = 22 }: IconProps): ReactElement {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths}
    </svg>
  );
}

export const ChatIcon = (p: IconProps) => icon(<path d="M4 5h16v11H9l-5 4z" />, p);
export const ContactsIcon = (p: IconProps) =>
  icon(<><circle cx="9" cy="8" r="3.5" /><path d="M2.5 20c.8-3.6 3.4-5.5 6.5-5.5s5.7 1.9 6.5 5.5" /><path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14.8c1.8.7 3 2.4 3.5 5.2" /></>, p);
export const SettingsIcon = (p: IconProps) =>
  icon(<><circle cx="12" cy="12" r="3" /><path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" /></>, p);
export const HeadsetIcon = (p: IconProps) =>
  icon(<><path d="M4 14v-2a8 8 0 0 1 16 0v2" /><rect x="3" y="13.5" width="4" height="6" rx="1.5" /><rect x="17" y="13.5" width="4" height="6" rx="1.5" /><path d="M19 19.5c0 1.4-1.6 2-4 2h-2" /></>, p);
export const MeIcon = (p: IconProps) => icon(<><circle cx="12" cy="8" r="4" /><path d="M4 21c1-4.4 4.1-6.5 8-6.5s7 2.1 8 6.5" /></>, p);
export const LockIcon = (p: IconProps) => icon(<><rect x="5" y="10.5" width="14" height="10" rx="2" /><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" /></>, p);
export const PlusIcon = (p: IconProps) => icon(<path d="M12 5v14M5 12h14" />, p);
export const SearchIcon = (p: IconProps) => icon(<><circle cx="11" cy="11" r="6.5" /><path d="m20 20-4.2-4.2" /></>, p);
export const SmileIcon = (p: IconProps) =>
  icon(<><circle cx="12" cy="12" r="9" /><path d="M8.5 14.5a4.5 4.5 0 0 0 7 0" /><path d="M9 9.5h.01M15 9.5h.01" /></>, p);
export const BackIcon = (p: IconProps) => icon(<path d="m15 5-7 7 7 7" />, p);
export const CloseIcon = (p: IconProps) => icon(<path d="M6 6l12 12M18 6 6 18" />, p);
export const PinIcon = (p: IconProps) => icon(<path d="M9 4h6l-1 5 3 3v2H7v-2l3-3zM12 14v6" />, p);
export const MuteIcon = (p: IconProps) =>
  icon(<><path d="M6 8a6 6 0 0 1 10.4-4M18 8c0 7 3 9 3 9H9" /><path d="M10.3 21a1.9 1.9 0 0 0 3.4 0M3 3l18 18" /></>, p);
export const BellIcon = (p: IconProps) =>
  icon(<><path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" /><path d="M10.3 21a1.9 1.9 0 0 0 3.4 0" /></>, p);
export const CheckIcon = (p: IconProps) => icon(<path d="m5 12 5 5L20 7" />, p);
export const DoubleCheckIcon = (p: IconProps) => icon(<><path d="m2 12 5 5L17 7" /><path d="m12 16 1 1L23 7" /></>, p);
export const AlertIcon = (p: IconProps) => icon(<><circle cx="12" cy="12" r="9" /><path d="M12 7v6M12 16.5h.01" /></>, p);
export const ImageIcon = (p: IconProps) =>
  icon(<><rect x="3" y="4" width="18" height="16" rx="2" /><circle cx="9" cy="10" r="2" /><path d="m21 16-5-5L5 20" /></>, p);
export const FileIcon = (p: IconProps) => icon(<><path d="M14 3H6v18h12V7z" /><path d="M14 3v4h4" /></>, p);
export const PopOutIcon = (p: IconProps) => icon(<><path d="M14 4h6v6M20 4l-8 8" /><path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5" /></>, p);
export const InfoIcon = (p: IconProps) => icon(<><circle cx="12" cy="12" r="9" /><path d="M12 11v5M12 8h.01" /></>, p);
export const MoreIcon = (p: IconProps) => icon(<><circle cx="5" cy="12" r="1" /><circle cx="12" cy="12" r="1" /><circle cx="19" cy="12" r="1" /></>, p);
export const DownloadIcon = (p: IconProps) => icon(<><path d="M12 4v11M7 10l5 5 5-5" /><path d="M5 20h14" /></>, p);
export const RotateIcon = (p: IconProps) => icon(<><path d="M20 11a8 8 0 1 0-2.3 5.7" /><path d="M20 4v7h-7" /></>, p);
export const ZoomInIcon = (p: IconProps) => icon(<><circle cx="11" cy="11" r="6.5" /><path d="m20 20-4.2-4.2M11 8v6M8 11h6" /></>, p);
export const ZoomOutIcon = (p: IconProps) => icon(<><circle cx="11" cy="11" r="6.5" /><path d="m20 20-4.2-4.2M8 11h6" /></>, p);
export const ResetIcon = (p: IconProps) => icon(<><rect x="4" y="4" width="16" height="16" rx="2" /><path d="M9 9h6v6H9z" /></>, p);
export const PauseIcon = (p: IconProps) => icon(<path d="M9 5v14M15 5v14" />, p);
export const PlayIcon = (p: IconProps) => icon(<path d="m8 5 11 7-11 7z" />, p);
export const UserPlusIcon = (p: IconProps) => icon(<><circle cx="9" cy="8" r="3.5" /><path d="M2.5 20c.8-3.6 3.4-5.5 6.5-5.5s5.7 1.9 6.5 5.5M19 8v6M16 11h6" /></>, p);
export const FolderIcon = (p: IconProps) => icon(<path d="M3 6a1 1 0 0 1 1-1h5l2 2h9a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z" />, p);
export const ChevronIcon = (p: IconProps) => icon(<path d="m9 6 6 6-6 6" />, p);
export const BuildingIcon = (p: IconProps) => icon(<><path d="M4 21V5a1 1 0 0 1 1-1h9a1 1 0 0 1 1 1v16M15 9h4a1 1 0 0 1 1 1v11M3 21h18" /><path d="M8 8h3M8 12h3M8 16h3" /></>, p);
export const GroupIcon = (p: IconProps) => icon(<><circle cx="8" cy="9" r="3" /><circle cx="16" cy="9" r="3" /><path d="M2 19c.6-2.8 2.9-4.5 6-4.5s5.4 1.7 6 4.5M14.5 14.6c.5-.1 1-.1 1.5-.1 3.1 0 5.4 1.7 6 4.5" /></>, p);
export const LogoMark = ({ size = 30 }: IconProps) => (
  <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
    <rect width="32" height="32" rx="9" fill="#2563eb" />
    <path d="M8 10.5h16v9H14l-4.5 3.5v-3.5H8z" fill="#fff" />
    <path d="M11.5 15h9" stroke="#2563eb" strokeWidth="1.8" strokeLinecap="round" />
  </svg>
);
/** The Workbench tab (J6): four tiles. */
export const WorkbenchIcon = (p: IconProps) =>
  icon(<><rect x="4" y="4" width="6.5" height="6.5" rx="1.5" /><rect x="13.5" y="4" width="6.5" height="6.5" rx="1.5" /><rect x="4" y="13.5" width="6.5" height="6.5" rx="1.5" /><rect x="13.5" y="13.5" width="6.5" height="6.5" rx="1.5" /></>, p);
// Calls (decision 0074): the chat header's and the profile's call buttons.
export const PhoneCallIcon = (p: IconProps) =>
  icon(<path d="M21 16.5v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 1.1 3.7 2 2 0 0 1 3.1 1.5h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L7 9.4a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z" />, p);
export const VideoCallIcon = (p: IconProps) => icon(<><path d="m22 7-6 5 6 5z" /><rect x="2" y="5" width="14" height="14" rx="2" /></>, p);
