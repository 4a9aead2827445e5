/**
 * The group call's window (decision 0078): a grid of the others — their video with their
 * name, or their avatar when they send none — the active speaker outlined, one's own video
 * small, and the controls (mute, camera, leave; a host mutes a member from their tile).
 * Loaded with the first group call (screens.tsx).
 */
import { useEffect, useRef, useState } from 'react';
import type { UserId } from '@tidings/sdk';
import type { Locale, Translate } from '../i18n/i18n';
import { errorMessage } from '../i18n/i18n';
import { callTranslator, type CallTranslate } from '../i18n/callWords';
import type { NameBook } from '../viewmodels/NameBook';
import type { GroupCallViewModel, RemoteTile } from '../viewmodels/GroupCallViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { CameraIcon, MicIcon, PhoneIcon } from './CallWindow';
import './call.css';

interface Props {
  vm: GroupCallViewModel;
  names: NameBook;
  t: Translate;
  locale: Locale;
  me: UserId | null;
  /** My role in the call's group: its owner and admins (and the call's starter) mute others. */
  roleIn: (conversationId: number) => string | null;
}

export function GroupCallWindow({ vm, names, t, locale, me, roleIn }: Props) {
  const s = useViewModel(vm);
  const w = callTranslator(locale);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (s.phase !== 'active') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [s.phase]);
  if (s.phase === null) return null;
  const call = s.call;
  const others = (call?.participants ?? []).filter((p) => p.live && p.user_id !== me);
  const tiles = others.map((p) => ({ participant: p, remote: s.remotes.find((r) => r.userId === p.user_id) ?? null }));
  const status =
    s.phase === 'joining'
      ? w('joining')
      : s.phase === 'ended'
        ? w('ended')
        : others.length === 0
          ? w('waitingForOthers')
          : s.connectedAt !== null
            ? clock(now - s.connectedAt)
            : '';
  const host = call !== null && (call.caller_id === me || ['owner', 'admin'].includes(roleIn(call.conversation_id) ?? ''));
  const columns = Math.max(1, Math.ceil(Math.sqrt(Math.max(1, tiles.length))));
  return (
    <div className="call-panel group-call" role="dialog" aria-label={w('groupCall')} data-testid="group-call" data-phase={s.phase} data-call-id={call?.id ?? ''}>
      <div className="group-grid" style={{ gridTemplateColumns: `repeat(${columns}, 1fr)` }} data-testid="group-grid">
        {tiles.map(({ participant, remote }) => (
          <Tile
            key={participant.user_id}
            userId={participant.user_id}
            name={names.name(participant.user_id)}
            remote={remote}
            video={participant.video}
            audioOff={!participant.audio}
            speaking={s.speaking.has(participant.user_id)}
            onMute={host && participant.audio ? () => void vm.muteMember(participant.user_id) : null}
            w={w}
          />
        ))}
      </div>
      <LocalVideo stream={s.local} shown={s.cameraOn} speaking={me !== null && s.speaking.has(me)} label={w('you')} />
      <div className="call-top">
        <strong data-testid="group-call-title">{w('groupCall')}</strong>
        <span className="call-status" data-testid="call-status">
          {status}
          {call && s.phase === 'active' ? ` · ${w('people', { count: call.live_count })}` : ''}
        </span>
        {s.hostMuted && (
          <span className="call-peer-muted" data-testid="group-call-host-muted">
            {w('mutedByHost')}
          </span>
        )}
        {s.error && (
          <span className="call-peer-muted" data-testid="group-call-error">
            {errorMessage(t, s.error)}
          </span>
        )}
      </div>
      {s.phase !== 'ended' && (
        <div className="call-controls">
          <button className={`call-round${s.muted ? ' off' : ''}`} onClick={() => vm.toggleMute()} title={w(s.muted ? 'unmute' : 'mute')} aria-label={w(s.muted ? 'unmute' : 'mute')} aria-pressed={s.muted} data-testid="call-mute">
            <MicIcon off={s.muted} />
          </button>
          {s.local && s.local.getVideoTracks().length > 0 && (
            <button className={`call-round${s.cameraOn ? '' : ' off'}`} onClick={() => vm.toggleCamera()} title={w(s.cameraOn ? 'cameraOff' : 'cameraOn')} aria-label={w(s.cameraOn ? 'cameraOff' : 'cameraOn')} aria-pressed={!s.cameraOn} data-testid="call-camera">
              <CameraIcon off={!s.cameraOn} />
            </button>
          )}
          <button className="call-round decline" onClick={() => void vm.leave()} title={w('leave')} aria-label={w('leave')} data-testid="group-call-leave">
            <PhoneIcon down />
          </button>
        </div>
      )}
    </div>
  );
}

function Tile(props: {
  userId: UserId;
  name: string;
  remote: RemoteTile | null;
  video: boolean;
  audioOff: boolean;
  speaking: boolean;
  onMute: (() => void) | null;
  w: CallTranslate;
}) {
  const { userId, name, remote, video, audioOff, speaking, onMute, w } = props;
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== (remote?.stream ?? null)) ref.current.srcObject = remote?.stream ?? null;
  }, [remote]);
  const showVideo = video && remote !== null && remote.hasVideo;
  return (
    <div className={`group-tile${speaking ? ' speaking' : ''}`} data-testid="group-tile" data-user-id={userId} data-speaking={speaking ? 'true' : 'false'}>
      {/* The element plays the audio too: kept even while the video is hidden. */}
      <video ref={ref} autoPlay playsInline className="group-tile-video" hidden={!showVideo} />
      {!showVideo && (
        <div className="group-tile-avatar">
          <Avatar id={userId} name={name} size={64} user />
        </div>
      )}
      <div className="group-tile-name">
        {audioOff && <MicIcon off />}
        <span>{name}</span>
      </div>
      {onMute && (
        <button className="group-tile-mute" onClick={onMute} title={w('muteMember', { name })} aria-label={w('muteMember', { name })} data-testid="group-tile-mute">
          <MicIcon off />
        </button>
      )}
    </div>
  );
}

function LocalVideo({ stream, shown, speaking, label }: { stream: MediaStream | null; shown: boolean; speaking: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} className={`call-local${speaking ? ' speaking' : ''}`} autoPlay playsInline muted aria-label={label} data-testid="group-call-local" hidden={!shown} />;
}

function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}
