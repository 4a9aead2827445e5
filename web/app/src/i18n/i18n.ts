/**
 * Translation: a locale and a `t(key, params)`; switching the locale re-renders at once,
 * no reload. Server error codes are translated by code (docs/protocol.md).
 */
import type { MessageKey } from './en';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

type Dictionary = Record<MessageKey, string>;

/**
 * Each language is a chunk of its own, fetched before the first render (main.tsx) or when the
 * user switches: a user downloads only the words they read (decision 0043).
 */
const dictionaries: Partial<Record<Locale, Dictionary>> = {};

export async function loadLocale(locale: Locale): Promise<void> {
  if (dictionaries[locale]) return;
  dictionaries[locale] = locale === 'en' ? (await import('./en')).en : (await import('./zh-CN')).zhCN;
}

/** Whether a language's words are here (else `translator` falls back to one that is). */
export function localeLoaded(locale: Locale): boolean {
  return dictionaries[locale] !== undefined;
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The product name an administrator chose (site settings): the app's name in every language. */
let productName: string | null = null;

export function setProductName(name: string | null): void {
  productName = name;
}

export function translator(locale: Locale): Translate {
  return (key, params) => {
    if (key === 'app.name' && productName) return productName;
    const dictionary = dictionaries[locale] ?? dictionaries.en ?? dictionaries['zh-CN'];
    if (!dictionary) throw new Error(`the words of ${locale} are not loaded (loadLocale)`);
    const template = dictionary[key];
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (match, name: string) => {
      const value = params[name];
      return value === undefined ? match : String(value);
    });
  };
}

/** The browser's preferred language, narrowed to what the app speaks. */
export function localeFromLanguages(languages: readonly string[]): Locale {
  for (const language of languages) {
    const lower = language.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

/** A translated message for an error code from the server or the SDK. */
export function errorMessage(t: Translate, code: string): string {
  const key = `error.${code}` as MessageKey;
  return knownKey(key) ? t(key) : t('error.generic', { code });
}

export type { MessageKey };

/** Whether a key has words (every loaded dictionary holds the same keys). */
export function knownKey(key: string): key is MessageKey {
  const dictionary = dictionaries.en ?? dictionaries['zh-CN'];
  return dictionary !== undefined && key in dictionary;
}
