/**
 * Screens whose words come with their own chunk (search, history backup, image editor): each
 * speaks both languages, and hands the app's own keys to the app's dictionary.
 */
import { describe, expect, it } from 'vitest';
import { backupTranslator } from '../i18n/backupWords';
import { editorTranslator } from '../i18n/editorWords';
import { translator } from '../i18n/i18n';
import { searchTranslator } from '../i18n/searchWords';

describe("a screen's own words", () => {
  it('in Chinese and in English, with the app\'s words behind them', () => {
    expect(searchTranslator('zh-CN')('relatedCount', { count: '50+' })).toBe('50+ 条相关聊天记录');
    expect(searchTranslator('en')('older')).toBe('Older match');
    const backupZh = backupTranslator(translator('zh-CN'), 'zh-CN');
    expect(backupZh('backup.title')).not.toBe('backup.title');
    expect(backupZh('backup.title')).not.toBe(backupTranslator(translator('en'), 'en')('backup.title'));
    expect(backupZh('common.cancel')).toBe(translator('zh-CN')('common.cancel'));
    const editorEn = editorTranslator(translator('en'), 'en');
    expect(editorEn('editor.red')).toBe('Red');
    expect(editorTranslator(translator('zh-CN'), 'zh-CN')('editor.red')).toBe('红色');
    expect(editorEn('common.close')).toBe(translator('en')('common.close'));
  });
});
