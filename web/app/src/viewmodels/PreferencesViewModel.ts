/**
 * The user's preferences on this device: language, theme, font size, wallpaper, send key.
 * Changes apply at once (the views re-render from the snapshot) and persist locally; once
 * signed in, ServerSettingsViewModel keeps them in step with the account's settings on the
 * server (issue 12).
 */
import { loadLocale, localeFromLanguages, localeLoaded, translator, type Locale, type Translate } from '../i18n/i18n';
import { readJson, type KeyValueStore } from '../lib/storage';
import { ViewModel } from './ViewModel';

export type Theme = 'light' | 'dark';
export type FontSize = 'small' | 'medium' | 'large' | 'xlarge';
export type SendKey = 'enter' | 'ctrlEnter';
export const WALLPAPERS = ['none', 'dawn', 'mint', 'dots', 'night'] as const;
export type Wallpaper = (typeof WALLPAPERS)[number];
export const FONT_SIZES: readonly FontSize[] = ['small', 'medium', 'large', 'xlarge'];
export const TOAST_CORNERS = ['top-right', 'bottom-right', 'bottom-left', 'top-center'] as const;
export type ToastCorner = (typeof TOAST_CORNERS)[number];

export interface Preferences {
  locale: Locale;
  theme: Theme;
  fontSize: FontSize;
  wallpaper: Wallpaper;
  sendKey: SendKey;
  /** A sound for new messages. */
  sound: boolean;
  /** System notifications while the app is in the background (needs the browser's permission). */
  systemNotifications: boolean;
  /** Where in-app message toasts appear. */
  toastCorner: ToastCorner;
  /** Flash the window title while a new message waits and the app is in the background. */
  flashTitle: boolean;
}

export interface PreferencesSnapshot extends Preferences {
  t: Translate;
}

const KEY = 'tidings.preferences';
/** The preferences chosen on this device or taken from the server, as opposed to defaults
 * derived from the browser (its language, its colour scheme): only those go to the server, so
 * a first device's browser language does not become every device's language. */
const CHOSEN_KEY = 'tidings.preferences.chosen';

export class PreferencesViewModel extends ViewModel<PreferencesSnapshot> {
  private readonly chosenKeys: Set<keyof Preferences>;

  constructor(
    private readonly store: KeyValueStore,
    languages: readonly string[],
    prefersDark = false,
  ) {
    const saved = readJson<Partial<Preferences>>(store, KEY) ?? {};
    const preferences: Preferences = {
      locale: saved.locale === 'en' || saved.locale === 'zh-CN' ? saved.locale : localeFromLanguages(languages),
      theme: saved.theme === 'dark' || saved.theme === 'light' ? saved.theme : prefersDark ? 'dark' : 'light',
      fontSize: saved.fontSize && FONT_SIZES.includes(saved.fontSize) ? saved.fontSize : 'medium',
      wallpaper: saved.wallpaper && WALLPAPERS.includes(saved.wallpaper) ? saved.wallpaper : 'none',
      sendKey: saved.sendKey === 'ctrlEnter' ? 'ctrlEnter' : 'enter',
      sound: saved.sound !== false,
      systemNotifications: saved.systemNotifications === true,
      // Top right, under the chat header: clear of the input and the send button.
      toastCorner: saved.toastCorner && TOAST_CORNERS.includes(saved.toastCorner) ? saved.toastCorner : 'top-right',
      flashTitle: saved.flashTitle !== false,
    };
    super({ ...preferences, t: translator(preferences.locale) });
    // Before this record existed, every saved value counted as chosen.
    const chosen = readJson<(keyof Preferences)[]>(store, CHOSEN_KEY) ?? (Object.keys(saved) as (keyof Preferences)[]);
    this.chosenKeys = new Set(chosen);
  }

  /** Whether `key` was chosen (here, or on another device through the server), not derived. */
  chosen(key: keyof Preferences): boolean {
    return this.chosenKeys.has(key);
  }

  set<K extends keyof Preferences>(key: K, value: Preferences[K]): void {
    const current = this.getSnapshot();
    const next = { ...current, [key]: value };
    if (key === 'locale') next.t = translator(value as Locale);
    const { t: _t, ...preferences } = next;
    this.store.set(KEY, JSON.stringify(preferences));
    if (!this.chosenKeys.has(key)) {
      this.chosenKeys.add(key);
      this.store.set(CHOSEN_KEY, JSON.stringify([...this.chosenKeys]));
    }
    this.setSnapshot(next);
    if (key === 'locale' && !localeLoaded(value as Locale)) {
      // Its words arrive as a chunk: shown in the language at hand until then.
      const locale = value as Locale;
      void loadLocale(locale).then(() => {
        if (this.getSnapshot().locale === locale) this.setSnapshot({ ...this.getSnapshot(), t: translator(locale) });
      });
    }
  }
}
