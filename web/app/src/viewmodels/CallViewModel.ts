/**
 * One-to-one calls in the browser (PRODUCT.md G1, decision 0074): ringing, answering, the
 * WebRTC connection, and the controls of a call. Loaded with the first call (CallDock).
 *
 * The server keeps each call's state and relays the signalling to the one device in the
 * call; this view model owns the RTCPeerConnection. The caller offers once the callee has
 * answered; ICE candidates trickle both ways; the answering side attaches its tracks to the
 * transceivers the offer made. Every call has an audio and a video transceiver, so turning the
 * camera on in a voice call, switching cameras and sharing the screen are `replaceTrack`,
 * never a renegotiation. When ICE drops, the caller restarts it (again every RESTART_MS until
 * the media is back) and both tell the server the media is lost; if it is not back within LOST_MS the call is hung up (and the server ends it
 * anyway at its own deadline).
 */
import { errorCode, type Call, type CallMedia, type CallPush, type CallSignal, type Client, type ConversationId, type UserId } from '@tidings/sdk';
import { ViewModel } from './ViewModel';
import { callTranslator } from '../i18n/callWords';
import type { NameBook } from './NameBook';
import type { PreferencesViewModel } from './PreferencesViewModel';
import type { ServerSettingsViewModel } from './ServerSettingsViewModel';

/** How long media may stay lost before the call ends (the server's call_lost_seconds). */
export const LOST_MS = 15_000;
/**
 * How often a device in the call (and the caller's while it rings) tells the server it is
 * still there (`call.media`): the server ends a call that hears no "ok" for its
 * call_lost_seconds, so a call whose browsers went away (closed, crashed, offline) ends by
 * itself — cancelled if the caller vanished while it rang. Three reports fit in that time.
 */
export const ALIVE_MS = 5_000;
/**
 * While the media is lost, how often the caller restarts ICE (a new offer with `iceRestart`)
 * until it is back. Chromium reports ICE "disconnected" within seconds of a path breaking but
 * may never report "failed" before the call's deadline; and a restart tried while the network
 * or the TURN relay is still away finds nothing, so it is tried again.
 */
export const RESTART_MS = 2_000;

export type CallPhase =
  /** Ringing here: accept or decline. */
  | 'incoming'
  /** I called; it rings there. */
  | 'outgoing'
  /** Answered; the media is being connected. */
  | 'connecting'
  | 'active'
  /** The media dropped; ICE is being restarted. */
  | 'reconnecting'
  /** Over: the window shows why for a moment. */
  | 'ended';

export interface CallDevices {
  microphones: { id: string; label: string }[];
  cameras: { id: string; label: string }[];
  speakers: { id: string; label: string }[];
}

export interface CallSnapshot {
  phase: CallPhase | null;
  call: Call | null;
  peerId: UserId | null;
  media: CallMedia;
  local: MediaStream | null;
  remote: MediaStream | null;
  muted: boolean;
  cameraOn: boolean;
  sharing: boolean;
  /** What the other side sends, as it told the server. */
  peerAudio: boolean;
  peerVideo: boolean;
  peerScreen: boolean;
  /** When the media first flowed here (the duration counts from it). */
  connectedAt: number | null;
  devices: CallDevices;
  microphoneId: string | null;
  cameraId: string | null;
  speakerId: string | null;
  /** An error code to show (translated by the view). */
  error: string | null;
}

/** The browser's side of a call; a fake in unit tests. */
export interface CallEnvironment {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia(): Promise<MediaStream>;
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
  peerConnection(config: RTCConfiguration): RTCPeerConnection;
  /** Ringtone (incoming) or ring-back (outgoing), or silence. */
  ring(kind: 'ringtone' | 'ringback' | null): void;
  /** A system notification of an incoming call while the app is in the background. */
  notifyIncoming(call: Call): void;
  stopNotification(): void;
  now(): number;
}

const IDLE: CallSnapshot = {
  phase: null,
  call: null,
  peerId: null,
  media: 'audio',
  local: null,
  remote: null,
  muted: false,
  cameraOn: false,
  sharing: false,
  peerAudio: true,
  peerVideo: false,
  peerScreen: false,
  connectedAt: null,
  devices: { microphones: [], cameras: [], speakers: [] },
  microphoneId: null,
  cameraId: null,
  speakerId: null,
  error: null,
};

