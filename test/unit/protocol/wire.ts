// Test helpers that speak protocol: hex in and out, frames written by a Connection decoded back.
import { Connection, type ConnectionEvent, type ConnectionOptions } from '../../../protocol/connection/connection.js';
import { FrameDecoder } from '../../../protocol/frame/decoder.js';
import type { DecodedFrame } from '../../../protocol/frame/frame.js';

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.length).toString('hex');
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes bytes a Connection wrote (they are complete frames); throws on a structural error. */
export function framesOf(bytes: Uint8Array): DecodedFrame[] {
  const d = new FrameDecoder();
  d.push(bytes.slice());
  const out: DecodedFrame[] = [];
  for (let r = d.next(); r !== null; r = d.next()) {
    if (r.type === 'error') throw new Error(r.violation.message);
    out.push(r.frame);
  }
  if (d.buffered !== 0) throw new Error(`${d.buffered} trailing bytes`);
  return out;
}

export interface Step {
  events: ConnectionEvent[];
  wire: Uint8Array;
  frames: DecodedFrame[];
  eof: boolean;
}

/** Feeds `bytes` (a copy) to the connection and drains it. */
export function feed(conn: Connection, bytes: Uint8Array | null): Step {
  if (bytes === null) conn.receiveEof();
  else conn.receive(bytes.slice());
  return step(conn);
}

/**
 * Drains until a drain hands out no events, as a pump whose application does not react would: a Close the input
 * made due is held until the events before it were handed out (Connection.drain()).
 */
export function step(conn: Connection): Step {
  const events: ConnectionEvent[] = [];
  const writes: Uint8Array[] = [];
  let eof = false;
  for (let guard = 0; guard < 100; guard++) {
    const out = conn.drain();
    events.push(...out.events);
    writes.push(...out.writes);
    eof = out.eof;
    if (out.events.length === 0) break;
  }
  const wire = concat(writes);
  return { events, wire, frames: framesOf(wire), eof };
}

/** Events without the per-frame transcript entries. */
export function appEvents(events: ConnectionEvent[]): ConnectionEvent[] {
  return events.filter((e) => e.type !== 'frame');
}

export function connection(opts: Partial<ConnectionOptions> & Pick<ConnectionOptions, 'role'>): Connection {
  return new Connection(opts);
}
