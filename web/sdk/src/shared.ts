/**
 * One connection for every window of the app (PRODUCT.md I4).
 *
 * The hub runs in a SharedWorker and owns the WebSockets, one per (server, token). Each
 * window keeps its own Client state machine and talks to the hub through a transport whose
 * frames travel over a MessagePort instead of a socket. The hub multiplexes: it renumbers
 * request ids so replies find their window, answers `auth` once per socket (the server refuses
 * a second one) and hands every push to every window. Because the server does not push a
 * `send` or `forward` back to the connection that made it, the hub passes those replies'
 * entries to the other windows as `entry` pushes: each window sees every message once.
 *
 * Reconnecting stays with the clients: when the socket closes every window hears it, backs
 * off and attaches again; the first to come back opens the next socket, the others share it.
 */
import type { Clock } from './client';
import type { RequestId } from './codec';
import { CloseCode } from './protocol';
import type { Transport, TransportFactory } from './transport';

/** Window → hub, on the port a transport hands over when it attaches. */
export type ToHub =
  | { t: 'frame'; text: string }
  /** The window's client thinks the connection is dead (a request timed out, the network went away). */
  | { t: 'close'; code: number; reason: string }
  /** The window's client is done with the connection (stopped, signed out, page gone). */
  | { t: 'release' };

/** Hub → window. */
export type FromHub = { t: 'open' } | { t: 'frame'; text: string } | { t: 'close'; code: number; reason: string };

/** Window → hub on the worker's own port: a new transport attaches, with its port. */
export interface AttachMessage {
  t: 'attach';
  url: string;
  token: string;
}

/** One attached transport, as the hub sees it. */
export interface HubPeer {
  post(message: FromHub): void;
  /** Stop listening (the peer released or its connection closed). */
  close(): void;
}

export interface HubOptions {
  /** Opens a socket to `url` (webSocketTransport in the worker, a fake in tests). */
  connect(url: string): TransportFactory;
  clock: Clock;
  /** The hub's own heartbeat, independent of how the browser throttles hidden windows. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** How long a socket stays open with no window attached (a reload comes back quickly). */
  idleCloseMs?: number;
}

interface Pending {
  peer: HubPeer | null;
  id: RequestId | null;
  op: string;
}

interface Connection {
  key: string;
  transport: Transport;
  open: boolean;
  peers: Set<HubPeer>;
  auth: { state: 'none' } | { state: 'pending'; waiters: { peer: HubPeer; id: RequestId }[] } | { state: 'done'; data: unknown };
  pending: Map<number, Pending>;
  nextId: number;
  pingTimer: unknown;
  pingDeadline: unknown;
  idleTimer: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

export class ConnectionHub {
  private readonly connections = new Map<string, Connection>();
  private readonly peers = new Map<HubPeer, Connection>();
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly idleCloseMs: number;

  constructor(private readonly options: HubOptions) {
    this.pingIntervalMs = options.pingIntervalMs ?? 25_000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 20_000;
    this.idleCloseMs = options.idleCloseMs ?? 3_000;
  }

  /** How many sockets are open or opening (for tests and diagnostics). */
  get socketCount(): number {
    return this.connections.size;
  }

  /** A window's transport attaches: share the socket for its server and token, or open one. */
  attach(peer: HubPeer, url: string, token: string): void {
    const key = `${url}\n${token}`;
    const connection = this.connections.get(key) ?? this.open(key, url);
    if (connection.idleTimer !== null) {
      this.options.clock.clearTimeout(connection.idleTimer);
      connection.idleTimer = null;
    }
    connection.peers.add(peer);
    this.peers.set(peer, connection);
    if (connection.open) peer.post({ t: 'open' });
  }

  receive(peer: HubPeer, message: ToHub): void {
    const connection = this.peers.get(peer);
    if (!connection) return;
    switch (message.t) {
      case 'frame':
        this.forward(connection, peer, message.text);
        break;
      case 'close':
        connection.transport.close(message.code, message.reason);
        break;
      case 'release':
        this.release(connection, peer);
        break;
    }
  }

  private open(key: string, url: string): Connection {
    const connection: Connection = {
      key,
      transport: null as unknown as Transport,
      open: false,
      peers: new Set(),
      auth: { state: 'none' },
      pending: new Map(),
      nextId: 1,
      pingTimer: null,
      pingDeadline: null,
      idleTimer: null,
    };
    this.connections.set(key, connection);
    connection.transport = this.options.connect(url)({
      onOpen: () => {
        if (this.connections.get(key) !== connection) return;
        connection.open = true;
        for (const peer of connection.peers) peer.post({ t: 'open' });
        this.schedulePing(connection);
      },
      onMessage: (text) => {
        if (this.connections.get(key) === connection) this.fromServer(connection, text);
      },
      onClose: (code, reason) => this.closed(connection, code, reason),
    });
    return connection;
  }

  private forward(connection: Connection, peer: HubPeer, text: string): void {
    if (!connection.open) return;
    const frame = parse(text);
    if (!frame) return;
    const id = frame.id;
    const op = typeof frame.op === 'string' ? frame.op : '';
    if (id === undefined || id === null) {
      connection.transport.send(text);
      return;
    }
    if (typeof id !== 'number' && typeof id !== 'string') return;
    if (op === 'auth') {
      const auth = connection.auth;
      if (auth.state === 'done') {
        peer.post({ t: 'frame', text: JSON.stringify({ id, ok: true, data: auth.data }) });
        return;
      }
      if (auth.state === 'pending') {
        auth.waiters.push({ peer, id });
        return;
      }
      connection.auth = { state: 'pending', waiters: [{ peer, id }] };
      this.sendRequest(connection, { peer: null, id: null, op }, frame);
      return;
    }
    this.sendRequest(connection, { peer, id, op }, frame);
  }

