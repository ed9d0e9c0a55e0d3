// Every way a peer can break RFC 6455 (or RFC 7692), in one table: a stable id, the section, the close code.
// Nothing else decides a close code for a protocol error.

export const VIOLATIONS = {
  // Framing (RFC 6455 §5.1-§5.4)
  'unmasked-client-frame': { rfc: '5.1', closeCode: 1002, text: 'a client frame must be masked' },
  'masked-server-frame': { rfc: '5.1', closeCode: 1002, text: 'a server frame must not be masked' },
  'reserved-bits-set': { rfc: '5.2', closeCode: 1002, text: 'RSV bits set with no extension negotiated' },
  'reserved-opcode': { rfc: '5.2', closeCode: 1002, text: 'reserved opcode' },
  'length-msb-set': { rfc: '5.2', closeCode: 1002, text: '64-bit payload length with the most significant bit set' },
  'length-not-minimal': { rfc: '5.2', closeCode: 1002, text: 'payload length not in its minimal encoding' },
  'control-frame-too-long': { rfc: '5.5', closeCode: 1002, text: 'control frame payload longer than 125 bytes' },
  'control-frame-fragmented': { rfc: '5.5', closeCode: 1002, text: 'control frame with FIN clear' },
  'continuation-without-message': { rfc: '5.4', closeCode: 1002, text: 'continuation frame with no message open' },
  'data-frame-inside-message': { rfc: '5.4', closeCode: 1002, text: 'new data frame while a fragmented message is open' },
  // Close (RFC 6455 §5.5.1, §7.4)
  'close-payload-one-byte': { rfc: '5.5.1', closeCode: 1002, text: 'close payload of 1 byte' },
  'invalid-close-code': { rfc: '7.4.1', closeCode: 1002, text: 'close code not allowed on the wire' },
  'close-reason-not-utf8': { rfc: '5.5.1', closeCode: 1007, text: 'close reason is not valid UTF-8' },
  'frame-after-close': { rfc: '5.5.1', closeCode: 1002, text: 'data received after a close frame' },
  // Payload (RFC 6455 §8.1, §7.4.1)
  'invalid-utf8': { rfc: '8.1', closeCode: 1007, text: 'text message is not valid UTF-8' },
  'message-too-big': { rfc: '7.4.1', closeCode: 1009, text: 'message larger than the configured limit' },
  'frame-too-big': { rfc: '7.4.1', closeCode: 1009, text: 'frame larger than the configured limit' },
  // permessage-deflate (RFC 7692)
  'rsv1-on-continuation': { rfc: '7692 6', closeCode: 1002, text: 'RSV1 set on a continuation frame' },
  'rsv1-on-control': { rfc: '7692 6', closeCode: 1002, text: 'RSV1 set on a control frame' },
  'inflate-error': { rfc: '7692 7.2.2', closeCode: 1007, text: 'compressed payload does not inflate' },
  'inflated-too-big': { rfc: '10.4', closeCode: 1009, text: 'inflated message larger than the configured limit' },
  // Transport
  'unexpected-eof': { rfc: '7.1.5', closeCode: 1006, text: 'TCP closed without a close handshake' },
} as const;

export type ViolationId = keyof typeof VIOLATIONS;

export interface Violation {
  id: ViolationId;
  /** Section, e.g. '5.5' for RFC 6455 or '7692 7.2.2' for RFC 7692. */
  rfc: string;
  closeCode: number;
  /** One line citing the section: `RFC 6455 §5.5: control frame payload 126 > 125`. */
  message: string;
}

export function rfcCitation(rfc: string): string {
  return rfc.startsWith('7692 ') ? `RFC 7692 §${rfc.slice(5)}` : `RFC 6455 §${rfc}`;
}

/** The one helper that makes violations, so ids, sections, codes and messages cannot drift apart. */
export function violation(id: ViolationId, detail?: string): Violation {
  const v = VIOLATIONS[id];
  return {
    id,
    rfc: v.rfc,
    closeCode: v.closeCode,
    message: `${rfcCitation(v.rfc)}: ${detail ?? v.text}`,
  };
}
