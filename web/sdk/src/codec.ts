/**
 * The frame codec: requests to JSON text, incoming text to a reply or a push.
 * No I/O; the transport moves the strings.
 */
import type { OpName, OpRequest, Pushes, PushName, WireError } from './protocol';

export type RequestId = number | string;

export type Frame =
  | { type: 'reply'; id: RequestId | null; ok: true; data: unknown }
  | { type: 'reply'; id: RequestId | null; ok: false; error: WireError }
  | { [P in PushName]: { type: 'push'; push: P; data: Pushes[P] } }[PushName];

export class FrameError extends Error {
  override name = 'FrameError';
}

export function encodeRequest<O extends OpName>(id: RequestId | null, op: O, data: OpRequest<O>): string {
  const frame: { id?: RequestId; op: O; data?: OpRequest<O> } = { op };
  if (id !== null) frame.id = id;
  if (data !== undefined) frame.data = data;
  return JSON.stringify(frame);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PUSHES: ReadonlySet<string> = new Set<PushName>([
  'entry',
  'private',
  'receipt',
  'typing',
  'presence',
  'signed_out',
  'org_changed',
  'site_settings_changed',
  'service_queue',
  'call_incoming',
  'call_accepted',
  'call_updated',
  'call_ended',
  'call_signal',
  'call_group',
  'call_group_signal',
  'call_talking',
]);

/** Parse one frame from the server; throws FrameError on anything outside the protocol. */
export function decodeFrame(text: string): Frame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FrameError('frame is not JSON');
  }
  if (!isRecord(parsed)) throw new FrameError('frame is not an object');
  if (typeof parsed.push === 'string') {
    if (!PUSHES.has(parsed.push) || !isRecord(parsed.data)) {
      throw new FrameError(`unknown push ${parsed.push}`);
    }
    // The push table in protocol.ts names each push's data; the server is the trusted source.
    return { type: 'push', push: parsed.push, data: parsed.data } as Frame;
  }
  const id = parsed.id;
  if (!(id === null || typeof id === 'number' || typeof id === 'string')) {
    throw new FrameError('reply without a valid id');
  }
  if (parsed.ok === true) return { type: 'reply', id, ok: true, data: parsed.data ?? null };
  if (parsed.ok === false && isRecord(parsed.error) && typeof parsed.error.code === 'string') {
    const message = typeof parsed.error.message === 'string' ? parsed.error.message : '';
    return { type: 'reply', id, ok: false, error: { code: parsed.error.code, message, details: parsed.error.details } };
  }
  throw new FrameError('frame is neither a reply nor a push');
}
