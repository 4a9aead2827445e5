/**
 * Group calls in the browser (PRODUCT.md G3, decision 0078): joining a group's call, what
 * this device sends to the SFU (Janus) and receives from it, who speaks, and the controls.
 * Loaded with the first group call (CallDock).
 *
 * Two RTCPeerConnections, both with Janus, both signalled through the Tidings server: one
 * sends (this device's offer, Janus's answer: `call.publish`), one receives every other
 * participant's audio and video (Janus's offer, pushed as `call_group_signal` whenever who is
 * in the call changes; this device's answer by `call.signal`). Each offer says which user
 * each stream (by its mid) comes from. The active speaker comes from the SFU's audio levels
 * (`call_talking`). Every ALIVE_MS the device tells the server it is there, as in a
 * one-to-one call: a device that vanishes is taken out of the call.
 */
import { errorCode, type Call, type CallMedia, type Client, type ConversationId, type GroupCallPush, type GroupCallSignal, type UserId } from '@tidings/sdk';
import { ViewModel } from './ViewModel';
import type { CallEnvironment } from './CallViewModel';

export const ALIVE_MS = 5_000;
/** How long an offer or answer waits for ICE candidates before it goes (loopback and LAN
 * need a few milliseconds; the rest trickle). */
const GATHER_MS = 1_000;
const ENDED_SHOWN_MS = 1_500;

export type GroupCallPhase = 'joining' | 'active' | 'ended';

export interface RemoteTile {
  userId: UserId;
  stream: MediaStream;
  hasVideo: boolean;
}

export interface GroupCallSnapshot {
  phase: GroupCallPhase | null;
  call: Call | null;
  conversationId: ConversationId | null;
  media: CallMedia;
  local: MediaStream | null;
  /** What the SFU forwards of each other participant. */
  remotes: RemoteTile[];
  muted: boolean;
  cameraOn: boolean;
  /** A host muted me (unmuting myself lifts it). */
  hostMuted: boolean;
  speaking: ReadonlySet<UserId>;
  /** When my media first flowed. */
  connectedAt: number | null;
  error: string | null;
}

const IDLE: GroupCallSnapshot = {
  phase: null,
  call: null,
  conversationId: null,
  media: 'audio',
  local: null,
  remotes: [],
  muted: false,
  cameraOn: false,
  hostMuted: false,
  speaking: new Set(),
  connectedAt: null,
  error: null,
};

export class GroupCallViewModel extends ViewModel<GroupCallSnapshot> {
  private publisher: RTCPeerConnection | null = null;
  private subscriber: RTCPeerConnection | null = null;
  private iceServers: RTCIceServer[] = [];
  /** mid → user of the streams the SFU sends. */
  private mids = new Map<string, UserId>();
  private aliveTimer: ReturnType<typeof setInterval> | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Offers are answered one at a time, in order. */
  private offers: Promise<void> = Promise.resolve();
  private rejoining = false;

  constructor(
    private readonly client: Client,
    private readonly env: CallEnvironment,
  ) {
    super(IDLE);
    this.track(() => this.teardown());
  }

  private get me(): UserId | undefined {
    return this.client.me?.id;
  }

  private get callId(): number | null {
    return this.getSnapshot().call?.id ?? null;
  }

  /** Start the group's call (or join the live one) — or join the call ``callId``. */
  async join(target: { conversationId: ConversationId; media: CallMedia; callId?: number }): Promise<void> {
    if (this.getSnapshot().phase && this.getSnapshot().phase !== 'ended') return;
    this.clearCloseTimer();
    this.teardown();
    this.update({ ...IDLE, speaking: new Set(), phase: 'joining', conversationId: target.conversationId, media: target.media });
    let local: MediaStream | null = null;
    try {
      local = await this.localMedia(target.media);
      this.update({ local, cameraOn: target.media === 'video' && local.getVideoTracks().length > 0 });
      const [servers, call] = await Promise.all([
        this.client.request('call.ice_servers', {}).catch(() => ({ ice_servers: [] })),
        target.callId !== undefined
          ? this.client.request('call.join', { call_id: target.callId })
          : this.client.request('call.start', { conversation_id: target.conversationId, media: target.media }),
      ]);
      this.iceServers = servers.ice_servers;
      this.update({ call, media: call.media });
      this.startAlive();
      await this.publish(call.id, local);
    } catch (error) {
      for (const track of local?.getTracks() ?? []) track.stop();
      const joined = this.callId;
      this.teardown();
      if (joined !== null) void this.client.request('call.leave', { call_id: joined }).catch(() => undefined);
      this.update({ ...IDLE, speaking: new Set() });
      throw error;
    }
  }

