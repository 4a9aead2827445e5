import './avatar.css';
import { useContext, useSyncExternalStore } from 'react';
import { avatarColour, initials, type AvatarKind } from '../lib/avatar';
import { AvatarContext } from './AvatarContext';

export interface AvatarProps {
  id: number;
  name: string;
  size?: number;
  online?: boolean | undefined;
  square?: boolean;
  /** Shown instead of the initials (a group's chosen avatar). */
  emoji?: string | null;
  /** A group's initials start at the start of its name (see initials). */
  kind?: AvatarKind;
  /** `id` is a user's: show their picture when they set one (h/me). */
  user?: boolean;
  /** An image to show (a preview of one's own new avatar). */
  src?: string | null;
}

const NO_SUBSCRIPTION = () => () => {};
const NO_VERSION = () => 0;

/** The user's picture, or initials on a colour; a green dot when the person is online. */
export function Avatar({ id, name, size = 40, online, square = true, emoji = null, kind = 'person', user = false, src = null }: AvatarProps) {
  const images = useContext(AvatarContext);
  const watched = user && images !== null;
  // Re-render when a picture or its link arrives.
  useSyncExternalStore(watched ? images.subscribe : NO_SUBSCRIPTION, watched ? images.version : NO_VERSION);
  const picture = src ? { kind: 'image' as const, url: src } : watched ? images.picture(id) : null;
  const shownEmoji = emoji ?? (picture?.kind === 'emoji' ? picture.emoji : null);
  return (
    <span
      className={`avatar${square ? ' avatar-square' : ''}`}
      style={{ width: size, height: size, background: avatarColour(id), fontSize: Math.round(size * 0.38) }}
      aria-hidden="true"
      data-testid="avatar"
      data-image={picture?.kind === 'image' ? 'yes' : undefined}
    >
      {picture?.kind === 'image' ? (
        <img className="avatar-image" src={picture.url} alt="" draggable={false} />
      ) : shownEmoji ? (
        <span className="avatar-emoji" style={{ fontSize: Math.round(size * 0.55) }}>{shownEmoji}</span>
      ) : (
        initials(name, kind)
      )}
      {online !== undefined && <span className={`presence-dot ${online ? 'online' : 'offline'}`} />}
    </span>
  );
}
