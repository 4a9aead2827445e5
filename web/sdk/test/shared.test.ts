import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Client, ConnectionHub, MemoryCache, systemClock, type FromHub, type HubPeer, type ToHub, type TransportFactory } from '../src';
import { FakeServer } from './fake-server';

let server: FakeServer;
let hub: ConnectionHub;
let ids = 0;

/** What sharedTransport does over a MessageChannel, with microtasks instead of ports. */
function hubTransport(token = 'token-1'): TransportFactory {
  return (handlers) => {
    let finished = false;
    const finish = (code: number, reason: string) => {
      if (finished) return;
      finished = true;
      handlers.onClose(code, reason);
    };
    const peer: HubPeer = {
      post: (message: FromHub) =>
        queueMicrotask(() => {
          if (finished) return;
          if (message.t === 'open') handlers.onOpen();
          else if (message.t === 'frame') handlers.onMessage(message.text);
          else finish(message.code, message.reason);
        }),
      close: () => undefined,
    };
    hub.attach(peer, 'ws://test/ws', token);
    const post = (message: ToHub) => queueMicrotask(() => hub.receive(peer, message));
    return {
      send: (text) => post({ t: 'frame', text }),
      close: (code = 1000, reason = '') => {
        post({ t: 'close', code, reason });
        finish(code, reason);
      },
      release: () => {
        post({ t: 'release' });
        finish(1000, 'released');
      },
    };
  };
}

function makeClient(): Client {
  return new Client({
    transport: hubTransport(),
    token: 'token-1',
    cache: new MemoryCache(),
    backoff: { initialMs: 500, maxMs: 30_000, random: () => 0.999999 },
    newClientMsgId: () => `cm-${++ids}`,
  });
}

const settle = () => vi.advanceTimersByTimeAsync(0);
const texts = (client: Client, id: number) =>
  client.timeline(id).entries.map((e) => (e.kind === 'message' && e.type === 'text' ? e.body.text : e.kind));

beforeEach(() => {
  vi.useFakeTimers();
  server = new FakeServer();
  hub = new ConnectionHub({ connect: () => server.transport, clock: systemClock, idleCloseMs: 1_000 });
  ids = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionHub', () => {
  it('gives two windows one socket, authenticated once', async () => {
    server.conversation(4);
    server.append(4, 'one');
    const main = makeClient();
    const popout = makeClient();
    await main.start();
    await settle();
    await popout.start();
    await settle();
    expect(main.state).toBe('connected');
    expect(popout.state).toBe('connected');
    expect(server.connections).toHaveLength(1);
    expect(server.current.ops('auth')).toHaveLength(1);
    // Each window synced for itself over the shared socket.
    expect(server.current.ops('sync')).toHaveLength(2);
    expect(texts(main, 4)).toEqual(['one']);
    expect(texts(popout, 4)).toEqual(['one']);
  });

  it('hands pushes to every window and a send to the windows that did not make it', async () => {
    server.conversation(4);
    const main = makeClient();
    const popout = makeClient();
    await main.start();
    await popout.start();
    await settle();
    server.current.push('entry', server.append(4, 'from bob'));
    await settle();
    expect(texts(main, 4)).toEqual(['from bob']);
    expect(texts(popout, 4)).toEqual(['from bob']);

    // The server answers the sender only; the hub tells the other window.
    popout.sendText(4, 'from the pop-out');
    await settle();
    expect(texts(popout, 4)).toEqual(['from bob', 'from the pop-out']);
    expect(texts(main, 4)).toEqual(['from bob', 'from the pop-out']);
    expect(main.timeline(4).pending).toHaveLength(0);
  });

  it('keeps the socket while one window stays, and closes it when the last one leaves', async () => {
    server.conversation(4);
    const main = makeClient();
    const popout = makeClient();
    await main.start();
    await popout.start();
    await settle();
    popout.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(server.current.closed).toBeNull();
    expect(main.state).toBe('connected');
    main.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(server.current.closed).toBeNull();
    await vi.advanceTimersByTimeAsync(600);
    expect(server.current.closed?.code).toBe(1000);
    expect(hub.socketCount).toBe(0);
  });

  it('tells every window when the socket drops; they come back on one new socket', async () => {
    server.conversation(4);
    const main = makeClient();
    const popout = makeClient();
    await main.start();
    await popout.start();
    await settle();
    server.current.drop(1006, 'gone');
    await settle();
    expect(main.state).toBe('waiting');
    expect(popout.state).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(main.state).toBe('connected');
    expect(popout.state).toBe('connected');
    expect(server.connections).toHaveLength(2);
    expect(server.current.ops('auth')).toHaveLength(1);
  });

  it('signs every window out when the server signs the session out', async () => {
    const main = makeClient();
    const popout = makeClient();
    const reasons: string[] = [];
    main.on('signedOut', ({ reason }) => reasons.push(`main:${reason}`));
    popout.on('signedOut', ({ reason }) => reasons.push(`popout:${reason}`));
    await main.start();
    await popout.start();
    await settle();
    server.current.push('signed_out', { reason: 'signed_in_elsewhere' });
    server.current.drop(4001, 'signed in elsewhere');
    await settle();
    expect(reasons.sort()).toEqual(['main:signed_in_elsewhere', 'popout:signed_in_elsewhere']);
  });

  it('pings on its own and closes a silent socket', async () => {
    const main = makeClient();
    await main.start();
    await settle();
    server.holdOps.add('ping');
    await vi.advanceTimersByTimeAsync(25_000);
    expect(server.connections[0]?.ops('ping').length).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(server.connections[0]?.closed?.code).toBe(4003);
  });
});
