import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { Client, IndexedDbCache, type ConversationSummary } from '../src';
import { FakeServer } from './fake-server';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe('Starting without a connection', () => {
  it('shows the conversations, messages and names kept in IndexedDB by the last visit', async () => {
    const server = new FakeServer();
    server.conversation(4);
    server.append(4, 'kept for later', 2);
    const factory = new IDBFactory();
    const first = new Client({ transport: server.transport, token: 'token-1', cache: new IndexedDbCache(1, factory) });
    await first.start();
    await until(() => first.state === 'connected');
    await first.openConversation(4);
    await until(() => first.timeline(4).entries.length === 1);
    first.rememberNames([[2, 'Bob Li']]);
    first.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));

    server.reachable = false;
    const again = new Client({ transport: server.transport, token: 'token-1', cache: new IndexedDbCache(1, factory) });
    const me: number[] = [];
    again.on('me', ({ user }) => me.push(user.id));
    await again.start();
    expect(me).toEqual([first.me?.id]);
    expect(again.state).not.toBe('connected');
    expect(again.conversations().map((c: ConversationSummary) => c.id)).toEqual([4]);
    await again.openConversation(4);
    expect(again.timeline(4).entries.map((e) => (e.kind === 'message' && e.type === 'text' ? e.body.text : e.kind))).toEqual(['kept for later']);
    // Who wrote it, although nobody can be asked.
    expect(again.knownName(2)).toBe('Bob Li');
    again.stop();
  });
});
