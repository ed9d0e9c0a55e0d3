// TLS options shared by the reference client, the reference server and the CLI: a CA file to trust (a
// self-signed target), or --insecure to skip verification altogether.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions, TlsOptions } from 'node:tls';

export interface ClientTlsOptions {
  /** PEM file of the CA (or the self-signed certificate) to trust instead of the system store. */
  caFile?: string;
  /** PEM text of the CA, when it is already in memory. */
  ca?: string | Buffer;
  /** Accept any certificate: no chain and no name check. For test targets only. */
  insecure?: boolean;
}

export interface ServerTlsOptions {
  /** PEM certificate chain. */
  cert: string | Buffer;
  /** PEM private key. */
  key: string | Buffer;
}

/** The node:tls connect options for a wss:// URL. */
export function buildTlsConnectOptions(url: URL, opts: ClientTlsOptions = {}): ConnectionOptions {
  const host = hostOf(url);
  const out: ConnectionOptions = { host, port: portOf(url), rejectUnauthorized: opts.insecure !== true, ALPNProtocols: ['http/1.1'] };
  // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName".
  if (isIP(host) === 0) out.servername = host;
  const ca = opts.ca ?? (opts.caFile !== undefined ? readFileSync(opts.caFile) : undefined);
  if (ca !== undefined) out.ca = ca;
  return out;
}

/** Reads a certificate and key from PEM files (the CLI's --tls-cert / --tls-key). */
export function readServerTls(certFile: string, keyFile: string): ServerTlsOptions {
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

export function serverTlsOptions(tls: ServerTlsOptions, handshakeTimeoutMs: number): TlsOptions {
  return { cert: tls.cert, key: tls.key, handshakeTimeout: handshakeTimeoutMs, ALPNProtocols: ['http/1.1'] };
}

/** The host of a ws(s) URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** RFC 6455 §3: the default port is 80 for ws and 443 for wss. */
export function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'wss:' || url.protocol === 'https:' ? 443 : 80;
}
