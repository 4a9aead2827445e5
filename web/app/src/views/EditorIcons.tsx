/** Line icons of the image editor's tools (same drawing rules as Icons.tsx; loaded with the editor). */
import type { ReactElement } from 'react';

type IconProps = { size?: number };

function icon(paths: ReactElement, { size = 20 }: IconProps): ReactElement {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths}
    </svg>
  );
}

export const PointerIcon = (p: IconProps) => icon(<path d="M5 3l13 7.5-5.6 1.4L15.5 19l-2.6 1.2-3.1-7-4.2 3.8z" />, p);
export const RectIcon = (p: IconProps) => icon(<rect x="4" y="6" width="16" height="12" rx="1" />, p);
export const EllipseIcon = (p: IconProps) => icon(<ellipse cx="12" cy="12" rx="8.5" ry="6.5" />, p);
export const ArrowIcon = (p: IconProps) => icon(<><path d="M5 19 18 6" /><path d="M9.5 6H18v8.5" /></>, p);
export const PenIcon = (p: IconProps) => icon(<><path d="M4 20c3-1 4-4 6.5-6.5L17 7a2.1 2.1 0 0 0-3-3l-6.5 6.5C5 13 5 16 4 20z" /></>, p);
export const TextIcon = (p: IconProps) => icon(<><path d="M5 6V4.5h14V6" /><path d="M12 4.5v15" /><path d="M9 19.5h6" /></>, p);
export const MosaicIcon = (p: IconProps) =>
  icon(<><rect x="4" y="4" width="16" height="16" rx="1" /><path d="M4 9.3h16M4 14.6h16M9.3 4v16M14.6 4v16" /><path d="M4.5 4.5h4.8v4.8H4.5zM14.6 9.3h5v5.3h-5zM9.3 14.6h5.3v5h-5.3z" fill="currentColor" /></>, p);
export const UndoIcon = (p: IconProps) => icon(<><path d="M9 14 4 9l5-5" /><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11" /></>, p);
export const RedoIcon = (p: IconProps) => icon(<><path d="m15 14 5-5-5-5" /><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13" /></>, p);
export const TrashIcon = (p: IconProps) => icon(<><path d="M4 7h16" /><path d="M10 11v6M14 11v6" /><path d="M6 7l1 13h10l1-13" /><path d="M9 7V4h6v3" /></>, p);
export const CheckIcon = (p: IconProps) => icon(<path d="m5 12.5 4.5 4.5L19 7.5" />, p);
export const SaveIcon = (p: IconProps) => icon(<><path d="M12 4v11" /><path d="m7 10 5 5 5-5" /><path d="M5 20h14" /></>, p);
