/** Line icons of media bubbles and the image viewer (same drawing rules as Icons.tsx). */
import type { ReactElement } from 'react';

type IconProps = { size?: number };

function icon(paths: ReactElement, { size = 22 }: IconProps): ReactElement {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths}
    </svg>
  );
}

export const MapPinIcon = (p: IconProps) =>
  icon(<><path d="M12 21s-6.5-5.6-6.5-11a6.5 6.5 0 0 1 13 0c0 5.4-6.5 11-6.5 11z" /><circle cx="12" cy="10" r="2.4" /></>, p);
export const AreaIcon = (p: IconProps) =>
  icon(<><circle cx="12" cy="12" r="8.5" strokeDasharray="3 2.6" /><circle cx="12" cy="12" r="2" /></>, p);
export const ExternalIcon = (p: IconProps) =>
  icon(<><path d="M14 4h6v6M20 4l-9 9" /><path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5" /></>, p);
export const ForwardIcon = (p: IconProps) => icon(<><path d="m14 5 6 6-6 6" /><path d="M20 11H10a6 6 0 0 0-6 6v1" /></>, p);
export const EditIcon = (p: IconProps) =>
  icon(<><path d="M4 20h4L19 9l-4-4L4 16z" /><path d="m13.5 6.5 4 4" /></>, p);
export const CropIcon = (p: IconProps) => icon(<><path d="M6 2v14a2 2 0 0 0 2 2h14" /><path d="M18 22V8a2 2 0 0 0-2-2H2" /></>, p);
export const RotateLeftIcon = (p: IconProps) => icon(<><path d="M4 4v5h5" /><path d="M4.6 9A8 8 0 1 1 4 13" /></>, p);
export const SendIcon = (p: IconProps) => icon(<><path d="M21 3 10 14" /><path d="m21 3-7 18-4-7-7-4z" /></>, p);
export const ShopIcon = (p: IconProps) =>
  icon(<><path d="M4 9h16l-1 11H5z" /><path d="M8.5 9V7a3.5 3.5 0 0 1 7 0v2" /></>, p);
export const WaveIcon = (p: IconProps) => icon(<path d="M4 10v4M8 7v10M12 4v16M16 8v8M20 11v2" />, p);