/** How long an ended call's window stays to say how it ended. */
const ENDED_SHOWN_MS = 1500;

export class CallViewModel extends ViewModel<CallSnapshot> {
  private pc: RTCPeerConnection | null = null;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private lostTimer: ReturnType<typeof setTimeout> | null = null;
  private aliveTimer: ReturnType<typeof setInterval> | null = null;
  private restartTimer: ReturnType<typeof setInterval> | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | null = null;
  private screenTrack: MediaStreamTrack | null = null;
  private cameraTrack: MediaStreamTrack | null = null;
  private iceServers: RTCIceServer[] | null = null;
  /** Signals are handled one at a time, in the order they came. */
  private signals: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: Client,
    private readonly env: CallEnvironment,
  ) {
    super(IDLE);
    this.track(() => this.teardown());
  }

  private get me(): UserId {
    return this.client.me?.id ?? 0;
  }

  private get busy(): boolean {
    const phase = this.getSnapshot().phase;
    return phase !== null && phase !== 'ended';
  }

  // ---- what arrives from the server ------------------------------------------------------

  onPush(push: CallPush): void {
    if (push.push === 'call_signal') {
      const signal = push.signal;
      this.signals = this.signals.then(() => this.onSignal(signal));
      return;
    }
    const call = push.call;
    const current = this.getSnapshot().call;
    switch (push.push) {
      case 'call_incoming':
        if (call.callee_id === this.me && !this.busy) this.ringHere(call);
        break;
      case 'call_accepted':
        if (current?.id !== call.id) return;
        if (this.myDeviceIn(call)) void this.answered(call);
        // Answered on another of my devices: this one stops ringing.
        else this.finish(null);
        break;
      case 'call_updated':
        if (current?.id === call.id) this.peerState(call);
        break;
      case 'call_ended':
        if (current?.id === call.id) this.finish(call);
        break;
    }
  }

  /** A device that opens (or reconnects) while a call rings for it rings too. */
  resume(call: Call | null): void {
    if (call && call.state === 'ringing' && call.callee_id === this.me && !this.busy) this.ringHere(call);
  }

  // ---- actions ------------------------------------------------------------------------------

  /** Call the other member of a direct chat. */
  async start(conversationId: ConversationId, media: CallMedia): Promise<void> {
    if (this.busy) return;
    this.clearCloseTimer();
    this.setSnapshot({ ...IDLE, phase: 'outgoing', media, cameraOn: media === 'video' });
    try {
      await this.openLocal(media);
      const call = await this.client.request('call.start', { conversation_id: conversationId, media });
      if (call.state === 'ended') {
        this.finish(call);
        return;
      }
      this.update({ call, peerId: call.callee_id });
      this.env.ring('ringback');
      // While it rings there, this device says it is still here: if it vanishes (closed,
      // crashed, offline), the server cancels the call instead of letting it ring on.
      this.keepAlive();
    } catch (error) {
      this.fail(error);
    }
  }

  async accept(media?: CallMedia): Promise<void> {
    const { call, phase } = this.getSnapshot();
    if (!call || phase !== 'incoming') return;
    this.env.ring(null);
    this.env.stopNotification();
    const using = media ?? call.media;
    this.update({ phase: 'connecting', cameraOn: using === 'video' });
    this.keepAlive();
    try {
      await this.openLocal(using);
      const answered = await this.client.request('call.accept', { call_id: call.id });
      this.peerState(answered);
      // Answered with the voice only (or no camera): the caller shows it.
      this.reportMedia();
      // The caller's offer follows (answered() on its side).
      await this.preparePeer();
    } catch (error) {
      this.fail(error);
    }
  }

  async decline(): Promise<void> {
    const call = this.getSnapshot().call;
    if (!call) return;
    this.env.ring(null);
    try {
      this.finish(await this.client.request('call.decline', { call_id: call.id }));
    } catch (error) {
      this.fail(error);
    }
  }

  async hangUp(): Promise<void> {
    const call = this.getSnapshot().call;
    if (!call) {
      this.finish(null);
      return;
    }
    try {
      this.finish(await this.client.request('call.hangup', { call_id: call.id }));
    } catch (error) {
      this.fail(error);
    }
  }

  setMuted(muted: boolean): void {
    for (const track of this.getSnapshot().local?.getAudioTracks() ?? []) track.enabled = !muted;
    this.update({ muted });
    this.reportMedia();
  }

  async setCamera(on: boolean): Promise<void> {
    if (on && !this.cameraTrack) {
      try {
        const stream = await this.env.getUserMedia({ video: this.cameraConstraint(this.getSnapshot().cameraId) });
        this.cameraTrack = stream.getVideoTracks()[0] ?? null;
        this.getSnapshot().local?.addTrack(this.cameraTrack!);
      } catch (error) {
        this.update({ error: errorName(error) });
        return;
      }
    }
    if (this.cameraTrack) this.cameraTrack.enabled = on;
    if (!this.screenTrack) await this.sendVideo(on ? this.cameraTrack : null);
    this.update({ cameraOn: on, local: this.freshLocal() });
    this.reportMedia();
  }

  /** The next camera, round the list. */
  async switchCamera(): Promise<void> {
    const { devices, cameraId } = this.getSnapshot();
    if (devices.cameras.length < 2) return;
    const at = devices.cameras.findIndex((c) => c.id === cameraId);
    const next = devices.cameras[(at + 1) % devices.cameras.length];
    if (next) await this.chooseCamera(next.id);
  }

  async chooseCamera(deviceId: string): Promise<void> {
    try {
      const stream = await this.env.getUserMedia({ video: this.cameraConstraint(deviceId) });
      const track = stream.getVideoTracks()[0];
      if (!track) return;
      const local = this.getSnapshot().local;
      if (this.cameraTrack) {
        local?.removeTrack(this.cameraTrack);
        this.cameraTrack.stop();
      }
      track.enabled = this.getSnapshot().cameraOn;
      this.cameraTrack = track;
      local?.addTrack(track);
      if (!this.screenTrack) await this.sendVideo(track);
      this.update({ cameraId: deviceId, local: this.freshLocal() });
    } catch (error) {
      this.update({ error: errorName(error) });
    }
  }

  async chooseMicrophone(deviceId: string): Promise<void> {
    try {
      const stream = await this.env.getUserMedia({ audio: { deviceId: { exact: deviceId } } });
      const track = stream.getAudioTracks()[0];
      if (!track) return;
      const local = this.getSnapshot().local;
      for (const old of local?.getAudioTracks() ?? []) {
        local?.removeTrack(old);
        old.stop();
      }
      track.enabled = !this.getSnapshot().muted;
      local?.addTrack(track);
      const sender = this.pc?.getTransceivers().find((t) => t.receiver.track.kind === 'audio')?.sender;
      await sender?.replaceTrack(track);
      this.update({ microphoneId: deviceId, local: this.freshLocal() });
    } catch (error) {
      this.update({ error: errorName(error) });
    }
  }

  /** The view applies it to its media elements (setSinkId). */
  chooseSpeaker(deviceId: string): void {
    this.update({ speakerId: deviceId });
  }

  async setSharing(on: boolean): Promise<void> {
    if (on && !this.screenTrack) {
      try {
        const stream = await this.env.getDisplayMedia();
        const track = stream.getVideoTracks()[0];
        if (!track) return;
        this.screenTrack = track;
        // The browser's own "stop sharing" button.
        track.addEventListener('ended', () => void this.setSharing(false));
        await this.sendVideo(track);
      } catch (error) {
        this.update({ error: errorName(error) });
        return;
      }
    } else if (!on && this.screenTrack) {
      this.screenTrack.stop();
      this.screenTrack = null;
      await this.sendVideo(this.getSnapshot().cameraOn ? this.cameraTrack : null);
    }
    this.update({ sharing: on });
    this.reportMedia();
  }

  clearError(): void {
    this.update({ error: null });
  }

  // ---- internals ---------------------------------------------------------------------------

  private ringHere(call: Call): void {
    this.clearCloseTimer();
    this.setSnapshot({ ...IDLE, phase: 'incoming', call, peerId: call.caller_id, media: call.media });
    this.env.ring('ringtone');
    this.env.notifyIncoming(call);
  }

  private myDeviceIn(call: Call): boolean {
    return call.participants.some((p) => p.user_id === this.me && p.session_id === this.client.session);
  }

  /** The callee answered (this is the caller's device): offer. */
  private async answered(call: Call): Promise<void> {
    const phase = this.getSnapshot().phase;
    this.peerState(call);
    if (phase !== 'outgoing') return;
    this.env.ring(null);
    this.update({ phase: 'connecting' });
    this.keepAlive();
    try {
      const pc = await this.preparePeer();
      const { local } = this.getSnapshot();
      const audio = local?.getAudioTracks()[0];
      if (audio) pc.addTransceiver(audio, { direction: 'sendrecv', streams: [local!] });
      else pc.addTransceiver('audio', { direction: 'sendrecv' });
      const video = this.cameraTrack;
      if (video) pc.addTransceiver(video, { direction: 'sendrecv', streams: [local!] });
      else pc.addTransceiver('video', { direction: 'sendrecv' });
      await this.offer(false);
    } catch (error) {
      this.fail(error);
    }
  }

  private async offer(iceRestart: boolean): Promise<void> {
    const pc = this.pc;
    const call = this.getSnapshot().call;
    if (!pc || !call) return;
    const offer = await pc.createOffer({ iceRestart });
    await pc.setLocalDescription(offer);
    await this.client.request('call.signal', { call_id: call.id, description: { type: 'offer', sdp: offer.sdp ?? '' } });
  }

  private async onSignal(signal: CallSignal): Promise<void> {
    const call = this.getSnapshot().call;
    if (!call || call.id !== signal.call_id) return;
    try {
      const pc = this.pc ?? (await this.preparePeer());
      if (signal.description) {
        await pc.setRemoteDescription(signal.description);
        if (signal.description.type === 'offer') {
          await this.attachLocal(pc);
          const answer = await pc.createAnswer();
          await pc.setLocalDescription(answer);
          await this.client.request('call.signal', { call_id: call.id, description: { type: 'answer', sdp: answer.sdp ?? '' } });
        }
        for (const candidate of this.pendingCandidates.splice(0)) await pc.addIceCandidate(candidate);
      } else if (signal.candidate) {
        if (pc.remoteDescription) await pc.addIceCandidate(signal.candidate);
        else this.pendingCandidates.push(signal.candidate);
      }
    } catch (error) {
      this.update({ error: errorName(error) });
    }
  }

  /** The answering side: its tracks go on the transceivers the offer made. */
  private async attachLocal(pc: RTCPeerConnection): Promise<void> {
    const local = this.getSnapshot().local;
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      if (transceiver.sender.track) continue;
      const track = kind === 'audio' ? local?.getAudioTracks()[0] : this.screenTrack ?? this.cameraTrack;
      transceiver.direction = 'sendrecv';
      if (track) {
        await transceiver.sender.replaceTrack(track);
        if (local) transceiver.sender.setStreams(local);
      }
    }
  }

  private async preparePeer(): Promise<RTCPeerConnection> {
    if (this.pc) return this.pc;
    if (this.iceServers === null) {
      try {
        this.iceServers = (await this.client.request('call.ice_servers', {})).ice_servers;
      } catch {
        this.iceServers = [];
      }
    }
    if (this.pc) return this.pc;
    const pc = this.env.peerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    const remote = new MediaStream();
    this.update({ remote });
    pc.ontrack = (event) => {
      remote.addTrack(event.track);
      this.update({ remote: new MediaStream(remote.getTracks()) });
    };
    pc.onicecandidate = (event) => {
      const call = this.getSnapshot().call;
      if (!event.candidate || !call) return;
      const c = event.candidate.toJSON();
      void this.client
        .request('call.signal', {
          call_id: call.id,
          candidate: { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null, usernameFragment: c.usernameFragment ?? null },
        })
        .catch(() => undefined);
    };
    pc.oniceconnectionstatechange = () => this.iceChanged(pc);
    return pc;
  }

  private iceChanged(pc: RTCPeerConnection): void {
    if (pc !== this.pc) return;
    const state = pc.iceConnectionState;
    const phase = this.getSnapshot().phase;
    if (state === 'connected' || state === 'completed') {
      if (phase === 'connecting' || phase === 'reconnecting') {
        this.update({ phase: 'active', connectedAt: this.getSnapshot().connectedAt ?? this.env.now() });
      }
      if (this.lostTimer !== null) {
        clearTimeout(this.lostTimer);
        this.lostTimer = null;
        this.reportMedia();
      }
      this.stopRestarting();
    } else if ((state === 'disconnected' || state === 'failed') && (phase === 'active' || phase === 'reconnecting')) {
      this.update({ phase: 'reconnecting' });
      if (this.lostTimer === null) {
        this.lostTimer = setTimeout(() => void this.hangUp(), LOST_MS);
        this.reportMedia('lost');
      }
      // The offerer restarts ICE every RESTART_MS until the media is back (the first after
      // RESTART_MS: a short disconnection may recover by itself); the answerer answers each
      // new offer.
      if (this.restartTimer === null && this.getSnapshot().call?.caller_id === this.me) {
        this.restartTimer = setInterval(() => void this.offer(true).catch(() => undefined), RESTART_MS);
      }
    }
  }

  private async openLocal(media: CallMedia): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await this.env.getUserMedia({ audio: true, video: media === 'video' });
    } catch (error) {
      if (media !== 'video') throw error;
      // No camera (or refused): the call goes on with the voice.
      stream = await this.env.getUserMedia({ audio: true });
      this.update({ cameraOn: false });
    }
    this.cameraTrack = stream.getVideoTracks()[0] ?? null;
    const microphone = stream.getAudioTracks()[0]?.getSettings().deviceId ?? null;
    const camera = this.cameraTrack?.getSettings().deviceId ?? null;
    this.update({ local: stream, microphoneId: microphone, cameraId: camera });
    void this.loadDevices();
  }

  private async loadDevices(): Promise<void> {
    try {
      const all = await this.env.enumerateDevices();
      const of = (kind: MediaDeviceKind) => all.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ id: d.deviceId, label: d.label || `${kind} ${i + 1}` }));
      this.update({ devices: { microphones: of('audioinput'), cameras: of('videoinput'), speakers: of('audiooutput') } });
    } catch {
      // Device lists are a nicety.
    }
  }

  private cameraConstraint(deviceId: string | null): MediaTrackConstraints | boolean {
    return deviceId ? { deviceId: { exact: deviceId } } : true;
  }

  private async sendVideo(track: MediaStreamTrack | null): Promise<void> {
    const sender = this.pc?.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender;
    await sender?.replaceTrack(track);
  }

  /** A new stream object for the view (a MediaStream's tracks change in place). */
  private freshLocal(): MediaStream | null {
    const local = this.getSnapshot().local;
    return local ? new MediaStream(local.getTracks()) : null;
  }

  private peerState(call: Call): void {
    const peer = call.participants.find((p) => p.user_id !== this.me);
    this.update({ call, peerAudio: peer?.audio ?? true, peerVideo: peer?.video ?? false, peerScreen: peer?.screen ?? false });
  }

  /** Tell the server, every ALIVE_MS while the call is on, that this device is there. */
  private keepAlive(): void {
    if (this.aliveTimer !== null) return;
    this.aliveTimer = setInterval(() => this.reportMedia(), ALIVE_MS);
  }

  /** The connection to the server came back (a reconnect): say at once where the call is. */
  reconnected(): void {
    this.reportMedia();
  }

  private reportMedia(connection?: 'ok' | 'lost'): void {
    const { call, muted, cameraOn, sharing, phase } = this.getSnapshot();
    if (!call || phase === 'incoming' || phase === 'ended' || phase === null) return;
    // Only flowing media keeps an answered call alive: a call that never connects (the other
    // side went away before its offer) ends at the server's deadline as one that lost its
    // media. While it rings there, the caller being here is what keeps it.
    connection ??= phase === 'active' || phase === 'outgoing' ? 'ok' : 'lost';
    void this.client
      .request('call.media', { call_id: call.id, audio: !muted, video: cameraOn, screen: sharing, connection })
      .catch(() => undefined);
  }

  private fail(error: unknown): void {
    const known = errorCode(error);
    const code = known === 'internal_error' ? errorName(error) : known;
    const call = this.getSnapshot().call;
    // Whatever went wrong here, the other side must not wait for nothing.
    if (call && call.state !== 'ended') void this.client.request('call.hangup', { call_id: call.id }).catch(() => undefined);
    this.finish(null, code);
  }

  /** The call is over here: show how (if known) for a moment, then close. */
  private finish(call: Call | null, error: string | null = null): void {
    this.teardown();
    if (!call && !error) {
      this.setSnapshot(IDLE);
      return;
    }
    this.setSnapshot({ ...IDLE, phase: 'ended', call, peerId: this.getSnapshot().peerId, media: this.getSnapshot().media, error });
    this.closeTimer = setTimeout(() => this.setSnapshot(IDLE), error ? ENDED_SHOWN_MS * 3 : ENDED_SHOWN_MS);
  }

  private teardown(): void {
    this.env.ring(null);
    this.env.stopNotification();
    if (this.lostTimer !== null) clearTimeout(this.lostTimer);
    this.lostTimer = null;
    if (this.aliveTimer !== null) clearInterval(this.aliveTimer);
    this.aliveTimer = null;
    this.stopRestarting();
    this.clearCloseTimer();
    this.pc?.close();
    this.pc = null;
    this.pendingCandidates = [];
    for (const track of this.getSnapshot().local?.getTracks() ?? []) track.stop();
    this.cameraTrack?.stop();
    this.cameraTrack = null;
    this.screenTrack?.stop();
    this.screenTrack = null;
  }

  private stopRestarting(): void {
    if (this.restartTimer !== null) clearInterval(this.restartTimer);
    this.restartTimer = null;
  }

  private clearCloseTimer(): void {
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name || error.message : String(error);
}

