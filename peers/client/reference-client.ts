// The reference client's public surface: one connection (connectClient) and the reconnecting wrapper.
export { connectClient, ReferenceClient, type ClientEvents, type ClientMessage, type ClientOptions, type CloseInfo } from './client.js';
export { ReconnectingClient, connectReconnecting, type ReconnectEvents, type ReconnectOptions } from './reconnect.js';
export { backoffBound, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { HandshakeError, HandshakeFailure } from './handshake-error.js';
export type { ClientDeflateOptions } from './deflate.js';
export type { TcpClosed } from '../pump.js';
