import { describe, expect, it } from 'vitest';
import { cardFrom, frameOrigin, parseBridgeCall, sandboxFor } from '../lib/workbenchBridge';
import { translator } from '../i18n/i18n';
import { forwardDoneText } from '../viewmodels/ForwardViewModel';
import { WorkbenchViewModel, type WorkbenchApp } from '../viewmodels/WorkbenchViewModel';
import type { Client, CustomCardBody } from '@tidings/sdk';

const APP: WorkbenchApp = { id: 7, name: 'Approvals', url: 'https://oa.example.com/a', origin: 'https://oa.example.com', icon_url: null, description: '' };

describe('the workbench bridge', () => {
  it('reads only its own calls', () => {
    expect(parseBridgeCall({ bridge: 'tidings-bridge/1', id: 1, method: 'getTicket' })).toEqual({ id: 1, method: 'getTicket' });
    expect(parseBridgeCall({ bridge: 'tidings-bridge/1', id: 2, method: 'openConversation', params: { userId: 5 } })).toEqual({
      id: 2, method: 'openConversation', conversationId: null, userId: 5,
    });
    expect(parseBridgeCall({ bridge: 'tidings-bridge/1', id: 3, method: 'eval' })).toBeNull();
    expect(parseBridgeCall({ bridge: 'other', id: 3, method: 'getTicket' })).toBeNull();
    expect(parseBridgeCall({ bridge: 'tidings-bridge/1', id: -1, method: 'getTicket' })).toBeNull();
    expect(parseBridgeCall('getTicket')).toBeNull();
  });

  it('sandboxes a same-origin app without its origin', () => {
    expect(sandboxFor('https://oa.example.com', 'https://chat.example.com')).toBe('allow-scripts allow-forms allow-same-origin');
    expect(sandboxFor('https://chat.example.com', 'https://chat.example.com')).toBe('allow-scripts allow-forms');
    expect(frameOrigin('https://chat.example.com', 'https://chat.example.com')).toBe('null');
    expect(frameOrigin('https://oa.example.com', 'https://chat.example.com')).toBe('https://oa.example.com');
  });

  it('makes a card the server takes, signed by the app', () => {
    expect(cardFrom({ title: ' Leave ', url: 'https://oa.example.com/1', fields: [{ label: 'Days', value: 3 }, { label: '', value: 'x' }], extra: 1 }, 'OA')).toEqual({
      title: 'Leave', url: 'https://oa.example.com/1', source: 'OA', fields: [{ label: 'Days', value: '3' }],
    });
    expect(cardFrom({ title: 'x', url: 'javascript:alert(1)' }, 'OA')).toBeNull();
    expect(cardFrom({ url: 'https://oa.example.com/' }, 'OA')).toBeNull();
    expect(cardFrom({ title: 'x', url: 'https://a.example/', image_url: 'data:x' }, 'OA')).not.toHaveProperty('image_url');
  });
});

describe('the workbench view model', () => {
  function model() {
    const shared: CustomCardBody[] = [];
    const opened: number[] = [];
    const client = { conversation: (id: number) => (id === 9 ? { id } : undefined), openDirect: async () => ({ id: 11 }) } as unknown as Client;
    const vm = new WorkbenchViewModel(
      client,
      { apps: async () => [APP], ticket: async () => ({ ticket: 'wbt_x', expires_in: 60 }) },
      { openConversation: (id) => opened.push(id), shareCard: async (card) => (shared.push(card), 2) },
    );
    return { vm, shared, opened };
  }

  it('answers the open app', async () => {
    const { vm, shared, opened } = model();
    await vm.reload();
    expect(await vm.answer({ id: 1, method: 'getTicket' })).toMatchObject({ error: { code: 'not_found' } });
    vm.openApp(7);
    expect(await vm.answer({ id: 2, method: 'getTicket' })).toMatchObject({ id: 2, result: { ticket: 'wbt_x' } });
    expect(await vm.answer({ id: 3, method: 'openConversation', conversationId: 9, userId: null })).toMatchObject({ result: { conversation_id: 9 } });
    expect(await vm.answer({ id: 4, method: 'openConversation', conversationId: 99, userId: null })).toMatchObject({ error: { code: 'not_found' } });
    expect(await vm.answer({ id: 5, method: 'openConversation', conversationId: null, userId: 3 })).toMatchObject({ result: { conversation_id: 11 } });
    expect(opened).toEqual([9, 11]);
    expect(await vm.answer({ id: 6, method: 'shareCard', card: { title: 'T', url: 'https://oa.example.com/' } })).toMatchObject({ result: { shared: 2 } });
    expect(await vm.answer({ id: 7, method: 'shareCard', card: { title: 'T' } })).toMatchObject({ error: { code: 'invalid_input' } });
    expect(shared.map((c) => c.source)).toEqual(['Approvals']);
  });
});

describe('sharing a card', () => {
  it('says it was shared, not forwarded, in both languages', () => {
    expect(forwardDoneText(translator('en'), 2, 'share')).toBe('Shared to 2 chat(s)');
    expect(forwardDoneText(translator('zh-CN'), 2, 'share')).toBe('已分享到 2 个会话');
    expect(forwardDoneText(translator('en'), 2, 'forward')).toBe('Forwarded to 2 chats');
    expect(translator('zh-CN')('share.title')).toBe('分享到');
  });
});