/** The browser's media, peer connections, ringing (if the ringtone is on) and notifications. */
export function browserCallEnvironment(settings: ServerSettingsViewModel, preferences: PreferencesViewModel, names: NameBook): CallEnvironment {
  let ringer: Ringer | null = null;
  let notification: Notification | null = null;
  const soundOn = () => settings.notifications().calls_sound !== false;
  const notificationText = (call: Call): [string, string] => {
    const w = callTranslator(preferences.getSnapshot().locale);
    return [w(call.media === 'video' ? 'incomingVideo' : 'incomingVoice'), w('notificationBody', { name: names.name(call.caller_id) })];
  };
  return {
    getUserMedia: (c) => navigator.mediaDevices.getUserMedia(c),
    getDisplayMedia: () => navigator.mediaDevices.getDisplayMedia({ video: true }),
    enumerateDevices: () => navigator.mediaDevices.enumerateDevices(),
    peerConnection: (config) => new RTCPeerConnection(config),
    ring(kind) {
      ringer?.stop();
      ringer = null;
      document.documentElement.dataset.callRinging = kind ?? '';
      if (kind && soundOn()) ringer = new Ringer(kind);
    },
    notifyIncoming(call) {
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
      const [title, body] = notificationText(call);
      try {
        notification = new Notification(title, { body, tag: `call-${call.id}`, requireInteraction: true });
        notification.onclick = () => window.focus();
      } catch {
        notification = null;
      }
    },
    stopNotification() {
      notification?.close();
      notification = null;
    },
    now: () => Date.now(),
  };
}

