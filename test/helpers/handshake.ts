import { io } from 'socket.io-client';

/**
 * What a client sees of one socket.io handshake: the namespace accepted it, refused it with a connect_error (the
 * error's message), or the connection closed before either (the server refused the packet itself).
 */
export type HandshakeResult =
  { outcome: 'connected' } | { outcome: 'refused'; message: string } | { outcome: 'closed'; reason: string };

export type HandshakeInput = {
  /** Sent as the Origin header when set. */
  origin?: string;
  /** Sent as the Cookie header when set. */
  cookie?: string;
  /** The CONNECT packet's payload, any JSON value (the client library sends non-objects only through a function). */
  auth?: unknown;
};

/** Makes one handshake over a real WebSocket and closes the socket again, whatever happened. */
export function handshake(namespaceUrl: string, input: HandshakeInput): Promise<HandshakeResult> {
  const extraHeaders: Record<string, string> = {};
  if (input.origin !== undefined) extraHeaders.origin = input.origin;
  if (input.cookie !== undefined) extraHeaders.cookie = input.cookie;
  const socket = io(namespaceUrl, {
    transports: ['websocket'],
    extraHeaders,
    ...(input.auth === undefined ? {} : { auth: (send: (data: object) => void) => send(input.auth as object) }),
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve) => {
    const done = (result: HandshakeResult) => {
      socket.removeAllListeners();
      socket.close();
      resolve(result);
    };
    socket.once('connect', () => done({ outcome: 'connected' }));
    socket.once('connect_error', (err) => done({ outcome: 'refused', message: err.message }));
    socket.once('disconnect', (reason) => done({ outcome: 'closed', reason }));
  });
}
