// Wire constants of RFC 6455.

/** RFC 6455 §5.2: opcodes. 3-7 and 0xB-0xF are reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

export const OPCODE_NAMES: Record<number, string> = {
  0x0: 'CONT',
  0x1: 'TEXT',
  0x2: 'BINARY',
  0x8: 'CLOSE',
  0x9: 'PING',
  0xa: 'PONG',
};

export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `OP${opcode.toString(16).toUpperCase()}`;
}

/** @see RFC 6455 §5.5: control frames have opcodes whose most significant bit is 1. */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** @see RFC 6455 §5.2: %x3-7 reserved for further non-control frames, %xB-F for further control frames. */
export function isReservedOpcode(opcode: number): boolean {
  return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xb;
}

/** RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less". */
export const MAX_CONTROL_PAYLOAD = 125;

/** RFC 6455 §7.4.1: defined status codes. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  Reserved: 1004,
  NoStatus: 1005,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  TlsHandshake: 1015,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** RFC 6455 §4.1 / §4.2.1: the only version this protocol defines. */
export const WEBSOCKET_VERSION = '13';
/** RFC 6455 §1.3: the GUID concatenated with Sec-WebSocket-Key. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
