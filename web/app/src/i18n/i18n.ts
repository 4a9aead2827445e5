/**
 * Translation: a locale and a `t(key, params)`; switching the locale re-renders at once,
 * no reload. Server error codes are translated by code (docs/protocol.md).
 */
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

const dictionaries: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const dictionary = dictionaries[locale];
  return (key, params) => {
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
  return key in en ? t(key) : t('error.generic', { code });
}

export type { MessageKey };
