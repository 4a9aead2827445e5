/**
 * The call's view model without a browser (docs/decisions/0074): ringing here until another
 * of my devices answers or the caller gives up, ring-back while I call (saying I am still here),
 * a busy callee, and ICE restarted until the media is back.
 * WebRTC itself is exercised by the browser tests (tests/browser/test_calls.py).
 */
import { Client, MemoryCache, type Call } from '@tidings/sdk';
import { describe, expect, it, vi } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { ALIVE_MS, CallViewModel, RESTART_MS, type CallEnvironment } from '../viewmodels/CallViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

function call(state: Call['state'], over: Partial<Call> = {}): Call {
  return {
    id: 9, kind: 'direct', conversation_id: 5, caller_id: 2, callee_id: 1, media: 'video', state, live_count: 0,
    created_at: 0, ring_deadline: 45_000, accepted_at: null, ended_at: null, end_reason: null, duration_ms: null,
    participants: [
      { user_id: 2, session_id: 30, audio: true, video: true, screen: false, live: true, joined_at: null, host_muted: false },
      { user_id: 1, session_id: null, audio: true, video: true, screen: false, live: true, joined_at: null, host_muted: false },
    ],
    ...over,
  };
}

function fakeEnvironment(rings: (string | null)[]): CallEnvironment {
  const stream = { getAudioTracks: () => [], getVideoTracks: () => [], getTracks: () => [] } as unknown as MediaStream;
  return {
    getUserMedia: () => Promise.resolve(stream),
    getDisplayMedia: () => Promise.resolve(stream),
    enumerateDevices: () => Promise.resolve([]),
    peerConnection: () => {
      throw new Error('no peer connection in these tests');
    },
    ring: (kind) => rings.push(kind),
    notifyIncoming: () => undefined,
    stopNotification: () => undefined,
    now: () => 0,
  };
}

async function started(): Promise<{ server: FakeServer; client: Client }> {
  const server = new FakeServer();
  server.conversation(5, 'direct');
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return { server, client };
}

describe('a call ringing here', () => {
  it('stops ringing when another of my devices answers', async () => {
    const { server, client } = await started();
    const rings: (string | null)[] = [];
    const vm = new CallViewModel(client, fakeEnvironment(rings));
    client.on('call', (push) => vm.onPush(push));
    server.connections[0]!.push('call_incoming', call('ringing'));
    await settle();
    expect(vm.getSnapshot().phase).toBe('incoming');
    expect(rings).toEqual(['ringtone']);
    // Answered by my session 40, not this one (7).
    const answered = call('active', { participants: [call('ringing').participants[0]!, { user_id: 1, session_id: 40, audio: true, video: true, screen: false, live: true, joined_at: null, host_muted: false }] });
    server.connections[0]!.push('call_accepted', answered);
    await settle();
    expect(vm.getSnapshot().phase).toBe(null);
    expect(rings.at(-1)).toBe(null);
    vm.dispose();
  });

  it('stops ringing when the caller gives up, and says so', async () => {
    const { server, client } = await started();
    const rings: (string | null)[] = [];
    const vm = new CallViewModel(client, fakeEnvironment(rings));
    client.on('call', (push) => vm.onPush(push));
    server.connections[0]!.push('call_incoming', call('ringing'));
    await settle();
    server.connections[0]!.push('call_ended', call('ended', { end_reason: 'cancelled' }));
    await settle();
    expect(vm.getSnapshot().phase).toBe('ended');
    expect(vm.getSnapshot().call?.end_reason).toBe('cancelled');
    expect(rings.at(-1)).toBe(null);
    vm.dispose();
  });
});

