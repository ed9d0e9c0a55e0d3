// Why a load connection failed or dropped, by kind: the names errors are counted under in results.json and that
// thresholds name (`errors.refused<1`).

export const LOAD_ERROR_KINDS = [
  'refused',
  'timeout',
  'reset',
  'handshake-status',
  'handshake',
  'protocol',
  'pong-timeout',
  /** Half-open: a ping unanswered and nothing else received for twice the pong timeout, the socket still open. */
  'silent-drop',
  /** --http2: the HTTP/2 connection under the WebSocket's stream ended (GOAWAY or lost) and took the stream along. */
  'session-lost',
  'tls',
  'addr-not-available',
  /** The chosen source port was taken (retried with the next one before it counts). */
  'port-in-use',
  'fd-limit',
  'other',
] as const;
export type LoadErrorKind = (typeof LOAD_ERROR_KINDS)[number];

/** The kind of a socket error, from its errno code (TLS errors by their message). */
export function errorKind(err: NodeJS.ErrnoException): LoadErrorKind {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'EADDRNOTAVAIL':
      return 'addr-not-available';
    case 'EADDRINUSE':
      return 'port-in-use';
    case 'EMFILE':
    case 'ENFILE':
      return 'fd-limit';
    default:
      return /TLS|SSL|CERT|SELF_SIGNED|ERR_TLS/i.test(`${err.code ?? ''} ${err.message}`) ? 'tls' : 'other';
  }
}

