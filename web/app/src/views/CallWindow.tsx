/**
 * The call's window (decision 0074): ringing (accept / decline), calling (cancel), and the
 * call itself — the other's video large and one's own small, the duration, and the controls.
 * Loaded with the first call (screens.tsx).
 */
import { useEffect, useRef, useState } from 'react';
import type { Locale, Translate } from '../i18n/i18n';
import { errorMessage } from '../i18n/i18n';
import { callTranslator, type CallTranslate } from '../i18n/callWords';
import type { NameBook } from '../viewmodels/NameBook';
import type { CallViewModel } from '../viewmodels/CallViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import './call.css';

interface Props {
  vm: CallViewModel;
  names: NameBook;
  t: Translate;
  locale: Locale;
}

export function CallWindow({ vm, names, t, locale }: Props) {
  const s = useViewModel(vm);
  const w = callTranslator(locale);
  if (s.phase === null) return null;
  const peerName = s.peerId !== null ? names.name(s.peerId) : '';
  const video = s.media === 'video';
  if (s.phase === 'incoming') {
    return (
      <div className="call-incoming" role="dialog" aria-label={w(video ? 'incomingVideo' : 'incomingVoice')} data-testid="call-incoming">
        {s.peerId !== null && <Avatar id={s.peerId} name={peerName} size={56} user />}
        <div className="call-incoming-text">
          <strong data-testid="call-peer-name">{peerName}</strong>
          <span>{w(video ? 'incomingVideo' : 'incomingVoice')}</span>
        </div>
        <div className="call-incoming-actions">
          <button className="call-round decline" onClick={() => void vm.decline()} title={w('decline')} aria-label={w('decline')} data-testid="call-decline">
            <PhoneIcon down />
          </button>
          {video && (
            <button className="call-round accept secondary" onClick={() => void vm.accept('audio')} title={w('acceptVoice')} aria-label={w('acceptVoice')} data-testid="call-accept-voice">
              <PhoneIcon />
            </button>
          )}
          <button className="call-round accept" onClick={() => void vm.accept()} title={w('accept')} aria-label={w('accept')} data-testid="call-accept">
            {video ? <CameraIcon /> : <PhoneIcon />}
          </button>
        </div>
      </div>
    );
  }
  return <CallPanel vm={vm} t={t} w={w} peerName={peerName} />;
}

