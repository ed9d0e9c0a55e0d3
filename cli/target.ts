// The target URL of test, fuzz, load and capacity: checked once, with a one-line error for anything malformed.
import { UsageError } from './errors.js';

export function parseTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(raw)} (expected ws://HOST[:PORT]/PATH or wss://...)`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`unsupported scheme ${url.protocol.replace(/:$/, '')}:// in ${raw} (RFC 6455 §3: ws:// or wss://)`);
  }
  if (url.hash) {
    throw new UsageError(`a WebSocket URL has no fragment (RFC 6455 §3): ${raw}`);
  }
  if (!url.hostname) throw new UsageError(`no host in ${raw}`);
  return url;
}
