// RFC 8441 (WebSockets over HTTP/2), sans-I/O: the setting, the Extended CONNECT request and response rules with
// their rejection ids, header-block helpers, and the mapping of transport ends to END_STREAM / RST_STREAM.
export * from './close.js';
export * from './headers.js';
export * from './rejections.js';
export * from './settings.js';
export * from './server-request.js';
export * from './client-request.js';
