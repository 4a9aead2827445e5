import { describe, expect, it } from 'vitest';
import { appUrl, cacheName, pickWindow, pushNotice, shellRoute } from '../../sw/shell';
import { ConversationLinks, conversationOfLink } from '../lib/conversationLinks';
import { AppUpdateViewModel, type UpdateChannel } from '../viewmodels/AppUpdateViewModel';

const origin = 'https://chat.example.com';
const at = (path: string) => new URL(path, origin);

describe('the service worker answers only for the app shell', () => {
  it('serves the page for the app addresses and the build files from its cache', () => {
    expect(shellRoute('GET', 'navigate', at('/'), origin)).toBe('page');
    expect(shellRoute('GET', 'navigate', at('/?c=12'), origin)).toBe('page');
    expect(shellRoute('GET', 'navigate', at('/invite/Abc-def_12345678'), origin)).toBe('page');
    expect(shellRoute('GET', 'script', at('/assets/index-AbCd1234.js'), origin)).toBe('asset');
    expect(shellRoute('GET', 'no-cors', at('/assets/icon-192.png'), origin)).toBe('asset');
  });

  it('leaves the API, file downloads, the socket and other sites to the network', () => {
    for (const path of ['/api/v1/conversations', '/files/abc', '/ws', '/sw.js', '/healthz']) {
      expect(shellRoute('GET', 'cors', at(path), origin)).toBeNull();
      expect(shellRoute('GET', 'navigate', at(path), origin)).toBeNull();
    }
    expect(shellRoute('POST', 'cors', at('/assets/x.js'), origin)).toBeNull();
    expect(shellRoute('GET', 'navigate', new URL('https://elsewhere.example/'), origin)).toBeNull();
    expect(shellRoute('GET', 'navigate', at('/api/docs'), origin)).toBeNull();
  });

  it('names its cache by the build version', () => {
    expect(cacheName({ version: 'abc', files: [] })).toBe('tidings-shell-abc');
  });
});

describe('push notifications', () => {
  it('show the title, text and tag of the payload and remember its link', () => {
    const notice = pushNotice({ v: 1, conversation_id: 7, seq: 3, title: 'Bob Li', body: 'hi', tag: 'conv-7', url: '/#/c/7' }, 'en-US');
    expect(notice).toEqual({
      title: 'Bob Li',
      options: { body: 'hi', tag: 'conv-7', renotify: true, icon: '/assets/icon-192.png', badge: '/assets/icon-192.png', data: { url: '/#/c/7' } },
    });
  });

  it('leave the text out when the payload hides it, and still show something for a stranger payload', () => {
    expect(pushNotice({ title: 'Bob Li', body: null, tag: 'conv-7', url: '/#/c/7' }, 'en').options.body).toBeUndefined();
    const stranger = pushNotice(null, 'zh-CN');
    expect([stranger.title, stranger.options.tag, stranger.options.data]).toEqual(['新消息', undefined, { url: '/' }]);
    expect(pushNotice('garbage', 'en').title).toBe('New message');
  });

  it('open only addresses of the app', () => {
    expect(appUrl('/#/c/5')).toBe('/#/c/5');
    expect(appUrl('https://evil.example/')).toBe('/');
    expect(appUrl('//evil.example/')).toBe('/');
    expect(appUrl('javascript:alert(1)')).toBe('/');
    expect(appUrl(42)).toBe('/');
  });

  it('bring forward the main window, the focused one first', () => {
    const main = { url: `${origin}/`, focused: false };
    const popout = { url: `${origin}/?c=3`, focused: true };
    const focusedMain = { url: `${origin}/`, focused: true };
    expect(pickWindow([popout, main])).toBe(main);
    expect(pickWindow([main, focusedMain])).toBe(focusedMain);
    expect(pickWindow([popout])).toBe(popout);
    expect(pickWindow([])).toBeNull();
  });
});

describe('conversation links', () => {
  it('name a conversation by /#/c/<id>', () => {
    expect(conversationOfLink('/#/c/12')).toBe(12);
    expect(conversationOfLink('#/c/12')).toBe(12);
    expect(conversationOfLink('https://x.example/#/c/7')).toBe(7);
    expect(conversationOfLink('/#/c/0')).toBeNull();
    expect(conversationOfLink('/#/c/abc')).toBeNull();
    expect(conversationOfLink('/')).toBeNull();
  });

  it('are held until the workspace listens, then delivered once', () => {
    const links = new ConversationLinks();
    links.open('/#/c/4');
    const opened: number[] = [];
    const stop = links.listen((id) => opened.push(id));
    links.open('/#/c/5');
    links.open('/nothing');
    stop();
    links.open('/#/c/6');
    expect(opened).toEqual([4, 5]);
    const later: number[] = [];
    links.listen((id) => later.push(id));
    expect(later).toEqual([6]);
  });
});

describe('the update offer', () => {
  function channel() {
    const listeners = new Set<() => void>();
    let applied = 0;
    const value: UpdateChannel = {
      onReady: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      apply: () => {
        applied += 1;
      },
    };
    return { value, ready: () => listeners.forEach((l) => l()), applied: () => applied, listeners };
  }

  it('shows when a new version is ready, switches only when asked, and can wait', () => {
    const c = channel();
    const vm = new AppUpdateViewModel(c.value);
    expect(vm.getSnapshot().ready).toBe(false);
    c.ready();
    expect(vm.getSnapshot().ready).toBe(true);
    expect(c.applied()).toBe(0);
    vm.later();
    expect(vm.getSnapshot().ready).toBe(false);
    c.ready();
    vm.reload();
    expect(c.applied()).toBe(1);
    vm.dispose();
    expect(c.listeners.size).toBe(0);
  });
});
