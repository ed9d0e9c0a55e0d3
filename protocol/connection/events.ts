// What a Connection hands out through drain(): events for the application and bytes for the transport.
import { Buffer } from 'node:buffer';
import type { Frame } from '../frame/frame.js';
import type { Violation } from '../violations.js';

export type ConnectionEvent =
  | { type: 'frame'; frame: Frame }
  | { type: 'text'; data: string; /** With `textAsBytes`: the message's UTF-8 bytes. */ bytes?: Uint8Array }
  | { type: 'binary'; data: Uint8Array }
  | { type: 'ping'; payload: Uint8Array }
  | { type: 'pong'; payload: Uint8Array }
  | { type: 'close'; code: number | null; reason: string }
  | { type: 'violation'; violation: Violation }
  | { type: 'closed'; code: number; reason: string; wasClean: boolean };

/** Receives the writes of drainWrites(): `chunks[0]` to `chunks[count - 1]`, valid only during the call. */
export type WritesSink = (chunks: readonly Uint8Array[], count: number) => void;

export interface Drained {
  events: ConnectionEvent[];
  writes: Uint8Array[];
  /** True once the caller should end TCP (stays true). */
  eof: boolean;
}

/** UTF-8 to string, keeping a leading U+FEFF (TextDecoder would strip it) and replacing bad bytes. */
export function decodeText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** A text event of a `textAsBytes` connection: the string is decoded on first read, if ever. */
export class LazyTextEvent {
  readonly type = 'text' as const;
  private text: string | undefined = undefined;
  constructor(readonly bytes: Uint8Array) {}
  get data(): string {
    this.text ??= decodeText(this.bytes);
    return this.text;
  }
}
