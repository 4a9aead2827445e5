/**
 * The favourites page (收藏): every message I saved, newest first, filtered by kind and
 * searched by words; open one, send it to a chat, remove it. The list follows my other
 * devices live (the private log's favorite_added / favorite_removed).
 */
import { errorCode, type Client, type FavoriteCategory, type FavoriteMessage, type UserId } from '@tidings/sdk';
import { errorMessage } from '../i18n/i18n';
import { listTime } from '../lib/format';
import type { MediaContent } from './ChatViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { copyMedia, copyText, describeCopy } from './RecordMedia';
import { ViewModel } from './ViewModel';

export const FAVORITE_CATEGORIES: readonly FavoriteCategory[] = ['text', 'image', 'file', 'voice', 'location', 'link', 'chat_record'];
const PAGE = 50;
/** Typing pauses this long before the search asks the server. */
const SEARCH_DELAY_MS = 250;

/** Which message types each category holds (as the server's FAVORITE_FILTERS). */
const CATEGORY_TYPES: Record<FavoriteCategory, readonly string[]> = {
  text: ['text'],
  image: ['image', 'sticker', 'video'],
  file: ['file'],
  voice: ['voice'],
  location: ['location'],
  link: ['custom_card', 'contact_card'],
  chat_record: ['chat_record'],
};

export interface FavoriteRow {
  id: number;
  type: string;
  senderId: UserId;
  sender: string;
  /** "Saved 14:05". */
  saved: string;
  /** One line (the list's, and what a forward previews). */
  summary: string;
  text: string;
  media: MediaContent | null;
}

export interface FavoritesPageSnapshot {
  category: FavoriteCategory | null;
  query: string;
  rows: FavoriteRow[];
  loading: boolean;
  more: boolean;
  /** A translated line after an action. */
  notice: string | null;
}

export class FavoritesPageViewModel extends ViewModel<FavoritesPageSnapshot> {
  private favorites: FavoriteMessage[] = [];
  private category: FavoriteCategory | null = null;
  private query = '';
  private generation = 0;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: Client,
    private readonly preferences: PreferencesViewModel,
    private readonly names: { name(id: UserId): string } | null = null,
    private readonly now: () => number = Date.now,
  ) {
    super({ category: null, query: '', rows: [], loading: true, more: false, notice: null });
    this.track(preferences.subscribe(() => this.refresh()));
    this.track(
      client.on('private', ({ entry }) => {
        if (entry.kind === 'favorite_added') this.added(entry.data.favorite);
        else if (entry.kind === 'favorite_removed') this.dropped(entry.data.id);
      }),
    );
    this.track(
      client.on('state', ({ state }) => {
        if (state === 'connected') void this.reload();
      }),
    );
    this.track(() => {
      if (this.searchTimer) clearTimeout(this.searchTimer);
    });
    void this.reload();
  }

  setCategory(category: FavoriteCategory | null): void {
    this.category = category;
    this.update({ category });
    void this.reload();
  }

  search(query: string): void {
    this.query = query;
    this.update({ query });
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.reload(), SEARCH_DELAY_MS);
  }

  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.update({ loading: true });
    try {
      const page = await this.fetch(null);
      if (generation !== this.generation) return;
      this.favorites = page;
      this.update({ loading: false, more: page.length === PAGE });
    } catch (error) {
      if (generation !== this.generation) return;
      this.update({ loading: false, notice: errorMessage(this.t, errorCode(error)) });
    }
    this.refresh();
  }

  async loadMore(): Promise<void> {
    const last = this.favorites.at(-1);
    if (!last || this.getSnapshot().loading) return;
    const generation = this.generation;
    const page = await this.fetch(last.id);
    if (generation !== this.generation) return;
    this.favorites = [...this.favorites, ...page.filter((f) => !this.favorites.some((g) => g.id === f.id))];
    this.update({ more: page.length === PAGE });
    this.refresh();
  }

  async remove(id: number): Promise<boolean> {
    try {
      await this.client.request('favorites.remove_message', { id });
      this.dropped(id);
      this.update({ notice: this.t('favs.removed') });
      return true;
    } catch (error) {
      this.update({ notice: errorMessage(this.t, errorCode(error)) });
      return false;
    }
  }

  favorite(id: number): FavoriteMessage | undefined {
    return this.favorites.find((f) => f.id === id);
  }

  clearNotice(): void {
    this.update({ notice: null });
  }

  // ---- internals -------------------------------------------------------------------------

  private async fetch(before: number | null): Promise<FavoriteMessage[]> {
    const query = this.query.trim();
    const reply = await this.client.request('favorites.list', {
      limit: PAGE,
      ...(before !== null ? { before } : {}),
      ...(this.category ? { category: this.category } : {}),
      ...(query ? { query } : {}),
    });
    return reply.favorites;
  }

  /** Saved here or on another device: shown if it fits the filter and the search. */
  private added(favorite: FavoriteMessage): void {
    if (this.favorites.some((f) => f.id === favorite.id)) return;
    if (this.category && !CATEGORY_TYPES[this.category].includes(favorite.type)) return;
    const words = this.query.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const haystack = `${favorite.sender_name} ${describeCopy(favorite.type, favorite.body, this.t)} ${copyText(favorite.type, favorite.body, this.t)}`.toLowerCase();
    if (words.some((w) => !haystack.includes(w))) return;
    this.favorites = [favorite, ...this.favorites].sort((a, b) => b.id - a.id);
    this.refresh();
  }

  private dropped(id: number): void {
    const before = this.favorites.length;
    this.favorites = this.favorites.filter((f) => f.id !== id);
    if (this.favorites.length !== before) this.refresh();
  }

  private get t() {
    return this.preferences.getSnapshot().t;
  }

  private refresh(): void {
    const { t, locale } = this.preferences.getSnapshot();
    const now = this.now();
    const ctx = { t, locale, now, ...(this.names ? { name: (id: UserId) => this.names?.name(id) ?? '' } : {}) };
    this.update({
      rows: this.favorites.map((f) => ({
        id: f.id,
        type: f.type,
        senderId: f.sender_id ?? 0,
        sender: f.sender_name,
        saved: t('favs.savedAt', { time: listTime(f.saved_at, now, locale, t) }),
        summary: describeCopy(f.type, f.body, t),
        text: copyText(f.type, f.body, t),
        media: copyMedia(f.type, f.body, ctx),
      })),
    });
  }
}
