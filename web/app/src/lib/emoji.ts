/** The emoji the picker offers, and the recently used ones (kept on this device). */
import { readJson, type KeyValueStore } from './storage';

export const EMOJI: readonly string[] = [
  '😀', '😃', '😄', '😁', '😆', '😅', '🤣', '😂', '🙂', '😉', '😊', '😇', '🥰', '😍', '🤩', '😘',
  '😋', '😛', '😜', '🤪', '🤗', '🤭', '🤔', '🤐', '😐', '😑', '😶', '😏', '😒', '🙄', '😬', '😌',
  '😔', '😪', '😴', '😷', '🤒', '🤕', '🤢', '🤧', '🥵', '🥶', '😵', '🤯', '🤠', '🥳', '😎', '🤓',
  '😕', '😟', '🙁', '😮', '😯', '😲', '😳', '🥺', '😦', '😧', '😨', '😰', '😥', '😢', '😭', '😱',
  '😖', '😣', '😞', '😓', '😩', '😫', '🥱', '😤', '😡', '😠', '🤬', '😈', '💀', '💩', '🤡', '👻',
  '👍', '👎', '👌', '✌️', '🤞', '🤝', '🙏', '👏', '🙌', '👋', '💪', '👀', '🧠', '❤️', '🧡', '💛',
  '💚', '💙', '💜', '🖤', '💔', '💯', '💢', '💥', '💫', '💦', '🔥', '✨', '🎉', '🎊', '🎁', '🏆',
  '☕', '🍵', '🍺', '🍻', '🍰', '🎂', '🍎', '🍉', '🌹', '🌸', '🌞', '🌙', '⭐', '⚡', '☔', '❄️',
  '✅', '❌', '❓', '❗', '⚠️', '📌', '📎', '📅', '📈', '📉', '💡', '🔔', '🚀', '💻', '📱', '✍️',
];

const KEY = 'tidings.recentEmoji';
const KEEP = 16;

export class RecentEmoji {
  private list: string[];
  constructor(private readonly store: KeyValueStore) {
    this.list = (readJson<string[]>(store, KEY) ?? []).filter((e) => typeof e === 'string').slice(0, KEEP);
  }

  get all(): readonly string[] {
    return this.list;
  }

  use(emoji: string): void {
    this.list = [emoji, ...this.list.filter((e) => e !== emoji)].slice(0, KEEP);
    this.store.set(KEY, JSON.stringify(this.list));
  }
}