  private sendRequest(connection: Connection, pending: Pending, frame: Record<string, unknown>): number {
    const hubId = connection.nextId++;
    connection.pending.set(hubId, pending);
    connection.transport.send(JSON.stringify({ ...frame, id: hubId }));
    return hubId;
  }

  private fromServer(connection: Connection, text: string): void {
    const frame = parse(text);
    if (!frame) return;
    if (typeof frame.push === 'string' || frame.id === null || frame.id === undefined) {
      // Pushes, and errors of fire-and-forget requests, are everybody's.
      for (const peer of connection.peers) peer.post({ t: 'frame', text });
      return;
    }
    if (typeof frame.id !== 'number') return;
    const pending = connection.pending.get(frame.id);
    if (!pending) return;
    connection.pending.delete(frame.id);
    if (pending.op === 'ping' && pending.peer === null) {
      this.pong(connection);
      return;
    }
    if (pending.op === 'auth' && pending.peer === null) {
      const waiters = connection.auth.state === 'pending' ? connection.auth.waiters : [];
      connection.auth = frame.ok === true ? { state: 'done', data: frame.data ?? null } : { state: 'none' };
      for (const waiter of waiters) {
        if (connection.peers.has(waiter.peer)) {
          waiter.peer.post({ t: 'frame', text: JSON.stringify({ ...frame, id: waiter.id }) });
        }
      }
      return;
    }
    if (pending.peer && connection.peers.has(pending.peer)) {
      pending.peer.post({ t: 'frame', text: JSON.stringify({ ...frame, id: pending.id }) });
    }
    if (frame.ok !== true) return;
    // The server pushes these to every connection but the one that asked: the other windows.
    const entries =
      pending.op === 'send' ? [frame.data] : pending.op === 'forward' && isRecord(frame.data) && Array.isArray(frame.data.entries) ? frame.data.entries : [];
    for (const entry of entries) {
      if (!isRecord(entry)) continue;
      const push = JSON.stringify({ push: 'entry', data: entry });
      for (const peer of connection.peers) if (peer !== pending.peer) peer.post({ t: 'frame', text: push });
    }
  }

  private release(connection: Connection, peer: HubPeer): void {
    connection.peers.delete(peer);
    this.peers.delete(peer);
    peer.close();
    for (const [id, pending] of connection.pending) if (pending.peer === peer) connection.pending.delete(id);
    if (connection.peers.size === 0 && connection.idleTimer === null) {
      connection.idleTimer = this.options.clock.setTimeout(() => {
        connection.idleTimer = null;
        if (connection.peers.size === 0) connection.transport.close(CloseCode.Normal, 'no window left');
      }, this.idleCloseMs);
    }
  }

  private closed(connection: Connection, code: number, reason: string): void {
    if (this.connections.get(connection.key) === connection) this.connections.delete(connection.key);
    connection.open = false;
    const clock = this.options.clock;
    for (const timer of [connection.pingTimer, connection.pingDeadline, connection.idleTimer]) {
      if (timer !== null) clock.clearTimeout(timer);
    }
    connection.pingTimer = connection.pingDeadline = connection.idleTimer = null;
    connection.pending.clear();
    for (const peer of connection.peers) {
      peer.post({ t: 'close', code, reason });
      this.peers.delete(peer);
      peer.close();
    }
    connection.peers.clear();
  }

  private schedulePing(connection: Connection): void {
    const clock = this.options.clock;
    connection.pingTimer = clock.setTimeout(() => {
      connection.pingTimer = null;
      if (!connection.open) return;
      this.sendRequest(connection, { peer: null, id: null, op: 'ping' }, { op: 'ping' });
      connection.pingDeadline = clock.setTimeout(() => {
        connection.pingDeadline = null;
        connection.transport.close(CloseCode.HeartbeatTimeout, 'no pong in time');
      }, this.pingTimeoutMs);
    }, this.pingIntervalMs);
  }

  private pong(connection: Connection): void {
    if (connection.pingDeadline !== null) this.options.clock.clearTimeout(connection.pingDeadline);
    connection.pingDeadline = null;
    if (connection.open) this.schedulePing(connection);
  }
}

/** Where a window reaches the hub: a SharedWorker's port (or a fake in tests). */
export interface HubEndpoint {
  postMessage(message: AttachMessage, transfer: Transferable[]): void;
}

/**
 * A transport over the shared hub: each call makes a MessageChannel and hands one end to the
 * hub with the server URL and the token the connection is for.
 */
export function sharedTransport(endpoint: HubEndpoint, url: string, token: string): TransportFactory {
  return (handlers) => {
    const channel = new MessageChannel();
    const port = channel.port1;
    let finished = false;
    const finish = (code: number, reason: string): void => {
      if (finished) return;
      finished = true;
      handlers.onClose(code, reason);
    };
    port.onmessage = (event: MessageEvent<FromHub>) => {
      if (finished) return;
      const message = event.data;
      if (message.t === 'open') handlers.onOpen();
      else if (message.t === 'frame') handlers.onMessage(message.text);
      else if (message.t === 'close') {
        finish(message.code, message.reason);
        port.close();
      }
    };
    endpoint.postMessage({ t: 'attach', url, token }, [channel.port2]);
    const post = (message: ToHub) => port.postMessage(message);
    return {
      send(text) {
        if (!finished) post({ t: 'frame', text });
      },
      close(code = CloseCode.Normal, reason = '') {
        if (!finished) post({ t: 'close', code, reason });
        finish(code, reason);
      },
      release() {
        if (!finished) post({ t: 'release' });
        finish(CloseCode.Normal, 'released');
      },
    };
  };
}
