/**
 * The SharedWorker every window of the app attaches to: it holds the one WebSocket they
 * share (ConnectionHub in the SDK). A window's transport sends an `attach` message with a
 * MessagePort of its own; all further traffic for that transport goes over that port.
 */
import { ConnectionHub, systemClock, webSocketTransport, type AttachMessage, type HubPeer, type ToHub } from '@tidings/sdk';

const hub = new ConnectionHub({ connect: (url) => webSocketTransport(url), clock: systemClock });

const scope = self as unknown as { onconnect: ((event: MessageEvent) => void) | null };

scope.onconnect = (event: MessageEvent) => {
  const control = event.ports[0];
  if (!control) return;
  control.onmessage = (message: MessageEvent<AttachMessage>) => {
    const port = message.ports[0];
    if (!port || message.data?.t !== 'attach') return;
    const peer: HubPeer = {
      post: (out) => port.postMessage(out),
      // Let the last message reach the window before the port goes.
      close: () => setTimeout(() => port.close(), 1_000),
    };
    port.onmessage = (incoming: MessageEvent<ToHub>) => hub.receive(peer, incoming.data);
    hub.attach(peer, message.data.url, message.data.token);
  };
};
