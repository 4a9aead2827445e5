/** The widget's words in Chinese and English, picked by data-lang or the browser's language. */

const en = {
  title: 'Customer service',
  open: 'Chat with us',
  close: 'Close',
  placeholder: 'Type a message…',
  send: 'Send',
  greeting: 'Hello! How can we help you?',
  waiting: 'Waiting for an agent…',
  serving: (name: string) => `${name} is serving you`,
  closed: 'The chat was closed. Write again any time.',
  joined: 'An agent joined the chat',
  left: 'The agent left the chat',
  offline: 'Reconnecting…',
  sending: 'Sending…',
  view: 'View',
  errors: {
    rate_limited: 'Too many messages; please wait a moment.',
    content_blocked: 'This message cannot be sent.',
    invalid_input: 'This message cannot be sent.',
    unavailable: 'Customer service is unavailable right now.',
  } as Record<string, string>,
};

type Words = typeof en;

const zh: Words = {
  title: '在线客服',
  open: '联系客服',
  close: '关闭',
  placeholder: '输入消息…',
  send: '发送',
  greeting: '您好！请问有什么可以帮您？',
  waiting: '正在为您接通客服…',
  serving: (name: string) => `客服 ${name} 为您服务`,
  closed: '会话已结束，如有问题可随时留言。',
  joined: '客服已接入',
  left: '客服已离开会话',
  offline: '正在重新连接…',
  sending: '发送中…',
  view: '查看',
  errors: {
    rate_limited: '消息太频繁，请稍候再试。',
    content_blocked: '该消息无法发送。',
    invalid_input: '该消息无法发送。',
    unavailable: '客服暂时不可用。',
  },
};

export type { Words };

export function wordsFor(lang: string | null | undefined, browser: string): Words {
  const chosen = (lang || browser || 'en').toLowerCase();
  return chosen.startsWith('zh') ? zh : en;
}
