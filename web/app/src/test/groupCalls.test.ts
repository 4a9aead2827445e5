/**
 * Group calls without a browser (docs/decisions/0078): the dock keeps the live calls of my
 * groups from `call.live` and the `call_group` pushes (the header's "call in progress —
 * join"), and a start the server refuses becomes the group's error to show, not a window.
 * The media is exercised by the browser tests (tests/browser/test_group_calls.py).
 */
import { Client, MemoryCache, type Call } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { CallDock } from '../viewmodels/CallDock';
import type { CallEnvironment } from '../viewmodels/CallViewModel';

const settle = async () => {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

function groupCall(state: Call['state'], over: Partial<Call> = {}): Call {
  return {
    id: 21, kind: 'group', conversation_id: 8, caller_id: 2, callee_id: null, media: 'video', state,
    created_at: 0, ring_deadline: 0, accepted_at: 0, ended_at: null, end_reason: null, duration_ms: null,
    participants: [{ user_id: 2, session_id: 30, audio: true, video: true, screen: false, live: true, joined_at: 0, host_muted: false }],
    live_count: 1,
    ...over,
  };
}

function environment(): CallEnvironment {
  const stream = { getAudioTracks: () => [], getVideoTracks: () => [], getTracks: () => [] } as unknown as MediaStream;
  return {
    getUserMedia: () => Promise.resolve(stream),
    getDisplayMedia: () => Promise.resolve(stream),
    enumerateDevices: () => Promise.resolve([]),
    peerConnection: () => {
      throw new Error('no peer connection in these tests');
    },
    ring: () => undefined,
    notifyIncoming: () => undefined,
    stopNotification: () => undefined,
    now: () => 0,
  };
}

async function started(live: Call[], available = true): Promise<{ server: FakeServer; client: Client }> {
  const server = new FakeServer();
  server.conversation(8, 'group');
  server.handlers.set('call.live', () => ({ calls: live, available }));
  server.handlers.set('call.current', () => ({ call: null }));
  server.handlers.set('call.ice_servers', () => ({ ice_servers: [], ttl: 600 }));
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return { server, client };
}

describe('the live calls of my groups', () => {
  it('come from call.live, then from the pushes, and go when the call ends', async () => {
    const { server, client } = await started([groupCall('active')]);
    const dock = new CallDock(client, () => Promise.resolve(environment()));
    await settle();
    expect(dock.getSnapshot().live.get(8)?.id).toBe(21);
    expect(dock.getSnapshot().groupCallsAvailable).toBe(true);
    server.connections[0]!.push('call_group', groupCall('active', { live_count: 3 }));
    await settle();
    expect(dock.getSnapshot().live.get(8)?.live_count).toBe(3);
    server.connections[0]!.push('call_group', groupCall('ended'));
    await settle();
    expect(dock.getSnapshot().live.has(8)).toBe(false);
    dock.dispose();
  });

  it('say when the server has no SFU, and a refused start is the group\'s error', async () => {
    const { server, client } = await started([], false);
    server.handlers.set('call.start', () => {
      throw new Error('group_calls_unavailable');
    });
    const dock = new CallDock(client, () => Promise.resolve(environment()));
    await settle();
    expect(dock.getSnapshot().groupCallsAvailable).toBe(false);
    await dock.startGroup(8, 'audio');
    expect(dock.getSnapshot().groupError).toEqual({ conversationId: 8, code: 'group_calls_unavailable' });
    expect(dock.getSnapshot().group?.getSnapshot().phase).toBe(null);
    dock.dismissGroupError();
    expect(dock.getSnapshot().groupError).toBe(null);
    dock.dispose();
  });
});
