import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Client, MemoryCache, type ClientState } from '../src';
import { FakeServer } from './fake-server';

let server: FakeServer;
let ids = 0;

function makeClient(token = 'token-1', cache = new MemoryCache()): { client: Client; states: ClientState[] } {
  const client = new Client({
    transport: server.transport,
    token,
    cache,
    backoff: { initialMs: 500, maxMs: 30_000, random: () => 0.999999 },
    newClientMsgId: () => `cm-${++ids}`,
  });
  const states: ClientState[] = [];
  client.on('state', ({ state }) => states.push(state));
  return { client, states };
}

const settle = () => vi.advanceTimersByTimeAsync(0);
const texts = (client: Client, id: number) =>
  client.timeline(id).entries.map((e) => (e.kind === 'message' && e.type === 'text' ? e.body.text : e.kind));

beforeEach(() => {
  vi.useFakeTimers();
  server = new FakeServer();
  ids = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Client state machine', () => {
  it('connects, authenticates, syncs and pulls the newest page', async () => {
    server.conversation(4);
    server.append(4, 'one');
    server.append(4, 'two');
    const { client, states } = makeClient();
    await client.start();
    await settle();
    expect(states).toEqual(['connecting', 'authenticating', 'syncing', 'connected']);
    expect(client.me?.account).toBe('alice');
    expect(client.conversations().map((c) => c.id)).toEqual([4]);
    expect(texts(client, 4)).toEqual(['one', 'two']);
    // It told the server this device received them ("delivered").
    await vi.advanceTimersByTimeAsync(300);
    expect(server.current.ops('ack').at(-1)?.data).toEqual({ conversation_id: 4, seq: 2 });
  });

  it('fills a hole by history when a push skips seqs, showing each once in order', async () => {
    server.conversation(4);
    server.append(4, 'one');
    const { client } = makeClient();
    await client.start();
    await settle();
    server.append(4, 'two');
    const three = server.append(4, 'three');
    server.current.push('entry', three);
    server.current.push('entry', three);
    await settle();
    expect(server.current.ops('history').at(-1)?.data).toMatchObject({ conversation_id: 4, after_seq: 1, before_seq: 3 });
    expect(texts(client, 4)).toEqual(['one', 'two', 'three']);
    expect(client.conversation(4)?.unread).toBe(2);
  });

  it('reconnects with backoff and syncs what arrived while away, exactly once', async () => {
    server.conversation(4);
    server.append(4, 'one');
    const { client, states } = makeClient();
    await client.start();
    await settle();
    server.reachable = false;
    server.current.drop(1006);
    expect(client.state).toBe('waiting');
    server.append(4, 'two');
    server.append(4, 'three');
    await vi.advanceTimersByTimeAsync(500); // first retry fails (unreachable)
    expect(server.connections).toHaveLength(2);
    server.reachable = true;
    await vi.advanceTimersByTimeAsync(999);
    expect(server.connections).toHaveLength(2); // the second delay is 1 s
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(client.state).toBe('connected');
    expect(server.connections).toHaveLength(3);
    expect(texts(client, 4)).toEqual(['one', 'two', 'three']);
    expect(states.filter((s) => s === 'connected')).toHaveLength(2);
  });

  it('waits for the network to come back once the browser says it is gone', async () => {
    const { client } = makeClient();
    await client.start();
    await settle();
    client.networkLost();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(client.state).toBe('waiting');
    expect(server.connections).toHaveLength(1);
    client.reconnectNow();
    await settle();
    expect(client.state).toBe('connected');
    expect(server.connections).toHaveLength(2);
  });

  it('sends under one client_msg_id, retrying after a reconnect, and settles once', async () => {
    server.conversation(4);
    const { client } = makeClient();
    await client.start();
    await settle();
    server.holdOps.add('send');
    const pending = client.sendText(4, 'hello');
    expect(client.timeline(4).pending.map((p) => p.state)).toEqual(['sending']);
    // The server commits it, but the connection drops before the reply.
    const frame = server.held[0]!.frame;
    server.append(4, 'hello', 1, pending.client_msg_id);
    server.held.length = 0;
    server.holdOps.delete('send');
    server.current.drop(1006);
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(client.state).toBe('connected');
    const sends = server.connections.flatMap((c) => c.ops('send'));
    expect(sends.map((s) => s.data?.client_msg_id)).toEqual([frame.data?.client_msg_id, pending.client_msg_id]);
    expect(texts(client, 4)).toEqual(['hello']);
    expect(client.timeline(4).pending).toEqual([]);
    expect(server.logs.get(4)).toHaveLength(1);
  });

  it('keeps a message written offline queued past the send timeout, and sends it once when back', async () => {
    server.conversation(4);
    const { client } = makeClient();
    await client.start();
    await settle();
    server.reachable = false;
    server.current.drop(1006);
    const pending = client.sendText(4, 'later');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(client.state).not.toBe('connected');
    expect(client.timeline(4).pending.map((p) => p.state)).toEqual(['sending']);
    server.reachable = true;
    client.reconnectNow();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.state).toBe('connected');
    expect(texts(client, 4)).toEqual(['later']);
    expect(client.timeline(4).pending).toEqual([]);
    const sends = server.connections.flatMap((c) => c.ops('send'));
    expect(sends.map((s) => s.data?.client_msg_id)).toEqual([pending.client_msg_id]);
    expect(server.logs.get(4)).toHaveLength(1);
  });

  it('marks a send failed when it is not acknowledged in time while connected, and retries it on demand', async () => {
    server.conversation(4);
    const { client } = makeClient();
    await client.start();
    await settle();
    server.holdOps.add('send');
    const pending = client.sendText(4, 'later');
    await vi.advanceTimersByTimeAsync(90_000);
    expect(client.timeline(4).pending[0]?.state).toBe('failed');
    server.holdOps.delete('send');
    server.held.length = 0;
    if (client.state !== 'connected') {
      client.reconnectNow();
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(client.state).toBe('connected');
    expect(client.timeline(4).pending[0]?.state).toBe('failed');
    client.retry(pending.client_msg_id);
    await settle();
    expect(texts(client, 4)).toEqual(['later']);
    expect(client.timeline(4).pending).toEqual([]);
  });

  it('stops for good when signed in elsewhere', async () => {
    server.conversation(4);
    const { client } = makeClient();
    const reasons: string[] = [];
    client.on('signedOut', ({ reason }) => reasons.push(reason));
    await client.start();
    await settle();
    server.current.push('signed_out', { reason: 'signed_in_elsewhere' });
    server.current.drop(4001, 'signed in elsewhere');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.state).toBe('signed_out');
    expect(reasons).toEqual(['signed_in_elsewhere']);
    expect(server.connections).toHaveLength(1);
  });

  it('signs out on an invalid token instead of reconnecting', async () => {
    const { client } = makeClient('stale');
    await client.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.state).toBe('signed_out');
    expect(client.signOutReason).toBe('invalid_token');
    expect(server.connections).toHaveLength(1);
  });

  it('opens a conversation from the cache before connecting', async () => {
    server.conversation(4);
    server.append(4, 'cached');
    const cache = new MemoryCache();
    const first = makeClient('token-1', cache).client;
    await first.start();
    await settle();
    first.stop();
    server.reachable = false;
    const second = makeClient('token-1', cache).client;
    await second.start();
    expect(second.conversations().map((c) => c.id)).toEqual([4]);
    await second.openConversation(4);
    expect(texts(second, 4)).toEqual(['cached']);
  });

  it('applies private entries: settings, read from another device, deletes', async () => {
    server.conversation(4);
    server.append(4, 'a');
    server.append(4, 'b');
    const { client } = makeClient();
    await client.start();
    await settle();
    expect(client.conversation(4)?.unread).toBe(0);
    server.current.push('private', { seq: 1, kind: 'conversation_settings', created_at: 1, data: { conversation_id: 4, pinned: true, muted: true, draft: 'hi' } });
    server.current.push('private', { seq: 2, kind: 'messages_deleted', created_at: 1, data: { conversation_id: 4, seqs: [1] } });
    await settle();
    expect(client.conversation(4)).toMatchObject({ pinned: true, muted: true, draft: 'hi' });
    expect(texts(client, 4)).toEqual(['b']);
  });

  it('folds a recall push into the timeline', async () => {
    server.conversation(4);
    server.append(4, 'oops');
    const { client } = makeClient();
    await client.start();
    await settle();
    server.current.push('entry', {
      id: 99, conversation_id: 4, seq: 2, sender_id: 2, kind: 'recall', type: null, body: { target_seq: 1 },
      client_msg_id: null, created_at: 5, reply_to_seq: null, recalled: false,
    });
    await settle();
    expect(client.timeline(4).entries.map((e) => [e.kind, e.recalled])).toEqual([['message', true], ['recall', false]]);
  });

  it('closes a silent connection when a ping gets no reply', async () => {
    server.conversation(4);
    const { client } = makeClient();
    await client.start();
    await settle();
    server.holdOps.add('ping');
    await vi.advanceTimersByTimeAsync(25_000 + 15_000);
    expect(server.connections[0]?.closed?.code).toBe(4003);
    expect(['waiting', 'connecting', 'connected', 'authenticating', 'syncing']).toContain(client.state);
  });
});
