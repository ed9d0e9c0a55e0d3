// permessage-deflate (RFC 7692) for the reference client: the offer it sends and the check of the server's
// answer (RFC 7692 §7: a response the offer did not allow fails the connection).
import type { ParsedExtension } from '../../protocol/extensions/header.js';
import type { MessageExtension } from '../../protocol/extensions/extension.js';
import {
  acceptDeflateResponse,
  buildDeflateOffer,
  createPerMessageDeflate,
  PERMESSAGE_DEFLATE,
  type DeflateParams,
} from '../../protocol/extensions/permessage-deflate.js';

export interface ClientDeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  /** true (default): support without a limit; a number limits our window; false: not offered. */
  clientMaxWindowBits?: number | boolean;
  level?: number;
  threshold?: number;
}

export interface ClientDeflateOffer {
  header: string;
  offer: DeflateParams;
}

export function buildClientOffer(opts: ClientDeflateOptions | false): ClientDeflateOffer | undefined {
  if (opts === false) return undefined;
  return buildDeflateOffer({
    serverNoContextTakeover: opts.serverNoContextTakeover,
    clientNoContextTakeover: opts.clientNoContextTakeover,
    serverMaxWindowBits: opts.serverMaxWindowBits,
    clientMaxWindowBits: opts.clientMaxWindowBits,
  });
}

/** The extensions to run, given what the server accepted (checkServerResponse already refused unoffered names). */
export function acceptServerExtensions(
  accepted: ParsedExtension[],
  offer: ClientDeflateOffer | undefined,
  opts: ClientDeflateOptions | false,
  maxMessageSize: number,
): { ok: true; extensions: MessageExtension[] } | { ok: false; message: string } {
  const extensions: MessageExtension[] = [];
  for (const ext of accepted) {
    if (ext.name !== PERMESSAGE_DEFLATE || offer === undefined || opts === false) {
      return { ok: false, message: `RFC 6455 §4.1: the server accepted ${JSON.stringify(ext.name)}, which was not offered` };
    }
    const r = acceptDeflateResponse(ext.params, offer.offer);
    if (!r.ok) return { ok: false, message: r.message };
    extensions.push(
      createPerMessageDeflate({ role: 'client', agreement: r.agreement, maxMessageSize, level: opts.level, threshold: opts.threshold }),
    );
  }
  return { ok: true, extensions };
}
