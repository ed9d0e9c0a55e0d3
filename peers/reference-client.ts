// The reference client's public surface: one connection (connectClient) and the reconnecting wrapper.
export { connectClient, ReferenceClient, type ClientEvents, type ClientMessage, type ClientOptions, type CloseInfo } from './client/client.js';
export { ReconnectingClient, connectReconnecting, type ReconnectEvents, type ReconnectOptions } from './client/reconnect.js';
export { backoffBound, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './client/backoff.js';
export { HandshakeError, HandshakeFailure } from './client/handshake-error.js';
export type { ClientDeflateOptions } from './client/deflate.js';
export type { TcpClosed } from './pump.js';
