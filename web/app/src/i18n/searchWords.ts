/**
 * The words of the search screens (decision 0073), in their own chunk with those screens:
 * the first load carries only the search box's placeholder and the chat header's search
 * button (en.ts, zh-CN.ts).
 */
import type { Locale } from './i18n';

const en = {
  back: 'Back',
  people: 'People',
  groups: 'Groups',
  conversations: 'Chats',
  messages: 'Messages',
  files: 'Files',
  more: 'More messages',
  relatedCount: '{count} related messages',
  nothing: 'Nothing found for “{query}”',
  searching: 'Searching…',
  results: 'Messages with “{query}”',
  allChats: 'All chats',
  anyone: 'Anyone',
  from: 'From',
  to: 'To',
  kindAll: 'All',
  kindText: 'Text',
  kindFile: 'Files',
  kindImage: 'Images',
  kindLink: 'Links',
  loadMore: 'Load more',
  end: 'No more results',
  inChatPlaceholder: 'Search in this chat',
  older: 'Older match',
  newer: 'Newer match',
  close: 'Close search',
  filterConversation: 'Chat',
  filterSender: 'Sender',
  filterType: 'Type',
  noMatches: 'No matches',
  hint: '↑↓ to move, Enter to open, Esc to close',
} as const;

export type SearchWord = keyof typeof en;

const zhCN: Record<SearchWord, string> = {
  back: '返回',
  people: '联系人',
  groups: '群聊',
  conversations: '聊天',
  messages: '聊天记录',
  files: '文件',
  more: '查看更多聊天记录',
  relatedCount: '{count} 条相关聊天记录',
  nothing: '没有找到“{query}”的相关结果',
  searching: '搜索中…',
  results: '包含“{query}”的聊天记录',
  allChats: '全部聊天',
  anyone: '所有人',
  from: '开始日期',
  to: '结束日期',
  kindAll: '全部',
  kindText: '文字',
  kindFile: '文件',
  kindImage: '图片',
  kindLink: '链接',
  loadMore: '加载更多',
  end: '没有更多结果了',
  inChatPlaceholder: '在本聊天中搜索',
  older: '上一条（更早）',
  newer: '下一条（更新）',
  close: '关闭搜索',
  filterConversation: '聊天',
  filterSender: '发送者',
  filterType: '类型',
  noMatches: '无结果',
  hint: '↑↓ 选择，Enter 打开，Esc 关闭',
};

export type SearchTranslate = (key: SearchWord, params?: Record<string, string | number>) => string;

const translators: Partial<Record<Locale, SearchTranslate>> = {};

/** The search screens' words in this language (one function per language, kept). */
export function searchTranslator(locale: Locale): SearchTranslate {
  const words: Record<SearchWord, string> = locale === 'zh-CN' ? zhCN : en;
  translators[locale] ??= (key, params) => words[key].replace(/\{(\w+)\}/g, (match, name: string) => (params?.[name] === undefined ? match : String(params[name])));
  return translators[locale];
}
