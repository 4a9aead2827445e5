/**
 * Transports move text frames; they know nothing of the protocol.
 * The client state machine owns one at a time and listens to its four callbacks.
 */

export interface TransportHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(code: number, reason: string): void;
}

export interface Transport {
  send(text: string): void;
  /** The connection is over (or looks dead): close it; a shared one closes for every window. */
  close(code?: number, reason?: string): void;
  /** This client is done with the connection; a shared transport keeps it for the others. */
  release?(): void;
}

export type TransportFactory = (handlers: TransportHandlers) => Transport;

/** A WebSocket adapter: the browser's WebSocket, or any object shaped like it. */
export function webSocketTransport(url: string, WebSocketImpl: typeof WebSocket = WebSocket): TransportFactory {
  return (handlers) => {
    const socket = new WebSocketImpl(url);
    let closed = false;
    const finish = (code: number, reason: string): void => {
      if (closed) return;
      closed = true;
      handlers.onClose(code, reason);
    };
    socket.onopen = () => handlers.onOpen();
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data === 'string') handlers.onMessage(event.data);
      else if (event.data instanceof ArrayBuffer) handlers.onMessage(new TextDecoder().decode(event.data));
    };
    socket.onclose = (event: CloseEvent) => finish(event.code, event.reason);
    // An error is always followed by close in browsers; 1006 covers engines that skip it.
    socket.onerror = () => {
      if (socket.readyState === WebSocketImpl.CLOSED) finish(1006, 'error');
    };
    return {
      send(text) {
        if (socket.readyState === WebSocketImpl.OPEN) socket.send(text);
      },
      close(code = 1000, reason = '') {
        try {
          socket.close(code, reason);
        } finally {
          // Report the close at once so the state machine does not wait on the network.
          finish(code, reason);
        }
      },
    };
  };
}

/** ws:// or wss:// for a page served over http(s). */
export function webSocketUrl(origin: string, path = '/ws'): string {
  const url = new URL(path, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
