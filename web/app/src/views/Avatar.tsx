import { avatarColour, initials, type AvatarKind } from '../lib/avatar';

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
}

/** Initials on a colour; a green dot when the person is online. */
export function Avatar({ id, name, size = 40, online, square = true, emoji = null, kind = 'person' }: AvatarProps) {
  return (
    <span
      className={`avatar${square ? ' avatar-square' : ''}`}
      style={{ width: size, height: size, background: avatarColour(id), fontSize: Math.round(size * 0.38) }}
      aria-hidden="true"
      data-testid="avatar"
    >
      {emoji ? <span className="avatar-emoji" style={{ fontSize: Math.round(size * 0.55) }}>{emoji}</span> : initials(name, kind)}
      {online !== undefined && <span className={`presence-dot ${online ? 'online' : 'offline'}`} />}
    </span>
  );
}