function CallPanel({ vm, t, w, peerName }: { vm: CallViewModel; t: Translate; w: CallTranslate; peerName: string }) {
  const s = useViewModel(vm);
  const remoteRef = useRef<HTMLVideoElement>(null);
  const localRef = useRef<HTMLVideoElement>(null);
  const now = useNow(s.phase === 'active' || s.phase === 'reconnecting');

  useEffect(() => {
    if (remoteRef.current && remoteRef.current.srcObject !== s.remote) remoteRef.current.srcObject = s.remote;
  }, [s.remote]);
  useEffect(() => {
    if (localRef.current && localRef.current.srcObject !== s.local) localRef.current.srcObject = s.local;
  }, [s.local]);
  useEffect(() => {
    const element = remoteRef.current as (HTMLVideoElement & { setSinkId?(id: string): Promise<void> }) | null;
    if (element && s.speakerId && element.setSinkId) void element.setSinkId(s.speakerId).catch(() => undefined);
  }, [s.speakerId]);

  const status =
    s.phase === 'outgoing'
      ? w('calling')
      : s.phase === 'connecting'
        ? w('connecting')
        : s.phase === 'reconnecting'
          ? w('reconnecting')
          : s.phase === 'ended'
            ? s.error
              ? w('noMedia', { reason: errorMessage(t, s.error) })
              : w('ended')
            : s.connectedAt !== null
              ? duration(now - s.connectedAt)
              : '';
  const remoteVideo = s.peerVideo || s.peerScreen;
  const popOut = () => {
    const element = remoteRef.current;
    if (element && document.pictureInPictureEnabled) void element.requestPictureInPicture().catch(() => undefined);
  };
  return (
    <div className={`call-panel${remoteVideo ? ' has-video' : ''}`} role="dialog" aria-label={peerName} data-testid="call-panel" data-phase={s.phase}>
      <video ref={remoteRef} className="call-remote" autoPlay playsInline data-testid="call-remote" hidden={!remoteVideo} />
      {!remoteVideo && (
        <div className="call-remote-placeholder">
          {s.peerId !== null && <Avatar id={s.peerId} name={peerName} size={96} user />}
          {s.phase === 'active' && <span className="call-camera-off" data-testid="call-peer-camera-off">{w('theirCameraOff')}</span>}
        </div>
      )}
      <video ref={localRef} className="call-local" autoPlay playsInline muted data-testid="call-local" hidden={!s.cameraOn && !s.sharing} />
      <div className="call-top">
        <strong data-testid="call-peer">{peerName}</strong>
        <span className="call-status" data-testid="call-status">{status}</span>
        {!s.peerAudio && s.phase !== 'ended' && (
          <span className="call-peer-muted" data-testid="call-peer-muted">{w('theyMuted', { name: peerName })}</span>
        )}
      </div>
      {s.phase !== 'ended' && (
        <div className="call-controls">
          <button className={`call-round${s.muted ? ' off' : ''}`} onClick={() => vm.setMuted(!s.muted)} title={w(s.muted ? 'unmute' : 'mute')} aria-label={w(s.muted ? 'unmute' : 'mute')} aria-pressed={s.muted} data-testid="call-mute">
            <MicIcon off={s.muted} />
          </button>
          <button className={`call-round${s.cameraOn ? '' : ' off'}`} onClick={() => void vm.setCamera(!s.cameraOn)} title={w(s.cameraOn ? 'cameraOff' : 'cameraOn')} aria-label={w(s.cameraOn ? 'cameraOff' : 'cameraOn')} aria-pressed={!s.cameraOn} data-testid="call-camera">
            <CameraIcon off={!s.cameraOn} />
          </button>
          {s.devices.cameras.length > 1 && (
            <button className="call-round" onClick={() => void vm.switchCamera()} title={w('switchCamera')} aria-label={w('switchCamera')} data-testid="call-switch-camera">
              <SwitchIcon />
            </button>
          )}
          {s.phase !== 'outgoing' && typeof navigator.mediaDevices?.getDisplayMedia === 'function' && (
            <button className={`call-round${s.sharing ? ' on' : ''}`} onClick={() => void vm.setSharing(!s.sharing)} title={w(s.sharing ? 'stopSharing' : 'shareScreen')} aria-label={w(s.sharing ? 'stopSharing' : 'shareScreen')} aria-pressed={s.sharing} data-testid="call-share">
              <ScreenIcon />
            </button>
          )}
          {remoteVideo && (
            <button className="call-round" onClick={popOut} title={w('popOut')} aria-label={w('popOut')} data-testid="call-pop-out">
              <PopIcon />
            </button>
          )}
          <button className="call-round decline" onClick={() => void vm.hangUp()} title={w(s.phase === 'outgoing' ? 'cancel' : 'hangUp')} aria-label={w(s.phase === 'outgoing' ? 'cancel' : 'hangUp')} data-testid="call-hang-up">
            <PhoneIcon down />
          </button>
        </div>
      )}
      {s.phase !== 'ended' && (s.devices.microphones.length > 1 || s.devices.speakers.length > 1) && (
        <div className="call-devices">
          {s.devices.microphones.length > 1 && (
            <label>
              {w('microphone')}
              <select value={s.microphoneId ?? ''} onChange={(e) => void vm.chooseMicrophone(e.target.value)} data-testid="call-microphone">
                {s.devices.microphones.map((d) => (
                  <option key={d.id} value={d.id}>{d.label}</option>
                ))}
              </select>
            </label>
          )}
          {s.devices.speakers.length > 1 && (
            <label>
              {w('speaker')}
              <select value={s.speakerId ?? ''} onChange={(e) => vm.chooseSpeaker(e.target.value)} data-testid="call-speaker">
                {s.devices.speakers.map((d) => (
                  <option key={d.id} value={d.id}>{d.label}</option>
                ))}
              </select>
            </label>
          )}
        </div>
      )}
    </div>
  );
}

/** "1:05", "1:02:03" (lib/media's formatDuration would make that module a chunk of its own). */
function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const [h, m, sec] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** The time now, every second while `ticking`. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

const svg = { width: 22, height: 22, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;

export function PhoneIcon({ down = false }: { down?: boolean }) {
  return (
    <svg {...svg} aria-hidden="true" style={down ? { transform: 'rotate(135deg)' } : undefined}>
      <path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z" />
    </svg>
  );
}

export function CameraIcon({ off = false }: { off?: boolean }) {
  return (
    <svg {...svg} aria-hidden="true">
      <path d="M23 7l-7 5 7 5V7z" />
      <rect x="1" y="5" width="15" height="14" rx="2" />
      {off && <path d="M1 1l22 22" />}
    </svg>
  );
}

export function MicIcon({ off }: { off: boolean }) {
  return (
    <svg {...svg} aria-hidden="true">
      <rect x="9" y="2" width="6" height="12" rx="3" />
      <path d="M5 10v1a7 7 0 0 0 14 0v-1M12 18v4M8 22h8" />
      {off && <path d="M1 1l22 22" />}
    </svg>
  );
}

function SwitchIcon() {
  return (
    <svg {...svg} aria-hidden="true">
      <path d="M17 1l4 4-4 4M3 11V9a4 4 0 0 1 4-4h14M7 23l-4-4 4-4M21 13v2a4 4 0 0 1-4 4H3" />
    </svg>
  );
}

function ScreenIcon() {
  return (
    <svg {...svg} aria-hidden="true">
      <rect x="2" y="3" width="20" height="14" rx="2" />
      <path d="M8 21h8M12 17v4" />
    </svg>
  );
}

function PopIcon() {
  return (
    <svg {...svg} aria-hidden="true">
      <rect x="3" y="3" width="18" height="18" rx="2" />
      <rect x="11" y="11" width="8" height="6" rx="1" />
    </svg>
  );
}
