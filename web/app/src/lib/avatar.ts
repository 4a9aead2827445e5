/** Avatars without images: initials on a colour picked from the id, stable across devices. */
const COLOURS = ['#3b82f6', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];

export function avatarColour(id: number): string {
  return COLOURS[Math.abs(id) % COLOURS.length] ?? '#3b82f6';
}

/** A group's avatar is an emoji (`emoji:🚀`), shown on the group's colour; "" shows initials. */
export function avatarEmoji(avatar: string | undefined): string | null {
  return avatar?.startsWith('emoji:') ? avatar.slice('emoji:'.length) || null : null;
}

/** What an avatar without an image shows: a person's initials, or a group's. */
export type AvatarKind = 'person' | 'group';

export function initials(name: string, kind: AvatarKind = 'person'): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  // CJK names: a person is called by the last two characters (the given name); a group by
  // the first two, where its name starts ("讨论组" is "讨论", not a cut "论组"). Latin: initials.
  if (/[\u3400-\u9fff]/.test(trimmed)) {
    const chars = [...trimmed.replace(/\s+/g, '')];
    return (kind === 'group' ? chars.slice(0, 2) : chars.slice(-2)).join('');
  }
  // Words of letters and digits only: "Bob (design)" is "BD", not "B(".
  const words = trimmed.split(/\s+/).map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')).filter(Boolean);
  if (words.length === 0) return trimmed[0] ?? '?';
  const first = words[0]?.[0] ?? '?';
  const second = words.length > 1 ? (words[words.length - 1]?.[0] ?? '') : '';
  return (first + second).toUpperCase();
}
