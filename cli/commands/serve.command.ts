// `wsprobe serve`: the reference echo server as a standalone process. Prints `listening ws://HOST:PORT/` on
// stdout once it accepts connections; SIGINT or SIGTERM closes every connection with 1001 and exits 0.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { startReferenceServer, type ReferenceServerOptions, type RunningServer } from '../../peers/server/reference-server.js';
import { readServerTls } from '../../peers/tls.js';
import { SetupError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { applyOptions, CONFIG_OPTION, resolveOptions, type OptionTable, type Resolved } from '../options.js';

export const SERVE_OPTIONS = {
  host: { type: 'string', describe: 'address to listen on', default: '127.0.0.1' },
  port: { type: 'number', describe: 'TCP port (0: the OS chooses; the real one is printed)', default: 8080, integer: true, min: 0, max: 65535 },
  path: { type: 'string', describe: 'serve only this resource path (404 for others); any path when unset' },
  'tls-cert': { type: 'string', describe: 'PEM certificate file: serve wss:// (needs --tls-key)' },
  'tls-key': { type: 'string', describe: 'PEM private key file (needs --tls-cert)' },
  protocols: { type: 'array', items: 'string', describe: 'subprotocols, in order of preference' },
  origins: { type: 'array', items: 'string', describe: 'allowed Origin values (403 for others); any when unset' },
  'max-payload': { type: 'number', describe: 'largest message in bytes; larger ones close with 1009', default: 64 * 1024 * 1024, integer: true, min: 1 },
  heartbeat: { type: 'number', describe: 'ping every client every MS milliseconds', integer: true, min: 1 },
  'pong-timeout': { type: 'number', describe: 'drop a client that has not answered a ping within MS (default: the heartbeat interval)', integer: true, min: 1 },
  'handshake-timeout': { type: 'number', describe: 'time allowed for the opening handshake, MS', default: 10_000, integer: true, min: 1 },
  'close-timeout': { type: 'number', describe: 'time allowed for the close handshake before TCP is dropped, MS', default: 5_000, integer: true, min: 1 },
  deflate: { type: 'boolean', describe: 'accept permessage-deflate (RFC 7692); --no-deflate turns it off', default: true },
  workers: { type: 'number', describe: 'worker processes sharing the port (node:cluster)', default: 1, integer: true, min: 1, max: 256 },
  'stats-path': { type: 'string', describe: 'a plain HTTP GET here returns the server counters as JSON', default: '/stats' },
  config: CONFIG_OPTION,
} as const satisfies OptionTable;

export type ServeOptions = Resolved<typeof SERVE_OPTIONS>;

/** The server options a resolved flag set stands for (reads the TLS files). */
export function serverOptionsFrom(o: ServeOptions): ReferenceServerOptions {
  const cert = o['tls-cert'];
  const key = o['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (o['pong-timeout'] !== undefined && o.heartbeat === undefined) throw new UsageError('--pong-timeout needs --heartbeat');
  if (o.path !== undefined && !o.path.startsWith('/')) throw new UsageError(`--path must start with '/', got ${JSON.stringify(o.path)}`);
  if (o['stats-path'] !== undefined && !o['stats-path'].startsWith('/')) {
    throw new UsageError(`--stats-path must start with '/', got ${JSON.stringify(o['stats-path'])}`);
  }
  const out: ReferenceServerOptions = {
    host: o.host,
    port: o.port,
    maxPayload: o['max-payload'],
    handshakeTimeoutMs: o['handshake-timeout'],
    closeTimeoutMs: o['close-timeout'],
    deflate: o.deflate,
    workers: o.workers,
    statsPath: o['stats-path'],
  };
  if (o.path !== undefined) out.path = o.path;
  if (o.protocols !== undefined) out.protocols = o.protocols;
  if (o.origins !== undefined) out.origins = o.origins;
  if (o.heartbeat !== undefined) out.heartbeat = { intervalMs: o.heartbeat, timeoutMs: o['pong-timeout'] ?? o.heartbeat };
  if (cert !== undefined && key !== undefined) {
    try {
      out.tls = readServerTls(cert, key);
    } catch (err) {
      throw new SetupError(`cannot read TLS files: ${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.trim());
    }
  }
  return out;
}

/** A listen failure as a one-line SetupError (port in use, no permission, bad TLS files). */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new SetupError(`port ${port} on ${host} is already in use`);
    case 'EACCES':
      return new SetupError(`no permission to listen on ${host}:${port}`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SetupError(`cannot listen on ${host}: ${err.code}`);
    default:
      if (/key|cert|PEM|asn1|decoder/i.test(err.message)) return new SetupError(`TLS certificate or key not usable: ${err.message}`);
      return new SetupError(`cannot start the server: ${err.message.split('\n')[0]}`);
  }
}

/** Resolves with the signal's name on the first SIGINT/SIGTERM; a second one exits at once. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const on = (name: NodeJS.Signals): void => {
      if (seen) {
        process.stderr.write(`wsprobe: ${name} again, exiting without waiting\n`);
        process.exit(130);
      }
      seen = true;
      resolve(name);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export const serveCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'serve',
  describe: 'run the reference echo server (RFC 6455, permessage-deflate) until SIGINT/SIGTERM',
  builder: (y: Argv<object>) => applyOptions(y, SERVE_OPTIONS) as Argv<Record<string, unknown>>,
  async handler(argv: ArgumentsCamelCase<Record<string, unknown>>) {
    const o = resolveOptions(SERVE_OPTIONS, argv);
    const options = serverOptionsFrom(o);
    const signal = nextSignal();
    let server: RunningServer;
    try {
      server = await startReferenceServer(options);
    } catch (err) {
      throw listenError(err as NodeJS.ErrnoException, o.host, o.port);
    }
    process.stdout.write(`listening ${server.url}\n`);
    const name = await signal;
    process.stderr.write(`wsprobe: ${name} received, closing connections (1001)\n`);
    await server.close();
    process.exit(ExitCode.Ok);
  },
};