/**
 * Ringtone and ring-back, synthesized (no sound files to download): the ringtone is a
 * two-tone warble, 1 s on and 2 s off; the ring-back is the telephone's 440 + 480 Hz, 1 s on
 * and 3 s off, quieter.
 */
class Ringer {
  private readonly context: AudioContext | null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(kind: 'ringtone' | 'ringback') {
    let context: AudioContext | null = null;
    try {
      context = new AudioContext();
    } catch {
      context = null;
    }
    this.context = context;
    if (!context) return;
    const period = kind === 'ringtone' ? 3000 : 4000;
    const play = () => this.burst(kind);
    play();
    this.timer = setInterval(play, period);
  }

  private burst(kind: 'ringtone' | 'ringback'): void {
    const context = this.context;
    if (!context) return;
    const gain = context.createGain();
    gain.gain.value = kind === 'ringtone' ? 0.15 : 0.06;
    gain.connect(context.destination);
    const start = context.currentTime;
    const tones = kind === 'ringtone' ? [880, 1175] : [440, 480];
    for (const frequency of tones) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      if (kind === 'ringtone') {
        // Warble: the two tones take turns every 50 ms.
        for (let at = 0; at < 1; at += 0.1) {
          const on = frequency === tones[0] ? at : at + 0.05;
          oscillator.frequency.setValueAtTime(frequency, start + on);
        }
      }
      oscillator.start(start);
      oscillator.stop(start + 1);
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    void this.context?.close().catch(() => undefined);
  }
}
