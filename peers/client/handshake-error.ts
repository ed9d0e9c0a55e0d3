// Why a connection attempt failed, as data: the reconnect wrapper, the load runner and the CLI each decide
// what to do from `kind` (retry on refused, report on bad-response, exit 2 on tls).

export const HandshakeFailure = {
  BadUrl: 'bad-url',
  BadRequest: 'bad-request',
  Refused: 'refused',
  Unreachable: 'unreachable',
  Tls: 'tls',
  Timeout: 'timeout',
  Closed: 'closed',
  /** The server answered with a status other than 101. */
  HttpStatus: 'http-status',
  /** The server's 101 broke RFC 6455 §4.1 (or RFC 7692 §7). */
  BadResponse: 'bad-response',
  Network: 'network',
} as const;
export type HandshakeFailure = (typeof HandshakeFailure)[keyof typeof HandshakeFailure];

export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  readonly status: number | undefined;
  /** The rejection id of protocol/handshake (e.g. 'wrong-accept'), or the socket error code. */
  readonly id: string | undefined;

  constructor(
    readonly kind: HandshakeFailure,
    message: string,
    details: { status?: number | undefined; id?: string | undefined } = {},
  ) {
    super(message);
    this.status = details.status;
    this.id = details.id;
  }

  static fromSocketError(err: NodeJS.ErrnoException): HandshakeError {
    const code = err.code ?? '';
    const kind: HandshakeFailure =
      code === 'ECONNREFUSED'
        ? HandshakeFailure.Refused
        : code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EAI_AGAIN'
          ? HandshakeFailure.Unreachable
          : /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL|HOSTNAME/i.test(code) || /certificate|ssl|tls/i.test(err.message)
            ? HandshakeFailure.Tls
            : HandshakeFailure.Network;
    return new HandshakeError(kind, `${code !== '' ? `${code}: ` : ''}${err.message}`, { id: code || undefined });
  }
}
