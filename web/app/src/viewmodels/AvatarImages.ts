/**
 * Users' avatar images (h/me): a user's avatar (`file:<id>`, from the NameBook) becomes a
 * signed link to the image's thumbnail (FileLinks), so every `<Avatar user>` shows the picture
 * once it is known and falls back to initials until then (or when there is none).
 */
import type { UserId } from '@tidings/sdk';
import { avatarEmoji } from '../lib/avatar';
import type { FileLinks } from './FileLinks';
import type { NameBook } from './NameBook';

export type AvatarPicture = { kind: 'image'; url: string } | { kind: 'emoji'; emoji: string } | null;

/** The file id in a `file:<id>` avatar, else null. */
export function avatarFileId(avatar: string): string | null {
  return avatar.startsWith('file:') && avatar.length > 5 ? avatar.slice(5) : null;
}

export class AvatarImages {
  private revision = 0;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly names: NameBook,
    private readonly links: FileLinks,
  ) {
    const bump = () => {
      this.revision += 1;
      for (const listener of [...this.listeners]) listener();
    };
    this.unsubscribe = [names.onChange(bump), links.onChange(bump)];
  }

  /** What a user's avatar shows: their image, their emoji, or null (initials). */
  picture(userId: UserId): AvatarPicture {
    return pictureOf(this.names.avatar(userId), this.links);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly version = (): number => this.revision;

  dispose(): void {
    for (const stop of this.unsubscribe) stop();
    this.listeners.clear();
  }
}

/** The picture of an avatar string: an image once its link is known, an emoji, or null. */
export function pictureOf(avatar: string, links: FileLinks): AvatarPicture {
  const fileId = avatarFileId(avatar);
  if (fileId) {
    const link = links.get(fileId, 'thumbnail');
    return link && 'url' in link ? { kind: 'image', url: link.url } : null;
  }
  const emoji = avatarEmoji(avatar);
  return emoji ? { kind: 'emoji', emoji } : null;
}
