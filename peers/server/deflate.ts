// permessage-deflate (RFC 7692) for the reference server: which offer to accept, with what parameters, and the
// extension instance each accepted connection runs.
import type { ParsedExtension } from '../../protocol/extensions/header.js';
import type { MessageExtension } from '../../protocol/extensions/extension.js';
import { createPerMessageDeflate, negotiateDeflateServer } from '../../protocol/extensions/permessage-deflate.js';

export interface ServerDeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  /** 8..15. */
  serverMaxWindowBits?: number;
  /** 8..15, sent only when the client offered client_max_window_bits. */
  clientMaxWindowBits?: number;
  /** zlib level 0-9 (default 6). */
  level?: number;
  /** Messages shorter than this are sent uncompressed. Default 0. */
  threshold?: number;
}

export interface NegotiatedExtensions {
  /** The Sec-WebSocket-Extensions response, empty when nothing was accepted. */
  response: ParsedExtension[];
  extensions: MessageExtension[];
}

const NONE: NegotiatedExtensions = { response: [], extensions: [] };

export function negotiateServerExtensions(
  offers: ParsedExtension[],
  opts: ServerDeflateOptions | false,
  maxMessageSize: number,
): NegotiatedExtensions {
  if (opts === false || offers.length === 0) return NONE;
  const agreed = negotiateDeflateServer(offers, {
    serverNoContextTakeover: opts.serverNoContextTakeover,
    clientNoContextTakeover: opts.clientNoContextTakeover,
    serverMaxWindowBits: opts.serverMaxWindowBits,
    clientMaxWindowBits: opts.clientMaxWindowBits,
  });
  if (agreed === null) return NONE;
  const extension = createPerMessageDeflate({
    role: 'server',
    agreement: agreed.agreement,
    maxMessageSize,
    level: opts.level,
    threshold: opts.threshold,
  });
  return { response: [agreed.extension], extensions: [extension] };
}