  /** A device that reconnected while in the call: its SFU sessions went with the old
   * connection, so it joins again. */
  resume(call: Call): void {
    const s = this.getSnapshot();
    if (s.phase !== 'active' || s.call?.id !== call.id) return;
    void this.rejoin(call);
  }

  async leave(): Promise<void> {
    const callId = this.callId;
    this.finish();
    if (callId !== null) await this.client.request('call.leave', { call_id: callId }).catch(() => undefined);
  }

  toggleMute(): void {
    const s = this.getSnapshot();
    const muted = !s.muted;
    for (const track of s.local?.getAudioTracks() ?? []) track.enabled = !muted;
    this.update({ muted, hostMuted: muted ? s.hostMuted : false });
    this.report();
  }

  toggleCamera(): void {
    const s = this.getSnapshot();
    const cameraOn = !s.cameraOn;
    for (const track of s.local?.getVideoTracks() ?? []) track.enabled = cameraOn;
    this.update({ cameraOn });
    this.report();
  }

  /** As a host: mute a member. */
  async muteMember(userId: UserId): Promise<void> {
    const callId = this.callId;
    if (callId === null) return;
    try {
      const call = await this.client.request('call.mute_member', { call_id: callId, user_id: userId });
      this.onCall(call);
    } catch (error) {
      this.update({ error: errorCode(error) });
    }
  }

  onPush(push: GroupCallPush): void {
    const callId = this.callId;
    if (callId === null) return;
    if (push.push === 'call_group') {
      if (push.call.id === callId) this.onCall(push.call);
    } else if (push.push === 'call_group_signal') {
      if (push.signal.call_id === callId) this.offers = this.offers.then(() => this.answer(push.signal)).catch(() => undefined);
    } else if (push.talking.call_id === callId) {
      const speaking = new Set(this.getSnapshot().speaking);
      if (push.talking.talking) speaking.add(push.talking.user_id);
      else speaking.delete(push.talking.user_id);
      this.update({ speaking });
    }
  }

  // Internals

  private async localMedia(media: CallMedia): Promise<MediaStream> {
    try {
      return await this.env.getUserMedia({ audio: true, video: media === 'video' });
    } catch {
      // No camera: voice only; no microphone either: receive only.
      try {
        return await this.env.getUserMedia({ audio: true, video: false });
      } catch {
        return new MediaStream();
      }
    }
  }

  private async publish(callId: number, local: MediaStream): Promise<void> {
    const pc = this.env.peerConnection({ iceServers: this.iceServers });
    this.publisher = pc;
    const audio = local.getAudioTracks()[0];
    const video = local.getVideoTracks()[0];
    // Audio first: its mid is what a host's mute names.
    if (audio) pc.addTransceiver(audio, { direction: 'sendonly', streams: [local] });
    if (video) pc.addTransceiver(video, { direction: 'sendonly', streams: [local] });
    pc.onicecandidate = (event) => {
      if (event.candidate && this.callId === callId) {
        void this.client.request('call.signal', { call_id: callId, candidate: candidateOf(event.candidate), target: 'publisher' }).catch(() => undefined);
      }
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected' && this.getSnapshot().connectedAt === null) {
        this.update({ connectedAt: this.env.now() });
      }
      this.report();
      // The SFU lost this device's session (Janus restarted, its node lost Janus): join
      // again, once per failure, while the place in the call holds.
      const call = this.getSnapshot().call;
      if (pc.connectionState === 'failed' && pc === this.publisher && call && !this.rejoining) void this.rejoin(call);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const { description } = await this.client.request('call.publish', {
      call_id: callId,
      description: { type: 'offer', sdp: pc.localDescription?.sdp ?? '' },
    });
    await pc.setRemoteDescription(description);
    this.update({ phase: 'active' });
  }

  private async answer(signal: GroupCallSignal): Promise<void> {
    const callId = signal.call_id;
    for (const stream of signal.streams) {
      if (stream.user_id !== null && stream.active) this.mids.set(stream.mid, stream.user_id);
    }
    let pc = this.subscriber;
    if (!pc) {
      pc = this.env.peerConnection({ iceServers: this.iceServers });
      this.subscriber = pc;
      pc.ontrack = (event) => this.onTrack(event);
      pc.onicecandidate = (event) => {
        if (event.candidate && this.callId === callId) {
          void this.client.request('call.signal', { call_id: callId, candidate: candidateOf(event.candidate), target: 'subscriber' }).catch(() => undefined);
        }
      };
    }
    await pc.setRemoteDescription(signal.description);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    // Streams the SFU no longer sends: their tiles go.
    const gone = new Set(signal.streams.filter((s) => !s.active && s.user_id !== null).map((s) => s.user_id as UserId));
    const sending = new Set(signal.streams.filter((s) => s.active && s.user_id !== null).map((s) => s.user_id as UserId));
    const remotes = this.getSnapshot().remotes.filter((r) => !gone.has(r.userId) || sending.has(r.userId));
    this.update({ remotes });
    await this.client.request('call.signal', { call_id: callId, description: { type: 'answer', sdp: pc.localDescription?.sdp ?? '' } });
  }