describe('calling', () => {
  it('rings back while it rings there, and ends at once when they are busy', async () => {
    const { server, client } = await started();
    const rings: (string | null)[] = [];
    let reply: Call = call('ringing', { caller_id: 1, callee_id: 2 });
    server.handlers.set('call.start', () => reply);
    const vm = new CallViewModel(client, fakeEnvironment(rings));
    await vm.start(5, 'audio');
    expect(vm.getSnapshot().phase).toBe('outgoing');
    expect(rings).toEqual(['ringback']);
    server.handlers.set('call.hangup', () => call('ended', { caller_id: 1, callee_id: 2, end_reason: 'cancelled' }));
    await vm.hangUp();
    expect(vm.getSnapshot().phase).toBe('ended');
    reply = call('ended', { caller_id: 1, callee_id: 2, end_reason: 'busy' });
    await vm.start(5, 'audio');
    expect(vm.getSnapshot().phase).toBe('ended');
    expect(vm.getSnapshot().call?.end_reason).toBe('busy');
    vm.dispose();
  });

  it('says it is still here while it rings there, so a vanished caller does not ring on', async () => {
    const { server, client } = await started();
    const reports: Record<string, unknown>[] = [];
    server.handlers.set('call.start', () => call('ringing', { caller_id: 1, callee_id: 2 }));
    server.handlers.set('call.media', (data) => {
      reports.push(data);
      return call('ringing', { caller_id: 1, callee_id: 2 });
    });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const vm = new CallViewModel(client, fakeEnvironment([]));
      await vm.start(5, 'audio');
      vi.advanceTimersByTime(ALIVE_MS * 2);
      await settle();
      expect(reports.map((r) => [r.call_id, r.connection])).toEqual([[9, 'ok'], [9, 'ok']]);
      // Hung up: no more reports.
      server.handlers.set('call.hangup', () => call('ended', { caller_id: 1, callee_id: 2, end_reason: 'cancelled' }));
      await vm.hangUp();
      vi.advanceTimersByTime(ALIVE_MS * 2);
      await settle();
      expect(reports).toHaveLength(2);
      vm.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('restarts ICE again and again while the media is lost, and stops once it is back', async () => {
    const { server, client } = await started();
    const offers: boolean[] = [];
    const pc = {
      iceConnectionState: 'new' as RTCIceConnectionState,
      oniceconnectionstatechange: null as (() => void) | null,
      addTransceiver: () => undefined,
      getTransceivers: () => [],
      createOffer: (options?: RTCOfferOptions) => {
        offers.push(options?.iceRestart ?? false);
        return Promise.resolve({ type: 'offer', sdp: 'v=0' });
      },
      setLocalDescription: () => Promise.resolve(),
      close: () => undefined,
    };
    const ice = async (state: RTCIceConnectionState) => {
      pc.iceConnectionState = state;
      pc.oniceconnectionstatechange?.();
      await settle();
    };
    const environment = { ...fakeEnvironment([]), peerConnection: () => pc as unknown as RTCPeerConnection };
    const mine = { caller_id: 1, callee_id: 2 };
    const accepted = call('active', {
      ...mine,
      participants: [
        { user_id: 1, session_id: 7, audio: true, video: false, screen: false, live: true, joined_at: null, host_muted: false },
        { user_id: 2, session_id: 40, audio: true, video: false, screen: false, live: true, joined_at: null, host_muted: false },
      ],
    });
    server.handlers.set('call.start', () => call('ringing', mine));
    server.handlers.set('call.ice_servers', () => ({ ice_servers: [], ttl: 600 }));
    server.handlers.set('call.signal', () => null);
    server.handlers.set('call.media', () => accepted);
    vi.stubGlobal('MediaStream', class { getTracks = () => []; addTrack = () => undefined; });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const vm = new CallViewModel(client, environment);
      client.on('call', (push) => vm.onPush(push));
      await vm.start(5, 'audio');
      server.connections[0]!.push('call_accepted', accepted);
      await settle();
      expect(offers).toEqual([false]);
      await ice('connected');
      expect(vm.getSnapshot().phase).toBe('active');
      // The path breaks: Chromium says "disconnected" (and may never say "failed").
      await ice('disconnected');
      expect(vm.getSnapshot().phase).toBe('reconnecting');
      vi.advanceTimersByTime(RESTART_MS * 3);
      await settle();
      expect(offers).toEqual([false, true, true, true]);
      // Back: no more restarts.
      await ice('connected');
      expect(vm.getSnapshot().phase).toBe('active');
      vi.advanceTimersByTime(RESTART_MS * 3);
      await settle();
      expect(offers).toHaveLength(4);
      vm.dispose();
    } finally {
      vi.useRealTimers();
      vi.unstubAllGlobals();
    }
  });
});
