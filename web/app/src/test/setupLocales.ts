// Unit tests read both languages at once, as the app does once each has loaded.
import { loadLocale } from '../i18n/i18n';

await loadLocale('en');
await loadLocale('zh-CN');