  private onTrack(event: RTCTrackEvent): void {
    const mid = event.transceiver.mid;
    const userId = mid !== null ? this.mids.get(mid) : undefined;
    if (userId === undefined) return;
    const remotes = [...this.getSnapshot().remotes];
    let tile = remotes.find((r) => r.userId === userId);
    if (!tile) {
      tile = { userId, stream: new MediaStream(), hasVideo: false };
      remotes.push(tile);
    }
    for (const old of tile.stream.getTracks().filter((t) => t.kind === event.track.kind)) tile.stream.removeTrack(old);
    tile.stream.addTrack(event.track);
    const index = remotes.indexOf(tile);
    remotes[index] = { ...tile, hasVideo: tile.stream.getVideoTracks().length > 0 };
    this.update({ remotes });
  }

  private onCall(call: Call): void {
    if (call.state === 'ended') {
      this.update({ call });
      this.finish();
      return;
    }
    const me = call.participants.find((p) => p.user_id === this.me);
    if (me && !me.live && this.getSnapshot().phase === 'active') {
      // Taken out (the media was lost for too long, or another device of mine took over).
      this.update({ call });
      this.finish();
      return;
    }
    const live = new Set(call.participants.filter((p) => p.live).map((p) => p.user_id));
    const remotes = this.getSnapshot().remotes.filter((r) => live.has(r.userId));
    const change: Partial<GroupCallSnapshot> = { call, remotes };
    if (me?.host_muted && !this.getSnapshot().hostMuted) {
      for (const track of this.getSnapshot().local?.getAudioTracks() ?? []) track.enabled = false;
      change.muted = true;
      change.hostMuted = true;
    }
    this.update(change);
  }

  private async rejoin(call: Call): Promise<void> {
    if (this.rejoining) return;
    this.rejoining = true;
    this.closeConnections();
    this.mids.clear();
    this.update({ remotes: [], phase: 'joining' });
    try {
      const joined = await this.client.request('call.join', { call_id: call.id });
      this.update({ call: joined });
      const local = this.getSnapshot().local;
      if (local) await this.publish(call.id, local);
    } catch {
      this.finish();
    } finally {
      this.rejoining = false;
    }
  }

  /** Mute, camera and that this device is there. */
  private report(): void {
    const s = this.getSnapshot();
    const callId = this.callId;
    if (callId === null || s.phase === null || s.phase === 'ended') return;
    const state = this.publisher?.connectionState;
    const connection = state === 'failed' || state === 'disconnected' ? 'lost' : 'ok';
    void this.client
      .request('call.media', { call_id: callId, audio: !s.muted, video: s.cameraOn, connection })
      .then((call) => this.onCall(call))
      .catch(() => undefined);
  }

  private startAlive(): void {
    if (this.aliveTimer !== null) clearInterval(this.aliveTimer);
    this.aliveTimer = setInterval(() => this.report(), ALIVE_MS);
  }

  private finish(): void {
    this.teardown();
    this.update({ phase: 'ended', remotes: [], local: null, speaking: new Set() });
    this.clearCloseTimer();
    this.closeTimer = setTimeout(() => this.update({ ...IDLE, speaking: new Set() }), ENDED_SHOWN_MS);
  }

  private closeConnections(): void {
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = this.subscriber = null;
  }

  private teardown(): void {
    if (this.aliveTimer !== null) clearInterval(this.aliveTimer);
    this.aliveTimer = null;
    this.closeConnections();
    this.mids.clear();
    for (const track of this.getSnapshot().local?.getTracks() ?? []) track.stop();
  }

  private clearCloseTimer(): void {
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
  }
}

/** Until ICE gathering completes, or GATHER_MS (what comes later trickles). */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, GATHER_MS);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function candidateOf(candidate: RTCIceCandidate) {
  const c = candidate.toJSON();
  return { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null, usernameFragment: c.usernameFragment ?? null };
}
