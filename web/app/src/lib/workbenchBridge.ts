/**
 * The client's side of the workbench bridge (decision 0069; the app's side is the server's
 * /workbench/bridge.js): what a frame may ask, checked before anything is done, and how the
 * frame is sandboxed. Pure: no DOM, tested without one.
 */
import type { CustomCardBody } from '@tidings/sdk';

export const BRIDGE_VERSION = 'tidings-bridge/1';

export type BridgeCall =
  | { id: number; method: 'getTicket' }
  | { id: number; method: 'openConversation'; conversationId: number | null; userId: number | null }
  | { id: number; method: 'shareCard'; card: unknown };

export interface BridgeReply {
  bridge: typeof BRIDGE_VERSION;
  id: number;
  result?: unknown;
  error?: { code: string; message: string };
}

const positive = (value: unknown): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;

/** A call from the frame, or null for anything that is not one (other scripts' messages). */
export function parseBridgeCall(data: unknown): BridgeCall | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  const id = positive(message.id);
  if (message.bridge !== BRIDGE_VERSION || id === null) return null;
  const params = typeof message.params === 'object' && message.params !== null ? (message.params as Record<string, unknown>) : {};
  switch (message.method) {
    case 'getTicket':
      return { id, method: 'getTicket' };
    case 'openConversation':
      return { id, method: 'openConversation', conversationId: positive(params.conversationId), userId: positive(params.userId) };
    case 'shareCard':
      return { id, method: 'shareCard', card: params.card };
    default:
      return null;
  }
}

export function bridgeReply(id: number, result: unknown): BridgeReply {
  return { bridge: BRIDGE_VERSION, id, result };
}

export function bridgeError(id: number, code: string, message: string): BridgeReply {
  return { bridge: BRIDGE_VERSION, id, error: { code, message } };
}

/**
 * The frame's sandbox: scripts and forms always; its own origin (cookies, storage, fetch to its
 * backend) only when that is not ours — a same-origin page with both could lift its sandbox.
 */
export function sandboxFor(appOrigin: string, ownOrigin: string): string {
  return appOrigin === ownOrigin ? 'allow-scripts allow-forms' : 'allow-scripts allow-forms allow-same-origin';
}

/**
 * The origin replies go to and calls must come from: the app's, or "null" for a same-origin
 * app, whose sandbox gives it an opaque origin.
 */
export function frameOrigin(appOrigin: string, ownOrigin: string): string {
  return appOrigin === ownOrigin ? 'null' : appOrigin;
}

const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : undefined;

const webUrl = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The card an app asked to share, as the server takes it (`custom_card`), signed with the
 * app's name as its source; null when it has no title or no http(s) link.
 */
export function cardFrom(raw: unknown, appName: string): CustomCardBody | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const card = raw as Record<string, unknown>;
  const title = text(card.title, 200);
  const url = webUrl(card.url);
  if (!title || !url) return null;
  const body: CustomCardBody = { title, url, source: appName.slice(0, 200) };
  const description = text(card.description, 1000);
  if (description) body.description = description;
  const image = webUrl(card.image_url);
  if (image) body.image_url = image;
  if (Array.isArray(card.fields)) {
    const fields = card.fields
      .slice(0, 20)
      .map((f: unknown) => (typeof f === 'object' && f !== null ? (f as Record<string, unknown>) : {}))
      .map((f) => ({ label: text(f.label, 64) ?? '', value: typeof f.value === 'string' || typeof f.value === 'number' ? String(f.value).slice(0, 500) : '' }))
      .filter((f) => f.label);
    if (fields.length) body.fields = fields;
  }
  return body;
}
